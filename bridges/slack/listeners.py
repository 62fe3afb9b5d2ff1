"""Bolt listeners: thread messages, edits, card buttons and /desk -> the core's actions."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp

from bot.base.cards import decode_button
from bot.base.dedupe import once
from bot.base.events import (
    CommandCall,
    MessageBody,
    OperatorRef,
    ThreadRef,
    WorkspaceDelete,
    WorkspaceEdit,
    WorkspaceMessage,
)
from bot.base.i18n import Text, _
from bot.core import Core
from bridges.slack.render import ACTION_PREFIX, card_blocks, card_text, unescape
from bridges.slack.retries import delivery_key

log = logging.getLogger(__name__)

ACTIONS_SHORTCUT = "relaydesk_actions"
IGNORED_SUBTYPES = {"bot_message", "channel_join", "channel_leave"}


def register_listeners(bolt: AsyncApp, core: Core, bot_user: str) -> None:
    mention = re.compile(rf"^\s*<@{re.escape(bot_user)}>\s*")
    names: dict[str, str] = {}
    language = core.settings.operator_language

    async def author(client: Any, user: str) -> OperatorRef:
        if user not in names:
            try:
                info = (await client.users_info(user=user))["user"]
                names[user] = info.get("real_name") or info.get("name") or user
            except Exception:  # a name is a nicety; the id is what matters
                names[user] = user
        return OperatorRef("slack", user, names[user])

    def place(channel: str, ts: str, thread_ts: str | None) -> ThreadRef:
        inside = thread_ts if thread_ts and thread_ts != ts else None
        return ThreadRef("slack", channel, inside)

    async def handle_once(body: dict[str, Any], work: Callable[[], Awaitable[None]]) -> None:
        """Slack's retry of a delivery already handled is acknowledged and nothing more."""
        key = delivery_key(body)
        if key is None:
            await work()
        elif not await once(core.deduper, key, work):
            log.info("Slack delivery %s seen before; retry acknowledged", key)

    def command_text(text: str) -> str:
        """`@Relaydesk close` is the same as `!close`."""
        stripped = mention.sub("", text, count=1)
        if stripped != text and stripped and stripped[0] not in "!/":
            return "!" + stripped
        return stripped

    @bolt.event("message")
    async def on_message(body: dict[str, Any], event: dict[str, Any], client: Any) -> None:
        await handle_once(body, lambda: relay_message(event, client))

    async def relay_message(event: dict[str, Any], client: Any) -> None:
        subtype = event.get("subtype")
        if event.get("bot_id") or subtype in IGNORED_SUBTYPES:
            return
        if subtype == "message_deleted":
            previous = event.get("previous_message") or {}
            if previous.get("user") and not previous.get("bot_id"):
                await core.flow.accept_delete(
                    WorkspaceDelete(
                        place(event["channel"], previous["ts"], previous.get("thread_ts")),
                        await author(client, previous["user"]),
                        previous["ts"],
                    )
                )
                core.worker.wake()
            return
        if subtype == "message_changed":
            changed = event.get("message") or {}
            if changed.get("bot_id") or "user" not in changed:
                return
            await core.flow.accept_edit(
                WorkspaceEdit(
                    place(event["channel"], changed["ts"], changed.get("thread_ts")),
                    await author(client, changed["user"]),
                    changed["ts"],
                    MessageBody("text", unescape(changed.get("text", ""))),
                )
            )
            core.worker.wake()
            return
        if "user" not in event:
            return
        files = event.get("files") or []
        await core.flow.accept_message(
            WorkspaceMessage(
                place=place(event["channel"], event["ts"], event.get("thread_ts")),
                author=await author(client, event["user"]),
                external_id=event["ts"],
                body=MessageBody(
                    "document" if files and not event.get("text") else "text",
                    unescape(command_text(event.get("text", ""))),
                    {"files": files} if files else {},
                ),
            )
        )
        core.worker.wake()

    @bolt.event("app_mention")
    async def on_mention() -> None:
        """Handled as the `message` event Slack sends alongside."""

    @bolt.action(re.compile(f"^{ACTION_PREFIX}"))
    async def on_button(ack: Any, body: dict[str, Any], client: Any, respond: Any) -> None:
        await ack()
        await handle_once(body, lambda: press(body, client, respond))

    async def press(body: dict[str, Any], client: Any, respond: Any) -> None:
        action = (body.get("actions") or [{}])[0]
        decoded = decode_button(str(action.get("value", "")))
        # An ephemeral message (a card for one member) comes without `message`: its place
        # is in `container`.
        message = body.get("message") or body.get("container") or {}
        message = {"ts": message.get("ts") or message.get("message_ts", ""), **message}
        channel = (body.get("channel") or {}).get("id", "")
        user = (body.get("user") or {}).get("id", "")
        if decoded is None or not channel or not user:
            log.warning("Ignored a malformed Slack button press from %s", user or "?")
            await _tell(respond, core, language, Text(_("This button is no longer valid.")))
            return
        reply = await core.flow.run_command(
            CommandCall(
                place=place(channel, message.get("ts", ""), message.get("thread_ts")),
                author=await author(client, user),
                name=decoded.command,
                args=decoded.arg,
                conversation_id=decoded.conversation_id,
                from_button=True,
            )
        )
        core.worker.wake()
        text = reply.text if reply else Text(_("Only operators of this line can do that."))
        await _tell(respond, core, language, text)

    @bolt.shortcut(ACTIONS_SHORTCUT)
    async def on_shortcut(ack: Any, body: dict[str, Any], client: Any, respond: Any) -> None:
        """ "Relaydesk actions" on any message of a thread: its card, for this operator only."""
        await ack()
        await handle_once(body, lambda: offer_card(body, client, respond))

    async def offer_card(body: dict[str, Any], client: Any, respond: Any) -> None:
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id", "")
        user = (body.get("user") or {}).get("id", "")
        card = await core.flow.card_for(
            place(channel, message.get("ts", ""), message.get("thread_ts")),
            await author(client, user),
        )
        if card is None:
            text = Text(_("Relaydesk actions work on messages of a conversation's thread."))
            await _tell(respond, core, language, text)
            return
        await _respond(
            respond,
            text=card_text(card, core.translator, language),
            blocks=card_blocks(card, core.translator, language),
        )

    @bolt.command("/desk")
    async def on_desk(ack: Any, command: dict[str, Any], respond: Any) -> None:
        await ack()
        await handle_once(command, lambda: desk_help(command, respond))

    async def desk_help(command: dict[str, Any], respond: Any) -> None:
        words = (command.get("text") or "").split() or ["help"]
        if words[0] != "help":
            await _tell(
                respond,
                core,
                language,
                Text(_("Unknown command /desk {name}. Try /desk help."), name=words[0]),
            )
            return
        lines = [
            Text(_("{usage} — {help}"), usage=f"!{c.name}", help=Text(c.help))
            for c in core.flow.commands
        ]
        await _tell(
            respond,
            core,
            language,
            Text(
                _("In a conversation's thread type (or press the card's buttons):\n{commands}"),
                commands=lines,
            ),
        )


async def _tell(respond: Any, core: Core, language: str, text: Text) -> None:
    """An answer only the person who asked sees (Slack's ephemeral response)."""
    await _respond(respond, text=core.translator.render(language, text))


async def _respond(respond: Any, **message: Any) -> None:
    """The answer is a courtesy after the work is done and stored: if Slack's response_url
    cannot be reached (expired, network), the delivery still succeeded. Failing it would
    make Slack retry, and the retry would do the work a second time."""
    try:
        await respond(**message, response_type="ephemeral", replace_original=False)
    except (aiohttp.ClientError, OSError, ValueError, TimeoutError) as error:
        log.warning("Could not answer through Slack's response_url: %s", type(error).__name__)
