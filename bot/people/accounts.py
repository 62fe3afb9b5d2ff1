"""Accounts of the web admin panel: who may sign in, as which operator, in which language.

A person has one role: an account linked to an operator has the operator's role (set on the
operators page or with `relaydesk operators set`), so a changed role applies at the account's
next request. An account without an operator is an admin's. Every change is validated here,
said as message ids (the panel shows them in its reader's language, the CLI in English) and
audited in the transaction that makes it."""

from __future__ import annotations

import functools
import re
import secrets
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from bot.base import audit
from bot.base.i18n import LANGUAGES, Text, _
from bot.directory import DirectoryError
from bot.directory.operators import update_operator
from storage.models import AdminAccount, AdminSession, Operator

ADMIN = "admin"
ROLES = (ADMIN, "supervisor", "operator")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # the sign-in form reads no more
_USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Checked against when the name is unknown, so a wrong name costs as long as a wrong
    password. Made at the first sign-in, not at import: a hash takes 64 MiB and 0.1 s."""
    return _hasher.hash(secrets.token_urlsafe(16))


class AccountRefusal(DirectoryError):
    """Every problem of one account form, each with its field, as a message id."""

    def __init__(self, problems: dict[str, Text]) -> None:
        super().__init__(Text("{problems}", problems=list(problems.values())))
        self.problems = problems


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problems(password: str, again: str | None = None) -> dict[str, Text]:
    """`again`: the second typing, when the form asks twice."""
    if len(password) < MIN_PASSWORD:
        short = _("The password needs at least {count} characters.")
        return {"password": Text(short, count=MIN_PASSWORD)}
    if len(password) > MAX_PASSWORD:
        long = _("The password may hold at most {count} characters.")
        return {"password": Text(long, count=MAX_PASSWORD)}
    if again is not None and again != password:
        return {"password_again": Text(_("The two passwords differ."))}
    return {}


def _language_problems(language: str) -> dict[str, Text]:
    if language in LANGUAGES:
        return {}
    return {
        "language": Text(
            _("The language must be one of {languages}."), languages=", ".join(LANGUAGES)
        )
    }


def _refuse(problems: dict[str, Text]) -> None:
    if problems:
        raise AccountRefusal(problems)


def role_of(account: AdminAccount, operator: Operator | None) -> str:
    """The account's operator's role; an account without an operator is an admin's."""
    if operator is None:
        return account.role if account.role in ROLES else ADMIN
    return operator.role if operator.role in ROLES else "operator"


async def operator_of(account: AdminAccount) -> Operator | None:
    operator_id = account.operator_id  # type: ignore[attr-defined]
    return await Operator.get_or_none(id=operator_id) if operator_id else None


async def create_account(
    username: str,
    password: str,
    *,
    role: str | None = None,
    operator: Operator | None = None,
    language: str = "en",
    again: str | None = None,
    by: str = "cli",
    actor: Operator | None = None,
    at: datetime,
) -> AdminAccount:
    """`role` given with an operator becomes the operator's role (audited as the operators
    page would); without an operator the account is an admin's."""
    problems: dict[str, Text] = {}
    if not _USERNAME.match(username):
        problems["username"] = Text(_("The name may hold 2 to 64 letters, digits and _ . @ -."))
    elif await AdminAccount.exists(username=username):
        problems["username"] = _taken(username)
    if role is not None and role not in ROLES:
        problems["role"] = Text(_("The role must be one of {roles}."), roles=", ".join(ROLES))
    elif operator is None and role not in (None, ADMIN):
        problems["operator"] = Text(
            _("A {role} account needs the operator it belongs to."), role=role
        )
    problems |= password_problems(password, again) | _language_problems(language)
    _refuse(problems)
    async with in_transaction():
        if operator is not None and role is not None and role != operator.role:
            await update_operator(str(operator.id), {"role": role}, actor_name=by)
            operator.role = role
        effective = operator.role if operator is not None else ADMIN
        try:
            account = await AdminAccount.create(
                username=username,
                password_hash=hash_password(password),
                role=effective,
                operator=operator,
                language=language,
            )
        except IntegrityError as error:
            raise AccountRefusal({"username": _taken(username)}) from error
        await audit.record(
            "account.created",
            at=at,
            actor=actor,
            actor_name=by,
            operator=operator,
            new=f"{username} ({effective})",
        )
    return account


def _taken(username: str) -> Text:
    return Text(_("An account named {name} exists already."), name=username)


async def set_password(
    account: AdminAccount,
    password: str,
    *,
    again: str | None = None,
    current: str | None = None,
    by: str,
    actor: Operator | None = None,
    at: datetime,
) -> None:
    """`current`: the password the account's owner types to change their own."""
    problems: dict[str, Text] = {}
    if current is not None and not check_password(account.password_hash, current):
        problems["current_password"] = Text(_("The current password is wrong."))
    problems |= password_problems(password, again)
    _refuse(problems)
    async with in_transaction():
        account.password_hash = hash_password(password)
        await account.save(update_fields=["password_hash"])
        await audit.record(
            "account.password",
            at=at,
            actor=actor,
            actor_name=by,
            operator=await operator_of(account),
            new=account.username,
        )


async def set_language(
    account: AdminAccount, language: str, *, by: str, actor: Operator | None = None, at: datetime
) -> None:
    _refuse(_language_problems(language))
    if language == account.language:
        return
    async with in_transaction():
        old, account.language = account.language, language
        await account.save(update_fields=["language"])
        await audit.record(
            "account.language",
            at=at,
            actor=actor,
            actor_name=by,
            operator=await operator_of(account),
            old=old,
            new=language,
            account=account.username,
        )


async def set_disabled(
    account: AdminAccount,
    disabled: bool,
    *,
    by: str,
    actor: Operator | None = None,
    acting_account_id: int | None = None,
    at: datetime,
) -> None:
    """A disabled account cannot sign in, and its sessions end: those kept in the database
    are deleted here; one kept in Redis ends at its next request, which finds the account
    disabled."""
    if disabled and account.id == acting_account_id:
        _refuse({"_form": Text(_("You cannot disable the account you are signed in with."))})
    if disabled == account.disabled:
        return
    async with in_transaction():
        account.disabled = disabled
        await account.save(update_fields=["disabled"])
        if disabled:
            await AdminSession.filter(account_id=account.id).delete()
        await audit.record(
            "account.disabled" if disabled else "account.enabled",
            at=at,
            actor=actor,
            actor_name=by,
            operator=await operator_of(account),
            new=account.username,
        )


async def authenticate(username: str, password: str) -> AdminAccount | None:
    account = await AdminAccount.get_or_none(username=username, disabled=False)
    if account is None:
        check_password(_dummy_hash(), password)
        return None
    return account if check_password(account.password_hash, password) else None
