"""The bracket core: a tournament's matches, results applied in order, and replay.

State is a pure function of (format, participants, options, seed, actions): ``to_dict``
stores those inputs plus a snapshot of the matches for readers, and ``from_dict`` rebuilds
by replaying the actions, so a stored bracket can never drift from the rules.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from itertools import islice
from typing import Any

import engine.formats.kinds  # noqa: F401  (registers the built-in formats)
from engine.formats.errors import (
    CannotUndo,
    InvalidParticipants,
    MatchNotPlayable,
    UnknownMatch,
    UnknownParticipant,
)
from engine.formats.model import (
    Action,
    Match,
    MatchStatus,
    Outcome,
    Participant,
    ParticipantId,
    Placement,
    Result,
    SlotRef,
    StandingRow,
    Withdrawal,
    action_from_dict,
)
from engine.formats.options import FormatOptions
from engine.formats.registry import format_spec
from engine.formats.scoring import Verdict, judge
from engine.formats.stage import Stage


class Bracket:
    """A live tournament plan. Create with :func:`create_bracket` or :meth:`from_dict`."""

    def __init__(
        self,
        format: str,
        participants: Sequence[Participant],
        options: FormatOptions,
        seed: int | None,
    ) -> None:
        self.format = format
        self.participants: tuple[Participant, ...] = tuple(participants)
        self.options = options
        self.seed = seed
        self.matches: dict[str, Match] = {}
        self.history: list[Action] = []
        self.withdrawn: set[ParticipantId] = set()
        # The matches changed since take_changed() was last called, and how many matches
        # existed then (matches are only ever added): see take_changed.
        self._changed: set[str] = set()
        self._counted = 0
        self._stages: dict[str, Stage] = {}
        self._ready: dict[str, None] = {}
        self._by_id = {p.id: p for p in self.participants}
        spec = format_spec(format)
        self._draw_sides = spec.draw_sides
        self.root: Stage = spec.stage("main", options)
        self.root.build(self)

    # ----------------------------------------------------------------- reading
    def participant(self, participant_id: ParticipantId) -> Participant:
        try:
            return self._by_id[participant_id]
        except KeyError:
            raise UnknownParticipant(participant_id) from None

    def match(self, match_id: str) -> Match:
        try:
            return self.matches[match_id]
        except KeyError:
            raise UnknownMatch(match_id) from None

    def playable_matches(self) -> list[Match]:
        """Matches with both participants known and no result, in the order they opened."""
        matches = self.matches
        return [matches[m] for m in self._ready]

    def is_complete(self) -> bool:
        return self.root.is_complete(self)

    def placements(self) -> list[Placement]:
        """Final places decided so far (all of them once complete), best first."""
        return sorted(self.root.placements(self), key=lambda p: (p.place, self._seed_of(p)))

    def standings(self) -> list[StandingRow]:
        """Current table with tiebreak values (per group when the format has groups)."""
        return self.root.standings(self)

    def stage(self, key: str) -> Stage:
        return self._stages[key]

    def take_changed(self) -> set[str]:
        """The ids of the matches added or changed (status, slots, result) since the last
        call, then starts counting afresh: a superset of the matches whose state differs,
        so that a caller mirroring matches elsewhere (the match rows) looks at a handful
        of them after one result instead of comparing all of them."""
        changed, self._changed = self._changed, set()
        matches = self.matches
        if len(matches) != self._counted:
            changed.update(islice(matches, self._counted, None))
            self._counted = len(matches)
        return changed

    # ------------------------------------------------------------ changing state
    def apply_result(self, result: Result) -> Match:
        """Record a result and move the participants on. Returns the decided match."""
        match, verdict = self._judged(result)
        self.history.append(result)
        self._complete(match, verdict, automatic=False)
        if result.disqualify and match.loser is not None:
            self._withdraw(match.loser)
        return match

    def check_result(self, result: Result) -> None:
        """Raise what :meth:`apply_result` would refuse ``result`` for, changing nothing:
        the dry run of a report needs no copy of the bracket."""
        self._judged(result)

    def _judged(self, result: Result) -> tuple[Match, Verdict]:
        match = self.matches.get(result.match_id)
        if match is None:
            raise UnknownMatch(result.match_id)
        if match.status is not MatchStatus.READY:
            raise MatchNotPlayable(_not_playable_reason(match))
        options = self.options
        draws = options.allow_draws and match.side in self._draw_sides
        return match, judge(match, result, options.result_type, draws)

    def report(self, match_id: str, first: int, second: int) -> Match:
        """Shorthand for ``apply_result(Result(match_id, (first, second)))``."""
        return self.apply_result(Result(match_id, (first, second)))

    def withdraw(self, participant_id: ParticipantId) -> None:
        """A participant leaves: not paired again, remaining matches are walkovers."""
        self.participant(participant_id)
        if participant_id in self.withdrawn:
            return
        self.history.append(Withdrawal(participant_id))
        self._withdraw(participant_id)

    def undo_result(self, match_id: str) -> Result:
        """Take back the reported result of ``match_id`` when nothing played depends on it."""
        match = self.match(match_id)
        if match.status is not MatchStatus.COMPLETED or match.automatic:
            raise CannotUndo(f"Match {match_id} has no reported result to undo.")
        blocker = self._undo_blocker(match)
        if blocker is not None:
            raise CannotUndo(
                f"The result of match {match_id} cannot be undone because match {blocker} "
                "already depends on it; undo that result first."
            )
        index = max(
            i
            for i, a in enumerate(self.history)
            if isinstance(a, Result) and a.match_id == match_id
        )
        removed = self.history[index]
        assert isinstance(removed, Result)
        rebuilt = replay(
            self.format,
            self.participants,
            self.options,
            self.seed,
            self.history[:index] + self.history[index + 1 :],
        )
        self.__dict__.update(rebuilt.__dict__)
        return removed

    # ------------------------------------------------------------ serialisation
    def to_dict(self) -> dict[str, Any]:
        return {
            "version": 1,
            "format": self.format,
            "seed": self.seed,
            "options": self.options.to_dict(),
            "participants": [p.to_dict() for p in self.participants],
            "history": [a.to_dict() for a in self.history],
            "complete": self.is_complete(),
            "matches": [m.to_dict() for m in self.matches.values()],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Bracket:
        participants = [Participant.from_dict(p) for p in data["participants"]]
        options = FormatOptions.from_mapping(data.get("options") or {})
        actions = [action_from_dict(a) for a in data.get("history", [])]
        return replay(data["format"], participants, options, data.get("seed"), actions)

    # ------------------------------------------------------- for stages to call
    def register_stage(self, stage: Stage) -> None:
        self._stages[stage.key] = stage

    def add_match(self, stage: Stage, match: Match) -> Match:
        self.matches[match.id] = match
        self._changed.add(match.id)
        stage.match_ids.append(match.id)
        overrides = self.options.round_best_of
        if overrides and match.id in overrides:
            match.best_of = overrides[match.id]
        return match

    def open_matches(self, matches: Iterable[Match]) -> None:
        """Settle many freshly built matches whose two participants are already known."""
        ready = self._ready
        for match in matches:
            first, second = match.slots
            if first.bye or second.bye or self.withdrawn:
                self.settle(match)
            else:
                match.status = MatchStatus.READY
                ready[match.id] = None
                self._changed.add(match.id)

    def best_of(self, round_key: str, *, final: bool = False, default: int | None = None) -> int:
        by_round = self.options.round_best_of
        if round_key in by_round:
            return by_round[round_key]
        if final and self.options.finals_best_of is not None:
            return self.options.finals_best_of
        return default if default is not None else self.options.best_of

    def rng(self, *salt: object) -> random.Random:
        """A generator that depends only on the bracket seed and ``salt``."""
        return random.Random(":".join(str(s) for s in (self.seed or 0, *salt)))

    def settle(self, match: Match) -> None:
        """Called once both slots are filled: play out byes and withdrawals, or open it."""
        self._changed.add(match.id)
        first, second = match.slots
        if not (first.bye or second.bye or self.withdrawn):
            match.status = MatchStatus.READY
            self._ready[match.id] = None
            return
        if first.bye or second.bye:
            winner = None if first.bye and second.bye else (1 if first.bye else 0)
            self._complete(match, Verdict(winner, None, Outcome.WALKOVER), automatic=True)
            return
        gone = (first.participant in self.withdrawn, second.participant in self.withdrawn)
        if any(gone):
            # Between two withdrawn participants the first advances, so that both still
            # reach a match that places them.
            winner = 1 if gone[0] and not gone[1] else 0
            self._complete(match, Verdict(winner, None, Outcome.WALKOVER), automatic=True)
            return
        match.status = MatchStatus.READY
        self._ready[match.id] = None

    def place(self, ref: SlotRef, participant: ParticipantId | None) -> None:
        """Put a participant (``None`` = a bye) into a slot and settle the match if full."""
        target = self.matches[ref.match_id]
        self._changed.add(target.id)
        slot = target.slots[ref.slot]
        if participant is None:
            slot.bye = True
        else:
            slot.participant = participant
        other = target.slots[1 - ref.slot]
        if other.bye or other.participant is not None:
            self.settle(target)

    # ---------------------------------------------------------------- internals
    def _complete(self, match: Match, verdict: Verdict, *, automatic: bool) -> None:
        won, match.scores, match.outcome = verdict
        match.status = MatchStatus.COMPLETED
        self._changed.add(match.id)
        match.automatic = automatic
        self._ready.pop(match.id, None)
        if won is not None:
            first, second = match.slots
            match.winner, match.loser = (
                (first.participant, second.participant)
                if won == 0
                else (second.participant, first.participant)
            )
        if match.winner_to is not None:
            self.place(match.winner_to, match.winner if won is not None else None)
        if match.loser_to is not None:
            self.place(match.loser_to, match.loser)
        self._stages[match.stage].on_completed(self, match)

    def _withdraw(self, participant_id: ParticipantId) -> None:
        self.withdrawn.add(participant_id)
        for match_id in list(self._ready):
            match = self.matches[match_id]
            if match.status is MatchStatus.READY and participant_id in match.participants:
                self.settle(match)

    def _undo_blocker(self, match: Match) -> str | None:
        queue = [match]
        while queue:
            current = queue.pop()
            for ref in (current.winner_to, current.loser_to):
                if ref is None:
                    continue
                target = self.matches[ref.match_id]
                if target.status is MatchStatus.COMPLETED:
                    if not target.automatic:
                        return target.id
                    queue.append(target)
        stage: Stage | None = self._stages[match.stage]
        while stage is not None:
            blocker = stage.undo_blocker(self, match)
            if blocker is not None:
                return blocker
            stage = stage.parent
        return None

    def _seed_of(self, placement: Placement) -> int:
        return self._by_id[placement.participant_id].seed


def _not_playable_reason(match: Match) -> str:
    if match.status is MatchStatus.COMPLETED:
        return f"Match {match.id} is already decided; undo its result first if it was wrong."
    return (
        f"Match {match.id} is not ready yet: it is waiting for the earlier matches that "
        "decide who plays in it."
    )


def _checked_participants(format: str, participants: Iterable[Participant]) -> list[Participant]:
    ordered = sorted(participants, key=lambda p: p.seed)
    ids = [p.id for p in ordered]
    if len(set(ids)) != len(ids):
        raise InvalidParticipants("Each participant must have a different id.")
    seeds = [p.seed for p in ordered]
    if len(set(seeds)) != len(seeds):
        raise InvalidParticipants(
            "Two participants share a seed; give every participant a different seed."
        )
    minimum = format_spec(format).minimum_field
    if len(ordered) < minimum:
        raise InvalidParticipants(
            f"This format needs at least {minimum} participants; {len(ordered)} "
            f"{'is' if len(ordered) == 1 else 'are'} registered."
        )
    return ordered


def create_bracket(
    format: str,
    participants: Sequence[Participant],
    options: FormatOptions | Mapping[str, Any] | None = None,
    seed: int | None = None,
) -> Bracket:
    """Plan a tournament. Participants are placed by their ``seed`` (1 = best)."""
    format_spec(format)  # an unknown format is refused before anything else
    opts = FormatOptions.from_mapping(options)
    return Bracket(format, _checked_participants(format, participants), opts, seed)


def replay(
    format: str,
    participants: Sequence[Participant],
    options: FormatOptions | Mapping[str, Any] | None,
    seed: int | None,
    actions: Iterable[Action],
) -> Bracket:
    """Rebuild a bracket from its inputs and the ordered list of applied actions."""
    bracket = create_bracket(format, participants, options, seed)
    for action in actions:
        if isinstance(action, Withdrawal):
            bracket.withdraw(action.participant_id)
        else:
            bracket.apply_result(action)
    return bracket
