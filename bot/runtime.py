"""``main()`` owns the resources: database, services, bot, dashboard and scheduler."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import discord
from aiohttp import web

from bot.app import DeltaCrownBot, build_bot
from bot.config import Settings
from bot.endpoints import configure_discord_endpoints
from bot.notifier import Notifier
from bot.scheduler import build_scheduler
from dashboard.adapters import dashboard_hooks
from dashboard.app import create_app, start_dashboard
from dashboard.config import DashboardConfig
from engine.kernel.clock import Clock
from engine.services import Services
from storage.db import Database
from storage.migrate import is_current
from storage.notify import OUTBOX_CHANNEL, TIMERS_CHANNEL, Listener

log = logging.getLogger(__name__)


class NotMigrated(RuntimeError):
    pass


@dataclass
class Runtime:
    settings: Settings
    db: Database
    services: Services
    bot: DeltaCrownBot
    dashboard: web.AppRunner | None


@asynccontextmanager
async def open_runtime(
    settings: Settings, clock: Clock | None = None, *, bot_options: dict[str, Any] | None = None
) -> AsyncIterator[Runtime]:
    """Build and start everything but the gateway connection; tear it all down on exit.

    ``bot_options`` go to the discord.py client (tests shorten ``guild_ready_timeout``).
    """
    async with AsyncExitStack() as stack:
        db = Database(settings.database.url, echo=settings.database.echo)
        stack.push_async_callback(db.dispose)
        if not await is_current(db.engine):
            raise NotMigrated(
                "the database is not migrated to this version; run `deltacrown migrate` first"
            )
        services = Services(
            db,
            clock,
            default_timezone=settings.bot.default_timezone,
            data_dir=settings.storage.data_dir,
            public_url=settings.dashboard.public_url,
            max_upload_bytes=settings.storage.max_upload_bytes,
        )
        configure_discord_endpoints(settings.discord.api_base_url, settings.discord.gateway_url)
        bot = build_bot(settings, services, **(bot_options or {}))
        stack.push_async_callback(bot.close)
        Notifier(bot, services).subscribe(services.outbox)

        runner = None
        if settings.dashboard.enabled:
            secret = settings.dashboard.secret_key
            config = DashboardConfig.for_data_dir(
                settings.storage.data_dir,
                public_url=settings.dashboard.public_url,
                secret=secret.get_secret_value() if secret else None,
            )
            runner = await start_dashboard(
                create_app(services, config, dashboard_hooks(services)),
                settings.dashboard.host,
                settings.dashboard.port,
            )
            stack.push_async_callback(runner.cleanup)

        scheduler, wakeups = build_scheduler(services)
        scheduler.start()
        stack.callback(scheduler.shutdown, wait=False)

        services.outbox.start()
        stack.push_async_callback(services.outbox.stop)
        if not db.is_sqlite:
            listener = Listener(
                settings.database.url,
                {OUTBOX_CHANNEL: services.outbox.wake, TIMERS_CHANNEL: wakeups.request_rearm},
            )
            listener.start()
            stack.push_async_callback(listener.stop)
        yield Runtime(settings, db, services, bot, runner)


async def run_forever(settings: Settings) -> None:
    token = settings.discord.token
    assert token is not None  # checked by the CLI before we get here
    async with open_runtime(settings) as runtime:
        await runtime.bot.start(token.get_secret_value())


def run(settings: Settings) -> None:
    try:
        asyncio.run(run_forever(settings))
    except KeyboardInterrupt:
        log.info("stopped")


async def sync_commands(settings: Settings, guild_id: int | None = None) -> list[str]:
    """Publish the slash commands: to every server (``guild_id=None``, which Discord can
    take up to an hour to show) or to one server at once. Only HTTP, no gateway session:
    ``login`` runs ``setup_hook``, which loads the cogs that define the commands."""
    token = settings.discord.token
    if token is None:
        raise ValueError("a Discord token is needed to publish commands")
    db = Database(settings.database.url)
    try:
        services = Services(db, data_dir=settings.storage.data_dir)
        configure_discord_endpoints(settings.discord.api_base_url, settings.discord.gateway_url)
        bot = build_bot(settings, services)
        try:
            await bot.login(token.get_secret_value())
            if guild_id is None:
                synced = await bot.tree.sync()
            else:
                target = discord.Object(id=guild_id)
                bot.tree.copy_global_to(guild=target)
                synced = await bot.tree.sync(guild=target)
            return sorted(command.name for command in synced)
        finally:
            await bot.close()
    finally:
        await db.dispose()
