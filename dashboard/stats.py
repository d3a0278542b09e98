"""Stats on the dashboard: the organizer's leaderboard, audit search and download, CSV
exports of a tournament, and the public JSON results feed (docs/results-feed.md).

Handlers stay thin: they read the query, call one engine service and render; the
services check the organizer role as they do for Discord commands.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from dashboard.org import AUDIT_CLOSED, current_session, organizer, page
from dashboard.state import state
from dashboard.text import web_text
from engine.audit import AuditFilter
from engine.kernel.actors import Actor
from engine.kernel.errors import InvalidInput, PermissionDenied
from engine.kernel.text import Message
from engine.site import is_number
from engine.stats import MIN_ROWS, PROVISIONAL_MATCHES, Board, ExportKind

routes = web.RouteTableDef()

AUDIT_PAGE = 50
LEADERBOARD_ROWS = 25
FEED_CACHE = "public, max-age=30"


def _number(request: web.Request, key: str, digits: int = 20) -> int | None:
    text = request.query.get(key, "").strip()
    return int(text) if text and is_number(text, digits) and int(text) > 0 else None


def _text(request: web.Request, key: str, longest: int = 64) -> str:
    return request.query.get(key, "").strip()[:longest]


# -- the public results feed ------------------------------------------------------------


@routes.get(r"/t/{slug:[A-Za-z0-9_-]{1,80}}.json")
async def results_feed(request: web.Request) -> web.Response:
    feed = await state(request).services.exports.results_feed(request.match_info["slug"])
    return web.Response(
        text=json.dumps(feed, ensure_ascii=False),
        content_type="application/json",
        charset="utf-8",
        headers={"Cache-Control": FEED_CACHE, "Access-Control-Allow-Origin": "*"},
    )


# -- leaderboard --------------------------------------------------------------------------


async def _board_choice(request: web.Request, guild_id: int) -> dict[str, Any]:
    services = state(request).services
    games = await services.games.search(guild_id, "")
    seasons = await services.leaderboards.seasons(guild_id)
    game_id = _number(request, "game") or (games[0].id if games else None)
    board = _text(request, "board") or Board.RATING.value
    if board not in {b.value for b in Board}:
        board = Board.RATING.value
    season_id = _number(request, "season")
    return {
        "games": games,
        "seasons": seasons,
        "game_id": game_id,
        "board": board,
        "boards": list(Board),
        "season_id": season_id,
    }


@routes.get("/org/leaderboard")
async def leaderboard_page(request: web.Request) -> web.Response:
    session = await current_session(request)
    guild_id, _ = await organizer(request, session)
    choice = await _board_choice(request, guild_id)
    board = None
    if choice["game_id"] is not None:
        board = await state(request).services.leaderboards.leaderboard(
            guild_id,
            choice["game_id"],
            board=choice["board"],
            season_id=choice["season_id"],
            limit=LEADERBOARD_ROWS,
        )
    return page(
        request,
        "org_leaderboard.html",
        session,
        guild_id,
        result=board,
        provisional=PROVISIONAL_MATCHES,
        **choice,
    )


@routes.get("/org/leaderboard.png")
async def leaderboard_png(request: web.Request) -> web.Response:
    session = await current_session(request)
    guild_id, _ = await organizer(request, session)
    choice = await _board_choice(request, guild_id)
    if choice["game_id"] is None:
        raise web.HTTPNotFound()
    services = state(request).services
    board = await services.leaderboards.leaderboard(
        guild_id,
        choice["game_id"],
        board=choice["board"],
        season_id=choice["season_id"],
        limit=_number(request, "size", 2) or MIN_ROWS,
    )
    png = await services.stats_pictures.leaderboard(board)
    return web.Response(body=png, content_type="image/png", headers={"Cache-Control": "no-store"})


# -- audit --------------------------------------------------------------------------------


async def _audit_filter(request: web.Request, guild_id: int) -> tuple[AuditFilter, str | None]:
    """The filters of the query; a bad one is named and left out, never a crash."""
    services = state(request).services
    actor_id, tournament_id = _number(request, "actor"), _number(request, "tournament")
    action = _text(request, "action") or None
    since, until = _text(request, "since", 10) or None, _text(request, "until", 10) or None
    try:
        found = await services.audit.filters(
            guild_id,
            actor_id=actor_id,
            action=action,
            tournament_id=tournament_id,
            since=since,
            until=until,
        )
        return found, None
    except InvalidInput as error:
        kept = await services.audit.filters(
            guild_id, actor_id=actor_id, tournament_id=tournament_id
        )
        return kept, web_text(error.text)


def _query(guild_id: int, request: web.Request) -> str:
    parts = {"g": str(guild_id)}
    for key in ("actor", "action", "tournament", "since", "until"):
        if value := _text(request, key):
            parts[key] = value
    return urlencode(parts)


async def _audit_readers_only(request: web.Request, actor: Actor, guild_id: int) -> None:
    """The log covers every tournament of the server: its organizers read it, not a
    co-organizer of one tournament."""
    if not await state(request).services.guilds.is_guild_organizer(actor, guild_id):
        raise PermissionDenied(Message(AUDIT_CLOSED))


@routes.get("/org/audit")
async def audit_page(request: web.Request) -> web.Response:
    session = await current_session(request)
    guild_id, actor = await organizer(request, session)
    await _audit_readers_only(request, actor, guild_id)
    filters, error = await _audit_filter(request, guild_id)
    services = state(request).services
    result = await services.audit.search(
        actor, guild_id, filters, before_id=_number(request, "before"), page_size=AUDIT_PAGE
    )
    tournaments = await services.tournaments.search(guild_id, "", limit=100)
    return page(
        request,
        "org_audit.html",
        session,
        guild_id,
        entries=result.entries,
        next_before=result.next_before,
        filters=filters,
        query=_query(guild_id, request),
        tournaments=tournaments,
        since=_text(request, "since", 10) if error is None else "",
        until=_text(request, "until", 10) if error is None else "",
        error=error,
    )


@routes.get("/org/audit.csv")
async def audit_csv(request: web.Request) -> web.Response:
    session = await current_session(request)
    guild_id, actor = await organizer(request, session)
    await _audit_readers_only(request, actor, guild_id)
    filters, _ = await _audit_filter(request, guild_id)
    data, _rows = await state(request).services.audit.export_csv(actor, guild_id, filters)
    return _download(data, f"audit-{guild_id}.csv")


# -- exports ------------------------------------------------------------------------------


def _download(data: bytes, filename: str) -> web.Response:
    return web.Response(
        body=data,
        content_type="text/csv",
        charset="utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@routes.get("/org/exports")
async def exports_page(request: web.Request) -> web.Response:
    session = await current_session(request)
    guild_id, actor = await organizer(request, session)
    services = state(request).services
    tournaments = await services.tournaments.search(guild_id, "", limit=100)
    funnel = await services.tournament_stats.funnel(actor, guild_id)
    return page(
        request,
        "org_exports.html",
        session,
        guild_id,
        tournaments=tournaments,
        kinds=list(ExportKind),
        funnel=funnel,
    )


@routes.get(r"/org/exports/{tournament_id:\d{1,18}}/{kind:[a-z]{1,12}}.csv")
async def export_csv(request: web.Request) -> web.Response:
    session = await current_session(request)
    guild_id, actor = await organizer(request, session)
    exported = await state(request).services.exports.export(
        actor, guild_id, int(request.match_info["tournament_id"]), request.match_info["kind"]
    )
    return _download(exported.data, exported.filename)
