"""Bracket and standings pictures speak the tournament's language (its server's).

Text cannot be read back from pixels, so these tests check the words handed to the
renderer: they are the Bangla catalogue's, and the English pictures keep their English
words. A picture is cached per language. Set DELTACROWN_PICTURES_OUT to a directory to
keep the drawn PNGs for looking at.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

import engine.brackets.pictures as pictures_module
from engine.brackets import PictureService
from engine.brackets.picture_words import PictureLanguage
from engine.formats import Result
from engine.guilds import GuildSetup
from engine.kernel.i18n import catalogue
from engine.render import EliminationSection, StandingsTable, TournamentView
from engine.render.words import ENGLISH, PictureWords
from engine.services import Services
from engine.stats.leaderboard import Board, Leaderboard, LeaderboardRow
from engine.stats.pictures import board_picture
from testkit.factories import make_event

BN = catalogue("bn").gettext


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any, PictureWords]]:
    """What each real draw was given: (kind, view or table, words)."""
    calls: list[tuple[str, Any, PictureWords]] = []
    real_bracket, real_standings = pictures_module.render_bracket, pictures_module.render_standings

    def bracket(view: Any, **kwargs: Any) -> Any:
        calls.append(("bracket", view, kwargs.get("words", ENGLISH)))
        return real_bracket(view, **kwargs)

    def standings(table: Any, **kwargs: Any) -> Any:
        calls.append(("standings", table, kwargs.get("words", ENGLISH)))
        return real_standings(table, **kwargs)

    monkeypatch.setattr(pictures_module, "render_bracket", bracket)
    monkeypatch.setattr(pictures_module, "render_standings", standings)
    return calls


def _keep(name: str, png: bytes) -> None:
    out = os.environ.get("DELTACROWN_PICTURES_OUT")
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        (Path(out) / name).write_bytes(png)


def _has_latin_letters(text: str) -> bool:
    return any("a" <= ch.lower() <= "z" for ch in text)


async def test_bangla_server_draws_bangla_bracket_and_standings(
    services: Services, new_id, drawn: list[tuple[str, Any, PictureWords]]
) -> None:
    event = await make_event(services, new_id, format="double_elim", players=8, best_of=3)
    await services.guilds.configure(event.organizer, event.guild_id, GuildSetup(language="bn"))
    await services.brackets.start(event.organizer, event.tournament_id, seed=3)
    for _ in range(5):
        [ready, *_] = await services.brackets.matches(event.tournament_id, statuses=["ready"])
        await services.brackets.apply(
            event.organizer, event.tournament_id, Result(ready.code, (2, 1))
        )
    pictures = PictureService(services.ctx)

    images = await pictures.bracket_images(event.tournament_id)
    png = await pictures.standings_image(event.tournament_id)
    for image in images:
        _keep(f"bn-{image.name}", image.png_bytes)
    _keep("bn-standings.png", png)

    (_, view, words), (_, table, table_words) = drawn
    assert isinstance(view, TournamentView) and isinstance(table, StandingsTable)
    # The renderer's own words are the catalogue's.
    assert words == table_words == PictureLanguage("bn").picture_words()
    assert (words.live, words.bye, words.tbd) == (BN("LIVE"), BN("BYE"), BN("TBD"))
    assert (words.name, words.record) == (BN("Name"), BN("W-L"))
    # So are the engine's titles: sections, rounds, placeholders, the state.
    assert [s.title for s in view.sections] == [
        BN("Winners Bracket"),
        BN("Losers Bracket"),
        BN("Grand Final"),
    ]
    winners = view.sections[0]
    assert isinstance(winners, EliminationSection)
    assert [r.title for r in winners.rounds] == [
        BN("Winners Quarterfinals"),
        BN("Winners Semifinals"),
        BN("Winners Final"),
    ]
    placeholders = [
        slot.placeholder
        for section in view.sections
        if isinstance(section, EliminationSection)
        for r in section.rounds
        for m in r.matches
        for slot in (m.top, m.bottom)
        if slot.placeholder
    ]
    assert placeholders and not any(_has_latin_letters(p.split("-এর")[-1]) for p in placeholders)
    assert view.status == BN("Live")
    assert table.points_label == BN("Maps") and table.title.endswith(BN("Standings"))
    titles = [s.title for s in view.sections] + [r.title for r in winners.rounds]
    assert not any(_has_latin_letters(title) for title in titles)


async def test_english_pictures_keep_english_words_and_languages_are_cached_apart(
    services: Services, new_id, drawn: list[tuple[str, Any, PictureWords]]
) -> None:
    event = await make_event(services, new_id, format="single_elim", players=4)
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    pictures = PictureService(services.ctx)

    english = await pictures.snapshot(event.tournament_id)
    await pictures.bracket_images(event.tournament_id)
    (_, view, words) = drawn[0]
    assert words == ENGLISH
    assert [r.title for s in view.sections for r in s.rounds] == ["Semifinals", "Final"]

    await services.guilds.configure(event.organizer, event.guild_id, GuildSetup(language="bn"))
    bangla = await pictures.snapshot(event.tournament_id)
    assert english.version == bangla.version  # the same bracket state…
    assert english.key("bracket:") != bangla.key("bracket:")  # …cached per language
    await pictures.bracket_images(event.tournament_id)
    assert len(drawn) == 2  # drawn again, in Bangla
    (_, view, words) = drawn[1]
    assert words.tbd == BN("TBD") != "TBD"
    assert [r.title for s in view.sections for r in s.rounds] == [
        BN("Semifinals"),
        BN("Final"),
    ]


def test_leaderboard_picture_words_follow_the_language() -> None:
    rows = [
        LeaderboardRow(1, 11, "NovaQueen", 1234, 12),
        LeaderboardRow(2, 12, "সাকিব আল হাসান", 1100, 3, provisional=True),
    ]
    board = Leaderboard(7, 1, "Valorant", Board.RATING, "player", None, rows, 40, None)

    english = board_picture(board)
    assert english.title == board.title == "Valorant · Rating · All time"
    assert english.subtitle == "Top 2 of 40 players"
    assert english.lines[0].detail == "12 matches"

    bangla = board_picture(board, "bn")
    assert bangla.title == f"Valorant · {BN('Rating')} · {BN('All time')}"
    assert bangla.subtitle == BN("Top {shown} of {ranked} players").format(shown=2, ranked=40)
    assert bangla.lines[0].detail == BN("{n} matches").format(n=12)
    assert bangla.footnote.startswith("?") and not _has_latin_letters(bangla.footnote)
    words = PictureLanguage("bn").picture_words()
    assert (words.rating_history, words.win) == (BN("RATING HISTORY"), BN("W"))
