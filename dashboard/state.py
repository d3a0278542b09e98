"""Everything a handler reaches through ``request.app``: one typed object, one key."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from dashboard.config import DashboardConfig
from dashboard.hooks import DashboardHooks
from dashboard.live import LiveHub
from dashboard.pages import Templates
from dashboard.ratelimit import RateLimiter
from dashboard.reads import PublicReads
from engine.kernel.metrics import MetricsService
from engine.render.cache import BracketImageCache
from engine.services import Services
from engine.site import DashboardAuthService, PublicSiteService


@dataclass
class DashboardState:
    services: Services
    config: DashboardConfig
    hooks: DashboardHooks
    auth: DashboardAuthService
    site: PublicSiteService
    metrics: MetricsService
    hub: LiveHub
    images: BracketImageCache
    templates: Templates
    limiter: RateLimiter
    reads: PublicReads


STATE = web.AppKey("dashboard", DashboardState)


def state(request: web.Request) -> DashboardState:
    return request.app[STATE]
