"""The organizer's sponsor report: impressions, clicks and click-through per tournament."""

from __future__ import annotations

from aiohttp import web

from dashboard.org import current_session, organizer, page
from dashboard.state import state

routes = web.RouteTableDef()


@routes.get("/org/sponsors")
async def sponsors_page(request: web.Request) -> web.Response:
    session = await current_session(request)
    guild_id, actor = await organizer(request, session)
    services = state(request).services
    report = await services.sponsors.report(actor, guild_id)
    sponsors = await services.sponsors.list_sponsors(guild_id)
    return page(request, "org_sponsors.html", session, guild_id, report=report, sponsors=sponsors)


@routes.get("/org/sponsors.csv")
async def sponsors_csv(request: web.Request) -> web.Response:
    session = await current_session(request)
    guild_id, actor = await organizer(request, session)
    filename, data = await state(request).services.sponsors.report_csv(actor, guild_id)
    return web.Response(
        body=data,
        content_type="text/csv",
        charset="utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
