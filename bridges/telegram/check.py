"""`relaydesk check` for Telegram: token, operator chat, the bot's rights there, in plain words.

The findings are texts to translate: the CLI prints them in English, the admin panel's empty
dashboard shows them in its reader's language. Failures to reach the Bot API are worded by
`reach`, as in the log and `/healthz`.
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

from bot.base.i18n import Text, _
from bot.base.redact import Redactor
from bot.base.settings import Settings
from bridges.telegram import reach
from bridges.telegram.helper_check import helper_findings
from bridges.telegram.runtime import make_bot
from bridges.telegram.turned_off import NO_TOKEN, NO_WEBHOOK_URL

Finding = tuple[bool, Text]

TOKEN_WORKS = _("The token works: the bot is @{bot} (id {id}).")
NO_CHAT = _(
    "RELAYDESK_TELEGRAM_OPERATOR_CHAT_ID is not set: create a supergroup, turn on Topics in its "
    "settings, add the bot as an admin, and put the group's id (it starts with -100) there."
)
CHAT_HIDDEN = _(
    "The bot cannot see chat {chat} ({error}): add @{bot} to the group, "
    "and check RELAYDESK_TELEGRAM_OPERATOR_CHAT_ID."
)
IS_FORUM = _('Chat "{title}" is a forum: each conversation gets a topic.')
NOT_FORUM = _('Chat "{title}" is not a forum: open the group\'s settings and turn on Topics.')
OWNER = _("The bot owns the group.")
MAY_MANAGE = _("The bot is an admin there and may manage topics.")
NO_TOPIC_RIGHT = _(
    "The bot is an admin but may not manage topics: "
    'edit its admin rights and allow "Manage topics".'
)
NOT_ADMIN = _(
    'The bot is only a {status} of "{title}": make it an admin with the right to manage topics.'
)


async def findings(settings: Settings) -> list[Finding]:
    if not settings.telegram_token_value:
        return [(False, Text(NO_TOKEN))]
    bot = make_bot(settings)
    try:
        found = await _check(bot, settings)
    finally:
        await bot.session.close()
    return found + await helper_findings(settings)


async def _check(bot: Bot, settings: Settings) -> list[Finding]:
    try:
        me = await bot.get_me()
    except Exception as error:  # every failure to reach it is worded by `reach`, as in the log
        outage = reach.outage(error, settings, Redactor.of_settings(settings))
        if outage is None:
            raise
        return [(False, outage.text)]
    found: list[Finding] = [(True, Text(TOKEN_WORKS, bot=me.username, id=me.id))]
    chat_id = settings.telegram_operator_chat_id
    if chat_id is None:
        return [*found, (False, Text(NO_CHAT))]
    try:
        chat = await bot.get_chat(chat_id)
    except TelegramAPIError as error:
        hidden = Text(CHAT_HIDDEN, chat=chat_id, error=error.message, bot=me.username)
        return [*found, (False, hidden)]
    title = chat.title or str(chat_id)
    if chat.is_forum:
        found.append((True, Text(IS_FORUM, title=title)))
    else:
        found.append((False, Text(NOT_FORUM, title=title)))
    member = await bot.get_chat_member(chat_id, me.id)
    if member.status == "creator":
        found.append((True, Text(OWNER)))
    elif member.status != "administrator":
        found.append((False, Text(NOT_ADMIN, status=member.status, title=title)))
    elif getattr(member, "can_manage_topics", False):
        found.append((True, Text(MAY_MANAGE)))
    else:
        found.append((False, Text(NO_TOPIC_RIGHT)))
    if settings.telegram_mode == "webhook" and not settings.telegram_webhook_url:
        found.append((False, Text(NO_WEBHOOK_URL)))
    return found


async def check(settings: Settings) -> list[tuple[bool, str]]:
    """The findings in English, as `relaydesk check` prints them."""
    from bot.base.i18n import Translator

    translator = Translator()
    return [(good, translator.render("en", text)) for good, text in await findings(settings)]
