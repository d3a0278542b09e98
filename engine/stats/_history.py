"""One subject's match history on a server: the rows every stat is computed from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    BracketState,
    MatchRow,
    Placing,
    Registration,
    RegistrationMember,
    Tournament,
)

COMPLETED = "completed"
WALKOVER = "walkover"  # a bye or a withdrawn opponent: not a match played


@dataclass(frozen=True)
class Entry:
    registration_id: int
    tournament_id: int
    tournament_name: str
    game_id: int
    solo: bool
    display_name: str
    place: int | None
    finished_at: datetime | None


@dataclass(frozen=True)
class Played:
    """One completed match from the subject's side."""

    match_id: int
    tournament_id: int
    tournament_name: str
    game_id: int
    round_title: str
    opponent_registration_id: int | None
    opponent: str
    score_for: int | None
    score_against: int | None
    outcome: str  # "W", "L" or "D"
    rating_change: int | None  # Elo points this side gained; None when unrated
    solo: bool
    completed_at: datetime | None


async def entries_of_user(
    session: AsyncSession, guild_id: int, user_id: int, game_id: int | None
) -> list[Entry]:
    query = (
        select(Registration, Tournament, Placing.place, BracketState.completed_at)
        .join(RegistrationMember, RegistrationMember.registration_id == Registration.id)
        .join(Tournament, Tournament.id == Registration.tournament_id)
        .outerjoin(Placing, Placing.registration_id == Registration.id)
        .outerjoin(BracketState, BracketState.tournament_id == Tournament.id)
        .where(RegistrationMember.user_id == user_id, Registration.guild_id == guild_id)
    )
    if game_id is not None:
        query = query.where(Tournament.game_id == game_id)
    return _entries(await session.execute(query.order_by(Registration.id)))


async def entries_of_team(
    session: AsyncSession, guild_id: int, team_id: int, game_id: int | None
) -> list[Entry]:
    query = (
        select(Registration, Tournament, Placing.place, BracketState.completed_at)
        .join(Tournament, Tournament.id == Registration.tournament_id)
        .outerjoin(Placing, Placing.registration_id == Registration.id)
        .outerjoin(BracketState, BracketState.tournament_id == Tournament.id)
        .where(Registration.team_id == team_id, Registration.guild_id == guild_id)
    )
    if game_id is not None:
        query = query.where(Tournament.game_id == game_id)
    return _entries(await session.execute(query.order_by(Registration.id)))


def _entries(rows: Any) -> list[Entry]:
    return [
        Entry(
            registration_id=reg.id,
            tournament_id=t.id,
            tournament_name=t.name,
            game_id=t.game_id,
            solo=t.participant_type != "team",
            display_name=reg.display_name,
            place=place,
            finished_at=finished,
        )
        for reg, t, place, finished in rows
    ]


async def matches_of(session: AsyncSession, entries: list[Entry]) -> list[Played]:
    """Every completed, played match of these entries, oldest first."""
    by_registration = {e.registration_id: e for e in entries}
    if not by_registration:
        return []
    ids = list(by_registration)
    rows = list(
        await session.scalars(
            select(MatchRow)
            .where(
                or_(MatchRow.registration_a_id.in_(ids), MatchRow.registration_b_id.in_(ids)),
                MatchRow.status == COMPLETED,
                or_(MatchRow.outcome.is_(None), MatchRow.outcome != WALKOVER),
            )
            .order_by(MatchRow.completed_at, MatchRow.id)
        )
    )
    opponents = {
        (r.registration_b_id if r.registration_a_id in by_registration else r.registration_a_id)
        for r in rows
    }
    names = dict(
        (
            await session.execute(
                select(Registration.id, Registration.display_name).where(
                    Registration.id.in_([o for o in opponents if o is not None])
                )
            )
        ).all()
    )
    played: list[Played] = []
    for row in rows:
        mine_is_a = row.registration_a_id in by_registration
        mine = row.registration_a_id if mine_is_a else row.registration_b_id
        entry = by_registration[mine]  # type: ignore[index]
        other = row.registration_b_id if mine_is_a else row.registration_a_id
        score_for, score_against = (
            (row.score_a, row.score_b) if mine_is_a else (row.score_b, row.score_a)
        )
        if row.winner_registration_id is None:
            outcome = "D"
        else:
            outcome = "W" if row.winner_registration_id == mine else "L"
        change = None
        if row.rating_delta is not None:
            change = row.rating_delta if mine_is_a else -row.rating_delta
        played.append(
            Played(
                match_id=row.id,
                tournament_id=row.tournament_id,
                tournament_name=entry.tournament_name,
                game_id=entry.game_id,
                round_title=row.round_title,
                opponent_registration_id=other,
                opponent=names.get(other, "—") if other else "—",
                score_for=score_for,
                score_against=score_against,
                outcome=outcome,
                rating_change=change,
                solo=entry.solo,
                completed_at=row.completed_at,
            )
        )
    return played
