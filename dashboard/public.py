"""Pages anyone may open: tournaments, bracket images, live updates, verification, sponsors."""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from aiohttp import web

from dashboard.clients import client_address
from dashboard.hooks import BracketSnapshot, SponsorVisit
from dashboard.language import page_language
from dashboard.live import serve_stream
from dashboard.reads import PublicEntry
from dashboard.security import rate_limit
from dashboard.state import DashboardState, state
from engine.brackets import PictureLanguage
from engine.kernel.metrics import METRICS, Gauge
from engine.render.bracket import render_bracket
from engine.render.model import (
    GroupStageSection,
    RenderedImage,
    RoundRobinSection,
    StandingsSection,
    StandingsTable,
    SwissSection,
)
from engine.sponsors import SponsorLogo
from engine.tournaments import TournamentView
from storage.models.enums import RegistrationStatus

log = logging.getLogger(__name__)

routes = web.RouteTableDef()

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{3,63}$")
_SPONSOR = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
SHOWN_ENTRIES = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.PAYMENT_REVIEW,
    RegistrationStatus.AWAITING_PAYMENT,
)
RECENT_RESULTS = 10


async def public_entry(request: web.Request) -> PublicEntry:
    """The tournament at ``/t/{slug}`` as kept in memory (see dashboard/reads.py)."""
    st = state(request)
    entry = await st.reads.get(request.match_info["slug"], lambda slug: _load_entry(st, slug))
    if entry is None:
        raise web.HTTPNotFound()
    return entry


async def _load_entry(st: DashboardState, slug: str) -> PublicEntry | None:
    tournament = await st.site.by_slug(slug)
    if tournament is None:
        return None
    return PublicEntry(tournament, await st.hooks.brackets.snapshot(tournament))


async def tournament_or_404(request: web.Request) -> TournamentView:
    return (await public_entry(request)).tournament


async def bracket_images(
    st: DashboardState, tournament: TournamentView, snapshot: BracketSnapshot
) -> list[RenderedImage]:
    """The bracket PNGs, rendered once per bracket version (in a worker thread)."""
    if snapshot.render is not None:
        return await snapshot.render()
    key = ("dashboard", tournament.id, snapshot.version, snapshot.language)
    cached = st.images.get(key)  # the common case needs no worker thread
    if cached is not None:
        return cached
    words = PictureLanguage(snapshot.language).picture_words()
    return await asyncio.to_thread(
        st.images.get_or_render, key, lambda: render_bracket(snapshot.view, words=words)
    )


async def images_of(st: DashboardState, entry: PublicEntry) -> list[RenderedImage]:
    """The pictures of an entry's snapshot, remembered with the entry."""
    if entry.images is None:
        entry.images = (
            await bracket_images(st, entry.tournament, entry.snapshot) if entry.snapshot else []
        )
    return entry.images


def standings_of(snapshot: BracketSnapshot | None) -> list[StandingsTable]:
    tables: list[StandingsTable] = []
    for section in snapshot.view.sections if snapshot else ():
        if isinstance(section, StandingsSection):
            tables.append(section.table)
        elif isinstance(section, RoundRobinSection | SwissSection):
            tables.append(section.standings)
        elif isinstance(section, GroupStageSection):
            tables.extend(section.groups)
    return tables


@routes.get("/")
async def index(request: web.Request) -> web.Response:
    st = state(request)
    tournaments = await st.site.tournaments()
    return st.templates.render("index.html", tournaments=tournaments)


async def _live_context(st: DashboardState, entry: PublicEntry) -> dict[str, object]:
    if entry.context is None:
        snapshot = entry.snapshot
        images = await images_of(st, entry)
        entries = await st.services.registration.list(entry.tournament.id, statuses=SHOWN_ENTRIES)
        entry.context = {
            "t": entry.tournament,
            "snapshot": snapshot,
            "image_count": len(images),
            "standings": standings_of(snapshot),
            "results": snapshot.recent_results[:RECENT_RESULTS] if snapshot else (),
            "schedule": snapshot.schedule if snapshot else (),
            "entries": entries,
            "sponsors": await sponsors_of(st, entry),
        }
    return entry.context


async def sponsors_of(st: DashboardState, entry: PublicEntry) -> list[SponsorLogo]:
    """The tournament's sponsors, remembered with the entry."""
    if entry.sponsors is None:
        entry.sponsors = await st.services.sponsors.of_tournament(entry.tournament.id)
    return entry.sponsors


async def count_sponsor_impression(request: web.Request, entry: PublicEntry) -> None:
    """A page or picture carrying the sponsors' logos was served (a HEAD shows nothing)."""
    if request.method != "GET":
        return
    st = state(request)
    shown = [s.sponsor_id for s in await sponsors_of(st, entry) if s.logo is not None]
    if shown:
        await st.services.sponsors.count_impressions(entry.tournament.id, shown)


async def _page(request: web.Request, template: str) -> web.Response:
    """A public page of the tournament, rendered once per entry."""
    st = state(request)
    entry = await public_entry(request)
    key = (template, page_language())
    body = entry.pages.get(key)
    if body is None:
        context = await _live_context(st, entry)
        body = entry.pages[key] = st.templates.html(template, **context).encode()
    return web.Response(body=body, content_type="text/html", charset="utf-8")


@routes.get("/t/{slug}")
async def tournament_page(request: web.Request) -> web.Response:
    response = await _page(request, "tournament.html")
    await count_sponsor_impression(request, await public_entry(request))
    return response


@routes.get("/t/{slug}/live.html")
async def tournament_live_part(request: web.Request) -> web.Response:
    """The part of the page that changes; the page script swaps it in on every update."""
    return await _page(request, "_tournament_live.html")


@routes.get("/t/{slug}/events")
async def tournament_events(request: web.Request) -> web.StreamResponse:
    tournament = await tournament_or_404(request)
    st = state(request)
    return await serve_stream(request, st.hub, {f"t:{tournament.id}"}, st.config.heartbeat_seconds)


def _not_modified(request: web.Request, etag: str, last_modified: datetime) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or etag in tags
    since = request.headers.get("If-Modified-Since")
    if since:
        try:
            return int(last_modified.timestamp()) <= int(parsedate_to_datetime(since).timestamp())
        except (TypeError, ValueError):
            return False
    return False


@routes.get("/t/{slug}/bracket.png")
@routes.get(r"/t/{slug}/bracket-{index:\d{1,3}}.png")
async def bracket_png(request: web.Request) -> web.Response:
    st = state(request)
    entry = await public_entry(request)
    snapshot = entry.snapshot
    if snapshot is None:
        raise web.HTTPNotFound()
    images = await images_of(st, entry)
    index = int(request.match_info.get("index", "1"))
    if not 1 <= index <= len(images):
        raise web.HTTPNotFound()
    drawn = "" if snapshot.language == "en" else f"-{snapshot.language}"
    etag = f'"b{entry.tournament.id}-v{snapshot.version}{drawn}-{index}"'
    headers = {"ETag": etag, "Cache-Control": "public, no-cache"}
    if _not_modified(request, etag, snapshot.updated_at):
        response = web.Response(status=304, headers=headers)
    else:
        response = web.Response(
            body=images[index - 1].png_bytes, content_type="image/png", headers=headers
        )
        await count_sponsor_impression(request, entry)
    response.last_modified = snapshot.updated_at
    return response


@routes.get("/verify/{code}")
async def verify(request: web.Request) -> web.Response:
    st = state(request)
    rate_limit(request, "verify", st.config.verify_attempts_per_minute)
    code = request.match_info["code"].strip()
    record = await st.hooks.certificates.verify(code) if _CODE.match(code) else None
    return st.templates.render(
        "verify.html", status=200 if record else 404, code=code[:64], record=record
    )


def safe_redirect_target(url: str) -> bool:
    """Only absolute http(s) URLs with a host; nothing a browser could read another way."""
    if any(ch.isspace() or ord(ch) < 32 or ch == "\\" for ch in url):
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


@routes.get("/s/{sponsor}")
async def sponsor_click(request: web.Request) -> web.Response:
    st = state(request)
    key = request.match_info["sponsor"]
    slug = request.query.get("t") or None
    # The destination never comes from the request: only from what organizers registered.
    visit = SponsorVisit(
        address=client_address(request),
        user_agent=request.headers.get("User-Agent", "")[:300],
        method=request.method,
        purpose=" ".join(
            request.headers.getall("Purpose", []) + request.headers.getall("Sec-Purpose", [])
        ),
        secret=st.config.secret_key,
    )
    target = (
        await st.hooks.sponsors.click(key, slug[:80] if slug else None, visit)
        if _SPONSOR.match(key)
        else None
    )
    if target is None:
        raise web.HTTPNotFound()
    if not safe_redirect_target(target.url):
        log.warning("refused to redirect sponsor %s to %r", key, target.url)
        raise web.HTTPNotFound()
    raise web.HTTPFound(target.url, headers={"Cache-Control": "no-store"})


@routes.get("/s/{sponsor}/logo.png")
async def sponsor_logo(request: web.Request) -> web.Response:
    """A sponsor's logo: public, as it is on every picture of its tournaments."""
    key = request.match_info["sponsor"]
    data = await state(request).services.sponsors.logo(key) if _SPONSOR.match(key) else None
    if data is None:
        raise web.HTTPNotFound()
    return web.Response(
        body=data, content_type="image/png", headers={"Cache-Control": "public, max-age=300"}
    )


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    services = state(request).services
    try:
        database_ok = await services.db.ping()
    except Exception:  # the point of a health check is to report, not to crash
        log.exception("health check could not reach the database")
        database_ok = False
    status = 200 if database_ok else 503
    body = {"status": "ok" if database_ok else "unavailable", "database": database_ok}
    return web.json_response(body, status=status)


def metrics_allowed(request: web.Request, token: str | None) -> bool:
    """No token configured: open (the documented default). Otherwise a matching bearer."""
    if token is None:
        return True
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


@routes.get("/metrics")
async def metrics(request: web.Request) -> web.Response:
    st = state(request)
    if not metrics_allowed(request, st.config.metrics_token):
        raise web.HTTPUnauthorized(
            text="The metrics need a bearer token (dashboard.metrics_token).",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    streams = Gauge(
        "deltacrown_dashboard_live_streams", "Open live-update streams.", st.hub.stream_count
    )
    text = METRICS.registry.exposition([*await st.metrics.gauges(), streams])
    return web.Response(
        text=text,
        content_type="text/plain",
        charset="utf-8",
        headers={"X-Content-Type-Options": "nosniff"},
    )
