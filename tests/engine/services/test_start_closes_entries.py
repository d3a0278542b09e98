"""The money hole around the start (issue 14).

Reproduced as a new user would: after the start, an entry still ``awaiting_payment`` paid
with coins — 10 coins charged, the entry confirmed, and not in the bracket. Now paying,
registering, unregistering and roster changes are refused once a tournament has started,
finished or been cancelled (a clear sentence, nothing changed, no coin moved), and the
start itself closes every entry that will not play: unpaid entries expire with no charge,
waitlisted ones too, and a proof still waiting for review makes the start refuse with
the list until an organizer decides it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.kernel.clock import FrozenClock
from engine.kernel.errors import Conflict
from engine.services import Services
from storage.db import Database
from storage.models import (
    BracketState,
    Registration,
    RegistrationMember,
    Team,
    TeamMember,
    Tournament,
)
from storage.models.enums import PaymentStatus, RegistrationStatus, TournamentStatus
from testkit.payment_helpers import (
    events,
    ledger_count,
    make_guild,
    make_registration,
    make_tournament,
    payments_of,
    png_bytes,
    registration_status,
)

RS = RegistrationStatus
TS = TournamentStatus


@pytest.fixture
def services(db: Database, clock: FrozenClock, tmp_path: Path) -> Services:
    return Services(db, clock, data_dir=tmp_path)


async def _coins(services: Services, guild, user_id: int, amount: int, new_id) -> None:
    await services.ledger.grant(guild.owner, guild.id, user_id, amount, "Seed", f"g:{new_id()}")


async def _members(services: Services, registration_id: int) -> list[int]:
    async with services.db.read() as session:
        rows = await session.scalars(
            select(RegistrationMember.user_id).where(
                RegistrationMember.registration_id == registration_id
            )
        )
        return list(rows)


async def _bracket_entries(services: Services, tournament_id: int) -> set[int]:
    async with services.db.read() as session:
        state = await session.scalar(
            select(BracketState).where(BracketState.tournament_id == tournament_id)
        )
        assert state is not None
        return {p["id"] for p in state.participants}


# --- the reproduction -------------------------------------------------------------------


async def test_pay_with_coins_after_start_is_refused_and_moves_no_coin(
    services: Services, new_id
) -> None:
    """The reported hole, exactly: a live tournament, an entry still awaiting payment,
    /pay with coins. It used to charge 10 coins and confirm an entry outside the bracket."""
    guild = await make_guild(services, new_id)
    tid = await make_tournament(services, guild, fee_coins=10, status=TS.LIVE)
    player = guild.member(new_id())
    reg = await make_registration(services, guild, tid, player.user_id)
    await _coins(services, guild, player.user_id, 100, new_id)
    ledger_before = await ledger_count(services, guild.id)

    with pytest.raises(Conflict) as caught:
        await services.payments.pay(player, tid, "coins")

    assert "has already started" in caught.value.message
    assert "Nothing was changed or charged" in caught.value.message
    assert await services.ledger.balance(guild.id, player.user_id) == 100
    assert await ledger_count(services, guild.id) == ledger_before
    assert await payments_of(services, reg) == []
    assert await registration_status(services, reg) == RS.AWAITING_PAYMENT
    assert await events(services, "coins.spent", registration_id=reg) == []


@pytest.mark.parametrize(
    ("status", "words"),
    [(TS.LIVE, "has already started"), (TS.COMPLETED, "is over"), (TS.CANCELLED, "was cancelled")],
)
async def test_pay_register_unregister_refused_after_start(
    services: Services, new_id, status: TS, words: str
) -> None:
    guild = await make_guild(services, new_id)
    tid = await make_tournament(services, guild, fee_coins=10, fee_minor=5000, status=status)
    payer = guild.member(new_id())
    reg = await make_registration(services, guild, tid, payer.user_id)
    await _coins(services, guild, payer.user_id, 50, new_id)
    newcomer = guild.member(new_id())
    ledger_before = await ledger_count(services, guild.id)

    attempts = {
        "coins": services.payments.pay(payer, tid, "coins"),
        "proof": services.payments.pay(
            payer, tid, "bkash", reference="TRX12345", proof=png_bytes()
        ),
        "register": services.registration.register(newcomer, tid),
        "unregister": services.registration.unregister(payer, tid),
    }
    for what, attempt in attempts.items():
        with pytest.raises(Conflict) as caught:
            await attempt
        assert words in caught.value.message, what
        assert "Nothing was changed" in caught.value.message, what

    assert await registration_status(services, reg) == RS.AWAITING_PAYMENT
    assert await _members(services, reg) == [payer.user_id]
    assert await payments_of(services, reg) == []
    assert await services.ledger.balance(guild.id, payer.user_id) == 50
    assert await ledger_count(services, guild.id) == ledger_before
    assert await services.registration.registration_for(tid, newcomer.user_id) is None


# --- the start settles every entry ------------------------------------------------------


async def test_start_expires_unpaid_and_waitlisted_entries_with_no_charge(
    services: Services, new_id
) -> None:
    guild = await make_guild(services, new_id)
    tid = await make_tournament(services, guild, fee_coins=10)
    paid = [await make_registration(services, guild, tid, new_id(), RS.CONFIRMED) for _ in range(3)]
    late = guild.member(new_id())
    unpaid = await make_registration(services, guild, tid, late.user_id)
    waiting_user = new_id()
    waiting = await make_registration(services, guild, tid, waiting_user, RS.WAITLISTED)
    await _coins(services, guild, late.user_id, 100, new_id)
    ledger_before = await ledger_count(services, guild.id)

    summary = await services.brackets.start(guild.owner, tid, seed=1)

    assert summary.participant_count == 3
    assert await _bracket_entries(services, tid) == set(paid)
    assert await registration_status(services, unpaid) == RS.EXPIRED
    assert await registration_status(services, waiting) == RS.EXPIRED
    # The players are free again and nothing was charged.
    assert await _members(services, unpaid) == [] and await _members(services, waiting) == []
    assert await services.ledger.balance(guild.id, late.user_id) == 100
    assert await ledger_count(services, guild.id) == ledger_before
    expired = await events(services, "registration.expired", tournament_id=tid)
    assert {(e["registration_id"], e["previous_status"]) for e in expired} == {
        (unpaid, RS.AWAITING_PAYMENT),
        (waiting, RS.WAITLISTED),
    }
    assert next(e for e in expired if e["registration_id"] == waiting)["member_ids"] == [
        waiting_user
    ]
    actions = [e.action for e in await services.audit.recent(guild.id, limit=50)]
    assert actions.count("registration.expired") == 2

    # The late payer now gets the clear refusal and keeps every coin.
    with pytest.raises(Conflict, match="has already started"):
        await services.payments.pay(late, tid, "coins")
    assert await services.ledger.balance(guild.id, late.user_id) == 100


async def test_start_refuses_while_a_proof_waits_for_review(services: Services, new_id) -> None:
    guild = await make_guild(services, new_id)
    tid = await make_tournament(services, guild, name="Proof Cup", fee_minor=5000)
    for _ in range(2):
        await make_registration(services, guild, tid, new_id(), RS.CONFIRMED)
    first, second = guild.member(new_id()), guild.member(new_id())
    reg_first = await make_registration(services, guild, tid, first.user_id)
    reg_second = await make_registration(services, guild, tid, second.user_id)
    proof_first = await services.payments.pay(
        first, tid, "bkash", reference="TRXA1", proof=png_bytes(colour=(1, 2, 3))
    )
    proof_second = await services.payments.pay(
        second, tid, "bkash", reference="TRXB2", proof=png_bytes(colour=(4, 5, 6))
    )

    with pytest.raises(Conflict) as caught:
        await services.brackets.start(guild.owner, tid, seed=1)
    text = caught.value.message
    assert "cannot start while 2 payment proof(s) wait for review" in text
    assert f"#{reg_first}" in text and f"#{reg_second}" in text
    assert "Nothing was changed" in text
    assert (await services.tournaments.get(tid)).status == TS.REGISTRATION_OPEN
    assert await registration_status(services, reg_first) == RS.PAYMENT_REVIEW

    # The organizer decides: one approved plays, one rejected expires unpaid at the start.
    await services.payments.approve(guild.owner, proof_first.id)
    await services.payments.reject(guild.owner, proof_second.id, "reference not found")
    summary = await services.brackets.start(guild.owner, tid, seed=1)
    assert summary.participant_count == 3
    assert reg_first in await _bracket_entries(services, tid)
    assert await registration_status(services, reg_second) == RS.EXPIRED
    [rejected] = await payments_of(services, reg_second)
    assert rejected.status == PaymentStatus.REJECTED  # nothing was taken, nothing to refund


async def test_scheduled_start_with_a_proof_waiting_fails_and_names_it(
    services: Services, new_id, clock: FrozenClock
) -> None:
    """The scheduled start refuses the same way; the organizers are told the list."""
    from engine.brackets.start import _on_start

    guild = await make_guild(services, new_id)
    tid = await make_tournament(services, guild, name="Timer Cup", fee_minor=5000)
    for _ in range(2):
        await make_registration(services, guild, tid, new_id(), RS.CONFIRMED)
    payer = guild.member(new_id())
    reg = await make_registration(services, guild, tid, payer.user_id)
    await services.payments.pay(payer, tid, "bkash", reference="TRXC3", proof=png_bytes())
    async with services.ctx.unit_of_work() as uow:
        await _on_start(uow, {"tournament_id": tid})
    [failed] = await events(services, "tournament.autostart_failed", tournament_id=tid)
    assert "wait for review" in failed["reason"] and f"#{reg}" in failed["reason"]
    assert await registration_status(services, reg) == RS.PAYMENT_REVIEW


# --- team rosters -----------------------------------------------------------------------


async def _team_entry(services: Services, guild, status: TS, new_id) -> tuple[int, int, int, int]:
    """A two-player team with an active entry in a tournament of ``status``."""
    cap, mate = new_id(), new_id()
    team = await services.teams.create(guild.member(cap), "Night Owls", "OWL")
    invite = await services.teams.invite(guild.member(cap), team.id, mate)
    await services.teams.answer_invite(guild.member(mate), invite.id, True)
    tid = await make_tournament(services, guild, status=status)
    reg = await make_registration(services, guild, tid, cap, RS.CONFIRMED)
    async with services.db.transaction() as session:
        row = await session.get(Registration, reg)
        assert row is not None
        row.team_id = team.id
    return team.id, cap, mate, reg


async def _roster(services: Services, team_id: int) -> list[int]:
    async with services.db.read() as session:
        rows = await session.scalars(
            select(TeamMember.user_id).where(TeamMember.team_id == team_id)
        )
        return sorted(rows)


async def test_team_roster_is_locked_while_its_tournament_is_live(
    services: Services, new_id
) -> None:
    guild = await make_guild(services, new_id)
    team_id, cap, mate, _ = await _team_entry(services, guild, TS.LIVE, new_id)
    before = await _roster(services, team_id)
    outsider = new_id()
    attempts = [
        services.teams.leave(guild.member(mate), team_id),
        services.teams.kick(guild.member(cap), team_id, mate),
        services.teams.transfer(guild.member(cap), team_id, mate),
        services.teams.disband(guild.member(cap), team_id),
        services.teams.invite(guild.member(cap), team_id, outsider),
    ]
    for attempt in attempts:
        with pytest.raises(Conflict) as caught:
            await attempt
        assert "which has started, so its roster is locked" in caught.value.message
    assert await _roster(services, team_id) == before
    async with services.db.read() as session:
        team = await session.get(Team, team_id)
        assert team is not None and team.captain_id == cap and team.disbanded_at is None


async def test_invite_sent_before_the_start_cannot_be_accepted_after_it(
    services: Services, new_id
) -> None:
    guild = await make_guild(services, new_id)
    team_id, cap, _, reg = await _team_entry(services, guild, TS.REGISTRATION_OPEN, new_id)
    sub = new_id()
    invite = await services.teams.invite(guild.member(cap), team_id, sub)
    async with services.db.transaction() as session:
        row = await session.get(Registration, reg)
        assert row is not None
        tournament = await session.get(Tournament, row.tournament_id)
        assert tournament is not None
        tournament.status = TS.LIVE
    with pytest.raises(Conflict, match="roster is locked"):
        await services.teams.answer_invite(guild.member(sub), invite.id, True)
    assert sub not in await _roster(services, team_id)


async def test_roster_change_after_the_end_leaves_the_played_entry_alone(
    services: Services, new_id
) -> None:
    """Once the tournament is over the team may change, but who played stays recorded."""
    guild = await make_guild(services, new_id)
    team_id, cap, mate, reg = await _team_entry(services, guild, TS.COMPLETED, new_id)
    async with services.db.transaction() as session:
        row = await session.get(Registration, reg)
        assert row is not None
        session.add(
            RegistrationMember(registration_id=reg, tournament_id=row.tournament_id, user_id=mate)
        )
    await services.teams.kick(guild.member(cap), team_id, mate)
    assert await _roster(services, team_id) == [cap]
    async with services.db.read() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(RegistrationMember)
            .where(RegistrationMember.registration_id == reg)
        )
    assert count == 2
