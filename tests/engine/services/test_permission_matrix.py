"""The permission matrix of docs/permissions.md, row by row, through the services.

Every organizer action is tried by five people on a fresh server:

- ``owner``: holds the organizer role and created the tournament;
- ``co``: no role at all, named co-organizer of this tournament by its owner;
- ``other``: holds the organizer role, but runs nothing here;
- ``player``: a member;
- ``admin``: Manage Server.

A refusal is a ``PermissionDenied`` that changes nothing (no audit entry, no event); an
allowed action never raises ``PermissionDenied`` (it may still meet a rule of the game,
e.g. a start refused because a proof waits for review: that is not a permission).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from engine.formats import Result
from engine.kernel.actors import Actor
from engine.kernel.clock import FrozenClock
from engine.kernel.errors import DomainError, PermissionDenied
from engine.services import Services
from engine.tournaments import FieldSpec, TournamentDraft
from storage.db import Database
from storage.models import AuditEntry, Game, OutboxEvent, Tournament
from storage.models.enums import RegistrationStatus
from testkit.factories import make_event
from testkit.payment_helpers import (
    Guild,
    make_guild,
    make_registration,
    make_tournament,
    png_bytes,
)

ROLES = ("owner", "co", "other", "player", "admin")
RUNS_IT = frozenset({"owner", "co", "admin"})
OWNS_IT = frozenset({"owner", "admin"})
ROLE_HOLDERS = frozenset({"owner", "other", "admin"})


@pytest.fixture
def services(db: Database, clock: FrozenClock, tmp_path: Path) -> Services:
    return Services(db, clock, data_dir=tmp_path)


@dataclass
class World:
    services: Services
    guild: Guild
    tid: int
    actors: dict[str, Actor]
    entries: dict[str, int]
    payment_id: int = 0
    dispute_id: int = 0
    match_code: str = ""
    players: tuple[int, ...] = ()
    game_id: int = 0


async def _people(services: Services, guild: Guild, tid: int, new_id) -> dict[str, Actor]:
    owner_id, co_id = new_id(), new_id()
    async with services.db.transaction() as session:
        await session.execute(
            update(Tournament).where(Tournament.id == tid).values(created_by=owner_id)
        )
    await services.tournaments.add_co_organizer(guild.owner, tid, co_id)
    return {
        "owner": guild.organizer(owner_id),
        "co": guild.member(co_id),
        "other": guild.organizer(new_id()),
        "player": guild.member(new_id()),
        "admin": guild.owner,
    }


async def before_start(services: Services, new_id) -> World:
    """Open registration: two confirmed entries, a proof waiting for review, a waitlisted
    entry with a free slot to move into."""
    guild = await make_guild(services, new_id)
    tid = await make_tournament(services, guild, fee_minor=5000, methods=("bkash",))
    entries = {
        name: await make_registration(services, guild, tid, new_id(), status)
        for name, status in (
            ("a", RegistrationStatus.CONFIRMED),
            ("b", RegistrationStatus.CONFIRMED),
            ("waiting", RegistrationStatus.WAITLISTED),
        )
    }
    payer = guild.member(new_id())
    entries["review"] = await make_registration(services, guild, tid, payer.user_id)
    payment = await services.payments.pay(payer, tid, "bkash", reference="TRX1", proof=png_bytes())
    async with services.db.transaction() as session:
        await session.execute(
            update(Tournament).where(Tournament.id == tid).values(max_participants=4)
        )
        game_id = await session.scalar(select(Tournament.game_id).where(Tournament.id == tid))
    actors = await _people(services, guild, tid, new_id)
    return World(services, guild, tid, actors, entries, payment.id, game_id=game_id or 0)


async def under_way(services: Services, new_id) -> World:
    """A started four-player cup with a dispute open on a ready match."""
    guild = await make_guild(services, new_id)
    event = await make_event(services, new_id, organizer=guild.owner, players=4)
    await services.brackets.start(guild.owner, event.tournament_id, seed=1)
    [first, *_] = await services.brackets.matches(event.tournament_id, statuses=["ready"])
    player_of = dict(zip(event.registrations, event.users, strict=True))
    disputer = guild.member(player_of[first.registration_a_id])
    dispute = await services.disputes.open_dispute(
        disputer, reason="no_show", description="They never joined.", match_id=first.id
    )
    actors = await _people(services, guild, event.tournament_id, new_id)
    return World(
        services,
        guild,
        event.tournament_id,
        actors,
        dict(zip(("a", "b", "c", "d"), event.registrations, strict=True)),
        dispute_id=dispute.id,
        match_code=first.code,
        players=tuple(event.users),
        game_id=event.game_id,
    )


Call = Callable[[World, Actor], Awaitable[Any]]


@dataclass(frozen=True)
class Action:
    name: str
    world: Callable[[Services, Any], Awaitable[World]]
    call: Call
    allowed: frozenset[str] = RUNS_IT
    # Some reads answer an outsider with nothing rather than a refusal.
    sees: Callable[[World, Any], bool] | None = None


def _draft(world: World) -> TournamentDraft:
    return TournamentDraft(
        name="Matrix Cup",
        game_id=world.game_id,
        format="single_elim",
        participant_type="solo",
        max_participants=8,
        starts_at="2030-01-05 18:00",
    )


ACTIONS = [
    # -- the tournament itself
    Action(
        "tournament.create",
        before_start,
        lambda w, a: w.services.tournaments.create(a, w.guild.id, _draft(w)),
        allowed=ROLE_HOLDERS,
    ),
    Action(
        "tournament.edit",
        before_start,
        lambda w, a: w.services.tournaments.edit(a, w.tid, "rules", "Be kind."),
    ),
    Action(
        "tournament.history", before_start, lambda w, a: w.services.tournaments.history(a, w.tid)
    ),
    Action(
        "tournament.field_add",
        before_start,
        lambda w, a: w.services.tournaments.add_field(
            a, w.tid, FieldSpec(label="Discord tag", kind="text", required=False)
        ),
    ),
    Action(
        "tournament.close",
        before_start,
        lambda w, a: w.services.tournaments.close_registration(a, w.tid),
    ),
    Action(
        "tournament.cancel",
        before_start,
        lambda w, a: w.services.tournaments.cancel(a, w.tid, "Rain"),
    ),
    Action(
        "tournament.start",
        before_start,
        lambda w, a: w.services.brackets.start(a, w.tid, seed=1),
    ),
    Action(
        "tournament.seeding",
        before_start,
        lambda w, a: w.services.bracket_admin.set_seeding(a, w.tid, "random"),
    ),
    # -- staff
    Action(
        "staff.add",
        before_start,
        lambda w, a: w.services.tournaments.add_co_organizer(a, w.tid, 4242),
        allowed=OWNS_IT,
    ),
    Action(
        "staff.remove",
        before_start,
        lambda w, a: w.services.tournaments.remove_co_organizer(a, w.tid, w.actors["co"].user_id),
        allowed=OWNS_IT,
    ),
    # -- entries
    Action(
        "entry.remove",
        before_start,
        lambda w, a: w.services.registration.remove_entry(a, w.entries["a"], "No-show last week"),
    ),
    Action(
        "entry.reject",
        before_start,
        lambda w, a: w.services.registration.remove_entry(
            a, w.entries["b"], "Not in the region", reject=True
        ),
    ),
    Action(
        "entry.promote",
        before_start,
        lambda w, a: w.services.registration.promote(a, w.entries["waiting"]),
    ),
    Action(
        "entry.disqualify",
        before_start,
        lambda w, a: w.services.registration.remove(
            a, w.entries["a"], RegistrationStatus.DISQUALIFIED, "Smurf account"
        ),
    ),
    Action(
        "participants.export",
        before_start,
        lambda w, a: w.services.roster.participants_csv(a, w.tid),
    ),
    # -- payments
    Action(
        "payment.pending",
        before_start,
        lambda w, a: w.services.payments.pending(a, w.guild.id),
        sees=lambda w, result: any(p.id == w.payment_id for p in result),
    ),
    Action("payment.proof", before_start, lambda w, a: w.services.payments.proof(a, w.payment_id)),
    Action(
        "payment.approve",
        before_start,
        lambda w, a: w.services.payments.approve(a, w.payment_id),
    ),
    Action(
        "payment.reject",
        before_start,
        lambda w, a: w.services.payments.reject(a, w.payment_id, "Reference not found"),
    ),
    # -- match day
    Action(
        "match.set_score",
        under_way,
        lambda w, a: w.services.scores.set_score(a, w.tid, w.match_code, 2, 0),
    ),
    Action(
        "match.dq",
        under_way,
        lambda w, a: w.services.scores.disqualify(a, w.tid, w.players[-1], reason="Smurf."),
    ),
    Action(
        "dispute.resolve",
        under_way,
        lambda w, a: w.services.disputes.resolve(
            a, dispute_id=w.dispute_id, first=2, second=0, notes="Lobby screenshot."
        ),
    ),
    Action(
        "dispute.escalate",
        under_way,
        lambda w, a: w.services.disputes.escalate(a, dispute_id=w.dispute_id, note="Owner call"),
    ),
    Action(
        "dispute.list",
        under_way,
        lambda w, a: w.services.disputes.open_disputes(a, w.guild.id),
        sees=lambda w, result: any(d.id == w.dispute_id for d in result),
    ),
    Action(
        "bracket.apply",
        under_way,
        lambda w, a: w.services.brackets.apply(a, w.tid, Result(w.match_code, (2, 0))),
    ),
]


async def _footprint(services: Services, guild_id: int) -> tuple[int, int]:
    async with services.db.read() as session:
        audits = await session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.guild_id == guild_id)
        )
        events = await session.scalar(select(func.count()).select_from(OutboxEvent))
    return int(audits or 0), int(events or 0)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.name)
async def test_permission_matrix(services: Services, new_id, action: Action, role: str) -> None:
    world = await action.world(services, new_id)
    actor = world.actors[role]
    before = await _footprint(services, world.guild.id)
    denied = False
    try:
        result = await action.call(world, actor)
    except PermissionDenied:
        denied = True
    except DomainError:
        result = None  # allowed, and refused by a rule of the game instead
    else:
        if action.sees is not None and not action.sees(world, result):
            denied = True
    expected_allowed = role in action.allowed
    assert denied != expected_allowed, (action.name, role, "denied" if denied else "allowed")
    if denied:
        assert await _footprint(services, world.guild.id) == before, "a refusal changed nothing"


async def test_the_matrix_covers_every_documented_action() -> None:
    """docs/permissions.md lists exactly the actions this table tries."""
    text = (Path(__file__).parents[3] / "docs" / "permissions.md").read_text()
    documented = {line.split("`")[1] for line in text.splitlines() if line.startswith("| `")}
    assert documented == {a.name for a in ACTIONS}


async def test_a_co_organizer_of_one_tournament_runs_only_that_one(
    services: Services, new_id
) -> None:
    world = await before_start(services, new_id)
    other_tid = await make_tournament(services, world.guild, name="Other Cup")
    co = world.actors["co"]
    await services.tournaments.edit(co, world.tid, "rules", "Mine to run.")
    with pytest.raises(PermissionDenied) as caught:
        await services.tournaments.edit(co, other_tid, "rules", "Not mine.")
    assert "Only the organizers of Other Cup" in caught.value.message
    assert await services.tournaments.may_organize(co, world.tid)
    assert not await services.tournaments.may_organize(co, other_tid)
    # The owner's view of who runs it, and the removal taking effect at once.
    staff = await services.tournaments.staff(world.tid)
    assert staff.owner_id == world.actors["owner"].user_id
    assert staff.co_organizer_ids == (co.user_id,)
    await services.tournaments.remove_co_organizer(world.actors["owner"], world.tid, co.user_id)
    with pytest.raises(PermissionDenied):
        await services.tournaments.edit(co, world.tid, "rules", "Still mine?")
    actions = [e.action for e in await services.audit.recent(world.guild.id, limit=50)]
    assert actions.count("tournament.staff_add") == 1
    assert actions.count("tournament.staff_remove") == 1


async def test_staff_changes_refuse_nonsense(services: Services, new_id) -> None:
    world = await before_start(services, new_id)
    owner, co = world.actors["owner"], world.actors["co"]
    with pytest.raises(DomainError, match="already co-organizes"):
        await services.tournaments.add_co_organizer(owner, world.tid, co.user_id)
    with pytest.raises(DomainError, match="owns"):
        await services.tournaments.add_co_organizer(owner, world.tid, owner.user_id)
    with pytest.raises(DomainError, match="is not a co-organizer"):
        await services.tournaments.remove_co_organizer(owner, world.tid, 777)
    async with services.db.read() as session:
        games = await session.scalar(select(func.count()).select_from(Game))
    assert games  # the world was built on a real server
