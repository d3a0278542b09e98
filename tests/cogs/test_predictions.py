"""Fan predictions through the fake Discord: the "who wins?" post and its buttons,
/predict match, the locks (LIVE, first report) and the player of a match refused."""

from __future__ import annotations

from sqlalchemy import select

from engine.services import Services
from storage.models import Prediction
from testkit.fakediscord import Member, Message, pings_of
from testkit.fakediscord.messages import Pings
from tests.cogs.conftest import Arena
from tests.cogs.match_day_helpers import (
    add_game,
    close_and_start,
    create_event,
    enter_players,
    more_players,
    run,
    set_up_server,
)

NOBODY = Pings(False, frozenset(), frozenset())


async def picks(services: Services, tournament_id: int) -> dict[tuple[int, int], int]:
    async with services.db.read() as session:
        rows = await session.scalars(
            select(Prediction).where(Prediction.tournament_id == tournament_id)
        )
        return {(p.match_id, p.user_id): p.registration_id for p in rows}


async def answer(arena: Arena, user: Member, post: Message, custom_id: str) -> tuple[bool, str]:
    reply = await (await arena.env.fake.click(user, post, custom_id)).answer()
    return reply.ephemeral, reply.content


async def test_fans_predict_with_buttons_and_predict_until_the_lock(arena: Arena) -> None:
    fake, services = arena.env.fake, arena.env.services
    await set_up_server(arena)
    game_id = await add_game(arena, "Valorant", 1)
    tid = await create_event(
        arena,
        game_id,
        "Pick'em Cup",
        format="single_elim",
        type="solo",
        max_participants=4,
        edits={"predictions": "yes", "match_checkin_minutes": "0"},
    )
    players = await more_players(arena, 4)
    registrations = await enter_players(arena, tid, game_id, players)
    member_of = dict(zip(registrations, players, strict=True))
    fan = await fake.add_member(arena.guild, "fan")
    await close_and_start(arena, tid)

    first, second = await services.brackets.matches(tid, statuses=["ready"])
    posts = {
        match.id: await fake.wait_for_message(
            lambda m, mid=match.id: (
                m.channel_id == arena.announcements.id and f"dc:predict:{mid}:0" in m.custom_ids()
            )
        )
        for match in (first, second)
    }
    assert "Who wins?" in posts[first.id].content and pings_of(posts[first.id]) == NOBODY

    # A fan picks the first match's side A with the button, and the second's side B by
    # /predict match; both answers are private.
    hidden, text = await answer(arena, fan, posts[first.id], f"dc:predict:{first.id}:0")
    assert hidden and "Saved" in text and first.code in text, text
    said = await run(arena, fan, "predict match", {"match": str(first.id), "winner": "1"})
    assert "Changed" in said, said
    said = await run(arena, fan, "predict match", {"match": str(second.id), "winner": "1"})
    assert "Saved" in said and second.code in said, said
    expected = {
        (first.id, fan.id): first.registration_b_id,
        (second.id, fan.id): second.registration_b_id,
    }
    assert await picks(services, tid) == expected

    # A player of the match is refused privately, and nothing changes.
    player = member_of[first.registration_a_id]  # type: ignore[index]
    hidden, text = await answer(arena, player, posts[first.id], f"dc:predict:{first.id}:0")
    assert hidden and "You play in match" in text, text
    assert await picks(services, tid) == expected

    # The organizer starts the first match: it is LIVE, and picks are locked.
    started = await run(
        arena, arena.organizer, "match start", {"tournament": str(tid), "match": first.code}
    )
    assert "LIVE" in started, started
    hidden, text = await answer(arena, fan, posts[first.id], f"dc:predict:{first.id}:0")
    assert hidden and "locked" in text and "being played" in text, text
    assert await picks(services, tid) == expected
    await arena.env.settle()
    locked = await fake.wait_for_message(
        lambda m: m.id == posts[first.id].id and not m.custom_ids()
    )
    assert "locked" in locked.content and "1 pick" in locked.content, locked.content
    # One post per match, edited in place rather than posted again.
    who_wins = [m for m in fake.messages_in(arena.announcements) if "Who wins?" in m.content]
    assert len(who_wins) == 1 and who_wins[0].id == posts[second.id].id

    # The second match gets its first report: locked too, for the button and the command.
    reporter = member_of[second.registration_a_id]  # type: ignore[index]
    reported = await run(arena, reporter, "report", {"my_score": 1, "their_score": 0})
    assert "Reported" in reported, reported
    refused = await run(arena, fan, "predict match", {"match": str(second.id), "winner": "0"})
    assert "locked" in refused and "already reported" in refused, refused
    assert await picks(services, tid) == expected


async def test_the_predictions_leaderboard_is_a_picture(arena: Arena) -> None:
    await set_up_server(arena)
    game_id = await add_game(arena, "Valorant", 1)
    tid = await create_event(
        arena, game_id, "Board Cup", format="single_elim", type="solo", max_participants=4
    )
    record = await arena.env.fake.slash(
        arena.players[0],
        "predict leaderboard",
        {"tournament": str(tid)},
        guild=arena.guild,
        channel=arena.announcements,
    )
    shown = await record.answer()
    assert "Predictions leaderboard" in shown.content, shown.content
    assert [f.filename for f in shown.files] == ["predictions.png"]
    rules = await run(arena, arena.players[0], "predict rules", {})
    assert "10 points" in rules, rules


async def test_the_best_predictors_are_paid_and_a_short_pool_is_told(arena: Arena) -> None:
    fake, services = arena.env.fake, arena.env.services
    await set_up_server(arena)
    game_id = await add_game(arena, "Valorant", 1)
    tid = await create_event(
        arena,
        game_id,
        "Reward Cup",
        format="single_elim",
        type="solo",
        max_participants=2,
        edits={
            "predictions": "yes",
            "prediction_rewards": "50/30",
            "match_checkin_minutes": "0",
        },
    )
    # A player may not fund the pool: refused privately, nothing moves.
    refused = await run(
        arena, arena.players[0], "predict fund", {"tournament": str(tid), "coins": 40}
    )
    assert "Only the organizers" in refused, refused
    assert await services.prediction_pool.balance(arena.guild.id, tid) == 0
    funded = await run(
        arena,
        arena.organizer,
        "predict fund",
        {"tournament": str(tid), "coins": 40, "from_wallet": False},
    )
    assert "now holds 40" in funded and "50/30" in funded, funded
    await enter_players(arena, tid, game_id, arena.players)
    fans = [await fake.add_member(arena.guild, name) for name in ("seer", "doubter")]
    await close_and_start(arena, tid)
    [final] = await services.brackets.matches(tid, statuses=["ready"])
    post = await fake.wait_for_message(lambda m: f"dc:predict:{final.id}:0" in m.custom_ids())
    for member, slot in zip(fans, (0, 1), strict=True):
        hidden, text = await answer(arena, member, post, f"dc:predict:{final.id}:{slot}")
        assert hidden and "Saved" in text, text
    done = await run(
        arena,
        arena.organizer,
        "match set-score",
        {"tournament": str(tid), "match": final.code, "first_score": 1, "second_score": 0},
    )
    assert "Score set" in done, done
    await arena.env.settle()
    # The pool holds 40, the seer won 50: nothing is paid, the owner is told.
    told = await fake.wait_for_message(
        lambda m: m.channel_id == fake.dm_channel(arena.organizer).id and "was short" in m.content
    )
    assert f"<@{fans[0].id}>" in told.content and "/predict payout" in told.content, told.content
    assert await services.ledger.balance(arena.guild.id, fans[0].id) == 0
    assert await services.prediction_pool.balance(arena.guild.id, tid) == 40
    # Topped up, the organizer pays it; the server hears who won.
    await run(
        arena,
        arena.organizer,
        "predict fund",
        {"tournament": str(tid), "coins": 10, "from_wallet": False},
    )
    paid = await run(arena, arena.organizer, "predict payout", {"tournament": str(tid)})
    assert "Every predictions reward is paid" in paid, paid
    assert await services.ledger.balance(arena.guild.id, fans[0].id) == 50
    assert await services.ledger.balance(arena.guild.id, fans[1].id) == 0
    final_word = await fake.wait_for_message(
        lambda m: m.channel_id == arena.announcements.id and "are final" in m.content
    )
    assert f"<@{fans[0].id}>" in final_word.content and not pings_of(final_word).user_ids
    again = await run(arena, arena.organizer, "predict payout", {"tournament": str(tid)})
    assert "Nobody is waiting" in again, again
