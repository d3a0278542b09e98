"""The web dashboard (aiohttp). Handlers are thin: they call the engine services.

``create_app`` builds the application around one ``Services``; ``deltacrown run`` starts
it next to the bot (``start_dashboard``), and ``python -m dashboard`` serves it alone.
"""

from __future__ import annotations

import logging
from pathlib import Path

from aiohttp import web

from dashboard import org, public
from dashboard.config import DashboardConfig
from dashboard.hooks import DashboardHooks
from dashboard.inputs import hostile_input
from dashboard.live import SUBSCRIBER_NAME, LiveHub, live_event_types
from dashboard.pages import Templates
from dashboard.ratelimit import RateLimiter
from dashboard.security import add_security_headers, error_pages, request_metrics
from dashboard.state import STATE, DashboardState
from engine.render.cache import BracketImageCache
from engine.services import Services
from engine.services.dashboard_auth import DashboardAuthService
from engine.services.metrics import MetricsService
from engine.services.public_site import PublicSiteService

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
# Enough for the brackets of every running event of a community; images are ~100 kB.
IMAGE_CACHE_ENTRIES = 64


def create_app(
    services: Services,
    config: DashboardConfig | None = None,
    hooks: DashboardHooks | None = None,
    *,
    live_updates: bool = True,
) -> web.Application:
    """The dashboard for ``services``.

    Without ``config`` the signing key is the one kept in the data directory (the parent
    of the file store), which is where the /dashboard command finds it too.
    ``live_updates`` subscribes the live feed to the outbox; a process that does not run
    the outbox dispatcher gets no events and serves pages only.
    """
    config = config or DashboardConfig.for_data_dir(services.ctx.files.root.parent)
    hub = LiveHub()
    app = web.Application(middlewares=[request_metrics, error_pages, hostile_input])
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
    )
    if live_updates:
        services.outbox.subscribe(SUBSCRIBER_NAME, hub.handle, live_event_types())
    app.router.add_routes(public.routes)
    app.router.add_routes(org.routes)
    app.router.add_static("/static", STATIC_DIR)
    app.on_response_prepare.append(add_security_headers)
    app.on_shutdown.append(hub.shutdown)
    return app


async def start_dashboard(app: web.Application, host: str, port: int) -> web.AppRunner:
    # Live streams end on shutdown (``hub.shutdown``); a short timeout covers the rest.
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=5.0)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("dashboard listening on http://%s:%s", host, port)
    return runner
