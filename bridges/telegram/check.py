"""`relaydesk check` for Telegram: token, operator chat, the bot's rights there, in plain words."""

from __future__ import annotations

from aiogram.exceptions import TelegramAPIError, TelegramUnauthorizedError

from bot.settings import Settings
from bridges.telegram.runtime import make_bot

Finding = tuple[bool, str]


async def check(settings: Settings) -> list[Finding]:
    if not settings.telegram_token_value:
        return [(False, "RELAYDESK_TELEGRAM_TOKEN is not set: create a bot with @BotFather and put its token there.")]
    findings: list[Finding] = []
    bot = make_bot(settings)
    try:
        try:
            me = await bot.get_me()
        except TelegramUnauthorizedError:
            return [(False, "Telegram refused the token in RELAYDESK_TELEGRAM_TOKEN: copy it again from @BotFather (/mybots → API Token).")]
        except TelegramAPIError as error:
            return [(False, f"Could not reach the Bot API at {settings.telegram_api_url}: {error}. Check RELAYDESK_TELEGRAM_API_URL and the network.")]
        except OSError as error:
            return [(False, f"Could not reach the Bot API at {settings.telegram_api_url}: {error}. Check RELAYDESK_TELEGRAM_API_URL and the network.")]
        findings.append((True, f"The token works: the bot is @{me.username} (id {me.id})."))
        chat_id = settings.telegram_operator_chat_id
        if chat_id is None:
            findings.append((False, "RELAYDESK_TELEGRAM_OPERATOR_CHAT_ID is not set: create a supergroup, turn on Topics in its settings, add the bot as an admin, and put the group's id (it starts with -100) there."))
            return findings
        try:
            chat = await bot.get_chat(chat_id)
        except TelegramAPIError as error:
            findings.append((False, f"The bot cannot see chat {chat_id} ({error.message}): add @{me.username} to the group, and check RELAYDESK_TELEGRAM_OPERATOR_CHAT_ID."))
            return findings
        title = chat.title or chat_id
        if chat.is_forum:
            findings.append((True, f"Chat \"{title}\" is a forum: each conversation gets a topic."))
        else:
            findings.append((False, f"Chat \"{title}\" is not a forum: open the group's settings and turn on Topics."))
        member = await bot.get_chat_member(chat_id, me.id)
        if member.status == "administrator":
            if getattr(member, "can_manage_topics", False):
                findings.append((True, "The bot is an admin there and may manage topics."))
            else:
                findings.append((False, "The bot is an admin but may not manage topics: edit its admin rights and allow \"Manage topics\"."))
        elif member.status == "creator":
            findings.append((True, "The bot owns the group."))
        else:
            findings.append((False, f"The bot is only a {member.status} of \"{title}\": make it an admin with the right to manage topics."))
        if settings.telegram_mode == "webhook" and not settings.telegram_webhook_url:
            findings.append((False, "RELAYDESK_TELEGRAM_MODE=webhook needs RELAYDESK_TELEGRAM_WEBHOOK_URL (the public https address of /telegram/webhook)."))
        return findings
    finally:
        await bot.session.close()
