"""Building blocks shared by single and double elimination (and playoffs)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from engine.formats.model import (
    Match,
    MatchStatus,
    ParticipantId,
    Placement,
    Slot,
    SlotRef,
    StandingRow,
)
from engine.formats.seeding import bracket_order, next_power_of_two
from engine.formats.stage import Stage

if TYPE_CHECKING:
    from engine.formats.bracket import Bracket

WINNERS_TITLES = {0: "Final", 1: "Semifinals", 2: "Quarterfinals"}


def winners_title(round_no: int, rounds: int, prefix: str = "") -> str:
    title = WINNERS_TITLES.get(rounds - round_no, f"Round {round_no}")
    return f"{prefix}{title}" if prefix else title


class EliminationStage(Stage):
    """Common parts: the winners bracket, placements from ``loser_place``, tables."""

    def __init__(
        self, key: str, seeds: Sequence[ParticipantId] | None, prefix: str, best_of: int | None
    ) -> None:
        super().__init__(key)
        self.seeds = list(seeds) if seeds is not None else None
        self.prefix = prefix
        self.default_best_of = best_of
        self.size = 0
        self.rounds = 0
        self.group: str | None = None

    def seed_ids(self, bracket: Bracket) -> list[ParticipantId]:
        if self.seeds is None:
            return [p.id for p in bracket.participants]
        return self.seeds

    def build_winners(
        self, bracket: Bracket, side: str, title_prefix: str, stage_has_final: bool
    ) -> list[list[Match]]:
        """Create every winners-bracket match, linked round to round (not yet seeded)."""
        seeds = self.seed_ids(bracket)
        self.size = next_power_of_two(len(seeds))
        self.rounds = self.size.bit_length() - 1
        rounds: list[list[Match]] = []
        for r in range(1, self.rounds + 1):
            count = self.size >> r
            key = f"{self.prefix}W{r}"
            is_final = stage_has_final and r == self.rounds
            best_of = bracket.best_of(key, final=is_final, default=self.default_best_of)
            title = winners_title(r, self.rounds, title_prefix)
            matches = []
            for p in range(1, count + 1):
                previous = f"{self.prefix}W{r - 1}"
                slots = (
                    [Slot(), Slot()]
                    if r == 1
                    else [
                        Slot(source_match=f"{previous}-{2 * p - 1}", source_outcome="winner"),
                        Slot(source_match=f"{previous}-{2 * p}", source_outcome="winner"),
                    ]
                )
                match = Match(
                    f"{key}-{p}", self.key, side, r, key, title, p, best_of, slots, group=self.group
                )
                if r < self.rounds:
                    match.winner_to = SlotRef(f"{self.prefix}W{r + 1}-{(p + 1) // 2}", (p - 1) % 2)
                matches.append(bracket.add_match(self, match))
            rounds.append(matches)
        return rounds

    def seed_first_round(self, bracket: Bracket, first_round: list[Match]) -> None:
        """Fill round 1 in standard order; seeds past the field are byes, so byes meet the
        top seeds and never each other."""
        seeds = self.seed_ids(bracket)
        order = bracket_order(self.size)
        for i, match in enumerate(first_round):
            for s in (0, 1):
                seed = order[2 * i + s]
                if seed <= len(seeds):
                    match.slots[s].participant = seeds[seed - 1]
                else:
                    match.slots[s].bye = True
        for match in first_round:
            bracket.settle(match)

    def placements(self, bracket: Bracket) -> list[Placement]:
        placed: dict[ParticipantId, int] = {}
        matches = bracket.matches
        for match_id in self.match_ids:
            match = matches[match_id]
            if match.status is not MatchStatus.COMPLETED:
                continue
            if match.loser is not None and match.loser_place is not None:
                placed[match.loser] = match.loser_place
            if match.winner is not None and match.winner_place is not None:
                placed[match.winner] = match.winner_place
        return [Placement(pid, place) for pid, place in placed.items()]

    def standings(self, bracket: Bracket) -> list[StandingRow]:
        seeds = self.seed_ids(bracket)
        rows = {pid: StandingRow(pid, group=self.group) for pid in seeds}
        for match in self.matches(bracket):
            if match.status is not MatchStatus.COMPLETED or match.is_bye:
                continue
            for pid in match.participants:
                if pid is None or pid not in rows:
                    continue
                row = rows[pid]
                row.played += 1
                if pid == match.winner:
                    row.wins += 1
                else:
                    row.losses += 1
                if match.scores is not None:
                    mine = 0 if pid == match.participants[0] else 1
                    row.score_for += match.scores[mine]
                    row.score_against += match.scores[1 - mine]
        places = {p.participant_id: p.place for p in self.placements(bracket)}
        position = {pid: i for i, pid in enumerate(seeds)}
        for pid, row in rows.items():
            row.rank = places.get(pid, 0)
            row.status = "eliminated" if pid in places else "active"
            if places.get(pid) == 1:
                row.status = "champion"
        return sorted(rows.values(), key=lambda r: (r.rank or 0, position[r.participant_id]))
