"""Swiss system: classic (fixed rounds, score groups) or wins/losses (esports).

Rounds are generated automatically inside ``apply_result``: when the last match of a round
is decided the next round is paired at once, so ``playable_matches`` always shows it.
A bye is a match against an empty slot, completed at once, and counts as a win.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from engine.formats.errors import InvalidOptions
from engine.formats.kinds.swiss_pairing import SwissPlayer, pair_round
from engine.formats.model import (
    Match,
    MatchStatus,
    Participant,
    ParticipantId,
    Placement,
    Slot,
    StandingRow,
)
from engine.formats.options import SWISS_TIEBREAKERS, FormatOptions
from engine.formats.registry import FormatSpec, register_format
from engine.formats.stage import Stage
from engine.formats.standings import Record, rank, tally

if TYPE_CHECKING:
    from engine.formats.bracket import Bracket


class Swiss(Stage):
    def __init__(
        self,
        key: str,
        options: FormatOptions,
        members: Sequence[ParticipantId] | None = None,
        prefix: str = "",
        group: str | None = None,
        best_of: int | None = None,
    ) -> None:
        super().__init__(key)
        self.options = options
        self.members = list(members) if members is not None else None
        self.prefix = prefix
        self.group = group
        self.default_best_of = best_of
        self.round = 0
        self.total_rounds: int | None = None
        self.open_matches = 0
        self.floats: dict[ParticipantId, int] = {}
        self.rematches = 0
        self.round_seconds: list[float] = []  # time to pair each round, for benchmarks
        self.tiebreakers = tuple(options.tiebreakers or SWISS_TIEBREAKERS)

    # ------------------------------------------------------------------ setup
    def build(self, bracket: Bracket) -> None:
        bracket.register_stage(self)
        if self.members is None:
            self.members = [p.id for p in bracket.participants]
        self.floats = dict.fromkeys(self.members, 0)
        if not self.options.wins_losses:
            default = max(1, math.ceil(math.log2(len(self.members))))
            self.total_rounds = self.options.rounds or default
        self._next_round(bracket)

    @property
    def wins_losses(self) -> bool:
        return self.options.wins_losses

    def _participants(self, bracket: Bracket) -> list[Participant]:
        members = set(self.members or ())
        return [p for p in bracket.participants if p.id in members]

    # ------------------------------------------------------------- progression
    def on_completed(self, bracket: Bracket, match: Match) -> None:
        if match.round == self.round:
            self.open_matches -= 1
            if self.open_matches == 0:
                self._next_round(bracket)
        super().on_completed(bracket, match)

    def _next_round(self, bracket: Bracket) -> None:
        started = time.perf_counter()
        if self._pair_next_round(bracket):
            self.round_seconds.append(time.perf_counter() - started)

    def _pair_next_round(self, bracket: Bracket) -> bool:
        records = tally(self._participants(bracket), self.matches(bracket), self.options)
        active = self._active(bracket, records)
        if self.total_rounds is not None and self.round >= self.total_rounds:
            return False
        if len(active) < 2 and not (self.wins_losses and active):
            return False
        self.round += 1
        ranked = self._ranked(active, records)
        pairing = pair_round(ranked, self._pattern(), bracket.rng("swiss", self.key, self.round))
        self.rematches += pairing.rematches
        for pid in pairing.floaters:
            self.floats[pid] += 1
        self._add_round(bracket, pairing.pairs, pairing.bye, records)
        return True

    def _active(
        self, bracket: Bracket, records: dict[ParticipantId, Record]
    ) -> list[ParticipantId]:
        active = [pid for pid in self.members or () if pid not in bracket.withdrawn]
        if self.wins_losses:
            active = [pid for pid in active if self._status(records[pid], set()) == "active"]
        return active

    def _status(self, record: Record, withdrawn: set[ParticipantId]) -> str:
        if record.row.participant_id in withdrawn:
            return "withdrawn"
        if self.wins_losses:
            assert self.options.win_target is not None and self.options.loss_limit is not None
            if record.row.wins >= self.options.win_target:
                return "advanced"
            if record.row.losses >= self.options.loss_limit:
                return "eliminated"
        return "active"

    def _pattern(self) -> str:
        # The wins/losses variant always opens 1 v 9 ... 8 v 16 (slide), as the Majors do.
        if self.wins_losses and self.round == 1:
            return "slide"
        if self.options.pairing is not None:
            return self.options.pairing
        return "fold" if self.wins_losses else "slide"

    def _ranked(
        self, active: list[ParticipantId], records: dict[ParticipantId, Record]
    ) -> list[SwissPlayer]:
        """Score first; inside a score group classic Swiss keeps seed order (as FIDE keeps
        rating order), the esports variant orders by difficulty (opponents' wins minus
        losses), then seed."""

        def key(pid: ParticipantId) -> tuple[float, float, int]:
            record = records[pid]
            tiebreak = _difficulty(record, records) if self.wins_losses else 0.0
            return (-self._score(record), -tiebreak, record.seed)

        ordered = sorted(active, key=key)
        return [
            SwissPlayer(
                pid,
                self._score(records[pid]),
                {o for o, _ in records[pid].meetings},
                records[pid].row.byes > 0,
                self.floats[pid],
            )
            for pid in ordered
        ]

    def _score(self, record: Record) -> float:
        return record.row.wins if self.wins_losses else record.row.points

    def _add_round(
        self,
        bracket: Bracket,
        pairs: list[tuple[ParticipantId, ParticipantId]],
        bye: ParticipantId | None,
        records: dict[ParticipantId, Record],
    ) -> None:
        key = f"{self.prefix}S{self.round}"
        title = f"Group {self.group} · Round {self.round}" if self.group else f"Round {self.round}"
        created = []
        for position, (a, b) in enumerate(pairs, start=1):
            best_of = self._best_of(bracket, key, records[a], records[b])
            created.append(
                bracket.add_match(
                    self,
                    Match(
                        f"{key}-{position}",
                        self.key,
                        "swiss",
                        self.round,
                        key,
                        title,
                        position,
                        best_of,
                        [Slot(a), Slot(b)],
                        group=self.group,
                    ),
                )
            )
        if bye is not None:
            created.append(
                bracket.add_match(
                    self,
                    Match(
                        f"{key}-{len(pairs) + 1}",
                        self.key,
                        "swiss",
                        self.round,
                        key,
                        title,
                        len(pairs) + 1,
                        1,
                        [Slot(bye), Slot(bye=True)],
                        group=self.group,
                    ),
                )
            )
        self.open_matches = len(created)
        for match in created:
            bracket.settle(match)

    def _best_of(self, bracket: Bracket, key: str, first: Record, second: Record) -> int:
        decider = self.options.decider_best_of
        if decider is not None and self.wins_losses:
            assert self.options.win_target is not None and self.options.loss_limit is not None
            for record in (first, second):
                if (
                    record.row.wins == self.options.win_target - 1
                    or record.row.losses == self.options.loss_limit - 1
                ):
                    return decider
        return bracket.best_of(key, default=self.default_best_of)

    # ----------------------------------------------------------------- results
    def is_complete(self, bracket: Bracket) -> bool:
        return self.open_matches == 0 and all(
            m.status is MatchStatus.COMPLETED for m in self.matches(bracket)
        )

    def standings(self, bracket: Bracket) -> list[StandingRow]:
        records = tally(
            self._participants(bracket), self.matches(bracket), self.options, self.group
        )
        if self.wins_losses:
            rows = self._rank_wins_losses(records)
        else:
            rows = rank(records, self.tiebreakers)
        for row in rows:
            row.status = self._status(records[row.participant_id], bracket.withdrawn)
        return rows

    def _rank_wins_losses(self, records: dict[ParticipantId, Record]) -> list[StandingRow]:
        for record in records.values():
            record.row.tiebreaks = {"difficulty": _difficulty(record, records)}
        ordered = sorted(
            records.values(),
            key=lambda r: (-r.row.wins, r.row.losses, -r.row.tiebreaks["difficulty"], r.seed),
        )
        for position, record in enumerate(ordered, start=1):
            record.row.rank = position
        return [r.row for r in ordered]

    def placements(self, bracket: Bracket) -> list[Placement]:
        """Once complete: classic Swiss places by the table; the wins/losses variant
        shares a place among equal records (all 3–1 teams share 3rd... and so on)."""
        if not self.is_complete(bracket):
            return []
        rows = self.standings(bracket)
        if not self.wins_losses:
            return [Placement(r.participant_id, r.rank) for r in rows]
        placements = []
        for row in rows:
            first_equal = next(r for r in rows if (r.wins, r.losses) == (row.wins, row.losses))
            placements.append(Placement(row.participant_id, first_equal.rank))
        return placements

    def undo_blocker(self, bracket: Bracket, match: Match) -> str | None:
        if match.round >= self.round:
            return None
        for other in self.matches(bracket):
            if (
                other.round > match.round
                and other.status is MatchStatus.COMPLETED
                and not other.automatic
            ):
                return other.id
        return None


def _difficulty(record: Record, records: dict[ParticipantId, Record]) -> float:
    """The Major "difficulty score": the sum of opponents' wins minus losses."""
    return float(
        sum(records[o].row.wins - records[o].row.losses for o, _ in record.meetings if o in records)
    )


def _check_swiss(options: FormatOptions, most: int) -> None:
    if options.rounds is not None and options.rounds >= most:
        raise InvalidOptions(
            f"A Swiss of at most {most} participants can have at most {most - 1} rounds."
        )


def _swiss_matches(entrants: int) -> int:
    rounds = max(1, (entrants - 1).bit_length())
    return rounds * (entrants // 2)


register_format(
    FormatSpec(
        key="swiss",
        label="Swiss",
        stage=Swiss,
        option_keys=("rounds",),
        check_options=_check_swiss,
        draw_sides=frozenset({"swiss"}),
        view="swiss",
        expected_matches=_swiss_matches,
    )
)
