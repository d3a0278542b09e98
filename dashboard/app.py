"""The web dashboard (aiohttp). Handlers are thin: they call engine services."""

from __future__ import annotations

import logging

from aiohttp import web

from engine.services import Services

log = logging.getLogger(__name__)

SERVICES_KEY = web.AppKey("services", Services)


async def healthz(request: web.Request) -> web.Response:
    services = request.app[SERVICES_KEY]
    try:
        database_ok = await services.db.ping()
    except Exception:  # the point of a health check is to report, not to crash
        log.exception("health check could not reach the database")
        database_ok = False
    status = 200 if database_ok else 503
    body = {"status": "ok" if database_ok else "unavailable", "database": database_ok}
    return web.json_response(body, status=status)


def create_app(services: Services) -> web.Application:
    app = web.Application()
    app[SERVICES_KEY] = services
    app.router.add_get("/healthz", healthz)
    return app


async def start_dashboard(app: web.Application, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("dashboard listening on http://%s:%s", host, port)
    return runner
