"""Builders shared by the ledger/payment tests: a configured guild, a tournament with an
entry fee, a registration, and real PNG/JPEG bytes made with Pillow."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image
from sqlalchemy import func, select

from engine.guilds import GuildSetup
from engine.kernel.actors import Actor
from engine.services import Services
from storage.models import (
    Game,
    LedgerEntry,
    OutboxEvent,
    Payment,
    Registration,
    RegistrationMember,
    StoredFile,
    Tournament,
)
from storage.models.enums import RegistrationStatus, TournamentStatus


def png_bytes(
    size: tuple[int, int] = (48, 32), colour: tuple[int, int, int] = (30, 144, 255)
) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def noise_png(side: int) -> bytes:
    """Incompressible pixels: a side of 1000 gives roughly 3 MB."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes(size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(buffer, format="JPEG")
    return buffer.getvalue()


@dataclass(frozen=True)
class Guild:
    id: int
    owner: Actor
    role_id: int

    def member(self, user_id: int) -> Actor:
        return Actor(user_id=user_id, guild_id=self.id, display_name=f"player{user_id % 1000}")

    def organizer(self, user_id: int) -> Actor:
        return Actor(user_id=user_id, guild_id=self.id, role_ids=frozenset({self.role_id}))


async def add_co_organizer(
    services: Services, guild: Guild, tournament_id: int, user_id: int, *, with_role: bool = True
) -> Actor:
    """Name ``user_id`` a co-organizer of one tournament (by the guild owner, an admin);
    returned as an organizer-role holder unless ``with_role`` is False."""
    await services.tournaments.add_co_organizer(guild.owner, tournament_id, user_id)
    return guild.organizer(user_id) if with_role else guild.member(user_id)


async def make_guild(services: Services, new_id: Callable[[], int]) -> Guild:
    guild_id, role_id = new_id(), new_id()
    owner = Actor(user_id=new_id(), guild_id=guild_id, can_manage_guild=True)
    await services.guilds.configure(
        owner, guild_id, GuildSetup(coin_name="Crowns", organizer_role_id=role_id)
    )
    return Guild(guild_id, owner, role_id)


async def make_tournament(
    services: Services,
    guild: Guild,
    *,
    name: str = "Friday Cup",
    fee_coins: int = 0,
    fee_minor: int = 0,
    methods: tuple[str, ...] = ("coins", "bkash", "nagad"),
    currency: str = "BDT",
    status: str = TournamentStatus.REGISTRATION_OPEN,
) -> int:
    now = services.clock.now()
    async with services.db.transaction() as session:
        game = Game(
            guild_id=guild.id,
            name=f"Game {os.urandom(4).hex()}",
            result_type="map_score",
            created_by=guild.owner.user_id,
            created_at=now,
        )
        session.add(game)
        await session.flush()
        tournament = Tournament(
            guild_id=guild.id,
            slug=f"t-{guild.id}-{os.urandom(4).hex()}",
            name=name,
            game_id=game.id,
            format="single_elim",
            format_options={},
            participant_type="solo",
            max_participants=64,
            entry_fee_coins=fee_coins,
            entry_fee_minor=fee_minor,
            currency=currency,
            payment_methods=list(methods),
            prize_distribution=[],
            stream_links=[],
            status=status,
            created_by=guild.owner.user_id,
            created_at=now,
            updated_at=now,
        )
        session.add(tournament)
        await session.flush()
        return tournament.id


async def make_registration(
    services: Services,
    guild: Guild,
    tournament_id: int,
    user_id: int,
    status: str = RegistrationStatus.AWAITING_PAYMENT,
) -> int:
    now = services.clock.now()
    async with services.db.transaction() as session:
        reg = Registration(
            tournament_id=tournament_id,
            guild_id=guild.id,
            user_id=user_id,
            display_name=f"player{user_id % 1000}",
            status=status,
            field_values={},
            created_at=now,
            updated_at=now,
        )
        session.add(reg)
        await session.flush()
        session.add(
            RegistrationMember(registration_id=reg.id, tournament_id=tournament_id, user_id=user_id)
        )
        return reg.id


async def registration_status(services: Services, registration_id: int) -> str:
    async with services.db.read() as session:
        status = await session.scalar(
            select(Registration.status).where(Registration.id == registration_id)
        )
    assert status is not None, f"no registration {registration_id}"
    return status


async def payments_of(services: Services, registration_id: int) -> list[Payment]:
    async with services.db.read() as session:
        rows = await session.scalars(
            select(Payment).where(Payment.registration_id == registration_id).order_by(Payment.id)
        )
        return list(rows)


async def ledger_count(services: Services, guild_id: int) -> int:
    async with services.db.read() as session:
        query = select(func.count()).select_from(LedgerEntry)
        return await session.scalar(query.where(LedgerEntry.guild_id == guild_id)) or 0


async def stored_files(services: Services, guild_id: int) -> int:
    async with services.db.read() as session:
        query = select(func.count()).select_from(StoredFile)
        return await session.scalar(query.where(StoredFile.guild_id == guild_id)) or 0


async def events(services: Services, event_type: str, **match: object) -> list[dict]:
    async with services.db.read() as session:
        payloads = await session.scalars(
            select(OutboxEvent.payload)
            .where(OutboxEvent.event_type == event_type)
            .order_by(OutboxEvent.id)
        )
        return [p for p in payloads if all(p.get(k) == v for k, v in match.items())]
