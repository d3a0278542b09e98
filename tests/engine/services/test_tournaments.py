from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from engine.guilds import GameSpec, GuildSetup
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from engine.services import Services
from engine.tournaments import (
    TRANSITIONS,
    FieldSpec,
    TournamentDraft,
    apply_status_change,
    check_transition,
    parse_money,
)
from storage.models import OutboxEvent, Payment, Registration, Tournament
from storage.models.enums import TournamentStatus

S = TournamentStatus


@dataclass
class World:
    services: Services
    guild_id: int
    owner: Actor
    organizer: Actor
    player: Actor
    game_id: int
    solo_game_id: int

    def draft(self, **changes) -> TournamentDraft:
        base = TournamentDraft(
            name="Winter Cup",
            game_id=self.game_id,
            format="single_elim",
            participant_type="team",
            max_participants=32,
            starts_at="2026-12-05 18:00",
        )
        return dataclasses.replace(base, **changes)

    async def create(self, **changes):
        return await self.services.tournaments.create(
            self.organizer, self.guild_id, self.draft(**changes)
        )

    async def audit(self, prefix: str = "tournament."):
        return await self.services.audit.recent(self.guild_id, action_prefix=prefix, limit=100)


@pytest.fixture
async def world(services: Services, new_id) -> World:
    guild_id, role = new_id(), new_id()
    owner = Actor(user_id=new_id(), guild_id=guild_id, can_manage_guild=True)
    await services.guilds.configure(
        owner, guild_id, GuildSetup(organizer_role_id=role, timezone="Asia/Dhaka")
    )
    organizer = Actor(user_id=new_id(), guild_id=guild_id, role_ids=frozenset({role}))
    game = await services.games.add(
        owner, guild_id, GameSpec("Valorant", 3, 5, "map_score", "Riot ID")
    )
    solo = await services.games.add(
        owner, guild_id, GameSpec("Chess", 1, 1, "points", allows_draws=True)
    )
    return World(
        services,
        guild_id,
        owner,
        organizer,
        Actor(user_id=new_id(), guild_id=guild_id),
        game.id,
        solo.id,
    )


async def test_create_with_every_option(world: World) -> None:
    view = await world.create(
        name="  Winter   Cup ",
        format="group_playoff",
        format_options={"groups": 4, "advance_per_group": 2, "playoff_format": "double_elim"},
        team_size=4,
        min_participants=8,
        registration_opens_at="2026-11-01 10:00",
        registration_closes_at="2026-12-04 22:00",
        best_of=3,
        entry_fee_coins=50,
        entry_fee_minor=parse_money("150.50"),
        currency="bdt",
        payment_methods=("bkash", "coins", "nagad"),
        prize_pool_minor=parse_money("10000"),
        prize_pool_coins=500,
        prize_distribution=(50, 30, 20),
        checkin_enabled=True,
        checkin_window_minutes=45,
        fee_waiver_top_n=2,
        rules="Be nice.",
        stream_links=("https://twitch.tv/deltacrown",),
        is_public=False,
    )
    assert view.name == "Winter Cup" and view.status == "draft" and view.version == 1
    assert view.slug.startswith("winter-cup-") and len(view.slug) == len("winter-cup-") + 6
    # 18:00 in Dhaka (UTC+6) is noon UTC.
    assert view.starts_at == datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    assert view.registration_opens_at == datetime(2026, 11, 1, 4, 0, tzinfo=UTC)
    assert view.entry_fee_minor == 15050 and view.currency == "BDT"
    assert view.payment_methods == ("bkash", "coins", "nagad")
    assert view.prize_distribution == (50, 30, 20) and view.game_name == "Valorant"
    assert view.format_options == {
        "groups": 4,
        "advance_per_group": 2,
        "playoff_format": "double_elim",
    }
    assert view.timezone == "Asia/Dhaka" and view.team_size == 4
    assert await world.services.tournaments.get(view.id, world.guild_id) == view

    [version] = await world.services.tournaments.history(world.organizer, view.id)
    assert version.version == 1 and version.summary == "Created"
    [entry] = await world.audit()
    assert entry.action == "tournament.create" and entry.after["entry_fee_minor"] == 15050
    assert entry.after["starts_at"] == "2026-12-05T12:00:00+00:00"


async def test_team_size_defaults_to_the_games_largest(world: World) -> None:
    view = await world.create()
    assert view.team_size == 5
    solo = await world.create(game_id=world.solo_game_id, participant_type="solo", best_of=2)
    assert solo.team_size == 1 and solo.best_of == 2  # Chess allows draws


REFUSALS = [
    ({"entry_fee_minor": -100, "payment_methods": ("bkash",)}, "cannot be negative"),
    ({"entry_fee_coins": -1, "payment_methods": ("coins",)}, "cannot be negative"),
    ({"prize_distribution": (50, 30, 10)}, "adds up to 90%"),
    ({"prize_distribution": (120, -20)}, "must be positive"),
    (
        {"registration_opens_at": "2026-12-02 10:00", "registration_closes_at": "2026-12-01 10:00"},
        "must open before it closes",
    ),
    ({"registration_closes_at": "2026-12-06 10:00"}, "close no later than the tournament starts"),
    ({"starts_at": "2025-12-05 18:00"}, "in the past"),
    ({"starts_at": "5th of December"}, "2026-12-05 18:00"),
    ({"format": "double_elim", "format_options": {"grand_final": "triple"}}, "grand_final"),
    ({"format_options": {"grand_final": "single"}}, "has no option grand_final"),
    ({"format": "swiss", "format_options": {"rounds": 40}}, "at most 31 rounds"),
    ({"format": "group_playoff", "format_options": {"groups": 20}}, "use fewer groups"),
    ({"min_participants": 40}, "not above the maximum"),
    ({"max_participants": 1}, "at least 2"),
    ({"format": "double_elim", "max_participants": 2}, "at least 3"),
    ({"team_size": 2}, "teams of 3 to 5"),
    ({"participant_type": "solo"}, "make this a team tournament"),
    ({"best_of": 2}, "odd best-of"),
    ({"entry_fee_minor": 5000}, "at least one way to pay"),
    ({"payment_methods": ("coins",)}, "needs an entry fee in coins"),
    ({"payment_methods": ("paypal",)}, "Unknown payment method"),
    ({"currency": "taka", "entry_fee_minor": 100, "payment_methods": ("bkash",)}, "three-letter"),
    ({"name": "X"}, "3 to 100 characters"),
    ({"fee_waiver_top_n": 33}, "fee waiver"),
    ({"stream_links": ("twitch.tv/x",)}, "not a web link"),
    ({"checkin_enabled": True, "checkin_window_minutes": 1}, "check-in window"),
]


@pytest.mark.parametrize(("changes", "phrase"), REFUSALS)
async def test_refused_creations_change_nothing(world: World, changes, phrase) -> None:
    with pytest.raises(InvalidInput) as caught:
        await world.create(**changes)
    assert phrase in caught.value.message
    assert caught.value.message.endswith(".")
    assert await world.services.tournaments.search(world.guild_id) == []
    assert await world.audit() == []


async def test_unknown_game_and_strangers_are_refused(world: World, new_id) -> None:
    with pytest.raises(NotFound):
        await world.create(game_id=new_id())
    other_guild = new_id()
    other_owner = Actor(user_id=new_id(), guild_id=other_guild, can_manage_guild=True)
    foreign = await world.services.games.add(other_owner, other_guild, GameSpec("Dota", 5, 5))
    with pytest.raises(NotFound):
        await world.create(game_id=foreign.id)
    with pytest.raises(PermissionDenied):
        await world.services.tournaments.create(world.player, world.guild_id, world.draft())
    assert await world.services.tournaments.search(world.guild_id) == []
    assert await world.audit() == []


@pytest.mark.parametrize(
    ("text", "minor"), [("150", 15000), ("150.50", 15050), ("0.5", 50), ("1,000", 100000)]
)
def test_parse_money(text: str, minor: int) -> None:
    assert parse_money(text) == minor


@pytest.mark.parametrize("text", ["-1", "1.005", "abc", "NaN", "1e999"])
def test_parse_money_refuses(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_money(text)


# ------------------------------------------------------------------- lifecycle
@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("target", list(S))
def test_transition_table(current: S, target: S) -> None:
    if target in TRANSITIONS[current]:
        check_transition("Cup", current, target)
        return
    with pytest.raises(Conflict) as caught:
        check_transition("Cup", current, target)
    assert caught.value.message.startswith("“Cup” is ")


def test_cancel_is_possible_before_completed_only() -> None:
    for state in (S.DRAFT, S.PUBLISHED, S.REGISTRATION_OPEN, S.REGISTRATION_CLOSED, S.LIVE):
        assert S.CANCELLED in TRANSITIONS[state]
    for state in (S.COMPLETED, S.ARCHIVED, S.CANCELLED):
        assert S.CANCELLED not in TRANSITIONS[state]


async def test_lifecycle_through_the_service(world: World) -> None:
    t = world.services.tournaments
    view = await world.create()
    with pytest.raises(Conflict) as caught:
        await t.open_registration(world.organizer, view.id)
    assert caught.value.message == (
        "“Winter Cup” is a draft, so it cannot become open for registration. The next step "
        "from here is /tournament publish (or /tournament cancel)."
    )
    assert (await t.publish(world.organizer, view.id)).status == "published"
    with pytest.raises(Conflict, match="already published"):
        await t.publish(world.organizer, view.id)
    assert (await t.open_registration(world.organizer, view.id)).status == "registration_open"
    with pytest.raises(Conflict, match="/tournament close"):
        await t.archive(world.organizer, view.id)
    assert (await t.close_registration(world.organizer, view.id)).status == "registration_closed"
    assert (await t.open_registration(world.organizer, view.id)).status == "registration_open"
    await t.close_registration(world.organizer, view.id)
    with pytest.raises(PermissionDenied):
        await t.cancel(world.player, view.id)
    result = await t.cancel(world.organizer, view.id, "Server maintenance")
    assert result.tournament.status == "cancelled" and result.cancelled_registrations == 0
    with pytest.raises(Conflict, match="/tournament archive"):
        await t.open_registration(world.organizer, view.id)
    assert (await t.archive(world.organizer, view.id)).status == "archived"
    with pytest.raises(Conflict, match="cannot change any more"):
        await t.cancel(world.organizer, view.id)

    statuses = [
        (e.before["status"], e.after["status"])
        for e in reversed(await world.audit("tournament.status"))
    ]
    assert statuses == [
        ("draft", "published"),
        ("published", "registration_open"),
        ("registration_open", "registration_closed"),
        ("registration_closed", "registration_open"),
        ("registration_open", "registration_closed"),
        ("registration_closed", "cancelled"),
        ("cancelled", "archived"),
    ]
    async with world.services.db.read() as session:
        events = list(
            await session.scalars(
                select(OutboxEvent)
                .where(OutboxEvent.event_type == "tournament.status_changed")
                .order_by(OutboxEvent.id)
            )
        )
    mine = [e.payload for e in events if e.payload["tournament_id"] == view.id]
    assert [p["new_status"] for p in mine][-2:] == ["cancelled", "archived"]
    assert mine[-2]["reason"] == "Server maintenance"


async def test_publish_needs_a_start_time(world: World) -> None:
    view = await world.create(starts_at=None)
    with pytest.raises(Conflict, match="no start time"):
        await world.services.tournaments.publish(world.organizer, view.id)
    assert (await world.services.tournaments.get(view.id)).status == "draft"


async def test_opening_late_is_refused(world: World, clock) -> None:
    view = await world.create()
    await world.services.tournaments.publish(world.organizer, view.id)
    clock.set(datetime(2026, 12, 6, tzinfo=UTC))
    with pytest.raises(Conflict, match="due to start already"):
        await world.services.tournaments.open_registration(world.organizer, view.id)


async def _set_live(world: World, tournament_id: int) -> None:
    t = world.services.tournaments
    await t.publish(world.organizer, tournament_id)
    await t.open_registration(world.organizer, tournament_id)
    await t.close_registration(world.organizer, tournament_id)
    async with world.services.ctx.unit_of_work() as uow:
        row = await uow.session.get(Tournament, tournament_id, with_for_update=True)
        await apply_status_change(uow, row, S.LIVE, None)


async def _register(world: World, tournament_id: int, statuses: list[str], new_id) -> list[int]:
    now = world.services.clock.now()
    async with world.services.ctx.unit_of_work() as uow:
        rows = [
            Registration(
                tournament_id=tournament_id,
                guild_id=world.guild_id,
                user_id=new_id(),
                display_name=f"Entrant {i}",
                status=status,
                created_at=now,
                updated_at=now,
            )
            for i, status in enumerate(statuses)
        ]
        uow.session.add_all(rows)
        await uow.session.flush()
        return [r.id for r in rows]


async def test_cancel_cancels_active_entries_and_refunds(world: World, new_id) -> None:
    view = await world.create(entry_fee_minor=15000, payment_methods=("bkash",))
    ids = await _register(
        world, view.id, ["confirmed", "awaiting_payment", "waitlisted", "withdrawn"], new_id
    )
    now = world.services.clock.now()
    async with world.services.ctx.unit_of_work() as uow:
        uow.session.add(
            Payment(
                guild_id=world.guild_id,
                tournament_id=view.id,
                registration_id=ids[0],
                user_id=new_id(),
                method="bkash",
                amount_minor=15000,
                currency="BDT",
                status="approved",
                idempotency_key=f"test:{new_id()}",
                created_at=now,
            )
        )
    result = await world.services.tournaments.cancel(world.organizer, view.id, "Rain")
    assert result.cancelled_registrations == 3 and result.refunded_payments == 1
    async with world.services.db.read() as session:
        statuses = list(
            await session.scalars(
                select(Registration.status)
                .where(Registration.id.in_(ids))
                .order_by(Registration.id)
            )
        )
        payment = await session.scalar(select(Payment).where(Payment.tournament_id == view.id))
    assert statuses == ["cancelled", "cancelled", "cancelled", "withdrawn"]
    assert payment.status == "refund_pending"


# --------------------------------------------------------------------- editing
async def test_edit_history_and_rollback(world: World, clock) -> None:
    t = world.services.tournaments
    view = await world.create()
    change = await t.edit(world.organizer, view.id, "max_participants", "64")
    assert change.version == 2 and change.summary == "max_participants: 32 → 64"
    assert change.tournament.max_participants == 64
    clock.advance(minutes=1)
    await t.edit(world.organizer, view.id, "starts_at", "2026-12-06 20:00")
    await t.edit(world.organizer, view.id, "prize_distribution", "60/40")
    await t.edit(world.organizer, view.id, "rules", "No smurfs.\nBe on time.")

    rolled = await t.rollback(world.organizer, view.id, 1)
    assert rolled.version == 6
    assert rolled.summary.startswith("Rolled back to version 1 (")
    restored = await t.get(view.id)
    assert restored.max_participants == 32 and restored.rules is None
    assert restored.starts_at == view.starts_at and restored.prize_distribution == ()
    assert dataclasses.replace(restored, version=1, updated_at=view.updated_at) == view

    history = await t.history(world.organizer, view.id)
    assert [v.version for v in history] == [1, 2, 3, 4, 5, 6]
    assert history[2].summary == ("starts_at: 2026-12-05 12:00 UTC → 2026-12-06 14:00 UTC")
    assert history[3].summary == "prize_distribution: none → 60/40"
    assert all(v.actor_id == world.organizer.user_id for v in history)
    actions = [e.action for e in reversed(await world.audit())]
    assert actions == ["tournament.create"] + ["tournament.edit"] * 4 + ["tournament.rollback"]
    last = (await world.audit())[0]
    assert last.before["max_participants"] == 64 and last.after["max_participants"] == 32
    assert last.after["version"] == 6

    # Rolling back to the version it already matches changes nothing.
    with pytest.raises(InvalidInput, match="already matches version 1"):
        await t.rollback(world.organizer, view.id, 1)
    with pytest.raises(NotFound, match="no version 9"):
        await t.rollback(world.organizer, view.id, 9)
    assert (await t.get(view.id)).version == 6


async def test_edit_refusals_change_nothing(world: World) -> None:
    t = world.services.tournaments
    view = await world.create()
    cases = [
        ("max_participants", "thirty", InvalidInput, "whole number"),
        ("max_participants", "32", InvalidInput, "already has that value"),
        ("prize_distribution", "50/30", InvalidInput, "adds up to 80%"),
        ("entry_fee", "-5", InvalidInput, "cannot be negative"),
        ("starts_at", "2025-01-01 10:00", InvalidInput, "in the past"),
        ("grand_final", "single", InvalidInput, "has no option grand_final"),
        ("colour", "red", InvalidInput, "not something /tournament edit can change"),
    ]
    for field, value, error, phrase in cases:
        with pytest.raises(error) as caught:
            await t.edit(world.organizer, view.id, field, value)
        assert phrase in caught.value.message, field
    with pytest.raises(PermissionDenied):
        await t.edit(world.player, view.id, "name", "Mine now")
    assert await t.get(view.id) == view
    assert len(await t.history(world.organizer, view.id)) == 1
    assert [e.action for e in await world.audit()] == ["tournament.create"]


async def test_format_change_drops_options_of_the_old_format(world: World) -> None:
    t = world.services.tournaments
    view = await world.create(format="double_elim", format_options={"grand_final": "single"})
    change = await t.edit(world.organizer, view.id, "format", "single_elim")
    assert change.tournament.format_options == {}
    await t.edit(world.organizer, view.id, "third_place", "yes")
    assert (await t.get(view.id)).format_options == {"third_place": True}


async def test_live_bracket_fields_are_locked(world: World) -> None:
    t = world.services.tournaments
    view = await world.create()
    await t.edit(world.organizer, view.id, "max_participants", "64")  # version 2
    await _set_live(world, view.id)
    for field, value in [
        ("max_participants", "16"),
        ("format", "double_elim"),
        ("best_of", "3"),
        ("team_size", "4"),
        ("third_place", "yes"),
        ("participant_type", "solo"),
    ]:
        with pytest.raises(Conflict, match="the bracket depends on it"):
            await t.edit(world.organizer, view.id, field, value)
    change = await t.edit(world.organizer, view.id, "stream_links", "https://twitch.tv/dc")
    assert change.version == 3 and change.tournament.stream_links == ("https://twitch.tv/dc",)
    # A rollback that would touch the bracket is refused the same way ...
    with pytest.raises(Conflict, match="max_participants can no longer change"):
        await t.rollback(world.organizer, view.id, 1)
    # ... and one that only touches the presentation is fine.
    rolled = await t.rollback(world.organizer, view.id, 2)
    assert rolled.version == 4 and rolled.tournament.stream_links == ()
    assert rolled.tournament.max_participants == 64 and rolled.tournament.status == "live"


async def test_registrations_protect_the_entry_settings(world: World, new_id) -> None:
    t = world.services.tournaments
    view = await world.create(max_participants=4)
    await _register(
        world, view.id, ["confirmed", "confirmed", "payment_review", "withdrawn"], new_id
    )
    with pytest.raises(Conflict, match="3 participants already hold a slot"):
        await t.edit(world.organizer, view.id, "max_participants", "2")
    with pytest.raises(Conflict, match="participant_type"):
        await t.edit(world.organizer, view.id, "participant_type", "solo")
    with pytest.raises(Conflict, match="team_size"):
        await t.edit(world.organizer, view.id, "team_size", "4")
    assert (await t.edit(world.organizer, view.id, "max_participants", "3")).version == 2
    summary = await t.summary(view.id, world.guild_id)
    assert summary.slots_taken == 3 and summary.slots_left == 0 and summary.waitlisted == 0


async def test_raising_the_maximum_promotes_the_waitlist(world: World, new_id) -> None:
    t = world.services.tournaments
    view = await world.create(max_participants=2)
    await t.publish(world.organizer, view.id)
    await t.open_registration(world.organizer, view.id)
    ids = await _register(
        world, view.id, ["confirmed", "confirmed", "waitlisted", "waitlisted"], new_id
    )
    await t.edit(world.organizer, view.id, "max_participants", "3")
    async with world.services.db.read() as session:
        statuses = list(
            await session.scalars(
                select(Registration.status)
                .where(Registration.id.in_(ids))
                .order_by(Registration.id)
            )
        )
    assert statuses == ["confirmed", "confirmed", "confirmed", "waitlisted"]  # a free event
    summary = await t.summary(view.id)
    assert summary.slots_taken == 3 and summary.waitlisted == 1


# --------------------------------------------------------------- finding things
async def test_get_search_and_resolve(world: World, new_id) -> None:
    t = world.services.tournaments
    cup = await world.create()
    league = await world.create(name="Spring League", starts_at="2026-10-01 18:00")
    assert [v.name for v in await t.search(world.guild_id)] == ["Spring League", "Winter Cup"]
    assert [v.id for v in await t.search(world.guild_id, "cup")] == [cup.id]
    assert await t.search(world.guild_id, statuses=[S.PUBLISHED]) == []
    assert await t.resolve(world.guild_id, "winter cup") == cup.id
    assert await t.resolve(world.guild_id, str(league.id)) == league.id
    with pytest.raises(NotFound):
        await t.resolve(world.guild_id, "Summer Cup")
    with pytest.raises(NotFound, match="no such tournament"):
        await t.get(cup.id, new_id())
    with pytest.raises(NotFound):
        await t.get(new_id())


# ---------------------------------------------------------------- custom fields
async def test_custom_fields(world: World, new_id) -> None:
    t = world.services.tournaments
    view = await world.create()
    riot = await t.add_field(world.organizer, view.id, FieldSpec("Riot ID", "text", max_length=30))
    await t.add_field(
        world.organizer, view.id, FieldSpec("Region", "dropdown", choices=("EU", "NA"))
    )
    assert riot.key == "riot_id" and riot.options == {"max_length": 30} and riot.position == 0
    with pytest.raises(Conflict, match="already asks “Riot ID”"):
        await t.add_field(world.organizer, view.id, FieldSpec("Riot ID", "url"))
    with pytest.raises(InvalidInput):
        await t.add_field(world.organizer, view.id, FieldSpec("Colour", "dropdown"))
    with pytest.raises(PermissionDenied):
        await t.add_field(world.player, view.id, FieldSpec("Age", "number"))
    for label in ("Age", "Discord tag"):
        await t.add_field(world.organizer, view.id, FieldSpec(label, "text"))
    await _register(world, view.id, ["confirmed"], new_id)
    with pytest.raises(Conflict, match="must be optional"):
        await t.add_field(world.organizer, view.id, FieldSpec("Mic", "toggle"))
    await t.add_field(world.organizer, view.id, FieldSpec("Mic", "toggle", required=False))
    with pytest.raises(Conflict, match="5 registration questions"):
        await t.add_field(world.organizer, view.id, FieldSpec("Tracker", "url", required=False))
    fields = await t.fields(view.id)
    assert [f.label for f in fields] == ["Riot ID", "Region", "Age", "Discord tag", "Mic"]
    assert [f.position for f in fields] == [0, 1, 2, 3, 4]
    assert len(await world.audit("tournament.field_add")) == 5


async def test_no_fields_once_registration_closed(world: World) -> None:
    t = world.services.tournaments
    view = await world.create()
    await _set_live(world, view.id)
    with pytest.raises(Conflict, match="before registration closes"):
        await t.add_field(world.organizer, view.id, FieldSpec("Riot ID", "text"))
    async with world.services.db.read() as session:
        assert (
            await session.scalar(
                select(func.count())
                .select_from(Tournament)
                .where(Tournament.id == view.id, Tournament.status == "live")
            )
            == 1
        )


async def test_making_an_entry_free_retires_its_payment_method(world: World) -> None:
    t = world.services.tournaments
    view = await world.create(
        entry_fee_coins=50, entry_fee_minor=15000, payment_methods=("coins", "bkash")
    )
    free_coins = await t.edit(world.organizer, view.id, "entry_fee_coins", "0")
    assert free_coins.tournament.entry_fee_coins == 0
    assert free_coins.tournament.payment_methods == ("bkash",)
    free = await t.edit(world.organizer, view.id, "entry_fee", "0")
    assert free.tournament.entry_fee_minor == 0 and free.tournament.payment_methods == ()


async def test_old_times_are_not_restored_or_published(world: World, clock) -> None:
    t = world.services.tournaments
    view = await world.create(starts_at="2026-01-03 18:00")
    await t.publish(world.organizer, view.id)
    await t.edit(world.organizer, view.id, "starts_at", "2026-01-10 18:00")
    clock.advance(days=5)  # the first start time has passed
    with pytest.raises(InvalidInput, match="in the past"):
        await t.rollback(world.organizer, view.id, 1)
    assert (await t.get(view.id)).status == "published"
    late = await world.create(name="Late Cup", starts_at="2026-01-07 18:00")
    clock.advance(days=1)
    with pytest.raises(Conflict, match="due to start already"):
        await t.publish(world.organizer, late.id)


async def test_a_time_the_clocks_skip_is_refused() -> None:
    from engine.tournaments import parse_local_time

    with pytest.raises(InvalidInput, match="does not exist in Europe/London"):
        parse_local_time("2026-03-29 01:30", "Europe/London")
    assert parse_local_time("2026-12-05 18:00", "Asia/Dhaka").hour == 12


async def test_a_fee_made_free_confirms_who_was_waiting_to_pay(world: World) -> None:
    s = world.services
    view = await world.create(
        game_id=world.solo_game_id,
        participant_type="solo",
        entry_fee_coins=50,
        payment_methods=("coins",),
    )
    await s.tournaments.publish(world.organizer, view.id)
    await s.tournaments.open_registration(world.organizer, view.id)
    await s.profiles.set_ingame_id(world.player, world.solo_game_id, "magnus")
    entry = await s.registration.register(world.player, view.id)
    assert entry.status == "awaiting_payment"
    await s.tournaments.edit(world.organizer, view.id, "entry_fee_coins", "0")
    assert (await s.registration.get(entry.id)).status == "confirmed"
