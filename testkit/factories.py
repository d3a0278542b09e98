"""Rows for match-day tests, written directly so these tests do not depend on the
registration flow (which has its own tests)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from engine.guilds import GuildSetup
from engine.kernel.actors import Actor
from engine.services import Services
from storage.models import Game, Registration, RegistrationMember, Tournament
from storage.models.enums import RegistrationStatus, ResultType, TournamentStatus


@dataclass
class Event:
    guild_id: int
    tournament_id: int
    game_id: int
    organizer: Actor
    registrations: list[int]  # registration ids, in sign-up order
    users: list[int]  # the solo players (or captains), same order


async def make_event(
    services: Services,
    new_id,
    *,
    format: str = "single_elim",
    players: int = 8,
    options: dict[str, Any] | None = None,
    best_of: int = 1,
    result_type: str = ResultType.BEST_OF,
    prize_pool_coins: int = 0,
    prize_distribution: list[int] | None = None,
    match_checkin_minutes: int = 0,
    seeding: str = "manual",
    team_size: int = 1,
    organizer: Actor | None = None,
    entrants: Sequence[tuple[int, str]] | None = None,
) -> Event:
    """A game and an open tournament with confirmed solo entries.

    By default on a fresh, configured server with generated players; pass ``organizer``
    (whose ``guild_id`` is an already configured server, e.g. a Discord test's arena) and
    ``entrants`` as (user id, display name) to use existing ones.
    """
    if organizer is None:
        guild_id = new_id()
        organizer = Actor(user_id=new_id(), guild_id=guild_id, can_manage_guild=True)
        await services.guilds.configure(organizer, guild_id, GuildSetup(coin_name="Crowns"))
    assert organizer.guild_id is not None
    guild_id = organizer.guild_id
    if entrants is None:
        entrants = [(new_id(), f"Player {index + 1}") for index in range(players)]
    now = services.clock.now()
    async with services.ctx.unit_of_work() as uow:
        game = Game(
            guild_id=guild_id,
            name=f"Game {new_id()}",
            team_size_min=team_size,
            team_size_max=team_size,
            result_type=result_type,
            allows_draws=False,
            ingame_id_label="Riot ID",
            created_by=organizer.user_id,
            created_at=now,
        )
        uow.session.add(game)
        await uow.session.flush()
        tournament = Tournament(
            guild_id=guild_id,
            slug=f"cup-{new_id()}",
            name=f"Cup {guild_id % 1000}",
            game_id=game.id,
            format=format,
            format_options=options or {},
            participant_type="team" if team_size > 1 else "solo",
            team_size=team_size,
            max_participants=max(len(entrants), 2),
            min_participants=2,
            best_of=best_of,
            entry_fee_coins=0,
            entry_fee_minor=0,
            currency="BDT",
            payment_methods=[],
            prize_pool_minor=0,
            prize_pool_coins=prize_pool_coins,
            prize_distribution=prize_distribution or [],
            checkin_enabled=False,
            checkin_window_minutes=30,
            match_checkin_minutes=match_checkin_minutes,
            seeding=seeding,
            fee_waiver_top_n=0,
            stream_links=[],
            is_public=True,
            status=TournamentStatus.REGISTRATION_OPEN,
            version=1,
            created_by=organizer.user_id,
            created_at=now,
            updated_at=now,
        )
        uow.session.add(tournament)
        await uow.session.flush()
        registrations, users = [], []
        for index, (user, name) in enumerate(entrants):
            entry = Registration(
                tournament_id=tournament.id,
                guild_id=guild_id,
                user_id=user,
                display_name=name,
                status=RegistrationStatus.CONFIRMED,
                seed=index + 1,
                field_values={},
                created_at=now,
                updated_at=now,
            )
            uow.session.add(entry)
            await uow.session.flush()
            uow.session.add(
                RegistrationMember(
                    registration_id=entry.id, tournament_id=tournament.id, user_id=user
                )
            )
            registrations.append(entry.id)
            users.append(user)
    return Event(guild_id, tournament.id, game.id, organizer, registrations, users)
