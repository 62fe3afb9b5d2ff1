"""Bot identity, updates and webhooks, chats and members, commands, reactions,
callback answers and files."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from ..chats import ADMIN_RIGHTS, Chat, Json
from ..content import REACTION_EMOJI
from ..errors import bad_request, conflict
from ..params import Params
from ..webhooks import Webhook
from ..world import World
from .table import MethodTable

methods = MethodTable()

WEBHOOK_CONFLICT = (
    "can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
POLL_CONFLICT = (
    "terminated by other getUpdates request; make sure that only one bot instance is running"
)
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
ACCEPTED_GIFT_TYPES = {
    "unlimited_gifts": False,
    "limited_gifts": False,
    "unique_gifts": False,
    "premium_subscription": False,
    "gifts_from_channels": False,
}


@methods("getMe")
def get_me(world: World, p: Params) -> Json:
    return copy.deepcopy(world.bot_user)


@methods("logOut", "close")
def log_out(world: World, p: Params) -> bool:
    return True


# Settings the fake only acknowledges (they are visible in `calls`).
@methods("setMyDescription", "setMyShortDescription", "setMyName", "setChatMenuButton")
def acknowledge(world: World, p: Params) -> bool:
    return True


# ----- updates and webhooks -------------------------------------------------------


def confirm_updates(world: World, offset: int | None) -> None:
    if not offset:
        return
    if offset > 0:
        world.updates = [update for update in world.updates if update["update_id"] >= offset]
    else:
        world.updates = world.updates[offset:]
    world.changed.fire()


@methods("getUpdates")
async def get_updates(world: World, p: Params) -> list[Json]:
    if world.webhook is not None:
        raise conflict(WEBHOOK_CONFLICT)
    confirm_updates(world, p.opt_int("offset"))
    limit = min(max(p.opt_int("limit") or 100, 1), 100)
    world.poll_generation += 1
    generation = world.poll_generation
    world.changed.fire()  # an older long poll still waiting ends with 409

    def answer_ready() -> bool:
        return (
            bool(world.updates)
            or world.closing
            or world.webhook is not None
            or world.poll_generation != generation
        )

    await world.changed.wait_until(answer_ready, max(p.opt_int("timeout") or 0, 0))
    if world.poll_generation != generation:
        raise conflict(POLL_CONFLICT)
    if world.webhook is not None:
        raise conflict(WEBHOOK_CONFLICT)
    return copy.deepcopy(world.updates[:limit])


@methods("setWebhook")
def set_webhook(world: World, p: Params) -> bool:
    if p.flag("drop_pending_updates"):
        world.updates.clear()
    url = p.opt_str("url")
    if not url:
        world.webhook = None
    else:
        secret = p.opt_str("secret_token")
        if secret is not None and not SECRET_TOKEN.fullmatch(secret):
            raise bad_request("secret token contains unallowed characters")
        world.webhook = Webhook(
            url=url,
            secret_token=secret,
            max_connections=p.opt_int("max_connections") or 40,
            allowed_updates=p.json("allowed_updates"),
        )
    world.changed.fire()
    return True


@methods("deleteWebhook")
def delete_webhook(world: World, p: Params) -> bool:
    if p.flag("drop_pending_updates"):
        world.updates.clear()
    world.webhook = None
    world.changed.fire()
    return True


@methods("getWebhookInfo")
def get_webhook_info(world: World, p: Params) -> Json:
    hook = world.webhook
    info: Json = {
        "url": "",
        "has_custom_certificate": False,
        "pending_update_count": len(world.updates),
    }
    if hook is None:
        return info
    info["url"] = hook.url
    info["max_connections"] = hook.max_connections
    if hook.allowed_updates is not None:
        info["allowed_updates"] = hook.allowed_updates
    if hook.last_error_date is not None:
        info["last_error_date"] = hook.last_error_date
        info["last_error_message"] = hook.last_error_message
    return info


# ----- chats and members ------------------------------------------------------------


@methods("getChat")
def get_chat(world: World, p: Params) -> Json:
    chat = world.chat(p.chat_id())
    info = chat.as_chat()
    info |= {
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": ACCEPTED_GIFT_TYPES,
    }
    if chat.user is not None and chat.user.get("username"):
        info["active_usernames"] = [chat.user["username"]]
    return info


def member_object(world: World, chat: Chat, user_id: int) -> Json:
    bot = world.bot_with_id(user_id)
    if bot is not None:
        user, record = bot.user, world.member_record(chat, bot)
    elif user_id in world.users:
        user = world.users[user_id]
        if chat.is_private:
            status = "member" if user_id == chat.id else "left"
        else:
            status = chat.members.get(user_id, "left")
        record = {"status": status, **dict.fromkeys(ADMIN_RIGHTS, True)}
    else:
        raise bad_request("user not found")
    member: Json = {"status": record["status"], "user": copy.deepcopy(user)}
    if record["status"] == "creator":
        member["is_anonymous"] = False
    elif record["status"] == "administrator":
        member |= {"can_be_edited": False, "is_anonymous": False}
        member |= {right: bool(record.get(right, False)) for right in ADMIN_RIGHTS}
    elif record["status"] == "kicked":
        member["until_date"] = 0
    return member


@methods("getChatMember")
def get_chat_member(world: World, p: Params) -> Json:
    return member_object(world, world.chat(p.chat_id()), p.req_int("user_id"))


@methods("getChatAdministrators")
def get_chat_administrators(world: World, p: Params) -> list[Json]:
    chat = world.chat(p.chat_id())
    if chat.is_private:
        raise bad_request("there are no administrators in the private chat")
    admins = [uid for uid, status in chat.members.items() if status in {"creator", "administrator"}]
    admins += [
        bot.id
        for bot in world.bots.values()
        if world.member_record(chat, bot)["status"] in {"creator", "administrator"}
    ]
    return [member_object(world, chat, user_id) for user_id in admins]


@methods("getChatMemberCount")
def get_chat_member_count(world: World, p: Params) -> int:
    chat = world.chat(p.chat_id())
    if chat.is_private:
        return 2
    people = sum(status not in {"left", "kicked"} for status in chat.members.values())
    return people + (chat.bot_member["status"] not in {"left", "kicked"})


@methods("sendChatAction")
def send_chat_action(world: World, p: Params) -> bool:
    chat = world.chat(p.chat_id())
    world.check_bot_can_write(chat)
    world.send_thread(chat, p.opt_int("message_thread_id"))
    p.required("action")
    return True


# ----- commands -------------------------------------------------------------------


def commands_key(p: Params) -> str:
    scope = p.json("scope") or {"type": "default"}
    return f"{json.dumps(scope, sort_keys=True)}|{p.opt_str('language_code') or ''}"


@methods("setMyCommands")
def set_my_commands(world: World, p: Params) -> bool:
    commands = p.json("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("commands must be a list of at most 100 BotCommand")
    world.commands[commands_key(p)] = commands
    return True


@methods("deleteMyCommands")
def delete_my_commands(world: World, p: Params) -> bool:
    world.commands.pop(commands_key(p), None)
    return True


@methods("getMyCommands")
def get_my_commands(world: World, p: Params) -> list[Json]:
    return copy.deepcopy(world.commands.get(commands_key(p), []))


# ----- reactions, pins, callback queries, files -----------------------------------


@methods("setMessageReaction")
def set_message_reaction(world: World, p: Params) -> bool:
    chat = world.chat(p.chat_id())
    message_id = p.req_int("message_id")
    world.find_message(chat, message_id, "MESSAGE_ID_INVALID")
    reaction: list[Any] = p.json("reaction") or []
    for item in reaction:
        if item.get("type") == "emoji" and item.get("emoji") not in REACTION_EMOJI:
            raise bad_request("REACTION_INVALID")
    if len(reaction) > 1:
        raise bad_request("REACTIONS_TOO_MANY")
    if reaction:
        chat.reactions[message_id] = reaction
    else:
        chat.reactions.pop(message_id, None)
    return True


def check_can_pin(world: World, chat: Chat) -> None:
    if not chat.is_private and not world.bot_can(chat, "can_pin_messages"):
        raise bad_request("not enough rights to manage pinned messages in the chat")


@methods("pinChatMessage")
def pin_chat_message(world: World, p: Params) -> bool:
    chat = world.chat(p.chat_id())
    check_can_pin(world, chat)
    message_id = p.req_int("message_id")
    world.find_message(chat, message_id, "message to pin not found")
    if message_id not in chat.pinned:
        chat.pinned.append(message_id)
    return True


@methods("unpinChatMessage")
def unpin_chat_message(world: World, p: Params) -> bool:
    chat = world.chat(p.chat_id())
    check_can_pin(world, chat)
    message_id = p.opt_int("message_id") or (chat.pinned[-1] if chat.pinned else None)
    if message_id not in chat.pinned:
        raise bad_request("message to unpin not found")
    chat.pinned.remove(message_id)
    return True


@methods("answerCallbackQuery")
def answer_callback_query(world: World, p: Params) -> bool:
    query_id = p.req_str("callback_query_id")
    if query_id not in world.callback_queries or query_id in world.callback_answers:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    world.callback_answers[query_id] = {
        "text": p.opt_str("text"),
        "show_alert": p.flag("show_alert"),
        "url": p.opt_str("url"),
        "cache_time": p.opt_int("cache_time") or 0,
    }
    return True


@methods("getFile")
def get_file(world: World, p: Params) -> Json:
    stored = world.files.get(p.req_str("file_id"))
    if stored is None:
        raise bad_request("invalid file_id")
    return stored.as_file()
