"""The dashboard's language: the browser's Accept-Language, a switch remembered in a
cookie (which wins), <html lang>, and a Bangla page with no English template text left."""

from __future__ import annotations

import dataclasses
import json
import re
from html.parser import HTMLParser

from aiohttp.test_utils import TestClient
from sqlalchemy import select, update

from dashboard.hooks import ResultLine
from dashboard.language import COOKIE, from_accept_language
from dashboard.live import LiveHub
from dashboard.state import STATE
from engine.services import Services
from engine.site import DashboardAuthService
from storage.models import Game, Registration, Tournament
from storage.models.enums import RegistrationStatus, TournamentStatus
from testkit.dashboard_fakes import Fakes, round_robin_snapshot
from testkit.payment_helpers import (
    add_co_organizer,
    make_guild,
    make_registration,
    make_tournament,
    png_bytes,
)
from tests.dashboard.conftest import log_in
from tests.dashboard.test_live import completed

LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Latin words a Bangla page keeps on purpose: names of products and languages, the
# currency, commands players type, and the ids of matches.
KEPT = {"DeltaCrown", "Delta", "Crown", "Discord", "English", "BDT", "UTC", "register"}


class _Text(HTMLParser):
    """What a reader sees or hears: text, plus alt, title, placeholder and aria-label."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("alt", "title", "placeholder", "aria-label") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(data)


def english_left(html: str, *values: str) -> set[str]:
    """Latin words on the page that are not data (names, ids) nor kept on purpose."""
    parser = _Text()
    parser.feed(html)
    text = " ".join(parser.parts)
    for value in sorted(values, key=len, reverse=True):
        text = text.replace(value, " ")
    return {word for word in LATIN_WORD.findall(text) if word not in KEPT}


async def _tournament(services: Services, new_id, **values: object) -> Tournament:
    guild = await make_guild(services, new_id)
    tid = await make_tournament(services, guild, name=f"Cup {new_id() % 10_000}")
    async with services.db.transaction() as session:
        if values:
            await session.execute(update(Tournament).where(Tournament.id == tid).values(**values))
        row = await session.get(Tournament, tid)
    assert row is not None
    await make_registration(services, guild, tid, new_id(), status=RegistrationStatus.CONFIRMED)
    return row


def test_accept_language_picks_our_best_language() -> None:
    assert from_accept_language("bn-BD,bn;q=0.9,en-US;q=0.8,en;q=0.7") == "bn"
    assert from_accept_language("fr-CA, bn;q=0.8, en;q=0.5") == "bn"
    assert from_accept_language("en-US,en;q=0.9,bn;q=0.8") == "en"
    assert from_accept_language("en;q=0.4, bn;q=0.6") == "bn"
    assert from_accept_language("bn;q=0, de") is None
    assert from_accept_language("") is None


async def test_browser_language_chooses_the_page_language(
    client: TestClient, services: Services, fakes: Fakes, new_id
) -> None:
    tournament = await _tournament(
        services,
        new_id,
        status=TournamentStatus.LIVE,
        entry_fee_minor=123_456_700,
        rules="Be nice.",
    )
    result = ResultLine("Round 1 · M1", "NovaQueen", "Echo", "13 – 11", "NovaQueen")
    fakes.brackets.show(tournament.id, round_robin_snapshot(), version=3, results=(result,))
    path = f"/t/{tournament.slug}"

    english = await client.get(path, headers={"Accept-Language": "en-US,en;q=0.9"})
    english_html = await english.text()
    assert '<html lang="en">' in english_html
    assert "Recent results" in english_html and "Entry fee" in english_html
    assert "1,234,567 BDT" in english_html
    assert "Accept-Language" in english.headers["Vary"]

    bangla = await client.get(path, headers={"Accept-Language": "bn-BD,bn;q=0.9,en;q=0.5"})
    html = await bangla.text()
    assert '<html lang="bn">' in html
    assert "12,34,567 BDT" in html  # Babel groups by lakh for Bangla, digits stay Latin
    for words in ("সাম্প্রতিক ফলাফল", "এন্ট্রি ফি", "অংশগ্রহণকারী", "লাইভ", "নিয়মাবলি"):
        assert words in html
    # Every word of the template is Bangla; what is left in Latin letters is data.
    names = [tournament.name, tournament.slug, "Be nice.", "NovaQueen", "Echo", "Round", "M1"]
    async with services.db.transaction() as session:
        names += list(await session.scalars(select(Registration.display_name)))
        names += list(await session.scalars(select(Game.name)))
    rr = round_robin_snapshot()
    for section in rr.sections:
        names.append(section.title)
        for table in getattr(section, "standings", None), *getattr(section, "groups", ()):
            if table is not None:
                names += [table.title, table.points_label, *table.extra_columns]
                names += [row.name for row in table.rows]
    assert english_left(html, *names) == set()
    assert {"Recent", "results", "Entry", "fee"} <= english_left(english_html, *names)


async def test_the_switch_is_remembered_and_wins_over_the_browser(
    client: TestClient, services: Services, new_id
) -> None:
    tournament = await _tournament(services, new_id)
    path = f"/t/{tournament.slug}"
    english_browser = {"Accept-Language": "en-US,en;q=0.9"}

    page = await (await client.get(path, headers=english_browser)).text()
    assert f'href="/lang/bn?next=/t/{tournament.slug}"' in page  # the switch on the page

    switched = await client.get(f"/lang/bn?next={path}", allow_redirects=False)
    assert switched.status == 303 and switched.headers["Location"] == path
    assert switched.cookies[COOKIE].value == "bn"
    assert switched.cookies[COOKIE]["max-age"]  # remembered, not for this visit only

    html = await (await client.get(path, headers=english_browser)).text()
    assert '<html lang="bn">' in html and "রেজিস্ট্রেশন চলছে" in html
    front = await (await client.get("/", headers=english_browser)).text()
    assert '<html lang="bn">' in front and "টুর্নামেন্ট" in front
    missing = await client.get("/t/no-such-cup", headers=english_browser)
    assert missing.status == 404 and "এই ঠিকানায় কিছু নেই" in await missing.text()

    back = await client.get(f"/lang/en?next={path}")  # follows the redirect
    html = await back.text()
    assert '<html lang="en">' in html and "Open for registration" in html


async def test_the_switch_refuses_unknown_languages_and_other_sites(client: TestClient) -> None:
    assert (await client.get("/lang/xx", allow_redirects=False)).status == 404
    for target in ("//evil.example/x", "https://evil.example/", "\\\\evil"):
        response = await client.get("/lang/bn", params={"next": target}, allow_redirects=False)
        assert response.status == 303 and response.headers["Location"] == "/", target


async def test_organizer_pages_in_bangla_have_no_english_template_text(
    client: TestClient, auth: DashboardAuthService, services: Services, new_id
) -> None:
    guild = await make_guild(services, new_id)
    tid = await make_tournament(services, guild, fee_minor=15_000, methods=("bkash",))
    player = guild.member(new_id())
    await make_registration(services, guild, tid, player.user_id)
    await services.payments.pay(
        player, tid, "bkash", reference="9BD7K2LQ1X", proof=png_bytes(), proof_name="p.png"
    )
    organizer = await add_co_organizer(services, guild, tid, new_id())
    await log_in(client, auth, organizer, names={guild.id: "Crown League"})
    await client.get("/lang/bn")
    async with services.db.transaction() as session:
        tournament = await session.get(Tournament, tid)
        assert tournament is not None
        names = [tournament.name, "Crown League", "9BD7K2LQ1X", "CSV", "JSON", "bKash"]
        names += list(await session.scalars(select(Registration.display_name)))
        names += list(await session.scalars(select(Game.name)))
    for path in (
        f"/org/payments?g={guild.id}",
        f"/org/tournaments?g={guild.id}",
        f"/org/t/{tid}/participants?g={guild.id}",
        f"/org/exports?g={guild.id}",
        f"/org/leaderboard?g={guild.id}",
    ):
        response = await client.get(path)
        html = await response.text()
        assert response.status == 200 and '<html lang="bn">' in html, path
        assert english_left(html, *names) == set(), path
    # A refusal is in the reader's language too.
    closed = await client.get(f"/org/payments?g={new_id()}")
    assert "আপনি ওই সার্ভারের অর্গানাইজার নন" in await closed.text()


async def test_live_notices_are_written_in_each_readers_language() -> None:
    hub = LiveHub()
    english, bangla = hub.open({"t:7"}, None), hub.open({"t:7"}, None)
    bangla.language = "bn"
    await hub.handle(dataclasses.replace(completed(1, 7), round_title="Final"))
    said = [
        json.loads(stream.queue.get_nowait().encode(stream.language).split(b"data: ")[1])["text"]
        for stream in (english, bangla)
    ]
    assert said == ["Match W1-1 (Final) is over.", "ম্যাচ W1-1 (ফাইনাল) শেষ হয়েছে।"]


async def test_bracket_picture_etag_names_the_pictures_language(
    client: TestClient, services: Services, fakes: Fakes, new_id
) -> None:
    """A server that switches language redraws the same bracket version in other words:
    browsers must not keep the old picture."""
    tournament = await _tournament(services, new_id, status=TournamentStatus.LIVE)
    shown = fakes.brackets.show(tournament.id, version=4)
    url = f"/t/{tournament.slug}/bracket.png"
    english = await client.get(url)
    fakes.brackets.snapshots[tournament.id] = dataclasses.replace(shown, language="bn")
    client.app[STATE].reads.forget(tournament_id=tournament.id)
    bangla = await client.get(url, headers={"If-None-Match": english.headers["ETag"]})
    assert english.headers["ETag"] == f'"b{tournament.id}-v4-1"'  # as it always was
    assert bangla.status == 200 and bangla.headers["ETag"] == f'"b{tournament.id}-v4-bn-1"'
    assert await bangla.read() != await english.read()  # drawn with the Bangla words
