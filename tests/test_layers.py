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
    "bridges/telegram": (
        "bridges.slack",
        "bridges.api",
        "bridges.webchat",
        "admin_web",
        "relaydesk",
        "slack_sdk",
        "slack_bolt",
    ),
    "bridges/slack": (
        "bridges.telegram",
        "bridges.api",
        "bridges.webchat",
        "admin_web",
        "relaydesk",
        "aiogram",
    ),
    "bridges/api": (
        "bridges.telegram",
        "bridges.slack",
        "bridges.webchat",
        "admin_web",
        "relaydesk",
        "aiogram",
    ),
    "bridges/webchat": (
        "bridges.telegram",
        "bridges.slack",
        "bridges.api",
        "admin_web",
        "relaydesk",
        "aiogram",
        "slack_sdk",
        "slack_bolt",
    ),
    "admin_web": ("bridges", "relaydesk", "aiogram", "slack_sdk", "slack_bolt"),
}


def _imports(path: Path, *, type_checking: bool = True) -> list[tuple[int, str]]:
    """Every import, also inside functions; `from a import b` names `a` and `a.b` (b may be a
    module). `type_checking=False` leaves out what `if TYPE_CHECKING:` guards."""
    tree = ast.parse(path.read_text(), str(path))
    skipped = set() if type_checking else _type_checking_only(tree)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
            found.append((node.lineno, "importlib.import_module"))
    return found


def _type_checking_only(tree: ast.AST) -> set[int]:
    guards = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
    ]
    return {id(inner) for guard in guards for sub in guard.body for inner in ast.walk(sub)}


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


def _module_name(root: Path, path: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _cycles(root: Path, package: str) -> list[list[str]]:
    """Groups of modules of `package` that import each other, directly or in a circle, when
    the code runs (imports guarded by TYPE_CHECKING do not count)."""
    modules = {_module_name(root, p): p for p in sorted((root / package).rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        graph[name] = {
            module
            for _, module in _imports(path, type_checking=False)
            if module in modules and module != name
        }
    cycles: list[list[str]] = []
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []

    def visit(name: str) -> None:  # Tarjan's strongly connected components
        index[name] = low[name] = len(index)
        stack.append(name)
        for other in sorted(graph[name]):
            if other not in index:
                visit(other)
                low[name] = min(low[name], low[other])
            elif other in stack:
                low[name] = min(low[name], index[other])
        if low[name] == index[name]:
            group = stack[stack.index(name) :]
            del stack[stack.index(name) :]
            if len(group) > 1:
                cycles.append(sorted(group))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return cycles


def test_the_core_has_no_import_cycles() -> None:
    assert _cycles(ROOT, "bot") == []


def test_the_cycle_check_sees_a_cycle(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "a.py").write_text("from pkg.b import x\n")
    (tmp_path / "pkg" / "b.py").write_text("def x():\n    from pkg import a\n")
    (tmp_path / "pkg" / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import a\n"
    )
    (tmp_path / "pkg" / "d.py").write_text("from pkg import c\n")
    assert _cycles(tmp_path, "pkg") == [["pkg.a", "pkg.b"]]
