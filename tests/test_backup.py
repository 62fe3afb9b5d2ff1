"""A desk moves between SQLite and PostgreSQL with `relaydesk export` and `relaydesk
import-data`: its conversations go on in the same topics, numbers and ids continue, and the
copy is exactly the original. A file or database that will not do is refused in words,
with nothing written."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import db
from storage.models import Contact, Conversation, Line, Message
from tests.conftest import DATABASES
from tests.fakes.databases import fresh_database
from tests.fakes.desk import OPERATOR_CHAT, Desk
from tests.fakes.process import spawn_command
from tests.fakes.telegram import FakeTelegram
from tests.fakes.telegram.images import png
from tests.fakes.webchat import Window, send_file, webchat_entry_point

IVAN, MARIA = 5001, 5002
OLGA = 1001
WITHIN = 60  # seconds for one `relaydesk` command


async def relaydesk(database_url: str, *args: str, cwd: Path) -> tuple[int, str, str]:
    """`relaydesk …` as an admin types it, against `database_url`."""
    process = await spawn_command(database_url, *args, cwd=cwd)
    async with asyncio.timeout(WITHIN):
        out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def rows_of(export: Path) -> list[str]:
    """The export's rows, without its header (which says when it was written)."""
    return export.read_text(encoding="utf-8").splitlines()[1:]


@pytest.fixture(params=[("sqlite", "postgres"), ("postgres", "sqlite")], ids="-to-".join)
async def old_and_new(request, tmp_path: Path) -> AsyncIterator[tuple[str, str]]:
    """A desk's database and the empty one of the other kind it moves to."""
    source, target = request.param
    if source not in DATABASES or target not in DATABASES:
        pytest.skip("needs both SQLite and PostgreSQL (RELAYDESK_TEST_DATABASES)")
    async with fresh_database(source, tmp_path) as old, fresh_database(target, tmp_path) as new:
        yield old, new


@pytest.mark.timeout(180)
async def test_a_desk_moved_to_another_database_goes_on_where_it_was(
    old_and_new: tuple[str, str], fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    old, new = old_and_new
    fake_telegram.add_user(IVAN, "Ivan")
    desk = await Desk(fake_telegram, old).start()
    try:
        fake_telegram.user_sends(IVAN, "My order is late")
        await desk.settle()
        thread = desk.topic_of("Ivan")["message_thread_id"]
        fake_telegram.member_sends(OPERATOR_CHAT, OLGA, "Let me check", thread_id=thread)
        await desk.settle()
    finally:
        await desk.stop()

    code, out, err = await relaydesk(old, "export", "desk.jsonl", cwd=tmp_path)
    assert code == 0, err
    assert "Exported to desk.jsonl" in out and "conversation: 1" in out
    code, out, err = await relaydesk(new, "import-data", "desk.jsonl", cwd=tmp_path)
    assert code == 0, err
    assert "Imported from desk.jsonl" in out and "message: 2" in out

    desk = await Desk(fake_telegram, new).start()
    try:
        # The operator goes on in Ivan's topic; Ivan's next text lands there too.
        fake_telegram.member_sends(OPERATOR_CHAT, OLGA, "It ships today", thread_id=thread)
        fake_telegram.user_sends(IVAN, "Thank you!")
        await desk.settle()
        assert [m["text"] for m in desk.customer_sees(IVAN)] == [
            "Let me check",
            "It ships today",
        ]
        assert desk.topic_of("Ivan")["message_thread_id"] == thread
        assert desk.topic_texts("Ivan")[-1] == "Thank you!"
        # A new customer gets the next number, and new rows new ids.
        fake_telegram.add_user(MARIA, "Maria")
        fake_telegram.user_sends(MARIA, "Hello")
        await desk.settle()
        assert "Maria #2" in desk.topic_of("Maria")["name"]
    finally:
        await desk.stop()

    await db.connect(new)
    try:
        assert await Conversation.all().count() == 2
        assert await Contact.all().count() == 2
        assert await Message.filter(conversation__contact__name="Ivan").count() == 4
    finally:
        await db.disconnect()


@pytest.mark.timeout(120)
async def test_the_copy_exports_exactly_as_the_original(
    old_and_new: tuple[str, str], fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    old, new = old_and_new
    fake_telegram.add_user(IVAN, "Ivan «Дмитрович»", language_code="uk")
    desk = await Desk(fake_telegram, old).start()
    try:
        fake_telegram.user_sends(IVAN, "Привіт 👋 <b>not bold</b>")
        fake_telegram.user_sends(IVAN, photo=True)
        await desk.settle()
        thread = desk.topic_of("Ivan")["message_thread_id"]
        fake_telegram.member_sends(OPERATOR_CHAT, OLGA, "/close", thread_id=thread)
        # A web chat visitor's picture: its bytes are a row of the desk too.
        webchat = await webchat_entry_point(desk)
        window = Window(desk, webchat.public_key)
        await window.open()
        status, _ = await send_file(desk, webchat.public_key, window.token, "a.png", png(3))
        assert status == 200
        await window.close()
        await desk.settle()
    finally:
        await desk.stop()

    assert (await relaydesk(old, "export", "old.jsonl", cwd=tmp_path))[0] == 0
    assert (await relaydesk(new, "import-data", "old.jsonl", cwd=tmp_path))[0] == 0
    assert (await relaydesk(new, "export", "new.jsonl", cwd=tmp_path))[0] == 0

    assert rows_of(tmp_path / "new.jsonl") == rows_of(tmp_path / "old.jsonl")
    [stored] = [json.loads(r) for r in rows_of(tmp_path / "new.jsonl") if '"stored_file"' in r]
    assert base64.b64decode(stored["row"]["data"]) == png(3)
    header = json.loads((tmp_path / "old.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert header["format"] == "relaydesk-export" and header["migrations"]


async def _counts(database_url: str) -> tuple[int, int]:
    await db.connect(database_url)
    try:
        return await Line.all().count(), await Conversation.all().count()
    finally:
        await db.disconnect()


async def _one_conversation_exported(desk: Desk, database_url: str, tmp_path: Path) -> None:
    """Ivan wrote once; the desk stopped and its database is in tmp_path/desk.jsonl."""
    desk.fake.add_user(IVAN, "Ivan")
    desk.fake.user_sends(IVAN, "Hi")
    await desk.settle()
    await desk.stop()
    assert (await relaydesk(database_url, "export", "desk.jsonl", cwd=tmp_path))[0] == 0


@pytest.mark.timeout(120)
async def test_import_data_refuses_a_database_that_holds_data(
    desk: Desk, database_url: str, tmp_path: Path
) -> None:
    await _one_conversation_exported(desk, database_url, tmp_path)

    code, out, err = await relaydesk(database_url, "import-data", "desk.jsonl", cwd=tmp_path)

    assert code == 2 and out == ""
    assert "error: the database already holds data: line (1)" in err
    assert "import-data fills an empty database only" in err
    assert "Traceback" not in err
    assert await _counts(database_url) == (1, 1)


@pytest.mark.timeout(120)
async def test_a_broken_file_is_refused_by_its_line_and_nothing_is_written(
    desk: Desk, database_url: str, tmp_path: Path
) -> None:
    await _one_conversation_exported(desk, database_url, tmp_path)
    lines = (tmp_path / "desk.jsonl").read_text(encoding="utf-8").splitlines()
    broken = tmp_path / "broken.jsonl"
    broken.write_text("\n".join([*lines[:-1], '{"table": "message", "row": '[:-1]]) + "\n")
    not_an_export = tmp_path / "notes.txt"
    not_an_export.write_text("shopping list\n")

    async with fresh_database("sqlite", tmp_path) as empty:
        code, _, err = await relaydesk(empty, "import-data", str(broken), cwd=tmp_path)
        assert code == 2
        assert f"error: {broken}, line {len(lines)}: not JSON" in err
        assert await _counts(empty) == (0, 0)  # the rows before it are not there either

        code, _, err = await relaydesk(empty, "import-data", str(not_an_export), cwd=tmp_path)
        assert code == 2 and "is not a Relaydesk export" in err

        code, _, err = await relaydesk(empty, "import-data", "missing.jsonl", cwd=tmp_path)
        assert code == 2 and "error: missing.jsonl: No such file or directory" in err
        assert "Traceback" not in err
