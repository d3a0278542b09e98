"""Badges: definitions are data (built-ins seeded by the migration, plus each server's
own), awarded when a tournament completes and shown on /badges and /profile.

Awarding is idempotent: an award is unique per (badge, user, tournament), so running it
again after a re-delivered completion event changes nothing. Threshold badges
(participated_n, wins_n) are earned once per server: in the tournament that reached the
threshold.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.awards.events import BadgeAwarded
from engine.brackets import MatchState
from engine.formats.model import Outcome
from engine.guilds import require_guild_organizer
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, NotFound
from engine.kernel.sql import insert_ignoring_conflicts
from engine.kernel.text import Message, msg, nmsg
from engine.kernel.uow import ServiceContext, UnitOfWork
from storage.models import (
    BadgeAward,
    BadgeDefinition,
    MatchRow,
    Placing,
    RegistrationMember,
    Tournament,
)
from storage.models.enums import TournamentStatus


class Condition(StrEnum):
    CHAMPION = "champion"
    RUNNER_UP = "runner_up"
    PODIUM = "podium"
    PARTICIPATED_N = "participated_n"
    UNDEFEATED = "undefeated"
    COMEBACK = "comeback"
    WINS_N = "wins_n"

    @property
    def needs_threshold(self) -> bool:
        return self in (Condition.PARTICIPATED_N, Condition.WINS_N)

    def describe(self, threshold: int | None) -> Message:
        """What a player did to earn it, as a clause ("… when a player {how}")."""
        n = threshold or 0
        if self is Condition.PARTICIPATED_N:
            return nmsg(
                "completed {n} tournament on this server",
                "completed {n} tournaments on this server",
                n,
            )
        if self is Condition.WINS_N:
            return nmsg("won {n} match on this server", "won {n} matches on this server", n)
        return _CONDITION_TEXT[self]


_CONDITION_TEXT = {
    Condition.CHAMPION: msg("won a tournament"),
    Condition.RUNNER_UP: msg("finished second"),
    Condition.PODIUM: msg("finished in the top three"),
    Condition.UNDEFEATED: msg("won every match played in a tournament"),
    Condition.COMEBACK: msg("won double elimination after a winners-bracket loss"),
}
_CUSTOM_EMOJI = re.compile(r"^<a?:\w{2,32}:\d{15,21}>$")
_FINISHED = (TournamentStatus.COMPLETED, TournamentStatus.ARCHIVED)


@dataclass(frozen=True)
class BadgeView:
    id: int
    guild_id: int | None
    key: str
    name: str
    emoji: str
    description: str
    condition: str
    threshold: int | None

    @property
    def built_in(self) -> bool:
        return self.guild_id is None

    @property
    def label(self) -> str:
        return f"{self.emoji} {self.name}"


@dataclass(frozen=True)
class EarnedBadge:
    badge: BadgeView
    tournament_id: int
    tournament_name: str
    awarded_at: datetime


@dataclass(frozen=True)
class AwardedBadge:
    badge: BadgeView
    user_id: int
    registration_id: int


@dataclass
class _Record:
    """One registration's results in the tournament being awarded."""

    place: int | None = None
    wins: int = 0
    losses: int = 0
    draws: int = 0
    lost_in_winners: bool = False
    members: list[int] = field(default_factory=list)

    @property
    def undefeated(self) -> bool:
        return self.wins > 0 and self.losses == 0 and self.draws == 0


def _view(row: BadgeDefinition) -> BadgeView:
    return BadgeView(
        id=row.id,
        guild_id=row.guild_id,
        key=row.key,
        name=row.name,
        emoji=row.emoji,
        description=row.description,
        condition=row.condition,
        threshold=row.threshold,
    )


def badge_key(name: str) -> str:
    return re.sub(r"[^\w]+", "_", name.strip().casefold()).strip("_")[:40]


def _validate_new_badge(
    name: str, emoji: str, description: str, condition: str, threshold: int | None
) -> Condition:
    if not 2 <= len(name.strip()) <= 40 or not badge_key(name):
        raise InvalidInput(msg("A badge name needs 2 to 40 characters, for example “Iron Wall”."))
    emoji = emoji.strip()
    if not emoji or len(emoji) > 64 or any(ch.isspace() for ch in emoji):
        raise InvalidInput(msg("Give one emoji for the badge, such as 🏅 or a server emoji."))
    if not _CUSTOM_EMOJI.match(emoji) and any(ch.isascii() and ch.isalnum() for ch in emoji):
        raise InvalidInput(
            msg("“{emoji}” is not an emoji. Use one such as 🏅 or a server emoji.", emoji=emoji)
        )
    if not 3 <= len(description.strip()) <= 200:
        raise InvalidInput(msg("Describe the badge in 3 to 200 characters; players read it."))
    try:
        chosen = Condition(condition)
    except ValueError:
        options = ", ".join(c.value for c in Condition)
        raise InvalidInput(
            msg(
                "“{condition}” is not a badge condition. Use one of: {options}.",
                condition=condition,
                options=options,
            )
        ) from None
    if chosen.needs_threshold and (threshold is None or not 1 <= threshold <= 1000):
        raise InvalidInput(
            msg(
                "The {chosen_value} condition needs a threshold from 1 to 1000.",
                chosen_value=chosen.value,
            )
        )
    if not chosen.needs_threshold and threshold is not None:
        raise InvalidInput(
            msg(
                "The {chosen_value} condition takes no threshold; only participated_n "
                "and wins_n do.",
                chosen_value=chosen.value,
            )
        )
    return chosen


class BadgeService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def definitions(self, guild_id: int) -> list[BadgeView]:
        """The built-in badges and this server's own."""
        async with self._ctx.read() as session:
            rows = await session.scalars(
                select(BadgeDefinition)
                .where(
                    or_(BadgeDefinition.guild_id.is_(None), BadgeDefinition.guild_id == guild_id)
                )
                .order_by(BadgeDefinition.guild_id.is_not(None), BadgeDefinition.id)
            )
            return [_view(r) for r in rows]

    async def create(
        self,
        actor: Actor,
        guild_id: int,
        *,
        name: str,
        emoji: str,
        description: str,
        condition: str,
        threshold: int | None = None,
    ) -> BadgeView:
        """Add a server badge, awarded from the next completed tournament on."""
        chosen = _validate_new_badge(name, emoji, description, condition, threshold)
        key = badge_key(name)
        async with self._ctx.unit_of_work() as uow:
            await require_guild_organizer(uow.session, actor, guild_id)
            clash = await uow.session.scalar(
                select(BadgeDefinition.name).where(
                    BadgeDefinition.key == key,
                    or_(BadgeDefinition.guild_id.is_(None), BadgeDefinition.guild_id == guild_id),
                )
            )
            if clash is not None:
                raise Conflict(
                    msg(
                        "There is already a badge called “{clash}”. Pick another name.", clash=clash
                    )
                )
            row = BadgeDefinition(
                guild_id=guild_id,
                key=key,
                name=name.strip(),
                emoji=emoji.strip(),
                description=description.strip(),
                condition=chosen.value,
                threshold=threshold,
                created_by=actor.user_id,
                created_at=uow.clock.now(),
            )
            uow.session.add(row)
            await uow.session.flush()
            view = _view(row)
            uow.audit(
                guild_id=guild_id,
                actor_id=actor.user_id,
                action="badge.create",
                target_type="badge",
                target_id=row.id,
                after={"name": view.name, "condition": view.condition, "threshold": threshold},
            )
        return view

    async def badges_of(self, guild_id: int, user_id: int) -> list[EarnedBadge]:
        """Every badge the user earned on this server, newest first (for /badges, /profile)."""
        async with self._ctx.read() as session:
            rows = await session.execute(
                select(BadgeAward.awarded_at, BadgeDefinition, Tournament.id, Tournament.name)
                .join(BadgeDefinition, BadgeDefinition.id == BadgeAward.badge_id)
                .join(Tournament, Tournament.id == BadgeAward.tournament_id)
                .where(BadgeAward.guild_id == guild_id, BadgeAward.user_id == user_id)
                .order_by(BadgeAward.awarded_at.desc(), BadgeAward.id.desc())
            )
            return [
                EarnedBadge(_view(badge), tid, tname, awarded_at)
                for awarded_at, badge, tid, tname in rows
            ]

    async def awarded_in(self, tournament_id: int, user_id: int) -> list[BadgeView]:
        """The badges a user earned in one tournament (mentioned with their certificate)."""
        async with self._ctx.read() as session:
            rows = await session.scalars(
                select(BadgeDefinition)
                .join(BadgeAward, BadgeAward.badge_id == BadgeDefinition.id)
                .where(BadgeAward.tournament_id == tournament_id, BadgeAward.user_id == user_id)
                .order_by(BadgeDefinition.id)
            )
            return [_view(r) for r in rows]

    async def awards_in_tournament(self, tournament_id: int) -> list[tuple[BadgeView, int]]:
        """Every (badge, user) a tournament awarded, in award order (for its announcement)."""
        async with self._ctx.read() as session:
            rows = await session.execute(
                select(BadgeDefinition, BadgeAward.user_id)
                .join(BadgeAward, BadgeAward.badge_id == BadgeDefinition.id)
                .where(BadgeAward.tournament_id == tournament_id)
                .order_by(BadgeAward.id)
            )
            return [(_view(badge), user_id) for badge, user_id in rows]

    async def award_for_tournament(self, tournament_id: int) -> list[AwardedBadge]:
        """Award every badge a completed tournament earned; returns the new awards only."""
        async with self._ctx.unit_of_work() as uow:
            tournament = await uow.session.scalar(
                select(Tournament).where(Tournament.id == tournament_id).with_for_update()
            )
            if tournament is None:
                raise NotFound(msg("That tournament does not exist."))
            if tournament.status not in _FINISHED:
                raise Conflict(
                    msg(
                        "{name} has not finished, so it awards no badges yet.", name=tournament.name
                    )
                )
            records = await _records(uow.session, tournament_id)
            definitions = [
                _view(r)
                for r in await uow.session.scalars(
                    select(BadgeDefinition)
                    .where(
                        or_(
                            BadgeDefinition.guild_id.is_(None),
                            BadgeDefinition.guild_id == tournament.guild_id,
                        )
                    )
                    .order_by(BadgeDefinition.id)
                    # Serialises award runs, so a once-per-server badge is given once.
                    .with_for_update()
                )
            ]
            awarded = await _earned(uow.session, tournament, records, definitions)
            return await _store_awards(uow, tournament, awarded)


async def _records(session: AsyncSession, tournament_id: int) -> dict[int, _Record]:
    records: dict[int, _Record] = defaultdict(_Record)
    for registration_id, place in await session.execute(
        select(Placing.registration_id, Placing.place).where(Placing.tournament_id == tournament_id)
    ):
        records[registration_id].place = place
    for member in await session.scalars(
        select(RegistrationMember)
        .where(RegistrationMember.tournament_id == tournament_id)
        .order_by(RegistrationMember.id)
    ):
        if member.registration_id in records:
            records[member.registration_id].members.append(member.user_id)
    matches = await session.scalars(
        select(MatchRow).where(
            MatchRow.tournament_id == tournament_id,
            MatchRow.status == MatchState.COMPLETED.value,
            # A bye or a withdrawn opponent is not a match played.
            or_(MatchRow.outcome.is_(None), MatchRow.outcome != Outcome.WALKOVER.value),
        )
    )
    for match in matches:
        sides = (match.registration_a_id, match.registration_b_id)
        for side in sides:
            if side is None or side not in records:
                continue
            record = records[side]
            if match.winner_registration_id is None:
                record.draws += 1
            elif match.winner_registration_id == side:
                record.wins += 1
            else:
                record.losses += 1
                record.lost_in_winners |= match.side == "winners"
    return dict(records)


async def _earned(
    session: AsyncSession,
    tournament: Tournament,
    records: dict[int, _Record],
    definitions: list[BadgeView],
) -> list[AwardedBadge]:
    thresholds = [d for d in definitions if Condition(d.condition).needs_threshold]
    users = [uid for record in records.values() for uid in record.members]
    totals = await _career_totals(session, tournament.guild_id, users) if thresholds else {}
    held = await _held(session, tournament.guild_id, [d.id for d in thresholds], users)
    awarded: list[AwardedBadge] = []
    for registration_id, record in records.items():
        for definition in definitions:
            condition = Condition(definition.condition)
            for user_id in record.members:
                if condition.needs_threshold:
                    if (definition.id, user_id) in held:
                        continue
                    count = totals.get(user_id, (0, 0))[condition is Condition.WINS_N]
                    earned = count >= (definition.threshold or 1)
                else:
                    earned = _earned_by_result(condition, record, tournament.format)
                if earned:
                    awarded.append(AwardedBadge(definition, user_id, registration_id))
    return awarded


def _earned_by_result(condition: Condition, record: _Record, format_name: str) -> bool:
    place = record.place
    if condition is Condition.CHAMPION:
        return place == 1
    if condition is Condition.RUNNER_UP:
        return place == 2
    if condition is Condition.PODIUM:
        return place is not None and place <= 3
    if condition is Condition.UNDEFEATED:
        return record.undefeated
    if condition is Condition.COMEBACK:
        return format_name == "double_elim" and place == 1 and record.lost_in_winners
    return False


async def _career_totals(
    session: AsyncSession, guild_id: int, users: list[int]
) -> dict[int, tuple[int, int]]:
    """(completed tournaments played, matches won) per user on this server so far."""
    if not users:
        return {}
    played = dict(
        (
            await session.execute(
                select(RegistrationMember.user_id, func.count(func.distinct(Placing.tournament_id)))
                .join(Placing, Placing.registration_id == RegistrationMember.registration_id)
                .join(Tournament, Tournament.id == Placing.tournament_id)
                .where(Tournament.guild_id == guild_id, RegistrationMember.user_id.in_(users))
                .group_by(RegistrationMember.user_id)
            )
        ).all()
    )
    wins = dict(
        (
            await session.execute(
                select(RegistrationMember.user_id, func.count(MatchRow.id))
                .join(
                    MatchRow,
                    MatchRow.winner_registration_id == RegistrationMember.registration_id,
                )
                .where(
                    MatchRow.guild_id == guild_id,
                    MatchRow.status == MatchState.COMPLETED.value,
                    or_(MatchRow.outcome.is_(None), MatchRow.outcome != Outcome.WALKOVER.value),
                    RegistrationMember.user_id.in_(users),
                )
                .group_by(RegistrationMember.user_id)
            )
        ).all()
    )
    return {uid: (int(played.get(uid, 0)), int(wins.get(uid, 0))) for uid in users}


async def _held(
    session: AsyncSession, guild_id: int, badge_ids: list[int], users: list[int]
) -> set[tuple[int, int]]:
    if not badge_ids or not users:
        return set()
    rows = await session.execute(
        select(BadgeAward.badge_id, BadgeAward.user_id).where(
            BadgeAward.guild_id == guild_id,
            BadgeAward.badge_id.in_(badge_ids),
            BadgeAward.user_id.in_(users),
        )
    )
    return {(badge_id, user_id) for badge_id, user_id in rows}


async def _store_awards(
    uow: UnitOfWork, tournament: Tournament, awarded: list[AwardedBadge]
) -> list[AwardedBadge]:
    now = uow.clock.now()
    new: list[AwardedBadge] = []
    for award in awarded:
        result = await uow.session.execute(
            insert_ignoring_conflicts(uow.session, BadgeAward)
            .values(
                badge_id=award.badge.id,
                guild_id=tournament.guild_id,
                user_id=award.user_id,
                tournament_id=tournament.id,
                registration_id=award.registration_id,
                awarded_at=now,
            )
            .on_conflict_do_nothing(index_elements=["badge_id", "user_id", "tournament_id"])
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            continue  # awarded by an earlier run
        new.append(award)
        uow.emit(
            BadgeAwarded(
                guild_id=tournament.guild_id,
                badge_id=award.badge.id,
                badge_key=award.badge.key,
                name=award.badge.name,
                emoji=award.badge.emoji,
                user_id=award.user_id,
                tournament_id=tournament.id,
            )
        )
    if new:
        uow.audit(
            guild_id=tournament.guild_id,
            actor_id=None,
            action="badge.award",
            target_type="tournament",
            target_id=tournament.id,
            after={"awards": [[a.badge.key, a.user_id] for a in new]},
        )
    return new
