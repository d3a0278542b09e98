"""Match day end to end through the real discord.py client and the fake Discord.

Everything a server does on a tournament day, in the order it does it: /setup, /game add,
/tournament create → edit → publish → open, /profile set and /register (teams: /team
create, invite and the Accept button), /tournament close and start, then every match from
its thread — check in, report, confirm — until the podium is announced. The double
elimination events also meet a no-show (the check-in deadline forfeits the absent side), a
score mismatch settled in its dispute thread, and an organizer override.
"""

from __future__ import annotations

from cogs._safe import user_text
from engine.brackets import MatchState
from tests.cogs.conftest import Arena
from tests.cogs.match_day_helpers import (
    MatchDay,
    add_game,
    close_and_start,
    create_event,
    enter_players,
    enter_team,
    more_players,
    placings,
    podium,
    set_up_server,
)


async def assert_incidents(arena: Arena, day: MatchDay, override: str) -> None:
    """The no-show was a forfeit, the dispute thread closed with its outcome, and the
    organizer's override is in the audit log."""
    services = arena.env.services
    no_show = await services.brackets.get_match(day.seen["no_show"])
    assert no_show.outcome == "forfeit" and no_show.status == "completed"
    assert no_show.winner_registration_id == day.sides(no_show)[0]

    disputed = await services.brackets.get_match(day.seen["dispute"])
    assert disputed.status == "completed" and disputed.outcome == "played"
    assert disputed.winner_registration_id == day.sides(disputed)[0]
    thread = day.dispute_thread
    assert thread is not None and thread.locked and thread.archived
    outcome = await arena.env.fake.wait_for_message(
        lambda m: m.channel_id == thread.id and "resolved by" in m.content
    )
    assert f"<@{arena.organizer.id}>" in outcome.content
    assert "The end screen shows the first seed won." in outcome.content

    [entry] = await services.audit.recent(arena.guild.id, action_prefix=override)
    assert entry.actor_id == arena.organizer.id
    overridden = await services.brackets.get_match(day.seen[override.removeprefix("match.")])
    assert entry.target_id == str(overridden.id)
    assert entry.after is not None
    assert entry.after["winner_registration_id"] == day.sides(overridden)[0]


async def test_eight_players_double_elimination_to_a_champion(arena: Arena) -> None:
    services = arena.env.services
    players = await more_players(arena, 8)
    await set_up_server(arena)
    game = await add_game(arena, "Valorant", 1)
    tid = await create_event(
        arena,
        game,
        "Crown Cup",
        format="double_elim",
        type="solo",
        max_participants=8,
        best_of=3,
        edits={"match_checkin_minutes": "30"},
    )
    entries = await enter_players(arena, tid, game, players)
    await close_and_start(arena, tid)

    day = MatchDay(
        arena,
        tid,
        ranks={r: rank for rank, r in enumerate(entries)},
        members={r: [p] for r, p in zip(entries, players, strict=True)},
        incidents={0: "no_show", 1: "dispute", 2: "set_score"},
    )
    await day.play_to_the_end()

    assert day.visits == 7 + 6 + 1  # winners, losers, one grand final (the winner stayed 0-loss)
    places = await placings(services, tid)
    assert places[entries[0]] == 1 and places[entries[1]] == 2
    announced = await podium(arena)
    assert f"🥇 <@{players[0].id}>" in announced.content
    assert f"🥈 <@{players[1].id}>" in announced.content
    await assert_incidents(arena, day, "match.set_score")
    await arena.env.settle()


async def test_four_teams_of_two_double_elimination_to_a_champion(arena: Arena) -> None:
    services = arena.env.services
    players = await more_players(arena, 8)
    rosters = [(players[i], players[i + 1]) for i in range(0, 8, 2)]
    await set_up_server(arena)
    game = await add_game(arena, "Rocket League", 2)
    tid = await create_event(
        arena,
        game,
        "Duo Cup",
        format="double_elim",
        type="team",
        max_participants=4,
        best_of=3,
        # A winners-bracket DQ drops the team to the losers bracket instead of removing it.
        match_checkin=15,  # the default, said at create
        edits={"dq_to_losers": "yes"},
    )
    entries = [
        await enter_team(arena, tid, game, f"Squad {i}", f"SQ{i}", list(roster))
        for i, roster in enumerate(rosters)
    ]
    await close_and_start(arena, tid)

    day = MatchDay(
        arena,
        tid,
        ranks={r: rank for rank, r in enumerate(entries)},
        members={r: list(roster) for r, roster in zip(entries, rosters, strict=True)},
        incidents={0: "no_show", 1: "dispute", 2: "dq"},
    )
    await day.play_to_the_end()

    places = await placings(services, tid)
    assert places[entries[0]] == 1
    champion = await services.registration.get(entries[0])
    announced = await podium(arena)
    assert f"🥇 **{user_text(champion.display_name)}**" in announced.content
    dq_match = await services.brackets.get_match(day.seen["dq"])
    assert (dq_match.side, dq_match.outcome) == ("winners", "forfeit")
    dropped = await services.registration.get(day.sides(dq_match)[1])
    assert dropped.status == "confirmed" and places[dropped.id] > 1  # played on, lost later
    await assert_incidents(arena, day, "match.dq")
    await arena.env.settle()


async def test_swiss_of_eight_entered_by_the_organizer(arena: Arena) -> None:
    services = arena.env.services
    players = await more_players(arena, 8)
    await set_up_server(arena)
    game = await add_game(arena, "Chess", 1)
    tid = await create_event(
        arena, game, "Swiss Open", format="swiss", type="solo", max_participants=8, swiss_rounds=3
    )
    entries = await enter_players(arena, tid, game, players)
    await close_and_start(arena, tid)

    day = MatchDay(
        arena,
        tid,
        ranks={r: rank for rank, r in enumerate(entries)},
        members={r: [p] for r, p in zip(entries, players, strict=True)},
        by_organizer=True,
    )
    await day.play_to_the_end()

    assert day.visits == 12  # 3 rounds of 4 pairings
    places = await placings(services, tid)
    assert places[entries[0]] == 1 and sorted(places) == sorted(entries)
    assert f"🥇 <@{players[0].id}>" in (await podium(arena)).content
    await arena.env.settle()


async def test_groups_and_playoff_of_eight_reported_by_the_players(arena: Arena) -> None:
    services = arena.env.services
    players = await more_players(arena, 8)
    await set_up_server(arena)
    game = await add_game(arena, "Tekken", 1)
    tid = await create_event(
        arena,
        game,
        "Group Brawl",
        format="group_playoff",
        type="solo",
        max_participants=8,
        groups=2,
        advance_per_group=2,
        match_checkin=15,  # the default, said at create
    )
    entries = await enter_players(arena, tid, game, players)
    await close_and_start(arena, tid)

    day = MatchDay(
        arena,
        tid,
        ranks={r: rank for rank, r in enumerate(entries)},
        members={r: [p] for r, p in zip(entries, players, strict=True)},
    )
    await day.play_to_the_end()

    assert day.visits == 2 * 6 + 3  # two round robins of four, then a four-player playoff
    places = await placings(services, tid)
    assert places[entries[0]] == 1 and places[entries[1]] == 2
    assert f"🥇 <@{players[0].id}>" in (await podium(arena)).content
    await arena.env.settle()


async def test_no_show_notice_reaches_the_thread(arena: Arena) -> None:
    players = arena.players
    await set_up_server(arena)
    game = await add_game(arena, "Valorant", 1)
    tid = await create_event(
        arena,
        game,
        "Quick Cup",
        format="single_elim",
        type="solo",
        max_participants=2,
        edits={"match_checkin_minutes": "5"},
    )
    entries = await enter_players(arena, tid, game, players)
    await close_and_start(arena, tid)
    day = MatchDay(
        arena,
        tid,
        ranks={r: rank for rank, r in enumerate(entries)},
        members={r: [p] for r, p in zip(entries, players, strict=True)},
    )
    [match] = await arena.env.services.brackets.matches(tid, statuses=[MatchState.CHECKIN])
    thread, lobby = await day.thread_of(match)
    await day.check_in(match, thread, lobby, no_show=True)
    await arena.env.settle()  # every event so far went through the notifier (or failed)
    said = [m.content for m in arena.env.fake.messages_in(thread)]
    assert any(c.startswith(f"🚫 {players[1].user.username} did not check in") for c in said), said
