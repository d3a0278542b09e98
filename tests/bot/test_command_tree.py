"""Meta-test over the slash-command tree every cog contributes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from discord import app_commands

from bot.app import build_bot, cog_modules
from bot.config import Settings
from cogs._interactions import ORGANIZER_EXTRA
from engine.services import Services
from storage.db import Database


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


def hidden_by_default(command: app_commands.Command | app_commands.Group) -> bool:
    """Discord hides it from members without Manage Server (default_member_permissions of
    its top-level command, set by ``organizer_command``)."""
    permissions = root_of(command).default_permissions
    return permissions is not None and permissions.manage_guild


def marked_organizer(command: app_commands.Command | app_commands.Group) -> bool:
    """Marked as an organizer command inside a group players use too; the services check
    the organizer role at run time."""
    return command.extras.get(ORGANIZER_EXTRA) is True


def organizer_commands(tree: app_commands.CommandTree) -> dict[str, app_commands.Command]:
    """The organizer commands as the tree itself declares them."""
    return {
        command.qualified_name: command
        for command in walk(tree.get_commands())
        if isinstance(command, app_commands.Command)
        and (hidden_by_default(command) or marked_organizer(command))
    }


def test_organizer_commands_are_found_both_ways(tree: app_commands.CommandTree) -> None:
    organizer = organizer_commands(tree).values()
    hidden = {c.qualified_name for c in organizer if hidden_by_default(c)}
    marked_only = {c.qualified_name for c in organizer if not hidden_by_default(c)}
    assert hidden and marked_only, (hidden, marked_only)
    # Players' commands stay visible: not every command is an organizer's.
    players = [
        c
        for c in walk(tree.get_commands())
        if isinstance(c, app_commands.Command) and c.qualified_name not in hidden | marked_only
    ]
    assert players and not any(hidden_by_default(c) for c in players)


def test_organizer_commands_are_guild_only(tree: app_commands.CommandTree) -> None:
    for name, command in organizer_commands(tree).items():
        assert root_of(command).guild_only, f"/{name} is an organizer command: guild-only"


def test_groups_of_organizer_commands_only_are_hidden(tree: app_commands.CommandTree) -> None:
    """A group whose every command is an organizer's is hidden by default at its top
    level; marking is for organizer commands inside a group players use too."""
    organizer = organizer_commands(tree)
    for group in walk(tree.get_commands()):
        if not isinstance(group, app_commands.Group) or hidden_by_default(group):
            continue
        commands = [c for c in walk(group.commands) if isinstance(c, app_commands.Command)]
        assert any(c.qualified_name not in organizer for c in commands), (
            f"/{group.qualified_name} holds organizer commands only: hide it with "
            "organizer_command (default permissions Manage Server)"
        )
