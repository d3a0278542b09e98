"""The discord.py bot: loads every cog, registers persistent views, syncs commands."""

from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import Callable
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

import cogs
from bot.config import Settings
from cogs._ack import ACK_AFTER, acknowledge_in_time
from cogs._errors import DeltaCrownTree
from cogs._text import remember_commands
from cogs._translator import CatalogueTranslator
from engine.kernel.metrics import METRICS
from engine.services import Services

log = logging.getLogger(__name__)

# Cogs append view factories to ``bot.persistent_view_factories`` (or register
# ``DynamicItem`` buttons) so that buttons sent before a restart keep working after it.
PersistentViewFactory = Callable[["DeltaCrownBot"], discord.ui.View]


def cog_modules() -> list[str]:
    return sorted(
        f"cogs.{m.name}" for m in pkgutil.iter_modules(cogs.__path__) if not m.name.startswith("_")
    )


def intents() -> discord.Intents:
    chosen = discord.Intents.default()
    chosen.members = True  # team rosters and thread membership need member lookups
    chosen.message_content = True  # evidence posted in dispute threads is recorded
    return chosen


def _with_application_id(options: dict[str, Any], application_id: int | None) -> dict[str, Any]:
    return options if application_id is None else {"application_id": application_id, **options}


class DeltaCrownBot(commands.Bot):
    """One process, one shard: the embedded default for a community."""

    def __init__(self, settings: Settings, services: Services, **options: Any) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            tree_cls=DeltaCrownTree,
            # Nothing pings unless a send names whom (cogs/_safe.py pings()): user text is inert.
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            **_with_application_id(options, settings.discord.application_id),
        )
        self.settings = settings
        self.services = services
        self.persistent_view_factories: list[PersistentViewFactory] = []
        # How long a handler may stay silent before the command layer defers for it.
        self.ack_after = ACK_AFTER

    def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None:
        """Arm the acknowledgement watchdog of every interaction.

        discord.py dispatches ``interaction`` right after scheduling the command, button
        or form handler and before that handler runs: the one place every interaction
        passes through, so no cog can forget it."""
        if event_name == "interaction" and args:
            acknowledge_in_time(args[0], self.ack_after)
        super().dispatch(event_name, *args, **kwargs)

    async def setup_hook(self) -> None:
        # Descriptions marked locale_str("…") are synced with their translations.
        await self.tree.set_translator(CatalogueTranslator())
        for module in cog_modules():
            await self.load_extension(module)
        for factory in self.persistent_view_factories:
            self.add_view(factory(self))
        guild_id = self.settings.discord.development_guild_id
        if guild_id:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            remember_commands(self, synced)  # replies can link commands as </name:id>
            log.info("synced %d commands to development guild %s", len(synced), guild_id)

    async def on_ready(self) -> None:
        log.info("connected as %s to %d servers", self.user, len(self.guilds))

    async def on_app_command_completion(
        self,
        interaction: discord.Interaction,
        command: app_commands.Command[Any, ..., Any] | app_commands.ContextMenu,
    ) -> None:
        METRICS.commands.inc(command=command.qualified_name)


class ShardedDeltaCrownBot(DeltaCrownBot, commands.AutoShardedBot):
    """Several processes each running a range of shards (docs/architecture.md, "Scale-out")."""


def build_bot(settings: Settings, services: Services, **options: Any) -> DeltaCrownBot:
    shards = settings.discord
    if shards.shard_count is None:
        return DeltaCrownBot(settings, services, **options)
    return ShardedDeltaCrownBot(
        settings, services, shard_ids=shards.shard_ids, shard_count=shards.shard_count, **options
    )


def import_all_cogs() -> None:
    """Import every cog module (used by the command-tree meta-test)."""
    for module in cog_modules():
        importlib.import_module(module)
