"""`deltacrown demo` plays a whole tournament through the real services and writes what a
person opens: bracket and standings PNGs, certificate PDFs, a summary — and serves it."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import func, select

from bot.demo import Progress, run_demo
from dashboard.adapters import dashboard_hooks
from dashboard.app import create_app
from dashboard.config import DashboardConfig
from engine.kernel.i18n import catalogue
from engine.services import Services
from storage.models import Dispute, MatchRow, Payment, SponsorDailyStats, Tournament


async def test_demo_plays_a_double_elimination_to_the_end(tmp_path: Path) -> None:
    seen: dict[str, object] = {}

    async def inspect(services: Services) -> None:
        async with services.db.read() as session:
            tournament = await session.scalar(select(Tournament))
            seen["status"] = tournament.status
            seen["slug"] = tournament.slug
            seen["outcomes"] = list(await session.scalars(select(MatchRow.outcome)))
            seen["disputes"] = list(await session.scalars(select(Dispute.status)))
        # --serve: the dashboard shows the finished tournament from the demo database.
        config = DashboardConfig.for_data_dir(tmp_path, public_url="http://127.0.0.1:8080")
        app = create_app(services, config, dashboard_hooks(services), live_updates=False)
        async with TestClient(TestServer(app)) as client:
            page = await client.get(f"/t/{seen['slug']}")
            seen["page"] = await page.text()
            image = await client.get(f"/t/{seen['slug']}/bracket.png")
            seen["png"] = (image.status, image.headers.get("ETag"), await image.read())
            # --serve answers the sponsors' links: to the registered link, counted.
            before = await _sponsor_clicks(services)
            click = await client.get(
                f"/s/nova-energy?t={seen['slug']}",
                headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0"},
                allow_redirects=False,
            )
            seen["click"] = (click.status, click.headers.get("Location"))
            seen["clicks"] = (before, await _sponsor_clicks(services))

    report = await run_demo(
        players=8,
        fmt="double_elim",
        out_dir=tmp_path / "out",
        progress=Progress(enabled=False),
        keep_open=inspect,
    )

    assert seen["status"] == "completed"
    assert "forfeit" in seen["outcomes"] and seen["disputes"] == ["resolved"]
    assert report.forfeits == 1 and report.disputes == 1 and report.payments_rejected == 1
    champion = report.placings[0][1]
    assert champion in seen["page"]
    status, etag, png = seen["png"]
    assert status == 200 and etag and png.startswith(b"\x89PNG")

    out = tmp_path / "out"
    pngs = sorted(out.glob("*.png"))
    assert [p.name for p in pngs if p.name == "standings.png"] == ["standings.png"]
    for path in pngs:
        with Image.open(path) as image:
            image.verify()
        with Image.open(path) as image:
            assert image.width >= 600 and image.height >= 300
    pdfs = sorted((out / "certificates").glob("*.pdf"))
    assert len(pdfs) == 7  # one player never checked in: 7 played, all certified
    champion_pdf = next(p for p in pdfs if p.name.startswith("champion-"))
    text = PdfReader(champion_pdf).pages[0].extract_text()
    assert "DeltaCrown Demo Cup" in text and "CHAMPION" in text.upper()
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert f"| 1 | {champion} |" in summary and "Disputes opened and resolved: 1" in summary
    # It ran on a schedule: one accepted reschedule, one overdue result, reminders.
    [(code, old, new)] = report.reschedules
    assert new - old == timedelta(minutes=20) and f"match {code} moved from" in summary
    assert len(report.overdue) == 1 and f"Overdue result: match {report.overdue[0]}" in summary
    assert report.reminders > 0 and "then a round every 45 minutes" in summary
    # Challenges: the reviewed one paid its claimer, the automatic one its clean sweeps.
    hows = {how for _, _, _, how in report.challenge_winners}
    assert hows == {"automatic", "reviewed"}, report.challenge_winners
    assert "## Challenge winners" in summary and "| Ace clutch |" in summary
    assert "| Clean sweep |" in summary
    # Two sponsors: on the pictures, clicked by spectators (bots and prefetches not counted).
    assert "Sponsor Nova Energy (title): " in summary and "6 clicks (5 unique)" in summary
    assert "Sponsor Dhaka Gaming Café (community): " in summary
    assert seen["click"] == (302, "https://nova-energy.example/esports")
    assert seen["clicks"] == (8, 9)
    # Spectators predicted the matches; a player was refused their own match.
    assert report.predictions > 0 and report.prediction_refusals == 1
    assert "## Predictions leaderboard" in summary
    rank, name, points, correct, scored, coins = report.predictors[0]
    assert rank == 1 and coins == 100  # paid from the funded predictions pool
    assert f"| {rank} | {name} | {points} | {correct}/{scored} | 100 Crowns |" in summary
    assert (out / "predictions.png").read_bytes().startswith(b"\x89PNG")


async def _sponsor_clicks(services: Services) -> int:
    async with services.db.read() as session:
        return int(await session.scalar(select(func.sum(SponsorDailyStats.clicks))) or 0)


async def test_every_format_completes(tmp_path: Path) -> None:
    for fmt in ("single_elim", "round_robin", "swiss", "group_playoff"):
        report = await run_demo(
            players=6, fmt=fmt, out_dir=tmp_path / fmt, progress=Progress(enabled=False)
        )
        assert report.placings and report.placings[0][0] == 1, fmt
        assert (tmp_path / fmt / "summary.md").is_file()


async def test_the_same_seed_writes_the_same_demo(tmp_path: Path) -> None:
    """`demo --seed S` is reproducible: the same bracket, placings, pictures and
    certificates (codes included) byte for byte; another seed plays another event."""
    runs = {}
    for name, seed in (("a", 11), ("b", 11), ("c", 12)):
        out = tmp_path / name
        await run_demo(
            players=6, fmt="single_elim", out_dir=out, seed=seed, progress=Progress(enabled=False)
        )
        runs[name] = {
            p.relative_to(out).as_posix(): p.read_bytes()
            for p in sorted(out.rglob("*"))
            if p.suffix in {".md", ".png", ".pdf"}
        }
    assert runs["a"] == runs["b"]
    assert any(p.endswith(".pdf") for p in runs["a"])
    assert runs["a"] != runs["c"]


BENGALI = re.compile(r"[\u0980-\u09FF]")


async def test_demo_in_bangla_writes_everything_in_bangla(tmp_path: Path) -> None:
    """`demo --lang bn`: a Bangla server, so its pictures, certificates, summary and what
    its people type are Bangla."""
    seen: dict[str, object] = {}

    async def inspect(services: Services) -> None:
        async with services.db.read() as session:
            tournament = await session.scalar(select(Tournament))
            seen["name"], seen["rules"] = tournament.name, tournament.rules
            seen["language"] = await services.languages.server_language(tournament.guild_id)
            seen["notes"] = list(await session.scalars(select(Payment.review_note)))

    out = tmp_path / "out"
    report = await run_demo(
        players=6,
        fmt="single_elim",
        out_dir=out,
        progress=Progress(enabled=False),
        keep_open=inspect,
        language="bn",
    )
    bn = catalogue("bn").gettext
    assert seen["language"] == "bn"
    assert seen["name"] == report.tournament_name == bn("DeltaCrown Demo Cup")
    # A sample of what the players read: the rules and the organizer's rejection reason.
    assert BENGALI.search(str(seen["rules"]))
    assert bn("The transaction id does not match our records.") in seen["notes"]

    summary = (out / "summary.md").read_text(encoding="utf-8")
    lines, in_table = [], False
    for line in summary.splitlines():
        # A table's rows after its rule are data (names, numbers), not prose.
        in_table = line.startswith("|") and (in_table or line.startswith("|--"))
        if line and not line.startswith("- `") and not in_table:
            lines.append(line)
    # Every line of prose is Bangla (the table's rule and file names are not prose).
    prose = [line for line in lines if LATIN_OR_BENGALI.search(line)]
    assert prose and all(BENGALI.search(line) for line in prose), summary
    assert bn("Files") in summary and "| স্থান | প্লেয়ার | পুরস্কার |" in summary
    champion = report.placings[0][1]
    assert f"| 1 | {champion} | {report.placings[0][2]} ক্রাউন |" in summary

    champion_pdf = next((out / "certificates").glob("champion-*.pdf"))
    text = PdfReader(champion_pdf).pages[0].extract_text()
    assert BENGALI.search(text) and "CERTIFICATE" not in text.upper()
    assert (out / "standings.png").is_file() and sorted(out.glob("bracket-*.png"))


LATIN_OR_BENGALI = re.compile(r"[A-Za-z\u0980-\u09FF]")
