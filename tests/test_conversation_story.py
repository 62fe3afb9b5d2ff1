"""The whole story of a conversation, the same in a Telegram forum and in a Slack channel."""

from __future__ import annotations

from tests.fakes.workspaces import Workspace

CUSTOMER = 5001


async def test_a_conversation_from_first_message_to_a_new_one_after_close(
    workspace: Workspace,
) -> None:
    desk = workspace.desk
    desk.fake.add_user(CUSTOMER, "Ivan", language_code="ru")
    desk.fake.user_sends(CUSTOMER, "Where is my order?")
    await desk.settle()
    thread = workspace.thread()
    text, buttons = workspace.card(thread)
    assert "Conversation #1" in text and "Ivan" in text and buttons == ["Take", "Transfer", "Close"]
    assert workspace.card_fields(thread)["Earlier conversations"] == "0"
    assert "Where is my order?" in workspace.texts(thread)

    await workspace.press(thread, "take", 1)
    await desk.settle()
    assert "Olga" in workspace.card(thread)[0]

    answer = await workspace.say(thread, "It leaves the warehouse today")
    await workspace.say(thread, "// he asked twice")
    await desk.settle()
    assert [m["text"] for m in desk.customer_sees(CUSTOMER)] == ["It leaves the warehouse today"]
    assert workspace.delivered(answer)

    await workspace.say(thread, "!close solved shipped")
    await desk.settle()
    assert workspace.card(thread)[1] == ["Reopen"]
    assert any("закрыто" in m["text"] for m in desk.customer_sees(CUSTOMER)[-2:])

    await workspace.say(thread, "!frobnicate")
    await desk.settle()
    assert any("Unknown command /frobnicate" in t for t in workspace.texts(thread))

    desk.fake.user_sends(CUSTOMER, "One more thing")
    await desk.settle()
    assert workspace.thread() == thread
    text, buttons = workspace.card(thread)
    assert "Conversation #2" in text and buttons == ["Take", "Transfer", "Close"]
    assert workspace.card_fields(thread)["Earlier conversations"] == "1"
    texts = workspace.texts(thread)
    assert any("New conversation #2" in t for t in texts) and texts[-1] == "One more thing"
