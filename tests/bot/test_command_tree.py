"""Meta-test over the slash-command tree every cog contributes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from discord import app_commands

from bot.app import build_bot, cog_modules
from bot.config import Settings
from engine.services import Services
from storage.db import Database

# Organizer commands from DESIGN.md; each must be hidden by default (Manage Server) at its
# top-level command, or — inside a group that players use too — be marked organizer and
# rely on the services' run-time check.
ORGANIZER_COMMANDS = {
    "setup",
    "game add",
    "tournament create",
    "tournament edit",
    "tournament rollback",
    "tournament publish",
    "tournament open",
    "tournament close",
    "tournament start",
    "tournament cancel",
    "tournament archive",
    "tournament field-add",
    "tournament seed",
    "tournament swap",
    "payments pending",
    "payments verify",
    "payments reject",
    "payments refund",
    "coins grant",
    "match set-score",
    "match dq",
    "dispute resolve",
    "dispute escalate",
    "certificates generate",
    "sponsor add",
    "sponsor report",
    "challenge create",
    "challenge verify",
    "audit log",
    "audit export",
    "dashboard",
}


@pytest.fixture(scope="module")
async def tree(sqlite_db: Database) -> app_commands.CommandTree:
    bot = build_bot(Settings(), Services(sqlite_db))
    for module in cog_modules():
        await bot.load_extension(module)
    yield bot.tree
    await bot.close()


def walk(
    commands: list[app_commands.Command | app_commands.Group],
) -> Iterator[app_commands.Command | app_commands.Group]:
    for command in commands:
        yield command
        if isinstance(command, app_commands.Group):
            yield from walk(command.commands)


def root_of(command: app_commands.Command | app_commands.Group):  # type: ignore[no-untyped-def]
    while command.parent is not None:
        command = command.parent
    return command


def test_every_cog_registers_commands(tree: app_commands.CommandTree) -> None:
    assert tree.get_commands(), "no slash commands were registered"
    assert "cogs.setup" in cog_modules()


def test_no_duplicate_top_level_names(tree: app_commands.CommandTree) -> None:
    names = [c.name for c in tree.get_commands()]
    assert len(names) == len(set(names)), sorted(names)


def test_every_command_and_option_is_described(tree: app_commands.CommandTree) -> None:
    for command in walk(tree.get_commands()):
        assert command.description and command.description != "…", command.qualified_name
        if isinstance(command, app_commands.Command):
            for param in command.parameters:
                assert param.description and param.description != "…", (
                    f"/{command.qualified_name} option {param.name} has no description"
                )


def test_organizer_commands_are_gated(tree: app_commands.CommandTree) -> None:
    for command in walk(tree.get_commands()):
        if command.qualified_name not in ORGANIZER_COMMANDS:
            continue
        root = root_of(command)
        hidden = root.default_permissions is not None and root.default_permissions.manage_guild
        marked = command.extras.get("organizer") is True
        assert hidden or marked, f"/{command.qualified_name} is an organizer command"
        assert root.guild_only, f"/{root.name} must be guild-only"
