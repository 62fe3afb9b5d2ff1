"""`relaydesk check` for helper bots (RELAYDESK_TELEGRAM_HELPER_TOKENS): each token works,
and each helper is an admin of the operators' group with the right to manage topics."""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

from bot.base.i18n import Text, _
from bot.base.redact import Redactor
from bot.base.settings import Settings
from bridges.telegram import reach
from bridges.telegram.helpers import may_post
from bridges.telegram.runtime import make_bot

Finding = tuple[bool, Text]

HELPER_WORKS = _("Helper bot {number} works: it is @{bot} (id {id}).")
HELPER_REFUSED = _(
    "Telegram refused helper bot {number} of RELAYDESK_TELEGRAM_HELPER_TOKENS ({error}): "
    "copy its token from @BotFather again, or remove it."
)
HELPER_IS_MAIN = _(
    "Helper bot {number} is the main bot itself: RELAYDESK_TELEGRAM_HELPER_TOKENS takes the "
    "tokens of other bots."
)
HELPER_HIDDEN = _(
    "Helper bot @{bot} cannot see chat {chat} ({error}): add it to the group as an admin "
    "with the right to manage topics."
)
HELPER_NOT_IN = _(
    'Helper bot @{bot} is not in "{title}": add it to the group as an admin with the right '
    "to manage topics."
)
HELPER_MAY_POST = _('Helper bot @{bot} is an admin of "{title}" and posts customers\' messages.')
HELPER_NOT_ADMIN = _(
    'Helper bot @{bot} is only a {status} of "{title}" and posts nothing there: make it an '
    "admin with the right to manage topics."
)
HELPER_NO_TOPIC_RIGHT = _(
    'Helper bot @{bot} is an admin of "{title}" but may not manage topics, so it posts '
    'nothing there: edit its admin rights and allow "Manage topics".'
)


async def helper_findings(settings: Settings) -> list[Finding]:
    found: list[Finding] = []
    main_id = _bot_id(settings.telegram_token_value)
    for number, token in enumerate(settings.telegram_helper_token_values, start=1):
        if _bot_id(token) == main_id:
            found.append((False, Text(HELPER_IS_MAIN, number=number)))
            continue
        bot = make_bot(settings, token)
        try:
            found += await _check_helper(bot, number, settings)
        finally:
            await bot.session.close()
    return found


async def _check_helper(bot: Bot, number: int, settings: Settings) -> list[Finding]:
    try:
        me = await bot.get_me()
    except TelegramAPIError as error:
        return [(False, Text(HELPER_REFUSED, number=number, error=error.message))]
    except Exception as error:  # not reaching Telegram is worded by `reach`, as in the log
        outage = reach.outage(error, settings, Redactor.of_settings(settings))
        if outage is None:
            raise
        return [(False, outage.text)]
    found: list[Finding] = [(True, Text(HELPER_WORKS, number=number, bot=me.username, id=me.id))]
    chat_id = settings.telegram_operator_chat_id
    if chat_id is None:
        return found
    try:
        chat = await bot.get_chat(chat_id)
        member = await bot.get_chat_member(chat_id, me.id)
    except TelegramAPIError as error:
        hidden = Text(HELPER_HIDDEN, bot=me.username, chat=chat_id, error=error.message)
        return [*found, (False, hidden)]
    title = chat.title or str(chat_id)
    if may_post(member):
        found.append((True, Text(HELPER_MAY_POST, bot=me.username, title=title)))
    elif member.status in ("left", "kicked"):
        found.append((False, Text(HELPER_NOT_IN, bot=me.username, title=title)))
    elif member.status == "administrator":
        found.append((False, Text(HELPER_NO_TOPIC_RIGHT, bot=me.username, title=title)))
    else:
        status = member.status
        found.append((False, Text(HELPER_NOT_ADMIN, bot=me.username, status=status, title=title)))
    return found


def _bot_id(token: str | None) -> str | None:
    return token.partition(":")[0] if token else None
