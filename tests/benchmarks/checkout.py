"""Another commit of this repository checked out in a temporary `git worktree`, removed after."""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(REPO), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def describe(ref: str) -> str:
    """`abc1234 subject` of a commit (the working tree's HEAD for "HEAD")."""
    return _git("log", "-1", "--format=%h %s", ref)[:70]


def dirty() -> bool:
    """Whether the working tree differs from HEAD (the "new" side is then HEAD + changes)."""
    return bool(_git("status", "--porcelain", "--untracked-files=no"))


@contextlib.contextmanager
def checked_out(ref: str) -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="relaydesk-bench-ref-"))
    tree = folder / "tree"
    _git("worktree", "add", "--detach", str(tree), ref)
    try:
        yield tree
    finally:
        _git("worktree", "remove", "--force", str(tree))
        with contextlib.suppress(OSError):
            folder.rmdir()
