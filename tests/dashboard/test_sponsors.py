"""Sponsors on the dashboard with the real services: the counted redirect, the logos on
the tournament page, and the organizer's report page and CSV."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer

from dashboard.adapters import dashboard_hooks
from dashboard.app import create_app
from dashboard.config import DashboardConfig
from engine.services import Services
from engine.site import DashboardAuthService
from engine.sponsors import SponsorSpec
from testkit.payment_helpers import add_co_organizer, make_guild, make_tournament, png_bytes
from tests.dashboard.conftest import log_in

BROWSER = {"User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0 Safari/537.36"}


@pytest_asyncio.fixture
async def real(services: Services, config: DashboardConfig) -> AsyncIterator[TestClient]:
    app = create_app(services, config, dashboard_hooks(services))
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def _sponsored(services: Services, new_id):  # type: ignore[no-untyped-def]
    guild = await make_guild(services, new_id)
    tid = await make_tournament(services, guild, name="Sponsored Cup")
    nova = await services.sponsors.add(
        guild.owner,
        guild.id,
        SponsorSpec("Nova", "https://nova.example/gaming?ref=dc", "title", "Fuel"),
        logo=png_bytes(),
        tournament_id=tid,
    )
    return guild, tid, nova, await services.tournaments.get(tid)


async def test_click_redirects_to_the_registered_link_and_counts_people_only(
    real: TestClient, services: Services, new_id
) -> None:
    guild, tid, nova, view = await _sponsored(services, new_id)
    url = f"/s/{nova.key}?t={view.slug}&url=https://evil.example"
    response = await real.get(url, headers=BROWSER, allow_redirects=False)
    assert response.status == 302
    assert response.headers["Location"] == "https://nova.example/gaming?ref=dc"
    await real.get(url, headers=BROWSER, allow_redirects=False)  # same visitor, same day
    for headers in (
        {**BROWSER, "Sec-Purpose": "prefetch;prerender"},
        {**BROWSER, "Purpose": "prefetch"},
        {"User-Agent": "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)"},
        {"User-Agent": "facebookexternalhit/1.1"},
    ):
        skipped = await real.get(url, headers=headers, allow_redirects=False)
        assert skipped.status == 302  # redirected all the same
    head = await real.head(url, headers=BROWSER, allow_redirects=False)
    assert head.status == 302
    assert (await real.get("/s/nobody", headers=BROWSER, allow_redirects=False)).status == 404
    [line] = (await services.sponsors.report(guild.owner, guild.id, tid)).lines
    assert (line.clicks, line.unique_clicks) == (2, 1)


async def test_tournament_page_shows_logos_and_counts_an_impression(
    real: TestClient, services: Services, new_id
) -> None:
    guild, tid, nova, view = await _sponsored(services, new_id)
    page = await real.get(f"/t/{view.slug}")
    html = await page.text()
    assert f'href="/s/{nova.key}?t={view.slug}"' in html
    assert f'src="/s/{nova.key}/logo.png"' in html
    logo = await real.get(f"/s/{nova.key}/logo.png")
    assert logo.status == 200 and (await logo.read()).startswith(b"\x89PNG")
    [line] = (await services.sponsors.report(guild.owner, guild.id, tid)).lines
    assert line.impressions == 1


async def test_organizer_report_page_and_csv(
    real: TestClient, services: Services, auth: DashboardAuthService, new_id
) -> None:
    guild, tid, nova, view = await _sponsored(services, new_id)
    await services.sponsors.count_impressions(tid, n=40)
    await real.get(f"/s/{nova.key}?t={view.slug}", headers=BROWSER, allow_redirects=False)
    outsider = await add_co_organizer(
        services, guild, await make_tournament(services, guild), new_id(), with_role=False
    )
    await log_in(real, auth, guild.owner)
    page = await real.get(f"/org/sponsors?g={guild.id}")
    html = await page.text()
    assert page.status == 200 and "Sponsored Cup" in html and "2.5%" in html
    csv = await real.get(f"/org/sponsors.csv?g={guild.id}")
    body = (await csv.read()).decode("utf-8-sig")
    assert csv.headers["Content-Type"].startswith("text/csv") and "Sponsored Cup,Nova" in body
    # A co-organizer of another tournament sees nothing of this one.
    report = await services.sponsors.report(outsider, guild.id)
    assert all(line.tournament_id != tid for line in report.lines)
