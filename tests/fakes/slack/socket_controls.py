"""Socket Mode from the tests' side: send envelopes over the app's connection, wait
for it to connect and acknowledge, ask it to reconnect; plus waiting on any change."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .delivery import AppDeliveries
from .people import FileSpec
from .socket_mode import SocketHub
from .world import Json


class SocketControls(AppDeliveries):
    """Socket Mode glue over ``SocketHub`` (``self.socket``) and change waiting."""

    socket: SocketHub  # set by FakeSlack.__init__

    # ----- Socket Mode ----------------------------------------------------------------

    @property
    def acks(self) -> dict[str, Json]:
        """What the app acknowledged over Socket Mode, by envelope_id."""
        return self.socket.acks

    async def socket_send(
        self,
        kind: str,
        payload: Json,
        *,
        accepts_response_payload: bool | None = None,
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> str:
        """Send an envelope ("events_api", "interactive" or "slash_commands") over the
        newest Socket Mode connection; returns its envelope_id."""
        return await self.socket.send(
            kind,
            payload,
            accepts_response_payload=accepts_response_payload,
            retry_attempt=retry_attempt,
            retry_reason=retry_reason,
        )

    async def socket_user_posts(
        self,
        channel: str,
        user: str,
        text: str,
        *,
        thread_ts: str | None = None,
        files: Iterable[FileSpec] | None = None,
    ) -> list[str]:
        """``user_posts`` over Socket Mode: the envelope ids sent (none when the bot is
        not in the channel)."""
        envelopes = self.post_envelopes(channel, user, text, thread_ts=thread_ts, files=files)
        return [await self.socket_send("events_api", envelope) for envelope in envelopes]

    async def wait_ack(self, envelope_id: str, timeout: float = 5) -> Json:  # noqa: ASYNC109
        if not await self.changed.wait_until(lambda: envelope_id in self.acks, timeout):
            raise TimeoutError(f"envelope {envelope_id} not acknowledged within {timeout} s")
        return self.acks[envelope_id]

    async def wait_socket(self, timeout: float = 5, *, connects: int = 1) -> None:  # noqa: ASYNC109
        """Wait until an app has connected (``connects`` times in all) and is connected."""

        def ready() -> bool:
            return self.socket.connects >= connects and bool(self.socket.open_connections())

        if not await self.changed.wait_until(ready, timeout):
            raise TimeoutError(f"no Socket Mode connection within {timeout} s")

    async def socket_disconnect(self, reason: str = "refresh_requested") -> None:
        """Send ``disconnect``; slack_sdk clients then open a new connection."""
        await self.socket.disconnect(reason)

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 5) -> None:  # noqa: ASYNC109
        """Wait until ``predicate()`` holds after some change in the fake."""
        if not await self.changed.wait_until(predicate, timeout):
            raise TimeoutError(f"condition not met within {timeout} s")
