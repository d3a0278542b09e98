"""Dashboard stats: the leaderboard page and picture, the audit page's filters, paging and
download, the exports page and its CSVs, and the public JSON results feed."""

from __future__ import annotations

import json

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from engine.services import Services
from engine.site import DashboardAuthService
from storage.models import AuditEntry, Tournament
from tests.dashboard.conftest import log_in
from tests.engine.services.test_certificates import finished_event
from tests.engine.stats.test_audit_and_exports import add_entries, rows_of

PNG = b"\x89PNG"


async def _slug(services: Services, tournament_id: int) -> str:
    async with services.db.read() as session:
        slug = await session.scalar(select(Tournament.slug).where(Tournament.id == tournament_id))
    assert slug is not None
    return slug


async def test_stats_pages_need_an_organizer_session(
    client: TestClient, auth: DashboardAuthService, services: Services, new_id
) -> None:
    for path in ("/org/leaderboard", "/org/exports", "/org/audit.csv", "/org/leaderboard.png"):
        response = await client.get(path, allow_redirects=False)
        assert response.status == 401, path
    event = await finished_event(services, new_id, players=2)
    elsewhere = await finished_event(services, new_id, players=2)
    await log_in(client, auth, elsewhere.organizer)  # organizes another server only
    g = event.guild_id
    for path in (
        f"/org/leaderboard?g={g}",
        f"/org/audit?g={g}",
        f"/org/audit.csv?g={g}",
        f"/org/exports/{event.tournament_id}/results.csv?g={g}",
    ):
        response = await client.get(path)
        assert response.status == 403, path
    async with services.db.read() as session:
        exports = await session.scalar(
            select(AuditEntry.id).where(
                AuditEntry.guild_id == g, AuditEntry.action.startswith("export.")
            )
        )
    assert exports is None


async def test_leaderboard_page_lists_the_board_and_draws_it(
    client: TestClient, auth: DashboardAuthService, services: Services, new_id
) -> None:
    event = await finished_event(services, new_id, players=4)
    await log_in(client, auth, event.organizer)
    g = event.guild_id
    html = await (await client.get(f"/org/leaderboard?g={g}&game={event.game_id}")).text()
    assert "Player 1" in html and "(provisional)" in html and "4 of 4 shown" in html
    titles = await (
        await client.get(f"/org/leaderboard?g={g}&game={event.game_id}&board=titles")
    ).text()
    assert "Player 1" in titles and "Player 2" not in titles
    odd = await client.get(f"/org/leaderboard?g={g}&game=%C2%B2&board=kills&season=x")
    assert odd.status == 200
    image = await client.get(f"/org/leaderboard.png?g={g}&game={event.game_id}")
    assert image.status == 200 and (await image.read()).startswith(PNG)


async def test_audit_page_filters_pages_and_downloads(
    client: TestClient, auth: DashboardAuthService, services: Services, new_id
) -> None:
    event = await finished_event(services, new_id, players=2)
    g = event.guild_id
    helper = new_id()
    await add_entries(services, g, helper, 60, action="test.note")
    await log_in(client, auth, event.organizer)
    first = await (await client.get(f"/org/audit?g={g}&actor={helper}")).text()
    assert first.count("test.note") == 50 and "Older entries" in first
    marker = "before="
    cursor = first[first.index(marker) + len(marker) :].split('"')[0]
    second = await (await client.get(f"/org/audit?g={g}&actor={helper}&before={cursor}")).text()
    assert second.count("test.note") == 10 and "Older entries" not in second
    by_tournament = await (
        await client.get(f"/org/audit?g={g}&tournament={event.tournament_id}")
    ).text()
    assert "tournament.complete" in by_tournament and "test.note" not in by_tournament
    bad = await client.get(f"/org/audit?g={g}&since=yesterday&action=%27%3B--")
    text = await bad.text()
    assert bad.status == 200 and "That filter was left out" in text and "test.note" in text
    download = await client.get(f"/org/audit.csv?g={g}&action=test.")
    assert download.status == 200
    assert download.headers["Content-Disposition"] == f'attachment; filename="audit-{g}.csv"'
    rows = rows_of(await download.read())
    assert len(rows) == 61 and {row[3] for row in rows[1:]} == {"test.note"}


async def test_exports_page_and_downloads(
    client: TestClient, auth: DashboardAuthService, services: Services, new_id
) -> None:
    event = await finished_event(services, new_id, players=4)
    g, tid = event.guild_id, event.tournament_id
    await log_in(client, auth, event.organizer)
    html = await (await client.get(f"/org/exports?g={g}")).text()
    assert f"/org/exports/{tid}/placings.csv?g={g}" in html and "Played a match" in html
    slug = await _slug(services, tid)
    assert f"/t/{slug}.json" in html
    response = await client.get(f"/org/exports/{tid}/placings.csv?g={g}")
    assert response.status == 200 and response.content_type == "text/csv"
    rows = rows_of(await response.read())
    assert rows[0][0] == "place" and rows[1][:2] == ["1", "Player 1"]
    assert (await client.get(f"/org/exports/{tid}/secrets.csv?g={g}")).status == 400
    other = await finished_event(services, new_id, players=2)
    assert (await client.get(f"/org/exports/{other.tournament_id}/results.csv?g={g}")).status == 404


async def test_results_feed_is_public_json(client: TestClient, services: Services, new_id) -> None:
    event = await finished_event(services, new_id, players=4)
    slug = await _slug(services, event.tournament_id)
    response = await client.get(f"/t/{slug}.json")
    assert response.status == 200 and response.content_type == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    feed = json.loads(await response.text())
    assert feed["tournament"]["slug"] == slug and len(feed["matches"]) == 3
    assert (await client.get("/t/no-such-cup.json")).status == 404
    page = await client.get(f"/t/{slug}")
    assert page.status == 200 and "text/html" in page.headers["Content-Type"]
