"""One real browser (headless Chromium from Debian) through the whole organizer path:
log in by link, approve a payment, and watch the public page update when a match ends.

Set ``DASHBOARD_SCREENSHOTS=<dir>`` to also save desktop and phone screenshots of the
pages for a look (not an assertion).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import web

from dashboard.app import create_app, start_dashboard
from dashboard.config import DashboardConfig
from dashboard.hooks import ResultLine
from dashboard.live import LiveHub
from dashboard.state import STATE
from engine.brackets.picture_words import PictureLanguage
from engine.kernel.clock import FrozenClock
from engine.render import RenderedImage, render_bracket
from engine.services import Services
from engine.site import DashboardAuthService
from storage.db import Database
from storage.models import Tournament
from storage.models.enums import RegistrationStatus, TournamentStatus
from testkit.dashboard_fakes import Fakes
from testkit.payment_helpers import (
    add_co_organizer,
    make_guild,
    make_registration,
    make_tournament,
    png_bytes,
)
from testkit.render_fixtures import single_elim_view
from tests.dashboard.conftest import SECRET
from tests.dashboard.test_live import completed, own_db  # noqa: F401  (fixture)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install -y chromium)"
    ),
]


@dataclass
class Served:
    base: str
    services: Services
    hub: LiveHub


@pytest_asyncio.fixture
async def served(
    own_db: Database,  # noqa: F811
    tmp_path: Path,
    fakes: Fakes,
) -> AsyncIterator[Served]:
    services = Services(own_db, FrozenClock(), data_dir=tmp_path)
    config = DashboardConfig("http://127.0.0.1", SECRET, heartbeat_seconds=1.0)
    app = create_app(services, config, fakes.hooks())
    runner: web.AppRunner = await start_dashboard(app, "127.0.0.1", 0)
    host, port = runner.addresses[0][:2]
    yield Served(f"http://{host}:{port}", services, app[STATE].hub)
    await runner.cleanup()


async def _screenshots(page, base: str, paths: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    target = os.environ.get("DASHBOARD_SCREENSHOTS")
    if not target:
        return
    os.makedirs(target, exist_ok=True)
    for size, (width, height) in SIZES.items():
        await page.set_viewport_size({"width": width, "height": height})
        for name, path in paths.items():
            await page.goto(base + path)
            await page.screenshot(path=f"{target}/{name}-{size}.png", full_page=True)
    await page.set_viewport_size({"width": 1280, "height": 900})


async def test_login_approve_and_live_update(served: Served, fakes: Fakes, new_id) -> None:
    playwright_api = pytest.importorskip("playwright.async_api")
    base, services = served.base, served.services
    guild = await make_guild(services, new_id)
    tid = await make_tournament(
        services,
        guild,
        name="Winter Crown Cup",
        fee_minor=15_000,
        methods=("bkash",),
        status=TournamentStatus.REGISTRATION_CLOSED,
    )
    for _ in range(2):
        await make_registration(services, guild, tid, new_id(), RegistrationStatus.CONFIRMED)
    player = guild.member(new_id())
    await make_registration(services, guild, tid, player.user_id)
    payment = await services.payments.pay(
        player,
        tid,
        "bkash",
        reference="9BD7K2LQ1X",
        proof=png_bytes((320, 560)),
        proof_name="proof.png",
    )
    slug = (await services.tournaments.get(tid)).slug
    fakes.brackets.show(tid, single_elim_view(8, completed_rounds=1), version=1)
    organizer = await add_co_organizer(services, guild, tid, new_id())
    link = await DashboardAuthService(services.ctx, SECRET).issue_link(
        organizer, {guild.id: "Crown League"}
    )

    async with playwright_api.async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = await browser.new_page(viewport={"width": 1280, "height": 900})
        try:
            await page.goto(f"{base}/org/login/{link.token}")
            await page.get_by_role("button", name="Log in").click()
            await page.wait_for_url(f"{base}/org/payments")
            card = page.locator(f"#payment-{payment.id}")
            await card.get_by_text("9BD7K2LQ1X").wait_for()
            assert await card.locator("img").evaluate("img => img.naturalWidth") == 320
            await _screenshots(page, base, {"org-payments": f"/org/payments?g={guild.id}"})
            await card.get_by_role("button", name="Approve").click()
            await page.get_by_text(f"Payment #{payment.id} was approved").wait_for()
            assert (await services.payments.get(organizer, payment.id)).status == "approved"
            # The bracket is under way (a started tournament takes no payment any more).
            async with services.db.transaction() as session:
                row = await session.get(Tournament, tid)
                assert row is not None
                row.status = TournamentStatus.LIVE

            await page.goto(f"{base}/t/{slug}")
            await page.get_by_role("heading", name="Winter Crown Cup").wait_for()
            await _wait_for_stream(served.hub, page)
            fakes.brackets.show(
                tid,
                single_elim_view(8, completed_rounds=2),
                version=2,
                results=(
                    ResultLine("Quarterfinal · W1-2", "NovaQueen", "Echo", "13 – 11", "NovaQueen"),
                ),
            )
            async with services.ctx.unit_of_work() as uow:
                uow.emit(completed(guild.id, tid, "W1-2"))
            await services.outbox.deliver_pending()
            await page.get_by_text("Match W1-2 (Quarterfinal) is over.").wait_for()
            await page.get_by_text("13 – 11").wait_for()
            assert await page.locator("img[src*='bracket-1.png?v=2']").count() == 1
            await _screenshots(page, base, {"index": "/", "tournament": f"/t/{slug}"})
        finally:
            await browser.close()


async def _wait_for_stream(hub: LiveHub, page) -> None:  # type: ignore[no-untyped-def]
    """The event must not be published before the page's EventSource is listening."""
    for _ in range(100):
        if hub.stream_count >= 1:
            return
        await page.wait_for_timeout(50)
    raise AssertionError("the page never opened its event stream")


async def test_language_switch_shows_bangla_and_is_remembered(
    served: Served, fakes: Fakes, new_id
) -> None:
    """A reader whose browser asks for English clicks বাংলা: the page turns Bangla, and
    stays so on the next visit (the cookie wins over the browser's language)."""
    playwright_api = pytest.importorskip("playwright.async_api")
    base, services = served.base, served.services
    guild = await make_guild(services, new_id)
    tid = await make_tournament(
        services, guild, name="Winter Crown Cup", fee_minor=15_000, methods=("bkash",)
    )
    for _ in range(3):
        await make_registration(services, guild, tid, new_id(), RegistrationStatus.CONFIRMED)
    async with services.db.transaction() as session:
        row = await session.get(Tournament, tid)
        assert row is not None
        row.status = TournamentStatus.LIVE
        slug = row.slug
    # The tournament's server speaks Bangla, so its bracket picture does too.
    bangla = PictureLanguage("bn")
    view = bangla.view(single_elim_view(8, completed_rounds=2))
    images = render_bracket(view, words=bangla.picture_words())

    async def render() -> list[RenderedImage]:
        return images

    shown = fakes.brackets.show(
        tid,
        view,
        version=1,
        results=(ResultLine("W1-2", "NovaQueen", "Echo", "13 – 11", "NovaQueen"),),
    )
    fakes.brackets.snapshots[tid] = dataclasses.replace(shown, render=render)

    async with playwright_api.async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
        page = await context.new_page()
        try:
            await page.goto(f"{base}/t/{slug}")
            await page.get_by_role("heading", name="Participants").wait_for()
            assert await page.get_attribute("html", "lang") == "en"

            await page.get_by_role("link", name="বাংলা").click()
            await page.get_by_role("heading", name="অংশগ্রহণকারী").wait_for()
            assert page.url == f"{base}/t/{slug}"  # back on the page the reader was on
            assert await page.get_attribute("html", "lang") == "bn"
            await page.get_by_text("সাম্প্রতিক ফলাফল").wait_for()

            await page.goto(f"{base}/")  # remembered on the next page and visit
            await page.get_by_role("heading", name="টুর্নামেন্ট").wait_for()
            await _screenshots(page, base, {"tournament-bn": f"/t/{slug}", "index-bn": "/"})

            await page.get_by_role("link", name="English").click()
            await page.get_by_role("heading", name="Tournaments").wait_for()
            assert await page.get_attribute("html", "lang") == "en"
        finally:
            await browser.close()
