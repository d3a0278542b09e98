"""The contract between the bracket core and one stage of a format."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

from engine.formats.model import Match, MatchStatus, Placement, StandingRow

if TYPE_CHECKING:
    from engine.formats.bracket import Bracket


class Stage(ABC):
    """A part of a tournament that owns a set of matches (a whole bracket, one group, a
    playoff). The core moves participants along ``winner_to``/``loser_to``; a stage only
    adds what depends on results: new rounds, a grand-final reset, placements."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.match_ids: list[str] = []
        # A stage inside another (a group of group_playoff) reports to its parent.
        self.parent: Stage | None = None

    @abstractmethod
    def build(self, bracket: Bracket) -> None:
        """Register with ``bracket`` and create the matches known from the start."""

    def on_completed(self, bracket: Bracket, match: Match) -> None:
        """Called after ``match`` is decided and its participants moved on."""
        if self.parent is not None:
            self.parent.on_completed(bracket, match)

    def is_complete(self, bracket: Bracket) -> bool:
        matches = bracket.matches
        # Latest matches first: they are the last to finish, so while the stage plays
        # (every result asks) the answer comes from the first one or two, not all.
        return all(matches[m].status is MatchStatus.COMPLETED for m in reversed(self.match_ids))

    @abstractmethod
    def placements(self, bracket: Bracket) -> list[Placement]:
        """Places decided so far."""

    @abstractmethod
    def standings(self, bracket: Bracket) -> list[StandingRow]:
        """The current table."""

    def undo_blocker(self, bracket: Bracket, match: Match) -> str | None:
        """Id of a later reported match that depends on ``match`` beyond its slot links."""
        return None

    def matches(self, bracket: Bracket) -> list[Match]:
        return [bracket.matches[m] for m in self.match_ids]
