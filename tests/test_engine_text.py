"""Engine text carries no Discord: no mentions, channel links, timestamps or slash commands
written into strings. People, channels, moments and commands are message parameters
(engine/kernel/text.py) that cogs/_text.py and dashboard/text.py render."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from discord import app_commands

from bot.app import build_bot, cog_modules
from bot.config import Settings
from engine.kernel.text import Command, Message, Timestamp, User, msg
from engine.services import Services
from storage.db import Database

ENGINE = Path(__file__).resolve().parents[1] / "engine"
MARKUP = re.compile(r"<@|<#|<t:")


def _engine_strings() -> list[tuple[str, int, str]]:
    """(file, line, text) of every string literal in engine/ that is not a docstring and not
    the name inside ``Command("…")``."""
    found = []
    for path in sorted(ENGINE.rglob("*.py")):
        if path == ENGINE / "kernel" / "text.py":
            continue  # the reference renderer writes the markup on purpose
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip: set[int] = set()
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
                skip.add(id(body[0].value))
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Command":
                skip.update(id(a) for a in node.args)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in skip
            ):
                found.append((str(path.relative_to(ENGINE.parent)), node.lineno, node.value))
    return found


def test_engine_strings_have_no_discord_markup() -> None:
    leaks = [f"{f}:{line}: {text!r}" for f, line, text in _engine_strings() if MARKUP.search(text)]
    assert not leaks, "use User(id) / Channel(id) / Timestamp(moment) parameters:\n" + "\n".join(
        leaks
    )


async def test_engine_strings_name_no_slash_command(sqlite_db: Database) -> None:
    bot = build_bot(Settings(), Services(sqlite_db))
    for module in cog_modules():
        await bot.load_extension(module)
    names = {
        c.qualified_name
        for c in bot.tree.walk_commands()
        if isinstance(c, app_commands.Command | app_commands.Group)
    }
    await bot.close()
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    slash = re.compile(rf"(?<![\w/.}}])/({alternatives})(?![\w/-])")
    leaks = [f"{f}:{line}: {text!r}" for f, line, text in _engine_strings() if slash.search(text)]
    assert not leaks, "write the command as a Command(...) parameter:\n" + "\n".join(leaks)


def test_messages_render_per_surface() -> None:
    from datetime import UTC, datetime

    from cogs._text import DiscordStyle, discord_text
    from dashboard.text import web_text

    moment = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    text = msg(
        "{who} must run {cmd} before {when}; team {team}.",
        who=User(42),
        cmd=Command("tournament edit"),
        when=Timestamp(moment, "R"),
        team="*Owls* @everyone",
    )
    assert str(text) == (
        "<@42> must run /tournament edit before <t:1796472000:R>; team *Owls* @everyone."
    )
    assert discord_text(text) == (
        "<@42> must run /tournament edit before <t:1796472000:R>; team \\*Owls\\* @\u200beveryone."
    )
    linked = text.render(DiscordStyle({"tournament": 99}))
    assert "</tournament edit:99>" in linked
    assert web_text(text) == (
        "user 42 must run /tournament edit before Sat 5 Dec 2026, 12:00 (UTC); "
        "team *Owls* @everyone."
    )
    assert isinstance(text + " more", Message) and str(text + "!").endswith("everyone.!")
