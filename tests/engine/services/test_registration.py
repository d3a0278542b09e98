"""Registration: solo and team entries, custom fields, fees and waivers, the waitlist."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.entries import confirm_paid, mark_payment_review, payment_rejected
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from engine.services import Services
from storage.db import Database
from storage.models import (
    GuildSettings,
    Ranking,
    Registration,
    RegistrationMember,
    Tournament,
)
from storage.models.enums import RegistrationStatus as RS
from testkit.registration_helpers import (
    add_fields,
    count_rows,
    make_game,
    make_tournament,
    organizer,
    outbox_types,
    player,
    set_ids,
)


@pytest.fixture
def guild(new_id) -> int:
    return new_id()


# --- solo entries ------------------------------------------------------------------------


async def test_free_solo_registration_is_confirmed_and_recorded(
    services: Services, db: Database, clock, guild, new_id
) -> None:
    game = await make_game(db, clock, guild)
    tid = await make_tournament(db, clock, guild, game)
    alice = new_id()
    await set_ids(services, guild, game, alice)

    view = await services.registration.register(player(guild, alice, "Alice"), tid)

    assert view.status == RS.CONFIRMED and view.display_name == "Alice"
    assert view.member_ids == (alice,) and view.members[0].ingame_id == f"Player#{alice % 10000}"
    assert view.waitlist_position is None and view.fee_waived_reason is None
    assert await services.registration.registration_for(tid, alice) == view
    assert await services.registration.get(view.id) == view
    [entry] = await services.audit.recent(guild, action_prefix="registration.")
    assert entry.action == "registration.create" and entry.after["status"] == "confirmed"
    assert "registration.created" in await outbox_types(db, guild)


async def test_paid_entry_waits_for_payment_and_payment_moves_work(
    services: Services, db: Database, clock, guild, new_id
) -> None:
    game = await make_game(db, clock, guild)
    tid = await make_tournament(db, clock, guild, game, fee_minor=5000)
    alice = new_id()
    await set_ids(services, guild, game, alice)
    view = await services.registration.register(player(guild, alice), tid)
    assert view.status == RS.AWAITING_PAYMENT and view.entry_fee_minor == 5000

    async with services.ctx.unit_of_work() as uow:
        assert (await mark_payment_review(uow, view.id)).status == RS.PAYMENT_REVIEW
    async with services.ctx.unit_of_work() as uow:
        assert (await payment_rejected(uow, view.id)).status == RS.AWAITING_PAYMENT
    async with services.ctx.unit_of_work() as uow:
        assert (await confirm_paid(uow, view.id, actor_id=alice)).status == RS.CONFIRMED
    # A second confirmation is refused and rolls the caller's transaction back.
    with pytest.raises(Conflict) as caught:
        async with services.ctx.unit_of_work() as uow:
            await payment_rejected(uow, view.id)
    assert "confirmed" in caught.value.message
    assert (await services.registration.get(view.id)).status == RS.CONFIRMED
    actions = [e.action for e in await services.audit.recent(guild, action_prefix="registration.")]
    assert actions == [
        "registration.confirmed",
        "registration.awaiting_payment",
        "registration.payment_review",
        "registration.create",
    ]


@pytest.mark.parametrize("closed", ["status", "deadline", "draft"])
async def test_registration_when_not_open_is_refused_and_changes_nothing(
    services: Services, db: Database, clock, guild, new_id, closed
) -> None:
    game = await make_game(db, clock, guild)
    status = {"status": "registration_closed", "draft": "published"}.get(
        closed, "registration_open"
    )
    closes = clock.now() - timedelta(minutes=1) if closed == "deadline" else None
    tid = await make_tournament(db, clock, guild, game, status=status, closes_at=closes)
    alice = new_id()
    await set_ids(services, guild, game, alice)
    with pytest.raises(Conflict) as caught:
        await services.registration.register(player(guild, alice), tid)
    assert "Winter Cup" in caught.value.message and caught.value.message.endswith(".")
    assert await count_rows(db, Registration, Registration.tournament_id == tid) == 0
    assert await services.audit.recent(guild, action_prefix="registration.") == []


async def test_registering_twice_is_refused(services: Services, db, clock, guild, new_id) -> None:
    game = await make_game(db, clock, guild)
    tid = await make_tournament(db, clock, guild, game)
    alice = new_id()
    await set_ids(services, guild, game, alice)
    await services.registration.register(player(guild, alice), tid)
    with pytest.raises(Conflict) as caught:
        await services.registration.register(player(guild, alice), tid)
    assert caught.value.message.startswith("You are already registered for Winter Cup")
    assert await count_rows(db, Registration, Registration.tournament_id == tid) == 1


async def test_missing_ingame_id_speaks_to_the_player(services: Services, db, clock, guild, new_id):
    """The refusal goes to the player who typed the command: it says "you", never
    mentions them to themselves."""
    game = await make_game(db, clock, guild)
    tid = await make_tournament(db, clock, guild, game)
    alice = new_id()
    with pytest.raises(InvalidInput) as caught:
        await services.registration.register(player(guild, alice), tid)
    message = caught.value.message
    assert f"<@{alice}>" not in message and "Riot ID" in message
    assert message.startswith("You have not set your Riot ID for ")
    assert await count_rows(db, Registration, Registration.tournament_id == tid) == 0


async def test_other_guilds_tournament_is_not_found(services: Services, db, clock, guild, new_id):
    game = await make_game(db, clock, guild)
    tid = await make_tournament(db, clock, guild, game)
    with pytest.raises(NotFound):
        await services.registration.register(player(new_id(), new_id()), tid)


# --- custom fields -----------------------------------------------------------------------


async def test_custom_fields_are_prefilled_validated_and_stored(
    services: Services, db: Database, clock, guild, new_id
) -> None:
    game = await make_game(db, clock, guild)
    tid = await make_tournament(db, clock, guild, game)
    await add_fields(db, tid)
    alice, bob = new_id(), new_id()
    await set_ids(services, guild, game, alice)

    form = await services.registration.prepare(player(guild, alice), tid)
    assert [f.key for f in form.fields] == ["ingame_id", "region"]
    assert form.prefill == {"ingame_id": f"Player#{alice % 10000}"}
    # Without a profile the modal still opens (it asks for the id), just not prefilled.
    assert (await services.registration.prepare(player(guild, bob), tid)).prefill == {}

    with pytest.raises(InvalidInput) as caught:
        await services.registration.register(
            player(guild, alice), tid, answers={"ingame_id": "Alice#1", "region": "Mars"}
        )
    assert "Region" in caught.value.message
    assert await count_rows(db, Registration, Registration.tournament_id == tid) == 0

    view = await services.registration.register(
        player(guild, bob), tid, answers={"ingame_id": "Bob#2", "region": "eu"}
    )
    assert view.field_values == {"ingame_id": "Bob#2", "region": "EU"}
    assert view.members[0].ingame_id == "Bob#2"


# --- the waitlist ------------------------------------------------------------------------


async def test_full_tournament_waitlists_and_promotes_oldest_first(
    services: Services, db: Database, clock, guild, new_id
) -> None:
    game = await make_game(db, clock, guild)
    tid = await make_tournament(db, clock, guild, game, max_participants=2, fee_coins=50)
    a, b, c, d = (new_id() for _ in range(4))
    await set_ids(services, guild, game, a, b, c, d)
    views = [await services.registration.register(player(guild, u), tid) for u in (a, b, c, d)]
    assert [v.status for v in views] == [RS.AWAITING_PAYMENT] * 2 + [RS.WAITLISTED] * 2
    assert [v.waitlist_position for v in views] == [None, None, 1, 2]
    assert (await outbox_types(db, guild)).count("registration.tournament_full") == 1

    withdrawn = (await services.registration.unregister(player(guild, b), tid)).registration
    assert withdrawn.status == RS.WITHDRAWN and withdrawn.members == ()
    promoted = await services.registration.registration_for(tid, c)
    assert promoted.status == RS.AWAITING_PAYMENT and promoted.waitlist_position is None
    assert (await services.registration.registration_for(tid, d)).waitlist_position == 1
    assert await services.registration.registration_for(tid, b) is None
    assert "registration.waitlist_promoted" in await outbox_types(db, guild)

    # The withdrawn player may come back, at the end of the waitlist.
    again = await services.registration.register(player(guild, b), tid)
    assert again.status == RS.WAITLISTED and again.waitlist_position == 2
    listed = await services.registration.list(tid, statuses=[RS.WAITLISTED])
    assert [v.user_id for v in listed] == [d, b]


async def test_disqualification_promotes_and_bars_the_player(
    services: Services, db: Database, clock, guild, new_id
) -> None:
    game = await make_game(db, clock, guild)
    tid = await make_tournament(db, clock, guild, game, max_participants=1)
    a, b = new_id(), new_id()
    await set_ids(services, guild, game, a, b)
    first = await services.registration.register(player(guild, a), tid)
    await services.registration.register(player(guild, b), tid)
    with pytest.raises(PermissionDenied):
        await services.registration.remove(player(guild, b), first.id, RS.DISQUALIFIED, "x")
    assert (await services.registration.get(first.id)).status == RS.CONFIRMED

    await services.registration.remove(
        organizer(guild, new_id()), first.id, RS.DISQUALIFIED, "Cheating"
    )
    assert (await services.registration.registration_for(tid, b)).status == RS.CONFIRMED
    with pytest.raises(Conflict) as caught:
        await services.registration.register(player(guild, a), tid)
    assert "disqualified" in caught.value.message


async def test_unregister_is_refused_once_live(services: Services, db, clock, guild, new_id):
    game = await make_game(db, clock, guild)
    tid = await make_tournament(db, clock, guild, game)
    alice = new_id()
    await set_ids(services, guild, game, alice)
    view = await services.registration.register(player(guild, alice), tid)
    with pytest.raises(NotFound):
        await services.registration.unregister(player(guild, new_id()), tid)
    async with db.transaction() as session:
        (await session.get(Tournament, tid)).status = "live"
    with pytest.raises(Conflict) as caught:
        await services.registration.unregister(player(guild, alice), tid)
    assert "already started" in caught.value.message
    assert (await services.registration.get(view.id)).status == RS.CONFIRMED


# --- fee waivers and rankings --------------------------------------------------------------


async def test_top_ranked_players_register_without_a_fee(
    services: Services, db: Database, clock, guild, new_id
) -> None:
    game = await make_game(db, clock, guild)
    tid = await make_tournament(db, clock, guild, game, fee_minor=10000, waiver_top_n=2)
    star, strong, rated, unranked = (new_id() for _ in range(4))
    await set_ids(services, guild, game, star, strong, rated, unranked)
    async with db.transaction() as session:
        session.add_all(
            Ranking(
                guild_id=guild,
                game_id=game,
                subject_type="player",
                subject_id=uid,
                rating=rating,
                matches_played=3,
                updated_at=clock.now(),
            )
            for uid, rating in ((star, 1400), (strong, 1900), (rated, 1800))
        )
    org = organizer(guild, new_id())
    # The organizer-set rank comes before any rating.
    await services.registration.set_manual_rank(org, game, "player", star, 1)

    views = {
        uid: await services.registration.register(player(guild, uid), tid)
        for uid in (star, strong, rated, unranked)
    }
    assert views[star].status == RS.CONFIRMED
    assert views[star].fee_waived_reason == "Fee waived: ranked #1 in Valorant"
    assert views[strong].fee_waived_reason == "Fee waived: ranked #2 in Valorant"
    assert views[rated].status == RS.AWAITING_PAYMENT and views[rated].fee_waived_reason is None
    assert views[unranked].status == RS.AWAITING_PAYMENT


async def test_manual_rank_needs_an_organizer_and_a_valid_rank(
    services: Services, db: Database, clock, guild, new_id
) -> None:
    game = await make_game(db, clock, guild)
    alice = new_id()
    with pytest.raises(PermissionDenied):
        await services.registration.set_manual_rank(player(guild, alice), game, "player", alice, 1)
    with pytest.raises(InvalidInput):
        await services.registration.set_manual_rank(organizer(guild, 1), game, "player", alice, 0)
    assert await count_rows(db, Ranking, Ranking.guild_id == guild) == 0
    async with db.transaction() as session:
        session.add(
            GuildSettings(
                guild_id=guild,
                organizer_role_id=77,
                timezone="UTC",
                coin_name="coins",
                created_at=clock.now(),
                updated_at=clock.now(),
            )
        )
    by_role = Actor(user_id=new_id(), guild_id=guild, role_ids=frozenset({77}))
    ranked = await services.registration.set_manual_rank(by_role, "valorant", "player", alice, 3)
    assert ranked.manual_rank == 3 and ranked.rating == 1500
    assert (await services.profiles.show(guild, alice)).entries[0].manual_rank == 3
    await services.registration.set_manual_rank(by_role, game, "player", alice, None)
    assert (await services.profiles.show(guild, alice)).entries[0].manual_rank is None
    assert await count_rows(db, Ranking, Ranking.guild_id == guild) == 1


async def test_registration_members_are_unique_per_tournament(db: Database, clock, guild, new_id):
    """The database itself refuses a second membership (the race backstop)."""
    from sqlalchemy.exc import IntegrityError

    game = await make_game(db, clock, guild)
    tid = await make_tournament(db, clock, guild, game)
    uid = new_id()
    with pytest.raises(IntegrityError):
        async with db.transaction() as session:
            for _ in range(2):
                reg = Registration(
                    tournament_id=tid,
                    guild_id=guild,
                    user_id=uid,
                    display_name="x",
                    status="confirmed",
                    field_values={},
                    created_at=clock.now(),
                    updated_at=clock.now(),
                )
                session.add(reg)
                await session.flush()
                session.add(
                    RegistrationMember(registration_id=reg.id, tournament_id=tid, user_id=uid)
                )
                await session.flush()


# --- team entries ------------------------------------------------------------------------


async def _team(services: Services, guild_id: int, name: str, tag: str, captain: int, *members):
    team = await services.teams.create(player(guild_id, captain), name, tag)
    for member in members:
        invite = await services.teams.invite(player(guild_id, captain), team.id, member)
        await services.teams.answer_invite(player(guild_id, member), invite.id, True)
    return team


async def test_team_registration_and_its_refusals(
    services: Services, db: Database, clock, guild, new_id
) -> None:
    game = await make_game(db, clock, guild, sizes=(2, 4))
    tid = await make_tournament(db, clock, guild, game, team_size=3)
    cap, a, b, late = (new_id() for _ in range(4))
    team = await _team(services, guild, "Night Owls", "OWL", cap, a)
    await set_ids(services, guild, game, cap, a, b)
    reg = services.registration

    async def refused(error, actor_id, **kwargs):
        with pytest.raises(error) as caught:
            await reg.register(player(guild, actor_id), tid, **kwargs)
        assert await count_rows(db, Registration, Registration.tournament_id == tid) == 0
        assert (
            await count_rows(db, RegistrationMember, RegistrationMember.tournament_id == tid) == 0
        )
        return caught.value.message

    assert "team tournament" in await refused(InvalidInput, cap)
    message = await refused(PermissionDenied, a, team_id=team.id)
    assert message == f"Only the captain of Night Owls, <@{cap}>, can register it for Winter Cup."
    assert "needs teams of 3" in await refused(InvalidInput, cap, team_id=team.id)

    for member in (b, late):
        invite = await services.teams.invite(player(guild, cap), team.id, member)
        await services.teams.answer_invite(player(guild, member), invite.id, True)
    message = await refused(InvalidInput, cap, team_id=team.id)
    assert f"<@{late}>" in message and f"<@{b}>" not in message and "/profile set" in message

    await set_ids(services, guild, game, late)
    view = await reg.register(player(guild, cap), tid, team_id=team.id)
    assert view.status == RS.CONFIRMED and view.display_name == "[OWL] Night Owls"
    assert set(view.member_ids) == {cap, a, b, late} and view.team_id == team.id
    assert (await reg.registration_for(tid, late)).id == view.id

    # A member already in a registered team cannot play for another team.
    rival = await _team(services, guild, "Red Foxes", "FOX", new_id(), late, new_id())
    rival_view = await services.teams.roster(rival.id)
    await set_ids(services, guild, game, *rival_view.member_ids)
    with pytest.raises(Conflict) as caught:
        await reg.register(player(guild, rival.captain_id), tid, team_id=rival.id)
    assert caught.value.message == (
        f"<@{late}> is already registered for Winter Cup with [OWL] Night Owls. A player can be "
        "in only one entry per tournament: they must leave that entry first."
    )
    assert await count_rows(db, Registration, Registration.tournament_id == tid) == 1
    with pytest.raises(Conflict):
        await reg.register(player(guild, cap), tid, team_id=team.id)

    # Only the captain withdraws the team; then its players are free again.
    with pytest.raises(PermissionDenied):
        await reg.unregister(player(guild, a), tid)
    await reg.unregister(player(guild, cap), tid)
    assert await count_rows(db, RegistrationMember, RegistrationMember.tournament_id == tid) == 0
    assert (await reg.register(player(guild, rival.captain_id), tid, team_id=rival.id)).team_id


async def test_withdrawal_refunds_coins_paid(
    services: Services, db: Database, clock, guild, new_id
) -> None:
    game = await make_game(db, clock, guild)
    tid = await make_tournament(db, clock, guild, game, fee_coins=50)
    alice = new_id()
    await set_ids(services, guild, game, alice)
    org = organizer(guild, new_id())
    await services.ledger.grant(org, guild, alice, 80, "Welcome bonus", f"grant:{alice}")
    await services.registration.register(player(guild, alice), tid)
    await services.payments.pay_with_coins(player(guild, alice), tid)
    assert (await services.registration.registration_for(tid, alice)).status == RS.CONFIRMED
    assert await services.ledger.balance(guild, alice) == 30

    released = await services.registration.unregister(player(guild, alice), tid)

    assert released.registration.status == RS.WITHDRAWN and released.refunded_payments == 1
    assert await services.ledger.balance(guild, alice) == 80
    assert "registration.withdrawn" in await outbox_types(db, guild)
