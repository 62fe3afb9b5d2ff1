"""`relaydesk check` for Telegram: token, operator chat, the bot's rights there, in plain words."""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramUnauthorizedError

from bot.settings import Settings
from bridges.telegram.runtime import make_bot

Finding = tuple[bool, str]

NO_TOKEN = (
    "RELAYDESK_TELEGRAM_TOKEN is not set: create a bot with @BotFather and put its token there."
)
BAD_TOKEN = (
    "Telegram refused the token in RELAYDESK_TELEGRAM_TOKEN: "
    "copy it again from @BotFather (/mybots → API Token)."
)
UNREACHABLE = (
    "Could not reach the Bot API at {url}: {error}. "
    "Check RELAYDESK_TELEGRAM_API_URL and the network."
)
NO_CHAT = (
    "RELAYDESK_TELEGRAM_OPERATOR_CHAT_ID is not set: create a supergroup, turn on Topics in its "
    "settings, add the bot as an admin, and put the group's id (it starts with -100) there."
)
CHAT_HIDDEN = (
    "The bot cannot see chat {chat} ({error}): add @{bot} to the group, "
    "and check RELAYDESK_TELEGRAM_OPERATOR_CHAT_ID."
)
NOT_FORUM = 'Chat "{title}" is not a forum: open the group\'s settings and turn on Topics.'
NO_TOPIC_RIGHT = (
    "The bot is an admin but may not manage topics: "
    'edit its admin rights and allow "Manage topics".'
)
NOT_ADMIN = (
    'The bot is only a {status} of "{title}": make it an admin with the right to manage topics.'
)
NO_WEBHOOK_URL = (
    "RELAYDESK_TELEGRAM_MODE=webhook needs RELAYDESK_TELEGRAM_WEBHOOK_URL "
    "(the public https address of /telegram/webhook)."
)


async def check(settings: Settings) -> list[Finding]:
    if not settings.telegram_token_value:
        return [(False, NO_TOKEN)]
    bot = make_bot(settings)
    try:
        return await _check(bot, settings)
    finally:
        await bot.session.close()


async def _check(bot: Bot, settings: Settings) -> list[Finding]:
    try:
        me = await bot.get_me()
    except TelegramUnauthorizedError:
        return [(False, BAD_TOKEN)]
    except (TelegramAPIError, OSError) as error:
        return [(False, UNREACHABLE.format(url=settings.telegram_api_url, error=error))]
    findings: list[Finding] = [(True, f"The token works: the bot is @{me.username} (id {me.id}).")]
    chat_id = settings.telegram_operator_chat_id
    if chat_id is None:
        return [*findings, (False, NO_CHAT)]
    try:
        chat = await bot.get_chat(chat_id)
    except TelegramAPIError as error:
        hidden = CHAT_HIDDEN.format(chat=chat_id, error=error.message, bot=me.username)
        return [*findings, (False, hidden)]
    title = chat.title or chat_id
    if chat.is_forum:
        findings.append((True, f'Chat "{title}" is a forum: each conversation gets a topic.'))
    else:
        findings.append((False, NOT_FORUM.format(title=title)))
    member = await bot.get_chat_member(chat_id, me.id)
    if member.status == "creator":
        findings.append((True, "The bot owns the group."))
    elif member.status != "administrator":
        findings.append((False, NOT_ADMIN.format(status=member.status, title=title)))
    elif getattr(member, "can_manage_topics", False):
        findings.append((True, "The bot is an admin there and may manage topics."))
    else:
        findings.append((False, NO_TOPIC_RIGHT))
    if settings.telegram_mode == "webhook" and not settings.telegram_webhook_url:
        findings.append((False, NO_WEBHOOK_URL))
    return findings
