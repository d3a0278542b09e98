"""Reads and checks on tournament rows that the lifecycle flows share."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from engine.kernel.errors import Conflict, NotFound
from engine.kernel.text import Command, msg
from engine.kernel.uow import UnitOfWork
from engine.tournaments.fields import MAX_FIELDS
from engine.tournaments.parsing import slugify
from engine.tournaments.views import (
    TournamentView,
    view_of,
)
from storage.models import (
    Game,
    GuildSettings,
    Registration,
    RegistrationField,
    Tournament,
    TournamentVersion,
)
from storage.models.enums import SLOT_HOLDING, RegistrationStatus, TournamentStatus

S = TournamentStatus


def check_found(row: Tournament | None, guild_id: int | None) -> None:
    if row is None or (guild_id is not None and row.guild_id != guild_id):
        raise NotFound(
            msg(
                "There is no such tournament on this server. Pick one from the list (see "
                "{tournament_list}).",
                tournament_list=Command("tournament list"),
            )
        )


def check_ready(row: Tournament, target: TournamentStatus, now: datetime) -> None:
    if target is S.PUBLISHED and row.starts_at is None:
        raise Conflict(
            msg(
                "“{name}” has no start time yet; set one with {tournament_edit} "
                "field:starts_at before publishing.",
                name=row.name,
                tournament_edit=Command("tournament edit"),
            )
        )
    if target is S.PUBLISHED and row.starts_at is not None and row.starts_at <= now:
        raise Conflict(
            msg(
                "“{name}” was due to start already; move starts_at with "
                "{tournament_edit} before publishing.",
                name=row.name,
                tournament_edit=Command("tournament edit"),
            )
        )
    if target is S.REGISTRATION_OPEN:
        if row.starts_at is not None and row.starts_at <= now:
            raise Conflict(
                msg(
                    "“{name}” was due to start already; move starts_at with "
                    "{tournament_edit} before opening registration.",
                    name=row.name,
                    tournament_edit=Command("tournament edit"),
                )
            )
        if row.registration_closes_at is not None and row.registration_closes_at <= now:
            raise Conflict(
                msg(
                    "Registration for “{name}” was set to close already; move "
                    "registration_closes_at with {tournament_edit} first.",
                    name=row.name,
                    tournament_edit=Command("tournament edit"),
                )
            )


def check_field_room(name: str, existing: list[RegistrationField], key: str, label: str) -> None:
    if len(existing) >= MAX_FIELDS:
        raise Conflict(
            msg(
                "“{name}” already has {max_fields} registration questions, the most a "
                "Discord form can hold.",
                name=name,
                max_fields=MAX_FIELDS,
            )
        )
    if any(f.key == key for f in existing):
        raise Conflict(
            msg(
                "“{name}” already asks “{label}”; give the new question another label.",
                name=name,
                label=label,
            )
        )


def version_row(
    tournament_id: int,
    version: int,
    snapshot: dict[str, Any],
    summary: str,
    actor_id: int,
    now: datetime,
) -> TournamentVersion:
    return TournamentVersion(
        tournament_id=tournament_id,
        version=version,
        snapshot=snapshot,
        summary=summary,
        actor_id=actor_id,
        created_at=now,
    )


async def unique_slug(uow: UnitOfWork, name: str) -> str:
    # The random suffix makes a clash unlikely; the loop makes it impossible to keep.
    while True:
        slug = slugify(name, uow.random)
        taken = await uow.session.scalar(select(Tournament.id).where(Tournament.slug == slug))
        if taken is None:
            return slug


async def slot_holders(
    uow: UnitOfWork, tournament_id: int, statuses: frozenset[RegistrationStatus] = SLOT_HOLDING
) -> int:
    count = await uow.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.tournament_id == tournament_id,
            Registration.status.in_([s.value for s in statuses]),
        )
    )
    return int(count or 0)


async def timezone(session: Any, guild_id: int) -> str:
    settings = await session.get(GuildSettings, guild_id)
    return settings.timezone if settings else "UTC"


async def coin_name(session: Any, guild_id: int) -> str:
    settings = await session.get(GuildSettings, guild_id)
    return settings.coin_name if settings else "coins"


async def game_names(session: Any, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await session.execute(select(Game.id, Game.name).where(Game.id.in_(ids)))
    return {game_id: name for game_id, name in rows}


async def game_name(uow: UnitOfWork, row: Tournament) -> str:
    game = await uow.session.get(Game, row.game_id)
    return game.name if game else "?"


async def view(session: Any, row: Tournament) -> TournamentView:
    game = await session.get(Game, row.game_id)
    return view_of(row, game.name if game else "?", await timezone(session, row.guild_id))
