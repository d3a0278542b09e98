"""The web dashboard (aiohttp). Handlers are thin: they call the engine services.

``create_app`` builds the application around one ``Services``; ``deltacrown run`` starts
it next to the bot (``start_dashboard``), and ``python -m dashboard`` serves it alone.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from dashboard import org, public, sponsors, stats
from dashboard.config import DashboardConfig
from dashboard.hooks import DashboardHooks
from dashboard.inputs import hostile_input
from dashboard.language import page_language_middleware
from dashboard.language import routes as language_routes
from dashboard.live import OUTBOX_BOOT, LiveHub, live_event_types
from dashboard.pages import Templates
from dashboard.ratelimit import RateLimiter
from dashboard.reads import PublicReads
from dashboard.security import add_security_headers, error_pages, request_metrics
from dashboard.state import STATE, DashboardState
from engine.kernel.feed import OutboxFeed
from engine.kernel.metrics import MetricsService
from engine.render.cache import BracketImageCache
from engine.render.fonts import FONT_DIR
from engine.services import Services
from engine.site import DashboardAuthService, PublicSiteService

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
# Enough for the brackets of every running event of a community; images are ~100 kB.
IMAGE_CACHE_ENTRIES = 64
FEED = web.AppKey("feed", OutboxFeed)


def create_app(
    services: Services,
    config: DashboardConfig | None = None,
    hooks: DashboardHooks | None = None,
    *,
    live_updates: bool = True,
    feed: OutboxFeed | None = None,
) -> web.Application:
    """The dashboard for ``services``.

    Without ``config`` the signing key is the one kept in the data directory (the parent
    of the file store), which is where the /dashboard command finds it too.
    ``live_updates`` makes the app read every outbox event while it runs (``feed``, or
    one of its own): a broadcast, so it works the same in the bot's process, in a
    separate ``python -m dashboard`` and in each of several processes.
    """
    config = config or DashboardConfig.for_data_dir(services.ctx.files.root.parent)
    hub = LiveHub(boot=OUTBOX_BOOT if live_updates else None)
    reads = PublicReads()
    app = web.Application(
        middlewares=[request_metrics, page_language_middleware, error_pages, hostile_input]
    )
    app[STATE] = DashboardState(
        services=services,
        config=config,
        hooks=hooks or DashboardHooks(),
        auth=DashboardAuthService(services.ctx, config.secret_key),
        site=PublicSiteService(services.ctx),
        metrics=MetricsService(services.ctx),
        hub=hub,
        images=BracketImageCache(IMAGE_CACHE_ENTRIES),
        templates=Templates(),
        limiter=RateLimiter(),
        reads=reads,
    )
    if live_updates:
        follow_outbox(app, services, hub, feed or OutboxFeed(services.ctx.db), reads)
    # Before the public pages: /t/{slug}.json must not be read as a tournament slug.
    app.router.add_routes(stats.routes)
    app.router.add_routes(public.routes)
    app.router.add_routes(org.routes)
    app.router.add_routes(sponsors.routes)
    app.router.add_routes(language_routes)
    app.router.add_static("/static", STATIC_DIR)
    # The pictures' fonts, for pages in scripts a reader's device may lack (Bangla).
    app.router.add_static("/fonts", FONT_DIR)
    app.on_response_prepare.append(add_security_headers)
    app.on_shutdown.append(hub.shutdown)

    async def write_impressions(_app: web.Application) -> None:
        await services.sponsors.flush_impressions()  # the views counted and not written

    app.on_cleanup.append(write_impressions)
    return app


def follow_outbox(
    app: web.Application,
    services: Services,
    hub: LiveHub,
    feed: OutboxFeed,
    reads: PublicReads | None = None,
) -> None:
    """Feed ``hub`` from ``feed`` while the app runs; this process's commits wake it at once
    (other processes' by LISTEN/NOTIFY, or the feed's poll on SQLite). ``reads`` hears every
    event first, from any process, so the pages browsers reload on it are fresh."""
    if reads is not None:
        feed.subscribe(lambda _seq, event: reads.saw(event))
    feed.subscribe(hub.handle_at, live_event_types())
    services.ctx.on_commit_with_events(feed.wake)
    app[FEED] = feed

    async def start(_app: web.Application) -> None:
        await feed.start()
        hub.horizon = max(hub.horizon, feed.origin)

    async def stop(_app: web.Application) -> None:
        await feed.stop()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)


class ListenError(RuntimeError):
    """The dashboard cannot listen where it was told to; the message is one clear line."""


class QuietParseErrors(logging.Filter):
    """Malformed or oversized requests (long URLs, huge headers) are the client's doing:
    aiohttp already answers them 400/414/431; log one line, not a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError):
            said = record.getMessage()
            record.msg = "%s: refused a malformed request (%s)"
            record.args = (said, str(error).splitlines()[0][:200])
            record.exc_info, record.exc_text, record.levelno = None, None, logging.INFO
            record.levelname = "INFO"
        return True


_QUIET = QuietParseErrors()


async def start_dashboard(app: web.Application, host: str, port: int) -> web.AppRunner:
    # Live streams end on shutdown (``hub.shutdown``); a short timeout covers the rest.
    server_log = logging.getLogger("aiohttp.server")
    if _QUIET not in server_log.filters:
        server_log.addFilter(_QUIET)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=5.0)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:
        await runner.cleanup()
        reason = os.strerror(exc.errno).lower() if exc.errno else str(exc)
        raise ListenError(
            f"the dashboard cannot listen on {host}:{port}: {reason} "
            "(set dashboard.port or DELTACROWN_DASHBOARD_PORT, or stop the other program)"
        ) from exc
    log.info("dashboard listening on http://%s:%s", host, port)
    return runner
