"""Panel sign-ins. Everyone has "My account" (their language and password); admins give an
operator a sign-in on the operator's page and set its password, language or disable it. The
account's role is always its operator's; every check and change is `bot.people.accounts`'."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_web.access import ADMIN, viewer
from admin_web.pages import render
from admin_web.params import id_or_404
from admin_web.state import core_of, state_of
from admin_web.views.lines import actor_name, text_of, translated
from admin_web.views.operators import form_of, operator_or_404, operator_page
from bot.base.i18n import _
from bot.people import accounts
from storage.models import AdminAccount, Operator

routes = web.RouteTableDef()

# Each language by its own name, as language pickers show them.
LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "uk": "Українська"}


def said(request: web.Request, refusal: accounts.AccountRefusal) -> dict[str, str]:
    """The refusal's problems in the viewer's language, by field."""
    return {
        field: translated(request, text.msgid, **text.args)
        for field, text in refusal.problems.items()
    }


def by(request: web.Request) -> dict[str, Any]:
    """Who makes a change, for its audit entry."""
    who = viewer(request)
    return {"by": actor_name(request), "actor": who.operator, "at": core_of(request).clock.now()}


# --- my account --------------------------------------------------------------------------------


def my_page(
    request: web.Request,
    errors: dict[str, str] | None = None,
    language: str | None = None,
    status: int = 200,
) -> web.Response:
    who = viewer(request)
    context = {
        "errors": errors or {},
        "chosen": language or who.account.language,
        "language_names": LANGUAGE_NAMES,
        "min_password": accounts.MIN_PASSWORD,
        "saved": request.query.get("saved"),
    }
    return render("account.html", request, context, status=status)


def _password(form: Any, name: str) -> str:
    """A password field, cut one past the longest allowed so that the check still refuses it."""
    return str(form.get(name) or "")[: accounts.MAX_PASSWORD + 1]


@routes.get("/account", name="account")
async def my_account(request: web.Request) -> web.StreamResponse:
    viewer(request)
    return my_page(request)


@routes.post("/account/language", name="account_language")
async def my_language(request: web.Request) -> web.StreamResponse:
    who = viewer(request)
    language = text_of(await request.post(), "language").strip()[:8]
    try:
        await accounts.set_language(who.account, language, **by(request))
    except accounts.AccountRefusal as refusal:
        return my_page(request, said(request, refusal), language, status=400)
    raise web.HTTPSeeOther("/admin/account?saved=language")


@routes.post("/account/password", name="account_password")
async def my_password(request: web.Request) -> web.StreamResponse:
    """The current password is asked for, and its checks count with the account's sign-in
    attempts, before the check as there: a borrowed session is not enough to take the
    account over, not even with a burst of parallel guesses."""
    who = viewer(request)
    form = await request.post()
    throttle = state_of(request).throttle
    key = f"name:{who.account.username.lower()}"
    if not await throttle.attempt(key):
        text = translated(request, _("Too many attempts. Try again in 15 minutes."))
        return my_page(request, {"current_password": text}, status=429)
    try:
        await accounts.set_password(
            who.account,
            _password(form, "password"),
            again=_password(form, "password_again"),
            current=_password(form, "current_password"),
            **by(request),
        )
    except accounts.AccountRefusal as refusal:
        if "current_password" not in refusal.problems:
            await throttle.succeeded(key)  # the right password, a new one not good enough
        return my_page(request, said(request, refusal), status=400)
    await throttle.succeeded(key)
    raise web.HTTPSeeOther("/admin/account?saved=password")


# --- an operator's sign-in, for admins ---------------------------------------------------------


async def account_or_404(request: web.Request, operator: Operator) -> AdminAccount:
    account = await AdminAccount.get_or_none(
        id=id_or_404(request, "account_id"), operator_id=operator.id
    )
    if account is None:
        raise web.HTTPNotFound()
    return account


async def refused(
    request: web.Request,
    operator: Operator,
    target: int | str,
    refusal: accounts.AccountRefusal,
    form: dict[str, str] | None = None,
) -> web.Response:
    """The operator's page again, the problems next to the fields of the form that sent them."""
    sign_in: dict[str, Any] = {"target": target, "errors": said(request, refusal)}
    if form is not None:
        sign_in["form"] = form
    return await operator_page(request, operator, form_of(operator), sign_in=sign_in, status=400)


def saved(operator: Operator) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(f"/admin/operators/{operator.id}?signed=1#sign-in")


@routes.post(r"/operators/{operator_id:\d+}/accounts", name="operator_account_create")
async def operator_account_create(request: web.Request) -> web.StreamResponse:
    viewer(request).require(ADMIN)
    operator = await operator_or_404(request)
    form = await request.post()
    typed = {
        "username": text_of(form, "username").strip(),  # too long: refused, not cut
        "language": text_of(form, "language").strip()[:8],
    }
    try:
        await accounts.create_account(
            typed["username"],
            _password(form, "password"),
            again=_password(form, "password_again"),
            operator=operator,
            language=typed["language"],
            **by(request),
        )
    except accounts.AccountRefusal as refusal:
        return await refused(request, operator, "new", refusal, typed)
    raise saved(operator)


@routes.post(
    r"/operators/{operator_id:\d+}/accounts/{account_id:\d+}/password",
    name="operator_account_password",
)
async def operator_account_password(request: web.Request) -> web.StreamResponse:
    viewer(request).require(ADMIN)
    operator = await operator_or_404(request)
    account = await account_or_404(request, operator)
    form = await request.post()
    try:
        await accounts.set_password(
            account,
            _password(form, "password"),
            again=_password(form, "password_again"),
            **by(request),
        )
    except accounts.AccountRefusal as refusal:
        return await refused(request, operator, account.id, refusal)
    raise saved(operator)


@routes.post(
    r"/operators/{operator_id:\d+}/accounts/{account_id:\d+}/language",
    name="operator_account_language",
)
async def operator_account_language(request: web.Request) -> web.StreamResponse:
    viewer(request).require(ADMIN)
    operator = await operator_or_404(request)
    account = await account_or_404(request, operator)
    language = text_of(await request.post(), "language").strip()[:8]
    try:
        await accounts.set_language(account, language, **by(request))
    except accounts.AccountRefusal as refusal:
        return await refused(request, operator, account.id, refusal)
    raise saved(operator)


@routes.post(
    r"/operators/{operator_id:\d+}/accounts/{account_id:\d+}/{change:disable|enable}",
    name="operator_account_access",
)
async def operator_account_access(request: web.Request) -> web.StreamResponse:
    """Disabling signs the account out: see `bot.people.accounts.set_disabled`."""
    who = viewer(request)
    who.require(ADMIN)
    operator = await operator_or_404(request)
    account = await account_or_404(request, operator)
    try:
        await accounts.set_disabled(
            account,
            request.match_info["change"] == "disable",
            acting_account_id=who.account.id,
            **by(request),
        )
    except accounts.AccountRefusal as refusal:
        return await refused(request, operator, account.id, refusal)
    raise saved(operator)
