"""``main()`` owns the resources: database, services, bot, dashboard and scheduler."""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import os
import re
import tempfile
from collections.abc import AsyncIterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import discord
from aiohttp import web
from discord import http as discord_http
from sqlalchemy.engine import make_url

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


class StartupError(RuntimeError):
    """An operational failure at start, already phrased as the one line an operator reads."""


class NotMigrated(StartupError):
    pass


# Probing Discord before logging in: discord.py's own login waits minutes in silence
# when the API does not answer. Pauses grow from the first to the last.
DISCORD_PROBE_TIMEOUT = 10.0
DISCORD_RETRY_FIRST = 5.0
DISCORD_RETRY_MAX = 60.0


def redact(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def database_failure(url: str, exc: BaseException) -> str:
    """``cannot use the database …: <first line of the driver's reason>``."""
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines() or [type(exc).__name__]
    text = re.sub(r"^(\(.*?\)\s*|<class '[^']*'>:\s*)+", "", reason[0]) or type(exc).__name__
    return (
        f"cannot use the database {redact(url)}: {text} "
        "(is the server running, and does the database exist?)"
    )


def check_data_dir(path: Path) -> None:
    """Create ``storage.data_dir`` and prove it writable now, not at the first upload."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise StartupError(
            f"the data directory {path} is not usable: {exc.strerror or exc} "
            "(set storage.data_dir or DELTACROWN_STORAGE_DATA_DIR)"
        ) from exc


async def check_database(db: Database, url: str) -> None:
    """Reach the database and check its schema; one clear line when either fails."""
    try:
        current = await is_current(db.engine)
    except Exception as exc:  # the driver's errors are many; each becomes one line
        raise StartupError(database_failure(url, exc)) from exc
    if not current:
        raise NotMigrated(
            "the database is not migrated to this version; run `deltacrown migrate` first"
        )


@dataclass
class Runtime:
    settings: Settings
    db: Database
    services: Services
    bot: DeltaCrownBot
    dashboard: web.AppRunner | None


def dashboard_config(settings: Settings) -> DashboardConfig:
    """The dashboard's address, signing key and metrics token, from the settings."""
    dashboard = settings.dashboard
    secret, metrics = dashboard.secret_key, dashboard.metrics_token
    return DashboardConfig.for_data_dir(
        settings.storage.data_dir,
        public_url=dashboard.public_url,
        secret=secret.get_secret_value() if secret else None,
        metrics_token=metrics.get_secret_value() if metrics else None,
    )


def render_pool() -> ProcessPoolExecutor:
    """The processes that draw pictures and certificates, one core left to the event loop.

    Drawing in threads of this process still competes for the GIL with the loop that
    answers Discord; separate processes do not. ``forkserver`` starts the workers from a
    clean process rather than forking one with a running event loop and threads."""
    return ProcessPoolExecutor(
        max_workers=max(1, (os.cpu_count() or 1) - 1),
        mp_context=multiprocessing.get_context("forkserver"),
    )


@asynccontextmanager
async def open_runtime(
    settings: Settings,
    clock: Clock | None = None,
    *,
    bot_options: dict[str, Any] | None = None,
    render_executor: Executor | None = None,
) -> AsyncIterator[Runtime]:
    """Build and start everything but the gateway connection; tear it all down on exit.

    ``bot_options`` go to the discord.py client (tests shorten ``guild_ready_timeout``).
    ``render_executor`` draws pictures and certificates (``main`` passes a process pool,
    :func:`render_pool`); without one they are drawn in the event loop's thread pool.
    """
    async with AsyncExitStack() as stack:
        db = Database(settings.database.url, echo=settings.database.echo)
        stack.push_async_callback(db.dispose)
        await check_database(db, settings.database.url)
        services = Services(
            db,
            clock,
            default_timezone=settings.bot.default_timezone,
            data_dir=settings.storage.data_dir,
            public_url=settings.dashboard.public_url,
            max_upload_bytes=settings.storage.max_upload_bytes,
            render_executor=render_executor,
        )
        # Before the database closes: the sponsor impressions counted and not written yet.
        stack.push_async_callback(services.sponsors.flush_impressions)
        configure_discord_endpoints(settings.discord.api_base_url, settings.discord.gateway_url)
        bot = build_bot(settings, services, **(bot_options or {}))
        stack.push_async_callback(bot.close)
        Notifier(bot, services).subscribe(services.outbox)
        # Deliver only the events of guilds on this process's shards (and guild-less ones).
        services.outbox.serve_shards(settings.discord.shard_count, settings.discord.shard_ids)

        runner = None
        if settings.dashboard.enabled:
            config = dashboard_config(settings)
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


async def discord_problem(base_url: str, limit: float = DISCORD_PROBE_TIMEOUT) -> str | None:
    """Why Discord's API at ``base_url`` cannot be used now, or None when it answers."""
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=limit)) as session,
            session.get(f"{base_url}/gateway") as response,
        ):
            return f"it answered {response.status}" if response.status >= 500 else None
    except TimeoutError:
        return f"no answer within {limit:g} s"
    except (aiohttp.ClientError, OSError) as exc:
        return str(exc) or type(exc).__name__


async def wait_for_discord(
    base_url: str,
    *,
    first: float = DISCORD_RETRY_FIRST,
    longest: float = DISCORD_RETRY_MAX,
    limit: float = DISCORD_PROBE_TIMEOUT,
) -> None:
    """Return once Discord's API answers; until then, say so and the retry plan."""
    delay, attempt = first, 1
    while (problem := await discord_problem(base_url, limit)) is not None:
        log.warning(
            "Discord is not reachable at %s (%s); attempt %d failed, retrying in %g s, then "
            "with pauses growing to %g s until it answers (Ctrl-C stops)",
            base_url,
            problem,
            attempt,
            delay,
            longest,
        )
        await asyncio.sleep(delay)
        delay, attempt = min(delay * 2, longest), attempt + 1
    if attempt > 1:
        log.info("Discord answers again after %d attempts; logging in", attempt)


def warn_if_public_url_unset(settings: Settings) -> None:
    if settings.dashboard.public_url_is_set:
        return
    log.warning(
        "dashboard.public_url is not set: login links and certificate QR codes will point at "
        "%s, which only this machine can open; set dashboard.public_url (or "
        "DELTACROWN_DASHBOARD_PUBLIC_URL) to the address people use",
        settings.dashboard.public_url,
    )


async def run_forever(settings: Settings) -> None:
    token = settings.discord.token
    assert token is not None  # checked by the CLI before we get here
    with render_pool() as pool:
        await serve(settings, token.get_secret_value(), pool)


def freeze_startup_objects() -> None:
    """Hide the objects alive now (modules, compiled statements, catalogues, the wired
    services) from the garbage collector: they live as long as the process, yet every
    full collection walked them all, 30–100 ms with the event loop standing still (the
    slowest results of ``python -m benchmarks matchday`` were these). Objects made later
    are collected as always."""
    gc.collect()
    gc.freeze()


async def serve(settings: Settings, token: str, pool: Executor) -> None:
    async with open_runtime(settings, render_executor=pool) as runtime:
        warn_if_public_url_unset(settings)  # once the rest started, so failures stay one line
        await wait_for_discord(discord_http.Route.BASE)
        freeze_startup_objects()
        await runtime.bot.start(token)


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
