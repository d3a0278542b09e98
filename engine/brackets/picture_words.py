"""Bracket and standings pictures in the tournament's language (its server's).

The render package is pure: it draws the words it is given. Two kinds of words reach a
picture: the renderer's own (``PictureWords``: "LIVE", "BYE", column headers, "part 1 of
3"), and the titles and labels in the view model, which the bracket engine writes in
English ("Winners Round 2", "Group A · Round 3", "Winner of W1-3"). Both are looked up
in the catalogue here; the view is translated after it is built, piece by piece (a title
is split at " · " and each piece matched against the engine's few shapes), so the
engine's own vocabulary stays the English source and the logs keep reading the same.

English is returned untouched: the English pictures are exactly what they were.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime

from babel.dates import format_date, format_datetime

from engine.kernel.i18n import SOURCE_LANGUAGE, babel_locale, catalogue
from engine.kernel.text import N_
from engine.render import (
    EliminationSection,
    GroupStageSection,
    MatchView,
    RoundRobinSection,
    RoundView,
    Section,
    Slot,
    StandingsRow,
    StandingsSection,
    StandingsTable,
    SwissRound,
    SwissSection,
    TournamentView,
)
from engine.render.words import ENGLISH, PictureWords

# Whole titles and labels the engine and the view adapter write.
_EXACT = {
    text: text
    for text in (
        N_("Final"),
        N_("Semifinals"),
        N_("Quarterfinals"),
        N_("Winners Final"),
        N_("Winners Semifinals"),
        N_("Winners Quarterfinals"),
        N_("Losers Final"),
        N_("Grand Final"),
        N_("Grand Final Reset"),
        N_("Third-Place Match"),
        N_("Third-Place Decider"),
        N_("Bracket"),
        N_("Playoff"),
        N_("Winners Bracket"),
        N_("Losers Bracket"),
        N_("Playoff Winners Bracket"),
        N_("Playoff Losers Bracket"),
        N_("Playoff Grand Final"),
        N_("Swiss"),
        N_("Group stage"),
        N_("Round robin"),
        N_("Standings"),
        N_("Group"),
        N_("TBD"),
        # Standings cells and headers.
        N_("Pts"),
        N_("Maps"),
        N_("Status"),
        N_("In"),
        N_("Out"),
        N_("WD"),
        # Tiebreak column headers (short enough for a table header).
        N_("H2H"),
        N_("Diff"),
        N_("For"),
        N_("Wins"),
        N_("Buchholz"),
        N_("Median-B"),
        N_("SB"),
        N_("OMW%"),
        N_("GW%"),
        N_("OGW%"),
        N_("Opp. W-L"),
        # A tournament's state under its name.
        N_("Live"),
        N_("Completed"),
        N_("Archived"),
        N_("Cancelled"),
    )
}

# Titles with a number or a name in them: (the engine's English shape, the msgid).
_SHAPES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"Round (?P<n>\d+)"), N_("Round {n}")),
    (re.compile(r"Winners Round (?P<n>\d+)"), N_("Winners Round {n}")),
    (re.compile(r"Losers Round (?P<n>\d+)"), N_("Losers Round {n}")),
    (re.compile(r"Group (?P<group>\S+)"), N_("Group {group}")),
    (re.compile(r"Group (?P<group>\S+) standings"), N_("Group {group} standings")),
    (re.compile(r"Winner of (?P<match>\S+)"), N_("Winner of {match}")),
    (re.compile(r"Loser of (?P<match>\S+)"), N_("Loser of {match}")),
)


class PictureLanguage:
    """Translates a picture's words into one language."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._t = catalogue(language).gettext

    @property
    def is_source(self) -> bool:
        return self.language == SOURCE_LANGUAGE

    def word(self, text: str) -> str:
        """One title or label as the engine wrote it, in this language (as it was when
        it is none of the engine's shapes: a tournament's or a group's own name)."""
        if self.is_source or not text:
            return text
        return " · ".join(self._piece(piece) for piece in text.split(" · "))

    def _piece(self, piece: str) -> str:
        if piece in _EXACT:
            return self._t(_EXACT[piece])
        for shape, msgid in _SHAPES:
            found = shape.fullmatch(piece)
            if found is not None:
                return self._t(msgid).format(**found.groupdict())
        return piece

    def text(self, msgid: str, **values: object) -> str:
        """A catalogue template filled with plain values."""
        return self._t(msgid).format(**values)

    def date(self, day: date | None) -> str:
        if day is None:
            return ""
        locale = babel_locale(self.language)
        return day.isoformat() if locale is None else str(format_date(day, "medium", locale))

    def clock(self, moment: datetime) -> str:
        """When a match starts, as a round header shows it ("Sat 18:45")."""
        locale = babel_locale(self.language)
        if locale is None:
            return moment.strftime("%a %H:%M")
        return str(format_datetime(moment, "EEE HH:mm", locale=locale))

    # ------------------------------------------------------------ the renderer's words
    def picture_words(self) -> PictureWords:
        if self.is_source:
            return ENGLISH
        t = self._t
        return PictureWords(
            live=t(N_("LIVE")),
            disputed=t(N_("DISPUTED")),
            dispute=t(N_("DISPUTE")),
            ready=t(N_("READY")),
            bye=t(N_("BYE")),
            tbd=t(N_("TBD")),
            versus=t(N_("vs")),
            best_of=t(N_("Bo{n}")),
            part_of=t(N_("{title} · part {part} of {parts}")),
            rows_of=t(N_("{title} · {first}–{last} of {total}")),
            columns_of=t(N_("{title} · columns {first}–{last}")),
            name=t(N_("Name")),
            record_with_draws=t(N_("W-D-L")),
            record=t(N_("W-L")),
            name_upper=t(N_("NAME")),
            rating_history=t(N_("RATING HISTORY")),
            now=t(N_("now {value}")),
            last_results=t(N_("LAST RESULTS")),
            against=t(N_("vs {name}")),
            nobody_on_board=t(N_("Nobody on this board yet.")),
            no_rated_matches=t(N_("No rated matches yet.")),
            badges=t(N_("Badges: {badges}")),
            win=t(N_("W")),
            loss=t(N_("L")),
            draw=t(N_("D")),
        )

    # ------------------------------------------------------------ the view model
    def view(self, view: TournamentView) -> TournamentView:
        if self.is_source:
            return view
        return dataclasses.replace(
            view,
            status=self.word(view.status),
            sections=tuple(self._section(s) for s in view.sections),
        )

    def table(self, table: StandingsTable) -> StandingsTable:
        if self.is_source:
            return table
        return dataclasses.replace(
            table,
            title=self.word(table.title),
            rows=tuple(self._row(r) for r in table.rows),
            extra_columns=tuple(self.word(c) for c in table.extra_columns),
            points_label=self.word(table.points_label),
        )

    def _row(self, row: StandingsRow) -> StandingsRow:
        return dataclasses.replace(
            row,
            points=self.word(row.points) if row.points in _EXACT else row.points,
            placement=self.word(row.placement) if row.placement in _EXACT else row.placement,
        )

    def _section(self, section: Section) -> Section:
        title = self.word(section.title)
        if isinstance(section, EliminationSection):
            return dataclasses.replace(
                section, title=title, rounds=tuple(self._round(r) for r in section.rounds)
            )
        if isinstance(section, RoundRobinSection):
            return dataclasses.replace(
                section, title=title, standings=self.table(section.standings)
            )
        if isinstance(section, SwissSection):
            return dataclasses.replace(
                section,
                title=title,
                rounds=tuple(self._swiss_round(r) for r in section.rounds),
                standings=self.table(section.standings),
            )
        if isinstance(section, GroupStageSection):
            return dataclasses.replace(
                section, title=title, groups=tuple(self.table(g) for g in section.groups)
            )
        if isinstance(section, StandingsSection):
            return dataclasses.replace(section, title=title, table=self.table(section.table))
        return section

    def _round(self, round_view: RoundView) -> RoundView:
        return dataclasses.replace(
            round_view,
            title=self.word(round_view.title),
            matches=tuple(self._match(m) for m in round_view.matches),
        )

    def _match(self, match: MatchView) -> MatchView:
        return dataclasses.replace(
            match,
            top=self._slot(match.top),
            bottom=self._slot(match.bottom),
            caption=self.word(match.caption) if match.caption else None,
        )

    def _swiss_round(self, swiss_round: SwissRound) -> SwissRound:
        pairings = tuple(
            dataclasses.replace(p, top=self._slot(p.top), bottom=self._slot(p.bottom))
            for p in swiss_round.pairings
        )
        return dataclasses.replace(
            swiss_round, title=self.word(swiss_round.title), pairings=pairings
        )

    def _slot(self, slot: Slot) -> Slot:
        if slot.placeholder is None:
            return slot
        return dataclasses.replace(slot, placeholder=self.word(slot.placeholder))
