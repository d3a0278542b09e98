"""Tables for round robin, Swiss and groups: records, points and tiebreakers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from engine.formats.model import (
    Match,
    MatchStatus,
    Outcome,
    Participant,
    ParticipantId,
    StandingRow,
)
from engine.formats.options import FormatOptions

MATCH_WIN_FLOOR = 1 / 3  # opponents' percentages are floored so a weak opponent costs less


@dataclass(slots=True)
class Record:
    row: StandingRow
    seed: int
    games_won: int = 0
    games_played: int = 0
    # (opponent, share of the match won: 1, 0.5 or 0); byes are not listed
    meetings: list[tuple[ParticipantId, float]] = field(default_factory=list)

    @property
    def match_win_rate(self) -> float:
        played = self.row.played
        return (self.row.wins + self.row.draws / 2) / played if played else 0.0

    @property
    def game_win_rate(self) -> float:
        return self.games_won / self.games_played if self.games_played else 0.0


def tally(
    participants: Sequence[Participant],
    matches: Iterable[Match],
    options: FormatOptions,
    group: str | None = None,
) -> dict[ParticipantId, Record]:
    """Win/draw/loss, points and scores of each participant over the completed matches."""
    records = {p.id: Record(StandingRow(p.id, group=group), p.seed) for p in participants}
    for match in matches:
        if match.status is MatchStatus.COMPLETED:
            _count(records, match, options)
    return records


def _count(records: dict[ParticipantId, Record], match: Match, options: FormatOptions) -> None:
    a, b = match.participants
    if match.is_bye:
        lucky = a if b is None else b
        if lucky is not None and lucky in records:
            row = records[lucky].row
            row.byes += 1
            row.played += 1
            row.wins += 1
            row.points += options.points_win
        return
    assert a is not None and b is not None
    scores = match.scores or (0, 0)
    for pid, opp, mine, theirs in ((a, b, scores[0], scores[1]), (b, a, scores[1], scores[0])):
        record = records.get(pid)
        if record is None:
            continue
        row = record.row
        row.played += 1
        row.score_for += mine
        row.score_against += theirs
        record.games_won += mine
        record.games_played += mine + theirs
        if match.outcome is Outcome.DRAW:
            row.draws += 1
            row.points += options.points_draw
            record.meetings.append((opp, 0.5))
        elif match.winner == pid:
            row.wins += 1
            row.points += options.points_win
            record.meetings.append((opp, 1.0))
        else:
            row.losses += 1
            row.points += options.points_loss
            record.meetings.append((opp, 0.0))


def tiebreak_value(name: str, record: Record, records: dict[ParticipantId, Record]) -> float:
    row = record.row
    if name == "score_difference":
        return row.score_for - row.score_against
    if name == "score_for":
        return row.score_for
    if name == "wins":
        return row.wins
    opponents = [records[o] for o, _ in record.meetings if o in records]
    if name == "buchholz":
        return sum(o.row.points for o in opponents)
    if name == "median_buchholz":
        points = sorted(o.row.points for o in opponents)
        return sum(points[1:-1]) if len(points) > 2 else sum(points)
    if name == "sonneborn_berger":
        return sum(records[o].row.points * share for o, share in record.meetings if o in records)
    if name == "opponent_match_win":
        return _mean(max(MATCH_WIN_FLOOR, o.match_win_rate) for o in opponents)
    if name == "game_win":
        return record.game_win_rate
    if name == "opponent_game_win":
        return _mean(max(MATCH_WIN_FLOOR, o.game_win_rate) for o in opponents)
    raise ValueError(name)


def _mean(values: Iterable[float]) -> float:
    items = list(values)
    return sum(items) / len(items) if items else 0.0


def rank(records: dict[ParticipantId, Record], tiebreakers: Sequence[str]) -> list[StandingRow]:
    """Sort by points, then the tiebreakers in order, then seed; fill in ``rank``.

    Head-to-head is the points a participant took from the others on the same points, so
    it only compares participants who are actually tied.
    """
    tied: dict[float, list[Record]] = defaultdict(list)
    for record in records.values():
        tied[record.row.points].append(record)
    for group in tied.values():
        members = {r.row.participant_id for r in group}
        for record in group:
            values = {}
            for name in tiebreakers:
                if name == "head_to_head":
                    values[name] = _head_to_head(record, members, records)
                else:
                    values[name] = round(tiebreak_value(name, record, records), 6)
            record.row.tiebreaks = values
    names = list(tiebreakers)
    ordered = sorted(
        records.values(),
        key=lambda r: (-r.row.points, *(-r.row.tiebreaks[n] for n in names), r.seed),
    )
    for position, record in enumerate(ordered, start=1):
        record.row.rank = position
    return [r.row for r in ordered]


def _head_to_head(
    record: Record, members: set[ParticipantId], records: dict[ParticipantId, Record]
) -> float:
    if len(members) < 2:
        return 0.0
    share_points = 0.0
    for opp, share in record.meetings:
        if opp in members:
            share_points += share
    return share_points
