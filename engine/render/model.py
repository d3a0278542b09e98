"""The view model the renderers draw: what to show, not how brackets are computed.

Everything is a frozen dataclass of plain values so a view can be built by an adapter
from any bracket engine (or by hand in tests), hashed, compared and cached safely.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class MatchStatus(StrEnum):
    PENDING = "pending"
    READY = "ready"
    LIVE = "live"
    COMPLETED = "completed"
    DISPUTED = "disputed"


@dataclass(frozen=True)
class Slot:
    """One side of a match.

    ``name`` is None while the entrant is unknown; ``placeholder`` then says where it comes
    from ("Winner of W1-3"). ``score`` is text so "W/O", "DQ" or "2" all fit.
    """

    name: str | None = None
    seed: int | str | None = None  # a number, or a group placing such as "A1" in a playoff
    score: str | None = None
    is_winner: bool = False
    is_bye: bool = False
    placeholder: str | None = None


@dataclass(frozen=True)
class MatchView:
    id: str
    top: Slot
    bottom: Slot
    status: MatchStatus = MatchStatus.PENDING
    best_of: int | None = None
    # The id of the match the winner plays next; connectors are drawn from it when the
    # target is in the same section.
    feeds_into: str | None = None
    # Short label shown above the box ("W1-3", "M12"); the id is used when absent.
    label: str | None = None
    # Extra caption for a match that stands apart from the tree (e.g. "Third place match").
    caption: str | None = None
    # When the match starts ("Sat 18:45"), shown only where it differs from its round's.
    time: str | None = None

    @property
    def display_label(self) -> str:
        return self.label or self.id


@dataclass(frozen=True)
class RoundView:
    title: str
    matches: tuple[MatchView, ...]
    best_of: int | None = None
    # When the round's unfinished matches start ("Sat 18:00"); None: as soon as ready.
    time: str | None = None


@dataclass(frozen=True)
class EliminationSection:
    """A tree: winners bracket, losers bracket, grand final(s), or a playoff."""

    key: str
    title: str
    rounds: tuple[RoundView, ...]


@dataclass(frozen=True)
class StandingsRow:
    rank: int
    name: str
    wins: int = 0
    draws: int = 0
    losses: int = 0
    points: str = ""
    seed: int | None = None
    # Values for StandingsTable.extra_columns, in the same order.
    extras: tuple[str, ...] = ()
    # Qualified for the next stage (drawn with an accent bar).
    advances: bool = False
    # Placement text when it differs from the rank ("5-8").
    placement: str | None = None


@dataclass(frozen=True)
class StandingsTable:
    title: str
    rows: tuple[StandingsRow, ...]
    extra_columns: tuple[str, ...] = ()
    show_draws: bool = True
    points_label: str = "Pts"


@dataclass(frozen=True)
class GridCell:
    """The result of row participant vs column participant, from the row's point of view."""

    row: int
    col: int
    text: str
    outcome: str | None = None  # "win", "loss", "draw" or None for not played


@dataclass(frozen=True)
class RoundRobinSection:
    key: str
    title: str
    participants: tuple[str, ...]
    cells: tuple[GridCell, ...]
    standings: StandingsTable


@dataclass(frozen=True)
class SwissPairing:
    table: int
    top: Slot
    bottom: Slot
    status: MatchStatus = MatchStatus.PENDING


@dataclass(frozen=True)
class SwissRound:
    title: str
    pairings: tuple[SwissPairing, ...]


@dataclass(frozen=True)
class SwissSection:
    key: str
    title: str
    rounds: tuple[SwissRound, ...]
    standings: StandingsTable


@dataclass(frozen=True)
class StandingsSection:
    key: str
    title: str
    table: StandingsTable


@dataclass(frozen=True)
class GroupStageSection:
    """Several group tables; the playoff follows as its own EliminationSection."""

    key: str
    title: str
    groups: tuple[StandingsTable, ...]


Section = (
    EliminationSection | RoundRobinSection | SwissSection | StandingsSection | GroupStageSection
)


@dataclass(frozen=True)
class TournamentView:
    title: str
    game: str = ""
    date: str = ""
    status: str = ""
    sections: tuple[Section, ...] = field(default_factory=tuple)

    @property
    def subtitle(self) -> str:
        return " · ".join(part for part in (self.game, self.date, self.status) if part)


@dataclass(frozen=True)
class RenderedImage:
    name: str
    png_bytes: bytes
    width: int
    height: int
