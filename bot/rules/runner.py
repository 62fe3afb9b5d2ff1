"""Running the rules with the event that set them off, in its transaction.

Incoming rules run once per customer event. A change a rule makes is itself an event for
the rules for changed conversations; such changes queue up behind the run that made them
(`_Chain`), and one event runs the changed list at most `MAX_CHANGED_RUNS` times, so rules
that undo each other stop, with a line in the log, instead of looping.
"""

from __future__ import annotations

import logging
from collections import deque
from contextvars import ContextVar
from dataclasses import dataclass, field

from tortoise.transactions import in_transaction

from bot.base import audit
from bot.base.i18n import Text, _
from bot.conversations.changes import Change
from bot.conversations.desk_actions import DeskActions
from bot.rules.actions import Deed, Skipped, perform
from bot.rules.book import LoadedRule, RuleBook, matching
from bot.rules.facts import Facts
from storage.models import Contact, Conversation, EntryPoint, Line, LineMember, Operator, RuleKind

log = logging.getLogger(__name__)

MAX_CHANGED_RUNS = 5


@dataclass(frozen=True)
class Outcome:
    fired: tuple[str, ...] = ()
    told_customer: bool = False


@dataclass
class _Chain:
    pending: deque[Change] = field(default_factory=deque)
    runs: int = 0


_chain: ContextVar[_Chain | None] = ContextVar("rules_chain", default=None)


class Rules:
    def __init__(self, *, book: RuleBook, actions: DeskActions) -> None:
        self.book = book
        self._actions = actions
        self._entry_points: dict[int, EntryPoint] = {}  # never deleted: kept once seen

    async def incoming(
        self,
        conversation: Conversation,
        event: str,
        *,
        contact: Contact,
        entry_point: EntryPoint,
        text: str,
    ) -> Outcome:
        """Run the incoming list for a customer's message (`event` is new_conversation or
        customer_message), then whatever changes the rules made set off."""
        rules = self.book.rules(RuleKind.INCOMING)
        if not rules:
            return Outcome()
        facts = await self._facts(
            RuleKind.INCOMING,
            conversation,
            event,
            author="customer",
            actor=None,
            text=text,
            contact=contact,
            entry_point=entry_point,
        )
        chain = _Chain()
        token = _chain.set(chain)
        try:
            outcome = await self._apply(
                matching(rules, facts), conversation, None, False, event=event
            )
            await self._drain(chain)
        finally:
            _chain.reset(token)
        return outcome

    async def changed(self, change: Change) -> None:
        """A conversation changed (DeskActions' watcher) or an operator wrote."""
        if not self.book.rules(RuleKind.CHANGED):
            return
        chain = _chain.get()
        if chain is not None:  # a rule's own change: after the rule run that made it
            chain.pending.append(change)
            return
        chain = _Chain(deque([change]))
        token = _chain.set(chain)
        try:
            await self._drain(chain)
        finally:
            _chain.reset(token)

    async def _drain(self, chain: _Chain) -> None:
        while chain.pending:
            if chain.runs >= MAX_CHANGED_RUNS:
                left = chain.pending
                log.warning(
                    "Rules for changed conversations cut off after %s runs for one event "
                    "(conversation #%s); not run for: %s. Do two rules undo each other?",
                    chain.runs,
                    left[0].conversation.id,
                    ", ".join(c.event for c in left),
                )
                chain.pending.clear()
                return
            change = chain.pending.popleft()
            chain.runs += 1
            rules = self.book.rules(RuleKind.CHANGED)
            author = "customer" if change.customer else "operator" if change.actor else "system"
            facts = await self._facts(
                RuleKind.CHANGED,
                change.conversation,
                change.event,
                author=author,
                actor=change.actor,
                text=change.text,
            )
            await self._apply(
                matching(rules, facts),
                change.conversation,
                change.actor,
                change.customer,
                event=change.event,
            )

    async def _apply(
        self,
        rules: list[LoadedRule],
        conversation: Conversation,
        actor: Operator | None,
        customer: bool,
        *,
        event: str,
    ) -> Outcome:
        fired, told = [], False
        for rule in rules:
            with audit.by_rule(rule.name):
                try:
                    async with in_transaction():  # a savepoint: a failing rule undoes itself
                        ran = await self._run(rule, conversation, actor, customer, event)
                        told = ran or told
                except Exception as error:  # a rule never costs the customer's message
                    log.warning(
                        "Rule %r failed and was undone: %s: %s",
                        rule.name,
                        type(error).__name__,
                        error,
                    )
                    await conversation.refresh_from_db()
                    continue
            fired.append(rule.name)
        return Outcome(tuple(fired), told)

    async def _run(
        self,
        rule: LoadedRule,
        conversation: Conversation,
        actor: Operator | None,
        customer: bool,
        event: str,
    ) -> bool:
        told = False
        for action in rule.actions:
            ((name, value),) = action.items()
            try:
                deed = await perform(
                    self._actions,
                    conversation,
                    action,
                    author=actor,
                    customer_woke=customer,
                    rule_id=rule.id,
                    event=event,
                )
            except Skipped as why:
                log.warning("Rule %r: action %s skipped: %s", rule.name, name, why)
                continue
            if deed is not None:
                told = told or deed.to_customer
                await self._show(rule, conversation, name, value, deed)
        return told

    async def _show(
        self, rule: LoadedRule, conversation: Conversation, name: str, value: object, deed: Deed
    ) -> None:
        await audit.record(
            "rule",
            at=self._actions.clock.now(),
            conversation=conversation,
            new=name,
            value=value if isinstance(value, str | bool) else str(value),
        )
        await self._actions.tell_thread(
            conversation, Text(_("Rule «{rule}»: {what}"), rule=rule.name, what=deed.what)
        )

    async def _facts(
        self,
        kind: RuleKind,
        conversation: Conversation,
        event: str,
        *,
        author: str,
        actor: Operator | None,
        text: str,
        contact: Contact | None = None,
        entry_point: EntryPoint | None = None,
    ) -> Facts:
        needs = self.book.needs[kind]
        if entry_point is None:
            entry_point = await self._entry_point(conversation.entry_point_id)  # type: ignore[attr-defined]
        line = await Line.get(id=conversation.line_id)  # type: ignore[attr-defined]
        if contact is None:
            contact = await Contact.get(id=conversation.contact_id)  # type: ignore[attr-defined]
        assignee_id = conversation.assignee_id  # type: ignore[attr-defined]
        earlier = 0
        if "earlier_conversations" in needs:
            earlier = await Conversation.filter(
                contact_id=contact.id, id__lt=conversation.id
            ).count()
        return Facts(
            event=event,
            now=self._actions.clock.now(),
            channel=entry_point.channel,
            entry_point=entry_point.key,
            line=line.slug,
            line_hours=line.business_hours,
            timezone=self._actions.settings.timezone,
            status=conversation.status.value,
            assignee_id=assignee_id,
            author=author,
            author_id=actor.id if actor else None,
            text=text or "",
            tags=frozenset(str(t).casefold() for t in contact.tags or ()),
            contact_fields={
                key: str(getattr(contact, key) or "").casefold()
                for key in ("name", "phone", "email", "company")
            },
            language=contact.language,
            first_message=event == "new_conversation",
            created_at=conversation.created_at,
            assignee_lines=await _lines_of(assignee_id)
            if "assignee_lines" in needs
            else frozenset(),
            author_lines=await _lines_of(actor.id if actor else None)
            if "author_lines" in needs
            else frozenset(),
            earlier_conversations=earlier,
        )

    async def _entry_point(self, entry_point_id: int) -> EntryPoint:
        found = self._entry_points.get(entry_point_id)
        if found is None:
            found = self._entry_points[entry_point_id] = await EntryPoint.get(id=entry_point_id)
        return found


async def _lines_of(operator_id: int | None) -> frozenset[str]:
    if operator_id is None:
        return frozenset()
    slugs = await LineMember.filter(operator_id=operator_id).values_list("line__slug", flat=True)
    return frozenset(str(s).casefold() for s in slugs)
