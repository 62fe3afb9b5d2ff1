"""The operators' chat in the settings and a line imported into that same chat are one
line, not a clash: the desk starts and serves. A file that contradicts the settings is
refused at import in plain words, and a start that fails exits with one line, never leaving
a process that serves nobody."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from relaydesk.cli.main import main
from storage.models import Conversation, Line
from tests.fakes.desk import OPERATOR_CHAT, Desk, free_port
from tests.fakes.telegram import FakeTelegram
from tests.fakes.waiting import eventually, health

IVAN = 5001
SUPPORT_IN_THE_FORUM = f"""\
lines:
  - slug: support
    name: Support
    workspace: telegram:{OPERATOR_CHAT}
    routing_policy: least_busy
operators:
  - {{name: Olga, telegram_user_id: 1001, role: supervisor}}
members:
  support: ["telegram:1001"]
"""


def _env(fake: FakeTelegram, database_url: str, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELAYDESK_")}
    return env | {
        "RELAYDESK_DATABASE_URL": database_url,
        "RELAYDESK_TELEGRAM_TOKEN": fake.token,
        "RELAYDESK_TELEGRAM_API_URL": fake.base_url,
        "RELAYDESK_TELEGRAM_OPERATOR_CHAT_ID": str(OPERATOR_CHAT),
        **more,
    }


async def _relaydesk(*argv: str, env: Mapping[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "relaydesk",
        *argv,
        env=dict(env),
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _finished(process: asyncio.subprocess.Process, within: float) -> tuple[int, str, str]:
    out, err = await asyncio.wait_for(process.communicate(), within)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_a_line_imported_into_the_operators_chat_is_the_default_line_and_the_desk_serves(
    fake_telegram: FakeTelegram, database_url: str, tmp_path: Path
) -> None:
    team = tmp_path / "team.yaml"
    team.write_text(SUPPORT_IN_THE_FORUM, encoding="utf-8")
    port = free_port()
    env = _env(fake_telegram, database_url, RELAYDESK_HTTP_PORT=str(port))

    importing = await _relaydesk("import", str(team), env=env, cwd=tmp_path)
    code, out, err = await _finished(importing, 60)
    assert code == 0, err
    assert "line 'support' lives in telegram:" in out and "it is the default line" in out

    run = await _relaydesk("run", env=env, cwd=tmp_path)
    try:
        url = f"http://127.0.0.1:{port}"
        await eventually(lambda: _serving(url), within=30)
        assert (await health(url))[1]["components"]["telegram"] == "up"
        fake_telegram.add_user(IVAN, "Ivan")
        fake_telegram.user_sends(IVAN, "Hello")
        await eventually(lambda: _topic_with(fake_telegram, "Ivan"), within=15)
    finally:
        if run.returncode is None:
            run.send_signal(signal.SIGINT)
        code, _, err = await _finished(run, 30)
    assert "Traceback" not in err and "IntegrityError" not in err


async def _serving(url: str) -> bool:
    try:
        return (await health(url))[1]["ok"] is True
    except OSError:
        return False


def _topic_with(fake: FakeTelegram, name: str) -> bool:
    return any(name in topic["name"] for topic in fake.topics(OPERATOR_CHAT))


async def test_a_start_that_fails_exits_with_one_line_and_no_traceback(
    fake_telegram: FakeTelegram, database_url: str, tmp_path: Path
) -> None:
    env = _env(
        fake_telegram,
        database_url,
        RELAYDESK_HTTP_PORT=str(free_port()),
        RELAYDESK_REDIS_URL="redis://127.0.0.1:1/0",  # nobody listens there
    )
    code, _, err = await _finished(await _relaydesk("run", env=env, cwd=tmp_path), 60)
    assert code != 0
    reason = [line for line in err.splitlines() if line.startswith("relaydesk run: ")]
    assert len(reason) == 1 and "could not start: Redis failed" in reason[0], err
    assert "Traceback" not in err


async def test_in_process_the_line_living_in_the_operators_chat_takes_the_customers(
    fake_telegram: FakeTelegram, database_url: str
) -> None:
    from storage import db

    await db.apply_migrations(database_url)
    await db.connect(database_url)
    try:
        await Line.create(
            slug="support", name="Support", workspace_kind="telegram", workspace_chat=OPERATOR_CHAT
        )
    finally:
        await db.disconnect()
    desk = await Desk(fake_telegram, database_url).start()
    try:
        fake_telegram.add_user(IVAN, "Ivan")
        fake_telegram.user_sends(IVAN, "Hello")
        await desk.settle()
        assert desk.topic_of("Ivan")
        conversation = await Conversation.get().prefetch_related("line")
        assert conversation.line.slug == "support"
        assert await Line.all().values_list("slug", flat=True) == ["support"]
    finally:
        await desk.stop()


@pytest.fixture
def relaydesk_cli(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys):
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("RELAYDESK_DATABASE_URL", database_url)
    monkeypatch.setenv("RELAYDESK_TELEGRAM_OPERATOR_CHAT_ID", str(OPERATOR_CHAT))

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_a_file_that_moves_the_settings_line_away_is_refused_in_plain_words(
    relaydesk_cli, tmp_path: Path
) -> None:
    team = tmp_path / "team.yaml"
    team.write_text(SUPPORT_IN_THE_FORUM, encoding="utf-8")
    assert relaydesk_cli("import", str(team))[0] == 0

    team.write_text(SUPPORT_IN_THE_FORUM.replace(str(OPERATOR_CHAT), "-1009999"), "utf-8")
    code, out, err = relaydesk_cli("import", str(team))

    assert code == 2 and "Traceback" not in err
    assert err.splitlines() == [
        f"error: lines[0].workspace: line 'support' lives in telegram:{OPERATOR_CHAT}, where "
        "RELAYDESK_TELEGRAM_OPERATOR_CHAT_ID points; the file moves it to telegram:-1009999, "
        f"and the next `relaydesk run` would put a line back in telegram:{OPERATOR_CHAT}. "
        "Change RELAYDESK_TELEGRAM_OPERATOR_CHAT_ID as well, or keep the line's workspace"
    ]
    code, out, _ = relaydesk_cli("lines", "list")
    assert f"telegram:{OPERATOR_CHAT}" in out  # nothing was written
