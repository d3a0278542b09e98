"""Clones and templates: a new draft with the whole configuration on new dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from engine.services import Services
from engine.tournaments import FieldSpec, TournamentView
from storage.models import (
    OutboxEvent,
    RegistrationField,
    Tournament,
    TournamentStaff,
)
from tests.engine.services import test_tournaments
from tests.engine.services.test_tournaments import World

world = test_tournaments.world  # the same server, organizer and games as those tests

DHAKA = timedelta(hours=6)


def local(text: str) -> datetime:
    """A Dhaka wall-clock time ("2027-02-05 18:00") as an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC) - DHAKA


async def rich_source(world: World) -> TournamentView:
    """A tournament with something set in every part of its configuration."""
    view = await world.create(
        name="Winter Cup",
        format="double_elim",
        max_participants=16,
        starts_at="2026-12-05 18:00",
        registration_opens_at="2026-11-20 10:00",
        registration_closes_at="2026-12-04 22:00",
        best_of=3,
        format_options={"grand_final": "single"},
        entry_fee_minor=15000,
        currency="BDT",
        payment_methods=("bkash", "nagad"),
        prize_pool_minor=500000,
        prize_distribution=(60, 30, 10),
        checkin_enabled=True,
        checkin_window_minutes=45,
        round_times=("2026-12-05 18:00", "2026-12-05 20:30"),
        round_interval_minutes=90,
        reminder_minutes=(30,),
        rules="Be kind. No smurfs.",
        stream_links=("https://twitch.tv/dhaka",),
        certificate_design="modern",
    )
    services = world.services
    await services.tournaments.add_field(
        world.organizer, view.id, FieldSpec(label="Riot ID", kind="text", max_length=40)
    )
    await services.tournaments.add_field(
        world.organizer,
        view.id,
        FieldSpec(label="Region", kind="dropdown", choices=("EU", "Asia"), required=False),
    )
    return view


async def count(services: Services, model, *where) -> int:  # type: ignore[no-untyped-def]
    async with services.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)))


async def test_a_clone_copies_the_configuration_on_new_dates(world: World) -> None:
    services = world.services
    source = await rich_source(world)
    co = Actor(user_id=world.organizer.user_id + 1, guild_id=world.guild_id)
    await services.tournaments.add_co_organizer(world.organizer, source.id, co.user_id)
    await services.certificates.set_participants(
        world.organizer, source.id, True, organizer_name="Dhaka Esports"
    )

    cloned = await services.templates.clone(
        world.organizer, source.id, starts_at="2027-02-05 18:00", name="Spring Cup"
    )
    new = cloned.tournament
    assert (new.name, new.status, new.version, new.created_by) == (
        "Spring Cup",
        "draft",
        1,
        world.organizer.user_id,
    )
    assert new.id != source.id and new.slug != source.slug
    # Everything but the name and the dates is the same.
    same = (
        "format", "format_options", "participant_type", "team_size", "max_participants",
        "best_of", "entry_fee_minor", "currency", "payment_methods", "prize_pool_minor",
        "prize_distribution", "checkin_enabled", "checkin_window_minutes",
        "round_interval_minutes", "reminder_minutes", "rules", "stream_links",
        "certificate_design", "game_id",
    )  # fmt: skip
    assert {k: getattr(new, k) for k in same} == {k: getattr(source, k) for k in same}
    # The schedule pattern moves with the start: every time keeps its offset.
    assert new.starts_at == local("2027-02-05 18:00")
    assert new.registration_opens_at == local("2027-01-21 10:00")
    assert new.registration_closes_at == local("2027-02-04 22:00")
    assert new.round_times == (local("2027-02-05 18:00"), local("2027-02-05 20:30"))
    # Questions, co-organizers and the awards domain's settings came along; nothing else.
    fields = await services.tournaments.fields(new.id)
    assert [(f.label, f.kind, f.required) for f in fields] == [
        ("Riot ID", "text", True),
        ("Region", "dropdown", False),
    ]
    assert cloned.questions == 2 and cloned.co_organizers == 1
    staff = await services.tournaments.staff(new.id)
    assert staff.owner_id == world.organizer.user_id and staff.co_organizer_ids == (co.user_id,)
    assert (await services.certificates.settings(new.id)).participants is True
    summary = await services.tournaments.summary(new.id)
    assert summary.slots_taken == 0 and summary.waitlisted == 0
    history = await services.tournaments.history(world.organizer, new.id)
    assert [v.summary for v in history] == ["Cloned from 'Winter Cup'"]
    # One event says where it came from (the sponsors domain copies its sponsors on it).
    async with services.db.read() as session:
        payloads = list(
            await session.scalars(
                select(OutboxEvent.payload).where(OutboxEvent.event_type == "tournament.cloned")
            )
        )
    assert {
        "guild_id": world.guild_id,
        "source_tournament_id": source.id,
        "tournament_id": new.id,
        "template_id": None,
        "actor_id": world.organizer.user_id,
    } in payloads
    assert [e.action for e in await world.audit("tournament.clone")] == ["tournament.clone"]


async def test_a_new_registration_opening_overrides_its_offset(world: World) -> None:
    source = await rich_source(world)
    cloned = await world.services.templates.clone(
        world.organizer,
        source.id,
        starts_at="2027-02-05 18:00",
        registration_opens_at="2027-02-01 09:00",
    )
    new = cloned.tournament
    assert new.name == "Winter Cup"  # no new name: the source's
    assert new.registration_opens_at == local("2027-02-01 09:00")
    assert new.registration_closes_at == local("2027-02-04 22:00")


async def test_an_opening_that_would_be_past_is_left_for_the_organizer(world: World) -> None:
    # Registration opened 15 days before the source's start; the copy starts in 5 days.
    source = await rich_source(world)
    world.services.clock.set(local("2027-01-31 12:00"))  # type: ignore[attr-defined]
    cloned = await world.services.templates.clone(
        world.organizer, source.id, starts_at="2027-02-05 18:00"
    )
    assert cloned.opening_dropped and cloned.tournament.registration_opens_at is None
    assert cloned.tournament.registration_closes_at == local("2027-02-04 22:00")
    kept = await world.services.templates.clone(
        world.organizer, source.id, starts_at="2027-03-05 18:00"
    )
    assert not kept.opening_dropped
    assert kept.tournament.registration_opens_at == local("2027-02-18 10:00")


@pytest.mark.parametrize(
    ("starts_at", "opens", "error"),
    [
        ("next friday", None, InvalidInput),  # not a date
        ("2025-12-05 18:00", None, InvalidInput),  # in the past
        ("2027-02-05 18:00", "2027-02-06 09:00", InvalidInput),  # opens after the start
    ],
)
async def test_a_clone_on_bad_dates_is_refused_and_creates_nothing(
    world: World, starts_at: str, opens: str | None, error: type[Exception]
) -> None:
    services = world.services
    source = await rich_source(world)
    before = await count(services, Tournament, Tournament.guild_id == world.guild_id)
    with pytest.raises(error):
        await services.templates.clone(
            world.organizer, source.id, starts_at=starts_at, registration_opens_at=opens
        )
    assert await count(services, Tournament, Tournament.guild_id == world.guild_id) == before


async def test_only_its_organizers_on_its_server_may_clone_it(world: World, new_id) -> None:
    services = world.services
    source = await rich_source(world)
    stranger = Actor(user_id=new_id(), guild_id=new_id(), can_manage_guild=True)
    with pytest.raises(NotFound):  # another server's tournament does not exist here
        await services.templates.clone(stranger, source.id, starts_at="2027-02-05 18:00")
    with pytest.raises(PermissionDenied):
        await services.templates.clone(world.player, source.id, starts_at="2027-02-05 18:00")
    assert await count(services, Tournament, Tournament.guild_id == world.guild_id) == 1
    assert await count(services, Tournament, Tournament.guild_id == stranger.guild_id) == 0


async def test_templates_are_saved_listed_used_and_deleted(world: World) -> None:
    services = world.services
    source = await rich_source(world)
    saved = await services.templates.save_template(world.organizer, source.id, "Weekly  cup")
    assert (saved.name, saved.format, saved.questions) == ("Weekly cup", "double_elim", 2)
    with pytest.raises(Conflict):  # names are unique per server, whatever the case
        await services.templates.save_template(world.organizer, source.id, "weekly cup")
    replaced = await services.templates.save_template(
        world.organizer, source.id, "weekly cup", replace=True
    )
    assert replaced.id == saved.id
    assert [t.name for t in await services.templates.templates(world.guild_id)] == ["Weekly cup"]

    # The source changes or goes away: the template keeps what was saved.
    await services.tournaments.edit(world.organizer, source.id, "best_of", "5")
    made = await services.templates.use_template(
        world.owner,
        world.guild_id,
        str(saved.id),
        name="Weekly Cup #2",
        starts_at="2027-03-01 20:00",
    )
    new = made.tournament
    assert (new.name, new.best_of, new.status, new.created_by) == (
        "Weekly Cup #2",
        3,
        "draft",
        world.owner.user_id,
    )
    assert new.registration_closes_at == local("2027-03-01 00:00")
    assert new.round_times == (local("2027-03-01 20:00"), local("2027-03-01 22:30"))
    assert made.questions == 2
    assert [f.label for f in await services.tournaments.fields(new.id)] == ["Riot ID", "Region"]
    # By name as typed works too.
    again = await services.templates.use_template(
        world.organizer, world.guild_id, "WEEKLY CUP", name="", starts_at="2027-04-01 20:00"
    )
    assert again.tournament.name == "Winter Cup"

    deleted = await services.templates.delete_template(
        world.organizer, world.guild_id, "weekly cup"
    )
    assert deleted.id == saved.id
    assert await services.templates.templates(world.guild_id) == []
    with pytest.raises(NotFound):
        await services.templates.use_template(
            world.organizer, world.guild_id, "weekly cup", name="X Cup", starts_at="2027-04-01"
        )


async def test_template_refusals_change_nothing(world: World, new_id) -> None:
    services = world.services
    source = await rich_source(world)
    with pytest.raises(PermissionDenied):
        await services.templates.save_template(world.player, source.id, "Weekly")
    with pytest.raises(InvalidInput):
        await services.templates.save_template(world.organizer, source.id, " x ")
    other_guild = Actor(user_id=new_id(), guild_id=new_id(), can_manage_guild=True)
    with pytest.raises(NotFound):
        await services.templates.save_template(other_guild, source.id, "Stolen")
    assert await services.templates.templates(world.guild_id) == []
    await services.templates.save_template(world.organizer, source.id, "Weekly")
    tournaments = await count(services, Tournament, Tournament.guild_id == world.guild_id)
    with pytest.raises(PermissionDenied):
        await services.templates.use_template(
            world.player, world.guild_id, "Weekly", name="Mine", starts_at="2027-03-01 20:00"
        )
    with pytest.raises(InvalidInput):
        await services.templates.use_template(
            world.organizer, world.guild_id, "Weekly", name="Mine", starts_at="yesterday"
        )
    with pytest.raises(PermissionDenied):
        await services.templates.delete_template(world.player, world.guild_id, "Weekly")
    assert await count(services, Tournament, Tournament.guild_id == world.guild_id) == tournaments
    assert (
        await count(services, RegistrationField, RegistrationField.tournament_id > source.id) == 0
    )
    assert [t.name for t in await services.templates.templates(world.guild_id)] == ["Weekly"]
    assert await count(services, TournamentStaff, TournamentStaff.guild_id == world.guild_id) == 0
