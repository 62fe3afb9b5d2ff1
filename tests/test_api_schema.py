"""Schemathesis (from PyPI) tests the running desk against its own OpenAPI document: every
answer must be documented, in the documented shape, and no request may make it fail. It
runs as its CLI in a process of its own while the desk serves here, bounded in examples."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from tests.fakes.api import api_entry_point
from tests.fakes.desk import Desk

ST = Path(sys.executable).with_name("st")
CONFIG = Path(__file__).with_name("api_schema.toml")
EXAMPLES = 25


@pytest.mark.timeout(240)
async def test_the_desk_keeps_to_its_openapi_document(api_desk: Desk, tmp_path: Path) -> None:
    api_desk.report.dead_expected = True  # random contacts' answers are never sent anywhere
    client, _ = await api_entry_point(api_desk)
    process = await asyncio.create_subprocess_exec(
        str(ST),
        "--config-file",
        str(CONFIG),
        "run",
        f"{api_desk.url}/api/v1/openapi.json",
        "--header",
        f"Authorization: Bearer {client.key}",
        "--checks",
        "all",
        "--max-examples",
        str(EXAMPLES),
        "--seed",
        "1",
        "--request-timeout",
        "10",
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    async with asyncio.timeout(220):
        out, _ = await process.communicate()
    assert process.returncode == 0, out.decode()[-6000:]
    assert "passed" in out.decode().lower(), out.decode()[-2000:]
