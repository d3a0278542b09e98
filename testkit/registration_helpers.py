"""Builders shared by the registration-area tests (registration, teams, profiles, cogs).

Rows are written straight to the database so a test can start from any tournament state;
fresh ids (the ``new_id`` fixture) keep tests apart, never truncation.
"""

from __future__ import annotations

import itertools

from sqlalchemy import func, select

from engine.kernel.actors import Actor
from engine.services import Services
from storage.db import Database
from storage.models import Game, OutboxEvent, RegistrationField, Tournament

_slugs = itertools.count(1)


def player(guild_id: int, user_id: int, name: str | None = None) -> Actor:
    return Actor(user_id=user_id, guild_id=guild_id, display_name=name or f"P{user_id % 1000}")


def organizer(guild_id: int, user_id: int) -> Actor:
    return Actor(user_id=user_id, guild_id=guild_id, can_manage_guild=True, display_name="Org")


async def make_game(
    db: Database, clock, guild_id: int, *, name: str = "Valorant", sizes=(1, 5)
) -> int:
    async with db.transaction() as session:
        game = Game(
            guild_id=guild_id,
            name=name,
            team_size_min=sizes[0],
            team_size_max=sizes[1],
            result_type="map_score",
            allows_draws=False,
            ingame_id_label="Riot ID",
            created_by=1,
            created_at=clock.now(),
        )
        session.add(game)
        await session.flush()
        return game.id


async def make_tournament(
    db: Database,
    clock,
    guild_id: int,
    game_id: int,
    *,
    team_size: int = 1,
    max_participants: int = 8,
    status: str = "registration_open",
    fee_coins: int = 0,
    fee_minor: int = 0,
    waiver_top_n: int = 0,
    closes_at=None,
    name: str = "Winter Cup",
) -> int:
    async with db.transaction() as session:
        row = Tournament(
            guild_id=guild_id,
            slug=f"t-{guild_id}-{next(_slugs)}",
            name=name,
            game_id=game_id,
            format="single_elim",
            format_options={},
            participant_type="team" if team_size > 1 else "solo",
            team_size=team_size,
            max_participants=max_participants,
            min_participants=2,
            registration_closes_at=closes_at,
            best_of=1,
            entry_fee_coins=fee_coins,
            entry_fee_minor=fee_minor,
            currency="BDT",
            payment_methods=["coins"] if fee_coins else [],
            prize_pool_minor=0,
            prize_pool_coins=0,
            prize_distribution=[],
            checkin_enabled=False,
            checkin_window_minutes=30,
            fee_waiver_top_n=waiver_top_n,
            stream_links=[],
            is_public=True,
            status=status,
            version=1,
            created_by=1,
            created_at=clock.now(),
            updated_at=clock.now(),
        )
        session.add(row)
        await session.flush()
        return row.id


async def set_ids(services: Services, guild_id: int, game_id: int, *user_ids: int) -> None:
    for user_id in user_ids:
        await services.profiles.set_ingame_id(
            player(guild_id, user_id), game_id, f"Player#{user_id % 10000}"
        )


async def count_rows(db: Database, model, *where) -> int:
    async with db.read() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0


async def outbox_types(db: Database, guild_id: int) -> list[str]:
    async with db.read() as session:
        rows = await session.scalars(select(OutboxEvent).order_by(OutboxEvent.id))
        return [r.event_type for r in rows.all() if r.payload.get("guild_id") == guild_id]


async def add_fields(db: Database, tid: int) -> None:
    """Two custom fields for the /register form: a Riot ID and a region dropdown."""
    async with db.transaction() as session:
        session.add_all(
            [
                RegistrationField(
                    tournament_id=tid,
                    key="ingame_id",
                    label="Riot ID",
                    kind="text",
                    required=True,
                    options={"max_length": 32},
                    position=0,
                ),
                RegistrationField(
                    tournament_id=tid,
                    key="region",
                    label="Region",
                    kind="dropdown",
                    required=True,
                    options={"choices": ["EU", "NA"]},
                    position=1,
                ),
            ]
        )
