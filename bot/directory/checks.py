"""Pure checks of the directory's settings, shared by its services and the file import.

Each turns what a person typed into model columns or raises `DirectoryError` saying what is
wrong and where; none of them looks into the database.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from bot.base.bounds import BIGINT_MAX, INT_MAX, number_in, row_id
from bot.base.i18n import LANGUAGES, Text, _
from bot.directory import DirectoryError
from bot.directory.business_hours import normalise_hours, validate_hours
from storage.models import OperatorStatus, RoutingPolicy

REPLY_MODES = ("all", "marked")
ROUTING_POLICIES = tuple(policy.value for policy in RoutingPolicy)
ROLES = ("operator", "supervisor", "admin")
STATUSES = tuple(status.value for status in OperatorStatus)
SCOPES = ("global", "line", "personal")
CHANNELS = ("telegram", "webchat", "api", "vk", "whatsapp", "viber", "email")

SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
TELEGRAM_USERNAME = re.compile(r"[A-Za-z0-9_]{1,64}")
SLACK_USER = re.compile(r"[UW][A-Z0-9]{1,31}")
SLACK_CHANNEL = re.compile(r"[CG][A-Z0-9]{1,63}")
QUICK_REPLY_NAME = re.compile(r"[\w-]{1,64}")
ENTRY_POINT_KEY_LIMIT = 128  # the column's
# The scheduler subtracts this many minutes from now: a year keeps it far from datetime's ends.
AUTO_CLOSE_LIMIT = 60 * 24 * 365
# The numbers of a line's or an operator's settings: (least, most).
NUMBER_RANGES: dict[str, tuple[int, int]] = {
    "auto_close_minutes": (1, AUTO_CLOSE_LIMIT),
    "telegram_user_id": (1, BIGINT_MAX),
    "capacity": (0, INT_MAX),
}


# --- one value --------------------------------------------------------------------------------


def _choice(options: tuple[str, ...]) -> Callable[[Any], str]:
    def clean(value: Any) -> str:
        if not isinstance(value, str) or value not in options:
            raise DirectoryError(Text(_("must be one of {options}"), options=", ".join(options)))
        return value

    return clean


def _text(limit: int) -> Callable[[Any], str]:
    def clean(value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise DirectoryError(Text(_("must be a non-empty text")))
        if len(value) > limit:
            raise DirectoryError(Text(_("must be at most {limit} characters"), limit=limit))
        return value.strip()

    return clean


def _optional_text(value: Any) -> str | None:
    """An empty text clears the message (no greeting)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise DirectoryError(Text(_("must be a text")))
    return value


def _integer(low: int, high: int, optional: bool = False) -> Callable[[Any], int | None]:
    """`high` is the column's range (or less): a larger number would fail in the database."""

    def clean(value: Any) -> int | None:
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise DirectoryError(Text(_("must be a whole number, at least {low}"), low=low))
        if value > high:
            raise DirectoryError(Text(_("must be a whole number, at most {high}"), high=high))
        return value

    return clean


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise DirectoryError(Text(_("must be true or false")))
    return value


def _topics(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise DirectoryError(Text(_("must be a list of texts")))
    topics = [_text(128)(topic) for topic in value]
    if len(set(topics)) != len(topics):
        raise DirectoryError(Text(_("names a topic twice")))
    return topics


def _language(value: Any) -> str | None:
    return None if value in (None, "") else _choice(LANGUAGES)(value)


def _pattern(pattern: re.Pattern[str], example: str) -> Callable[[Any], str | None]:
    def clean(value: Any) -> str | None:
        if value in (None, ""):  # an empty text removes the account
            return None
        if not isinstance(value, str) or not pattern.fullmatch(value.lstrip("@")):
            expected = _("is not valid (expected something like {example})")
            raise DirectoryError(Text(expected, example=example))
        return value.lstrip("@")

    return clean


def parse_workspace(value: Any) -> tuple[str, str]:
    """`telegram:<chat id>` or `slack:<channel id>` -> (workspace_kind, workspace_chat)."""
    kind, _sep, chat = str(value).strip().partition(":")
    chat_id = number_in(chat, -BIGINT_MAX, BIGINT_MAX) if kind == "telegram" else None
    if chat_id is not None:
        return kind, str(chat_id)
    if kind == "slack" and SLACK_CHANNEL.fullmatch(chat):
        return kind, chat
    raise DirectoryError(
        Text(
            _(
                "must be telegram:<chat id> (telegram:-1001234567890) or slack:<channel id> "
                "(slack:C0123ABCD)"
            )
        )
    )


def check_business_hours(value: Any) -> dict[str, Any] | None:
    """Stored normalised (`9:00 - 18:00` becomes `09:00-18:00`) so readers need no leniency;
    the first problem `bot.directory.business_hours` finds is the one told."""
    problems = validate_hours(value)
    if problems:
        raise DirectoryError(problems[0])
    return normalise_hours(value)


# --- a line, an operator ----------------------------------------------------------------------

LINE_FIELDS: dict[str, Callable[[Any], Any]] = {
    "name": _text(128),
    "workspace": parse_workspace,
    "reply_mode": _choice(REPLY_MODES),
    "routing_policy": _choice(ROUTING_POLICIES),
    "business_hours": check_business_hours,
    "greeting": _optional_text,
    "out_of_hours_message": _optional_text,
    "closing_message": _optional_text,
    "topics": _topics,
    "csat_enabled": _boolean,
    "suggestions": _boolean,
    "auto_close_minutes": _integer(*NUMBER_RANGES["auto_close_minutes"], optional=True),
}
OPERATOR_FIELDS: dict[str, Callable[[Any], Any]] = {
    "name": _text(128),
    "telegram_user_id": _integer(*NUMBER_RANGES["telegram_user_id"], optional=True),
    "telegram_username": _pattern(TELEGRAM_USERNAME, "@olga_support"),
    "slack_user_id": _pattern(SLACK_USER, "U0123ABCD"),
    "role": _choice(ROLES),
    "capacity": _integer(*NUMBER_RANGES["capacity"]),
    "status": _choice(STATUSES),
    "language": _language,
}


def _clean(
    values: Mapping[str, Any], checks: Mapping[str, Callable[[Any], Any]], required: tuple[str, ...]
) -> dict[str, Any]:
    missing = [name for name in required if values.get(name) is None]
    if missing:
        raise DirectoryError(Text(_("is required")), missing[0])
    cleaned = {}
    for name, value in values.items():
        if name not in checks:
            known = Text(_("unknown setting; known are {names}"), names=", ".join(checks))
            raise DirectoryError(known, name)
        try:
            cleaned[name] = checks[name](value)
        except DirectoryError as error:
            raise DirectoryError(error.text, name) from None
    return cleaned


def check_slug(slug: Any) -> str:
    if not isinstance(slug, str) or not SLUG.fullmatch(slug):
        slug_rule = _("must be lowercase letters, digits, - and _ (support, vip-2)")
        raise DirectoryError(Text(slug_rule), "slug")
    return slug


def check_line(values: Mapping[str, Any], *, new: bool) -> dict[str, Any]:
    """Model columns from a line's settings; a new line needs a name and a workspace."""
    cleaned = _clean(values, LINE_FIELDS, ("name", "workspace") if new else ())
    if "workspace" in cleaned:
        cleaned["workspace_kind"], cleaned["workspace_chat"] = cleaned.pop("workspace")
    return cleaned


def check_operator(values: Mapping[str, Any], *, new: bool) -> dict[str, Any]:
    """A new operator needs a name and an account the bridges can recognise them by."""
    cleaned = _clean(values, OPERATOR_FIELDS, ("name",) if new else ())
    if new and cleaned.get("telegram_user_id") is None and cleaned.get("slack_user_id") is None:
        needs = Text(_("needs telegram_user_id or slack_user_id"))
        raise DirectoryError(needs, "telegram_user_id")
    return cleaned


def parse_operator_ref(ref: Any) -> dict[str, Any]:
    """`telegram:<id>`, `slack:<id>`, `@username` or the operator's number -> a filter.
    A number no column can hold names no operator, in the same words as a word would."""
    text = str(ref).strip()
    kind, _sep, value = text.partition(":")
    number = row_id(text)
    if number is not None:
        return {"id": number}
    if text.startswith("@") and TELEGRAM_USERNAME.fullmatch(text[1:]):
        return {"telegram_username__iexact": text[1:]}
    telegram_id = number_in(value, 1, BIGINT_MAX) if kind == "telegram" else None
    if telegram_id is not None:
        return {"telegram_user_id": telegram_id}
    if kind == "slack" and SLACK_USER.fullmatch(value):
        return {"slack_user_id": value}
    no_operator = _(
        "{ref!r} names no operator: write telegram:<user id>, slack:<user id>, "
        "@telegram_username or the operator's number"
    )
    raise DirectoryError(Text(no_operator, ref=text))


# --- an entry point, a quick reply ------------------------------------------------------------


def check_entry_point_key(key: Any) -> str:
    channel, _sep, rest = str(key).partition(":")
    if len(str(key)) > ENTRY_POINT_KEY_LIMIT:
        too_long = _("entry point {key!r}… is too long: at most {limit} characters")
        raise DirectoryError(Text(too_long, key=str(key)[:32], limit=ENTRY_POINT_KEY_LIMIT))
    if channel not in CHANNELS or not rest:
        shape = _(
            "entry point {key!r} should be <channel>:<id> (telegram:123456), with the "
            "channel one of {channels}"
        )
        raise DirectoryError(Text(shape, key=str(key), channels=", ".join(CHANNELS)))
    return str(key)


def check_quick_reply(values: Mapping[str, Any]) -> dict[str, Any]:
    """Name, scope and texts; whether the line or operator exists is the database's to say."""
    known = {"name", "scope", "line", "operator", "texts"}
    for key in values:
        if key not in known:
            names = ", ".join(sorted(known))
            raise DirectoryError(Text(_("unknown setting; known are {names}"), names=names), key)
    name = values.get("name")
    if not isinstance(name, str) or not QUICK_REPLY_NAME.fullmatch(name):
        raise DirectoryError(Text(_("must be one word of letters, digits, - and _")), "name")
    scope = values.get("scope", "global")
    try:
        _choice(SCOPES)(scope)
    except DirectoryError as error:
        raise DirectoryError(error.text, "scope") from None
    needs = {"global": (), "line": ("line",), "personal": ("operator",)}[scope]
    for key in ("line", "operator"):
        if (values.get(key) is not None) != (key in needs):
            rule = (
                _("a {scope} quick reply needs {key}")
                if key in needs
                else _("a {scope} quick reply takes no {key}")
            )
            raise DirectoryError(Text(rule, scope=scope, key=key), key)
    if scope == "personal":
        try:
            parse_operator_ref(values["operator"])
        except DirectoryError as error:
            raise DirectoryError(error.text, "operator") from None
    texts = values.get("texts")
    if not isinstance(texts, Mapping) or not texts:
        one_text = Text(
            _("needs a text in at least one of {languages}"), languages=", ".join(LANGUAGES)
        )
        raise DirectoryError(one_text, "texts")
    for lang, text in texts.items():
        if lang not in LANGUAGES or not isinstance(text, str) or not text.strip():
            rule = _("{lang}: must be a language ({languages}) with a text")
            raise DirectoryError(Text(rule, lang=lang, languages=", ".join(LANGUAGES)), "texts")
    return {
        "name": name,
        "scope": scope,
        "line": values.get("line"),
        "operator": values.get("operator"),
        "texts": dict(texts),
    }
