"""The arrows of ARCHITECTURE.md hold: each layer imports only what lies below it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SDKS = ("aiogram", "slack_sdk", "slack_bolt", "aiohttp", "jinja2", "aiohttp_jinja2")

# folder -> the top-level names its modules must never import
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "relaydesk": (),  # the composition root may import every layer, but by plain imports
    "storage": ("bot", "bridges", "admin_web", "relaydesk", *SDKS),
    "bot": ("bridges", "admin_web", "relaydesk", *SDKS),
    "bridges/telegram": ("bridges.slack", "admin_web", "relaydesk", "slack_sdk", "slack_bolt"),
    "bridges/slack": ("bridges.telegram", "admin_web", "relaydesk", "aiogram"),
    "admin_web": ("bridges", "relaydesk", "aiogram", "slack_sdk", "slack_bolt"),
}


def _imports(path: Path) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
            found.append((node.lineno, "importlib.import_module"))
    return found


def _breaks(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    broken = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for line, module in _imports(path):
            if module == "importlib.import_module" or any(
                module == name or module.startswith(f"{name}.") for name in forbidden
            ):
                broken.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return broken


@pytest.mark.parametrize("folder", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_above_it_and_no_module_by_name(folder: str) -> None:
    assert _breaks(folder, FORBIDDEN[folder]) == []


def test_the_layer_check_sees_a_break() -> None:
    assert any("imports aiogram" in b for b in _breaks("bridges/telegram", ("aiogram",)))
