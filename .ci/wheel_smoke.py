"""CI: the installed wheel works on its own, away from the source tree.

Run with the Python of a venv the wheel (not the working tree) was installed into, from an
empty folder: `relaydesk migrate`, `relaydesk run` answering /healthz, and a Russian and a
Ukrainian text rendered from the catalogs shipped in the wheel. Usage:
`wheel_smoke.py REPO` (REPO: the source tree, only to read the expected catalog values).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from babel.messages.pofile import read_po

MSGID = "Conversation #{number}"


def fail(message: str) -> None:
    print(f"wheel smoke test: {message}", file=sys.stderr)
    raise SystemExit(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def check_installed_not_source(repo: Path) -> None:
    import bot

    where = Path(bot.__file__).resolve()
    if where.is_relative_to(repo.resolve()):
        fail(f"bot is imported from the source tree ({where}), not from the wheel")
    print(f"bot comes from {where.parent}")


def check_translations(repo: Path) -> None:
    from bot.base.i18n import Text, Translator

    translator = Translator()
    for lang in ("ru", "uk"):
        with (repo / "locales" / lang / "LC_MESSAGES" / "relaydesk.po").open("rb") as fh:
            expected = {str(m.id): str(m.string) for m in read_po(fh, locale=lang) if m.id}
        wanted = expected[MSGID].format(number=7)
        shown = translator.render(lang, Text(MSGID, number=7))
        if shown != wanted or shown == MSGID.format(number=7):
            fail(f"{lang}: rendered {shown!r}, the catalog says {wanted!r}")
        print(f"{lang}: {shown}")


def relaydesk(*args: str) -> list[str]:
    """The console script the wheel installed next to this Python."""
    return [str(Path(sys.executable).parent / "relaydesk"), *args]


def check_migrate_and_run(env: dict[str, str]) -> None:
    subprocess.run(relaydesk("migrate"), env=env, check=True, timeout=120)
    port = free_port()
    env = env | {"RELAYDESK_HTTP_PORT": str(port), "RELAYDESK_AUTO_MIGRATE": "false"}
    with open("relaydesk-run.log", "wb") as log:
        process = subprocess.Popen(relaydesk("run"), env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                fail(f"relaydesk run exited:\n{Path('relaydesk-run.log').read_text()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    health = json.load(r)
                break
            except OSError:
                if time.monotonic() > deadline:
                    fail(f"no /healthz in 60 s:\n{Path('relaydesk-run.log').read_text()}")
                time.sleep(0.5)
        if health.get("ok") is not True:
            fail(f"/healthz answered {health}")
        print(f"/healthz: {health}")
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            fail("relaydesk run did not stop on SIGTERM within 30 s")


def main() -> None:
    repo = Path(sys.argv[1])
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELAYDESK_")}
    env["RELAYDESK_DATABASE_URL"] = f"sqlite://{Path.cwd() / 'smoke.db'}"
    check_installed_not_source(repo)
    check_translations(repo)
    check_migrate_and_run(env)
    print("wheel smoke test: ok")


if __name__ == "__main__":
    main()
