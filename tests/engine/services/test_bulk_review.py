"""Bulk review of payment proofs: several at once, each its own audited, idempotent
decision; 20 concurrent bulk approvals approve each proof exactly once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.kernel.clock import FrozenClock
from engine.kernel.errors import InvalidInput
from engine.services import Services
from storage.db import Database
from storage.models import AuditEntry
from storage.models.enums import PaymentStatus, RegistrationStatus
from testkit.payment_helpers import (
    Guild,
    add_co_organizer,
    events,
    make_guild,
    make_registration,
    make_tournament,
    payments_of,
    png_bytes,
    registration_status,
)


@pytest.fixture
def services(db: Database, clock: FrozenClock, tmp_path: Path) -> Services:
    return Services(db, clock, data_dir=tmp_path)


async def _proofs(
    services: Services, guild: Guild, tid: int, count: int, new_id
) -> list[tuple[int, int]]:
    """``count`` entries with a proof each: (registration id, payment id)."""
    made = []
    for index in range(count):
        payer = guild.member(new_id())
        reg = await make_registration(services, guild, tid, payer.user_id)
        view = await services.payments.pay(
            payer,
            tid,
            "bkash",
            reference=f"TRX{new_id()}",
            proof=png_bytes(colour=(index % 255, new_id() % 255, 7)),
        )
        made.append((reg, view.id))
    return made


async def _audits(services: Services, guild_id: int, action: str) -> list[str]:
    async with services.db.read() as session:
        rows = await session.scalars(
            select(AuditEntry.target_id).where(
                AuditEntry.guild_id == guild_id, AuditEntry.action == action
            )
        )
        return list(rows)


async def test_bulk_approve_decides_each_once_and_explains_the_rest(
    services: Services, new_id
) -> None:
    guild = await make_guild(services, new_id)
    mine = await make_tournament(services, guild, fee_minor=5000, methods=("bkash",))
    theirs = await make_tournament(services, guild, name="Theirs", fee_minor=5000)
    co = await add_co_organizer(services, guild, mine, new_id(), with_role=False)
    [(reg1, p1), (reg2, p2), (_, p3)] = await _proofs(services, guild, mine, 3, new_id)
    [(_, foreign)] = await _proofs(services, guild, theirs, 1, new_id)
    await services.payments.approve(co, p3)  # decided one at a time already

    outcome = await services.payments.review_many(co, [p1, p2, p3, foreign, p1], "approve")

    assert sorted(v.id for v in outcome.decided) == sorted([p1, p2])
    refused = dict(outcome.refused)
    assert set(refused) == {p3, foreign}
    assert "already approved" in str(refused[p3])
    assert "Only the organizers of Theirs" in str(refused[foreign])
    for reg in (reg1, reg2):
        assert await registration_status(services, reg) == RegistrationStatus.CONFIRMED
    assert sorted(await _audits(services, guild.id, "payment.approve")) == sorted(
        str(p) for p in (p1, p2, p3)
    )
    [untouched] = await payments_of(
        services, (await services.payments.get(guild.owner, foreign)).registration_id
    )
    assert untouched.status == PaymentStatus.SUBMITTED

    # The same bulk again is a no-op: nothing decided twice, no audit entry added.
    again = await services.payments.review_many(co, [p1, p2], "approve")
    assert again.decided == () and len(again.refused) == 2
    assert len(await _audits(services, guild.id, "payment.approve")) == 3


async def test_bulk_reject_needs_a_reason_and_tells_each_player(services: Services, new_id):
    guild = await make_guild(services, new_id)
    tid = await make_tournament(services, guild, fee_minor=5000, methods=("bkash",))
    made = await _proofs(services, guild, tid, 2, new_id)
    ids = [p for _, p in made]
    with pytest.raises(InvalidInput):
        await services.payments.review_many(guild.owner, ids, "reject", "no")
    with pytest.raises(InvalidInput):
        await services.payments.review_many(guild.owner, [], "approve")
    assert await _audits(services, guild.id, "payment.reject") == []

    outcome = await services.payments.review_many(guild.owner, ids, "reject", "Reference not found")
    assert sorted(v.id for v in outcome.decided) == sorted(ids)
    for reg, payment_id in made:
        assert await registration_status(services, reg) == RegistrationStatus.AWAITING_PAYMENT
        [event] = await events(services, "payment.rejected", payment_id=payment_id)
        assert event["reason"] == "Reference not found"


async def test_20_concurrent_bulk_approvals_approve_each_proof_once(
    services: Services, new_id
) -> None:
    guild = await make_guild(services, new_id)
    tid = await make_tournament(services, guild, fee_minor=5000, methods=("bkash",))
    made = await _proofs(services, guild, tid, 5, new_id)
    ids = [p for _, p in made]
    reviewers = [await add_co_organizer(services, guild, tid, new_id()) for _ in range(19)]
    reviewers.append(guild.owner)

    outcomes = await asyncio.gather(
        *(
            services.payments.review_many(r, list(reversed(ids)) if i % 2 else ids, "approve")
            for i, r in enumerate(reviewers)
        )
    )

    decided = [v.id for o in outcomes for v in o.decided]
    assert sorted(decided) == sorted(ids), "each proof approved by exactly one bulk"
    assert sum(len(o.refused) for o in outcomes) == 20 * len(ids) - len(ids)
    assert sorted(await _audits(services, guild.id, "payment.approve")) == sorted(
        str(p) for p in ids
    )
    for reg, payment_id in made:
        assert await registration_status(services, reg) == RegistrationStatus.CONFIRMED
        assert len(await events(services, "payment.approved", payment_id=payment_id)) == 1
    async with services.db.read() as session:
        confirmed = await session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.guild_id == guild.id, AuditEntry.action == "registration.confirmed")
        )
    assert confirmed == len(ids)
