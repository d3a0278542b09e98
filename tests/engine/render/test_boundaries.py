"""engine/render stays pure: no storage, Discord, aiohttp or bracket-engine imports."""

from __future__ import annotations

import ast
from pathlib import Path

import engine.render

FORBIDDEN = ("storage", "discord", "aiohttp", "engine.formats", "engine.services", "cogs", "bot")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_render_imports_nothing_it_must_not():
    package = Path(engine.render.__file__).parent
    for path in package.glob("*.py"):
        for name in _imports(path):
            assert not any(name == f or name.startswith(f + ".") for f in FORBIDDEN), (
                f"{path.name} imports {name}"
            )


def test_fonts_ship_with_their_licence():
    fonts = Path(engine.render.__file__).parent / "fonts"
    assert (fonts / "OFL.txt").read_text().count("SIL OPEN FONT LICENSE") >= 1
    assert len(list(fonts.glob("*.ttf"))) == 9
