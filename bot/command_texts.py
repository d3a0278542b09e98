"""Writes ``cogs/_command_texts.py``: every slash command description and choice name in
the tree, marked for the catalogue (``make messages`` runs it before extracting).

    python -m bot.command_texts
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from bot.app import build_bot, cog_modules
from bot.config import Settings
from cogs._translator import command_texts
from engine.services import Services
from storage.db import Database

TARGET = Path(__file__).resolve().parents[1] / "cogs" / "_command_texts.py"
HEADER = '''"""Every slash command description and choice name, for the catalogue.

Written by ``python -m bot.command_texts`` (``make messages`` runs it): do not edit by
hand. Discord reads these texts from the commands themselves; this list only lets
``pybabel extract`` find the ones built at run time (choices from the format registry,
descriptions written with f-strings) together with the rest.
"""

from engine.kernel.text import N_

TEXTS = (
'''


def _literal(text: str) -> str:
    # A JSON string is a Python string literal too (quotes and backslashes escaped).
    return json.dumps(text, ensure_ascii=False)


async def tree_texts() -> list[str]:
    """The texts of every command the cogs register, each once, sorted."""
    database = Database("sqlite+aiosqlite:///:memory:")
    bot = build_bot(Settings(), Services(database))
    try:
        for module in cog_modules():
            await bot.load_extension(module)
        return sorted({text for _, text, _ in command_texts(bot.tree.get_commands())})
    finally:
        await bot.close()
        await database.dispose()


def write(texts: list[str], target: Path = TARGET) -> None:
    lines = []
    for text in texts:
        line = f"    N_({_literal(text)}),"
        # Laid out as ruff format lays it out, so `make lint` keeps passing.
        lines.append(line if len(line) <= 100 else f"    N_(\n        {_literal(text)}\n    ),")
    body = "".join(line + "\n" for line in lines)
    target.write_text(HEADER + body + ")\n", encoding="utf-8")


def main() -> int:
    write(asyncio.run(tree_texts()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
