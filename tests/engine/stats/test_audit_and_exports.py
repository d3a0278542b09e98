"""Audit search (filters, paging, refusals), its CSV export and retention; tournament CSV
exports, the public results feed, tournament stats and the organizer funnel."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from engine.audit import PRUNE_TIMER, AuditFilter
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from engine.services import Services
from storage.models import AuditEntry, Registration, Timer, Tournament
from tests.engine.services.test_certificates import finished_event

BOM = "\ufeff"


def rows_of(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[1:])))


async def add_entries(services: Services, guild_id: int, actor_id: int, count: int, **kw) -> None:  # type: ignore[no-untyped-def]
    async with services.ctx.unit_of_work() as uow:
        for n in range(count):
            uow.audit(
                guild_id=guild_id,
                actor_id=actor_id,
                action=kw.get("action", "test.note"),
                target_type=kw.get("target_type", "thing"),
                target_id=n,
                after=kw.get("after"),
            )


async def test_search_filters_pages_and_refuses_players(services: Services, new_id) -> None:
    event = await finished_event(services, new_id, players=4)
    guild, organizer = event.guild_id, event.organizer
    stranger = new_id()
    await add_entries(services, guild, stranger, 45, action="test.note")
    audit = services.audit
    first = await audit.search(organizer, guild, AuditFilter(actor_id=stranger))
    assert len(first.entries) == 20 and first.next_before == first.entries[-1].id
    second = await audit.search(
        organizer, guild, AuditFilter(actor_id=stranger), before_id=first.next_before
    )
    third = await audit.search(
        organizer, guild, AuditFilter(actor_id=stranger), before_id=second.next_before
    )
    ids = [e.id for page in (first, second, third) for e in page.entries]
    assert len(ids) == 45 == len(set(ids)) and ids == sorted(ids, reverse=True)
    assert third.next_before is None
    by_tournament = await audit.search(
        organizer, guild, AuditFilter(tournament_id=event.tournament_id), page_size=200
    )
    assert by_tournament.entries
    assert {e.tournament_id for e in by_tournament.entries} == {event.tournament_id}
    assert "tournament.complete" in {e.action for e in by_tournament.entries}
    starts = await audit.search(organizer, guild, AuditFilter(action="TEST."), page_size=5)
    assert {e.action for e in starts.entries} == {"test.note"}
    now = services.clock.now()
    future = await audit.search(organizer, guild, AuditFilter(since=now + timedelta(days=1)))
    assert future.entries == []
    player = Actor(user_id=event.users[0], guild_id=guild)
    with pytest.raises(PermissionDenied):
        await audit.search(player, guild, AuditFilter())
    with pytest.raises(PermissionDenied):
        await audit.export_csv(player, guild)
    with pytest.raises(InvalidInput, match="not an audit action"):
        await audit.search(organizer, guild, AuditFilter(action="'; drop"))
    with pytest.raises(InvalidInput, match="not a date"):
        await audit.filters(guild, since="31/12/2026")
    with pytest.raises(InvalidInput, match="ends before it starts"):
        await audit.filters(guild, since="2026-12-05", until="2026-12-01")
    day = await audit.filters(guild, since="2026-12-05", until="2026-12-05")
    assert day.until is not None and day.since is not None
    assert day.until - day.since == timedelta(days=1)


async def test_audit_export_is_csv_and_audited(services: Services, new_id) -> None:
    event = await finished_event(services, new_id, players=2)
    guild = event.guild_id
    await add_entries(services, guild, new_id(), 1, after={"reason": "=HYPERLINK(1)"})
    data, count = await services.audit.export_csv(event.organizer, guild)
    rows = rows_of(data)
    assert rows[0] == [
        "id",
        "created_at",
        "actor_id",
        "action",
        "target_type",
        "target_id",
        "tournament_id",
        "before",
        "after",
    ]
    assert len(rows) == count + 1
    assert any('"reason": "=HYPERLINK(1)"' in row[8] for row in rows[1:])
    async with services.db.read() as session:
        exported = await session.scalar(
            select(AuditEntry).where(
                AuditEntry.guild_id == guild, AuditEntry.action == "export.audit"
            )
        )
    assert exported is not None and exported.actor_id == event.organizer.user_id
    assert exported.after is not None and exported.after["rows"] == count


async def test_retention_prunes_old_entries_in_batches_and_keeps_money(
    services: Services, clock, new_id
) -> None:
    event = await finished_event(services, new_id, players=2)
    guild, organizer = event.guild_id, event.organizer
    await add_entries(services, guild, 1, 7, action="test.old")
    await add_entries(services, guild, 1, 2, action="payment.approve")
    await add_entries(services, guild, 1, 1, action="pool.pay")
    await add_entries(services, guild, 1, 1, action="challenge.win")
    async with services.ctx.unit_of_work() as uow:  # all of it is 200 days old
        await uow.session.execute(
            update(AuditEntry)
            .where(AuditEntry.guild_id == guild)
            .values(created_at=clock.now() - timedelta(days=200))
        )
    player = Actor(user_id=event.users[0], guild_id=guild)
    with pytest.raises(PermissionDenied):
        await services.audit.set_retention(player, guild, 90)
    with pytest.raises(InvalidInput, match="30 to 3650"):
        await services.audit.set_retention(organizer, guild, 5)
    assert await services.audit.set_retention(organizer, guild, 90) == 90
    clock.advance(minutes=1)
    await services.timers.fire_due()

    async def actions() -> list[str]:
        async with services.db.read() as session:
            return sorted(
                await session.scalars(select(AuditEntry.action).where(AuditEntry.guild_id == guild))
            )

    left = await actions()
    assert "test.old" not in left and "tournament.complete" not in left
    assert left.count("payment.approve") == 2  # money is kept
    assert left.count("pool.pay") == 1 and left.count("challenge.win") == 1
    assert "guild.audit_retention" in left  # the setting itself is recent
    async with services.db.read() as session:
        pending = await session.scalar(
            select(func.count())
            .select_from(Timer)
            .where(Timer.key == f"{PRUNE_TIMER}:{guild}", Timer.fired_at.is_(None))
        )
    assert pending == 1  # the next daily run
    await services.audit.set_retention(organizer, guild, None)
    async with services.db.read() as session:
        pending = await session.scalar(
            select(func.count())
            .select_from(Timer)
            .where(
                Timer.key == f"{PRUNE_TIMER}:{guild}",
                Timer.fired_at.is_(None),
                Timer.cancelled_at.is_(None),
            )
        )
    assert pending == 0


async def test_prune_works_in_batches(services: Services, clock, new_id, monkeypatch) -> None:
    import engine.audit.log as log

    monkeypatch.setattr(log, "PRUNE_BATCH", 3)
    event = await finished_event(services, new_id, players=2)
    guild = event.guild_id
    await add_entries(services, guild, 1, 8, action="test.old")
    async with services.ctx.unit_of_work() as uow:
        await uow.session.execute(
            update(AuditEntry)
            .where(AuditEntry.guild_id == guild, AuditEntry.action == "test.old")
            .values(created_at=clock.now() - timedelta(days=400))
        )
    await services.audit.set_retention(event.organizer, guild, 30)

    async def old() -> int:
        async with services.db.read() as session:
            return int(
                await session.scalar(
                    select(func.count())
                    .select_from(AuditEntry)
                    .where(AuditEntry.guild_id == guild, AuditEntry.action == "test.old")
                )
                or 0
            )

    seen = []
    for _ in range(3):
        clock.advance(seconds=10)
        await services.timers.fire_due()
        seen.append(await old())
    assert seen == [5, 2, 0]


async def test_tournament_exports_neutralise_formulas_and_are_organizer_only(
    services: Services, new_id
) -> None:
    event = await finished_event(services, new_id, players=4)
    async with services.ctx.unit_of_work() as uow:
        await uow.session.execute(
            update(Registration)
            .where(Registration.id == event.registrations[0])
            .values(display_name="=cmd|' /C calc'!A0")
        )
    exports = services.exports
    results = await exports.export(event.organizer, event.guild_id, event.tournament_id, "results")
    rows = rows_of(results.data)
    assert rows[0][:4] == ["match", "stage", "side", "group"] and results.rows == 3
    assert all(row[12] == "completed" for row in rows[1:])
    assert any(cell == "'=cmd|' /C calc'!A0" for row in rows[1:] for cell in row)
    placings = rows_of(
        (
            await exports.export(event.organizer, event.guild_id, event.tournament_id, "placings")
        ).data
    )
    assert [row[0] for row in placings[1:]][:2] == ["1", "2"]
    standings = rows_of(
        (
            await exports.export(event.organizer, event.guild_id, event.tournament_id, "standings")
        ).data
    )
    assert standings[0][:3] == ["rank", "place", "entrant"] and len(standings) == 5
    payments = rows_of(
        (
            await exports.export(event.organizer, event.guild_id, event.tournament_id, "payments")
        ).data
    )
    assert payments[0][0] == "payment_id" and len(payments) == 1  # a free event
    async with services.db.read() as session:
        audited = list(
            await session.scalars(
                select(AuditEntry.action).where(
                    AuditEntry.guild_id == event.guild_id, AuditEntry.action.startswith("export.")
                )
            )
        )
    assert sorted(audited) == [
        "export.payments",
        "export.placings",
        "export.results",
        "export.standings",
    ]
    player = Actor(user_id=event.users[0], guild_id=event.guild_id)
    with pytest.raises(PermissionDenied):
        await exports.export(player, event.guild_id, event.tournament_id, "results")
    with pytest.raises(InvalidInput, match="not an export"):
        await exports.export(event.organizer, event.guild_id, event.tournament_id, "secrets")
    with pytest.raises(NotFound):
        await exports.export(event.organizer, event.guild_id, 10**12, "results")


async def test_results_feed_is_public_json(services: Services, new_id) -> None:
    event = await finished_event(services, new_id, players=4)
    async with services.db.read() as session:
        slug = await session.scalar(
            select(Tournament.slug).where(Tournament.id == event.tournament_id)
        )
    assert slug is not None
    feed = await services.exports.results_feed(slug)
    assert feed["version"] == 1 and feed["tournament"]["status"] == "completed"
    assert len(feed["entrants"]) == 4 and len(feed["matches"]) == 3
    assert feed["placings"][0] == {"place": 1, "entrant": event.registrations[0]}
    assert {m["state"] for m in feed["matches"]} == {"completed"}
    async with services.ctx.unit_of_work() as uow:
        await uow.session.execute(
            update(Tournament).where(Tournament.id == event.tournament_id).values(is_public=False)
        )
    with pytest.raises(NotFound):
        await services.exports.results_feed(slug)


async def test_tournament_stats_and_funnel(services: Services, new_id) -> None:
    event = await finished_event(services, new_id, players=4)
    stats = await services.tournament_stats.tournament(
        event.organizer, event.guild_id, event.tournament_id
    )
    assert stats.entrants == 4 and stats.matches_played == 3
    assert stats.forfeits == 0 and stats.disputes == 0 and stats.checkin_rate is None
    funnel = await services.tournament_stats.funnel(event.organizer, event.guild_id)
    assert [v for _, v in funnel.steps()] == [1, 4, 4, 0, 4]
    # One organizer's funnel counts only the tournaments they created.
    creator = (await services.tournaments.get(event.tournament_id)).created_by
    theirs = await services.tournament_stats.funnel(event.organizer, event.guild_id, creator)
    assert [v for _, v in theirs.steps()] == [1, 4, 4, 0, 4]
    nobody = await services.tournament_stats.funnel(event.organizer, event.guild_id, creator + 1)
    assert [v for _, v in nobody.steps()] == [0, 0, 0, 0, 0]
    player = Actor(user_id=event.users[0], guild_id=event.guild_id)
    with pytest.raises(PermissionDenied):
        await services.tournament_stats.funnel(player, event.guild_id)
    with pytest.raises(PermissionDenied):
        await services.tournament_stats.tournament(player, event.guild_id, event.tournament_id)


async def test_results_export_before_the_start_is_refused(services: Services, new_id) -> None:
    from testkit.factories import make_event

    event = await make_event(services, new_id, players=4)
    with pytest.raises(Conflict, match="no matches yet"):
        await services.exports.export(
            event.organizer, event.guild_id, event.tournament_id, "results"
        )


async def test_entries_about_a_match_or_payment_are_filed_under_their_tournament(
    services: Services, new_id
) -> None:
    event = await finished_event(services, new_id, players=2)
    [match] = await services.brackets.matches(event.tournament_id)
    async with services.ctx.unit_of_work() as uow:
        uow.audit(
            guild_id=event.guild_id,
            actor_id=1,
            action="test.match",
            target_type="match",
            target_id=match.id,
        )
        uow.audit(
            guild_id=event.guild_id,
            actor_id=1,
            action="test.gone",
            target_type="match",
            target_id=10**15,
        )
        uow.audit(
            guild_id=event.guild_id,
            actor_id=1,
            action="test.odd",
            target_type="payment",
            target_id="x1",
        )
    page = await services.audit.search(event.organizer, event.guild_id, AuditFilter(action="test."))
    filed = {e.action: e.tournament_id for e in page.entries}
    assert filed == {"test.match": event.tournament_id, "test.gone": None, "test.odd": None}
