"""Who may act in a workspace: members of the line's chat, registered as operators on sight."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from bot.base.events import OperatorRef
from bot.base.once_at_a_time import once_at_a_time
from bot.base.ports import MembershipChecker
from bot.base.reads_together import ReadsTogether
from storage.models import Line, LineMember, Operator
from storage.prepared import Prepared, padded

log = logging.getLogger(__name__)


# Read for every operator's message (`storage.prepared`).
_LINE_OF: Prepared[Line | None] = Prepared(
    Line,
    lambda kind, chat: Line.get_or_none(workspace_kind=kind, workspace_chat=chat),
)


class _OperatorBy(dict[str, ReadsTogether[object, Operator]]):
    """The operator by their account on a workspace, by its column (`_account`); the
    lookups of one moment in one statement."""

    def __missing__(self, column: str) -> ReadsTogether[object, Operator]:
        query: Prepared[list[Operator]] = Prepared(
            Operator, lambda accounts: Operator.filter(**{f"{column}__in": accounts})
        )

        async def read(accounts: list[object]) -> dict[object, Operator]:
            return {getattr(o, column): o for o in await query(padded(accounts))}  # type: ignore[arg-type]

        self[column] = reads = ReadsTogether(Operator, read)
        return reads


_OPERATOR_BY = _OperatorBy()


class Operators:
    def __init__(
        self,
        checker: Callable[[str], MembershipChecker | None],
        clock: Callable[[], float],
        cache_seconds: float = 300.0,
        closed_kinds: frozenset[str] = frozenset(),
    ) -> None:
        self._checker = checker
        self._closed_kinds = closed_kinds
        self._clock = clock
        self._cache_seconds = cache_seconds
        self._verified: dict[tuple[int, str], float] = {}
        # Checks under way: an operator's answers in several topics at once ask Telegram once.
        self._checking: dict[tuple[int, str], asyncio.Future[bool | None]] = {}
        self._members: dict[tuple[int, int], float] = {}  # (line, operator) known added, until
        self._adding: dict[tuple[int, int], asyncio.Future[bool | None]] = {}  # being added

    async def line_of(self, workspace_kind: str, chat: str) -> Line | None:
        return await _LINE_OF(workspace_kind, chat)

    async def resolve(self, line: Line, author: OperatorRef) -> Operator | None:
        """The operator behind `author`, or None (logged) when they are not in the line's chat."""
        key = (line.id, author.external_id)
        if self._verified.get(key, 0.0) < self._clock() and not await self._check(line, author):
            log.warning(
                "Ignored %s user %s: not a member of line %s's chat",
                author.workspace_kind,
                author.external_id,
                line.slug,
            )
            return None
        if author.workspace_kind in self._closed_kinds:
            return await self._known_member(line, author)
        return await self._register(line, author)

    async def _check(self, line: Line, author: OperatorRef) -> bool:
        """Ask the workspace whether `author` is in the line's chat; a yes is kept for a
        while. Lookups while one is under way wait for its answer instead of asking again
        (and ask themselves if it failed)."""
        key = (line.id, author.external_id)

        async def ask() -> bool:
            checker = self._checker(author.workspace_kind)
            answer = checker is not None and await checker.is_member(
                line.workspace_chat, author.external_id
            )
            if answer:
                self._verified[key] = self._clock() + self._cache_seconds
            return answer

        return await once_at_a_time(self._checking, key, ask)

    async def _known_member(self, line: Line, author: OperatorRef) -> Operator | None:
        """Lines closed to newcomers: only operators already added to the line may act."""
        operator = await Operator.get_or_none(**_account(author))
        if operator and await LineMember.exists(line_id=line.id, operator_id=operator.id):
            return operator
        log.warning(
            "Ignored %s user %s: not an operator of line %s, and new members are not registered",
            author.workspace_kind,
            author.external_id,
            line.slug,
        )
        return None

    async def _register(self, line: Line, author: OperatorRef) -> Operator:
        """Find the operator by their account on this workspace, or register them."""
        key = _account(author)
        details: dict[str, object] = {"name": author.name}
        if author.workspace_kind == "telegram":
            details["telegram_username"] = author.username
        ((column, account),) = key.items()
        operator = await _OPERATOR_BY[column](account)
        if operator is None:
            operator, _ = await Operator.get_or_create(**key, defaults=details)
            log.info("Registered operator %s (%s) in line %s", operator.id, author.name, line.slug)
        else:
            if not _placeholder(operator):  # a name an admin gave is kept
                details.pop("name")
            if any(getattr(operator, field) != value for field, value in details.items()):
                await Operator.filter(id=operator.id).update(**details)
        await self._add_member(line, operator)
        return operator

    async def _add_member(self, line: Line, operator: Operator) -> None:
        """Make `operator` a member of `line`; once done, not asked again for a while. The
        answers of one moment by one operator wait for the first one's write (and write
        themselves if it failed)."""
        key = (line.id, operator.id)
        now = self._clock()
        if self._members.get(key, 0.0) >= now:
            return

        async def add() -> bool:
            await LineMember.get_or_create(line=line, operator=operator)
            return True

        await once_at_a_time(self._adding, key, add)
        if len(self._members) > 10_000:
            self._members = {k: until for k, until in self._members.items() if until >= now}
        self._members[key] = now + self._cache_seconds


def _placeholder(operator: Operator) -> bool:
    """Operators added by their account id before they ever wrote (`telegram:111`)."""
    return not operator.name or operator.name.split(":")[0] in ("telegram", "slack")


def _account(author: OperatorRef) -> dict[str, object]:
    """The operator's column for their account on this workspace."""
    if author.workspace_kind == "telegram":
        return {"telegram_user_id": int(author.external_id)}
    return {f"{author.workspace_kind}_user_id": author.external_id}
