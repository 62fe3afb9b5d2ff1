"""A rule's webhook: a signed POST of the event, the conversation, the contact and the
rule's name, sent through the outbox (retried, dead after the last attempt); a private
address is refused when the rule is saved, and at run time never costs the customer's
message."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.base.clock import Clock
from bot.directory import DirectoryError
from bot.rules.store import save_rule
from storage.models import Delivery, DeliveryStatus, Rule
from tests.fakes.api import Receiver
from tests.fakes.desk import Desk
from tests.fakes.rules import add_rule
from tests.fakes.telegram import FakeTelegram

CUSTOMER = 5001
SECRET = "whsec_rules_0123456789"


def _hook_rule(url: str) -> dict[str, object]:
    return {
        "name": "Tell the CRM",
        "kind": "incoming",
        "conditions": [{"event": "new_conversation"}],
        "actions": [{"webhook": {"url": url, "secret": SECRET}}],
    }


@pytest.fixture
async def fast_desk(fake_telegram: FakeTelegram, database_url: str) -> AsyncIterator[Desk]:
    """The receiver listens on 127.0.0.1 (allowed here); back-offs pass ten times faster."""
    desk = Desk(
        fake_telegram, database_url, Clock(speed=10), webhook_allow_private=True, max_attempts=3
    )
    await desk.start()
    yield desk
    await desk.stop()


def _customer_writes(desk: Desk, text: str) -> None:
    desk.fake.add_user(CUSTOMER, "Ivan")
    desk.fake.user_sends(CUSTOMER, text)


async def test_a_new_conversation_calls_the_rules_webhook_signed_with_its_secret(
    fast_desk: Desk, receiver: Receiver
) -> None:
    receiver.secret = SECRET
    await add_rule(fast_desk, **_hook_rule(receiver.url), allow_private=True)
    _customer_writes(fast_desk, "Hello?")
    await fast_desk.settle()

    (event,) = receiver.events
    assert receiver.bad_signatures == 0
    assert event["type"] == "rule.webhook"
    assert event["rule"] == "Tell the CRM" and event["event"] == "new_conversation"
    assert event["conversation"]["id"] == 1 and event["contact"]["name"] == "Ivan"
    assert "Hello?" in fast_desk.topic_texts("Ivan")
    assert any(
        "Rule «Tell the CRM»: called the webhook" in t for t in fast_desk.topic_texts("Ivan")
    )


async def test_a_failing_receiver_is_called_again(fast_desk: Desk, receiver: Receiver) -> None:
    receiver.secret, receiver.fail_next = SECRET, 1
    await add_rule(fast_desk, **_hook_rule(receiver.url), allow_private=True)
    _customer_writes(fast_desk, "Hello?")
    await fast_desk.settle(timeout=30)

    assert receiver.failures == 1 and len(receiver.events) == 1
    assert not await Delivery.filter(status=DeliveryStatus.DEAD).exists()


async def test_a_receiver_that_keeps_failing_is_given_up_and_the_message_stays(
    fast_desk: Desk, receiver: Receiver
) -> None:
    fast_desk.expect_dead_deliveries()
    receiver.secret, receiver.fail_always = SECRET, True
    await add_rule(fast_desk, **_hook_rule(receiver.url), allow_private=True)
    _customer_writes(fast_desk, "Hello?")
    await fast_desk.settle(timeout=30)

    (dead,) = await Delivery.filter(status=DeliveryStatus.DEAD)
    assert dead.target.startswith("rule:") and "500" in (dead.last_error or "")
    assert "Hello?" in fast_desk.topic_texts("Ivan")


async def test_a_private_address_is_refused_in_plain_words_when_the_rule_is_saved(
    desk: Desk,
) -> None:
    for url in ("http://127.0.0.1:8080/hook", "http://10.0.0.5/x", "https://localhost/hook"):
        with pytest.raises(DirectoryError) as refused:
            await save_rule(_hook_rule(url))
        assert "private or loopback address" in refused.value.message
        assert "RELAYDESK_WEBHOOK_ALLOW_PRIVATE=true" in refused.value.message
        assert refused.value.field == "actions[0].webhook.url"
    for bad in ({"url": "ftp://example.com"}, {"url": "https://example.com", "secret": "x"}):
        with pytest.raises(DirectoryError):
            await save_rule(_hook_rule("") | {"actions": [{"webhook": bad}]})
    assert not await Rule.exists()
    rule, _ = await save_rule(_hook_rule("https://hooks.example.com/relaydesk"))
    assert rule.actions == [
        {"webhook": {"url": "https://hooks.example.com/relaydesk", "secret": SECRET}}
    ]


async def test_a_webhook_the_desk_no_longer_calls_is_skipped_and_the_message_is_relayed(
    desk: Desk, receiver: Receiver
) -> None:
    """Saved while private addresses were allowed; the desk now runs without that."""
    await add_rule(desk, **_hook_rule(receiver.url), allow_private=True)
    _customer_writes(desk, "Hello?")
    await desk.settle()

    assert receiver.events == [] and receiver.failures == 0
    assert "Hello?" in desk.topic_texts("Ivan")
    assert not await Delivery.filter(target__startswith="rule:").exists()
