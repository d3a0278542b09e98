"""Leaderboards, player and team records, head-to-head and badge progress, read from
tournaments played to the end through the real bracket services."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import update

from engine.entries import START_RATING
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from engine.services import Services
from engine.stats import PROVISIONAL_MATCHES, Board, board_picture, player_picture
from storage.models import Registration, Team, TeamMember, Tournament
from testkit.factories import Event, make_event
from tests.engine.services.test_certificates import finished_event, play_chalk


async def rematch(services: Services, event: Event, new_id) -> Event:  # type: ignore[no-untyped-def]
    """The same players again, in the same game, played to the end (seeds as before)."""
    second = await make_event(
        services,
        new_id,
        organizer=event.organizer,
        entrants=[(user, f"Player {index + 1}") for index, user in enumerate(event.users)],
    )
    async with services.ctx.unit_of_work() as uow:  # same game, so ratings accumulate
        await uow.session.execute(
            update(Tournament)
            .where(Tournament.id == second.tournament_id)
            .values(game_id=event.game_id)
        )
    await services.brackets.start(event.organizer, second.tournament_id, seed=5)
    await play_chalk(services, second)
    return second


async def test_rating_board_orders_by_elo_and_finds_your_rank(services: Services, new_id) -> None:
    event = await finished_event(services, new_id, players=4)
    champion, fourth = event.users[0], event.users[3]
    board = await services.leaderboards.leaderboard(event.guild_id, event.game_id, viewer_id=fourth)
    assert board.board is Board.RATING and board.subject_type == "player"
    assert board.ranked == 4
    assert board.rows[0].subject_id == champion and board.rows[0].name == "Player 1"
    assert board.rows[0].value > START_RATING > board.rows[-1].value
    assert [r.rank for r in board.rows] == sorted(r.rank for r in board.rows)
    assert all(r.provisional for r in board.rows)  # 1-2 matches < PROVISIONAL_MATCHES
    assert board.yours is not None and board.yours.subject_id == fourth
    assert board.yours.rank == next(r.rank for r in board.rows if r.subject_id == fourth)
    stranger = await services.leaderboards.leaderboard(
        event.guild_id, event.game_id, viewer_id=new_id()
    )
    assert stranger.yours is None


async def test_titles_podiums_and_a_season_window(services: Services, new_id) -> None:
    event = await finished_event(services, new_id, players=4)
    await rematch(services, event, new_id)
    champion = event.users[0]
    titles = await services.leaderboards.leaderboard(
        event.guild_id, event.game_id, board="titles", viewer_id=event.users[1]
    )
    assert [(r.subject_id, r.value) for r in titles.rows] == [(champion, 2)]
    assert titles.yours is None  # the runner-up holds no title
    podiums = await services.leaderboards.leaderboard(
        event.guild_id, event.game_id, board="podiums"
    )
    assert {r.value for r in podiums.rows} == {2}  # four entrants: every one on the podium
    now = services.clock.now()
    season = await services.leaderboards.add_season(
        event.organizer,
        event.guild_id,
        "Winter 2026",
        now - timedelta(days=1),
        now + timedelta(days=1),
    )
    seasonal = await services.leaderboards.leaderboard(
        event.guild_id, event.game_id, season_id=season.id, viewer_id=champion
    )
    assert seasonal.season is not None and seasonal.season.name == "Winter 2026"
    all_time = await services.leaderboards.leaderboard(event.guild_id, event.game_id)
    # Every rated match fell inside the season: the season ratings equal the all-time ones.
    assert [(r.subject_id, r.value) for r in seasonal.rows] == [
        (r.subject_id, r.value) for r in all_time.rows
    ]
    past = await services.leaderboards.add_season(
        event.organizer,
        event.guild_id,
        "Autumn",
        now - timedelta(days=90),
        now - timedelta(days=30),
    )
    empty = await services.leaderboards.leaderboard(
        event.guild_id, event.game_id, board="titles", season_id=past.id
    )
    assert empty.rows == [] and empty.ranked == 0
    assert [s.name for s in await services.leaderboards.seasons(event.guild_id)] == [
        "Winter 2026",
        "Autumn",
    ]


async def test_bad_board_requests_are_refused(services: Services, new_id) -> None:
    event = await finished_event(services, new_id, players=2)
    boards = services.leaderboards
    with pytest.raises(InvalidInput, match="rating, titles or podiums"):
        await boards.leaderboard(event.guild_id, event.game_id, board="kills")
    with pytest.raises(InvalidInput, match="10 to 25"):
        await boards.leaderboard(event.guild_id, event.game_id, limit=40)
    with pytest.raises(NotFound):
        await boards.leaderboard(new_id(), event.game_id)  # another server's game
    with pytest.raises(NotFound):
        await boards.leaderboard(event.guild_id, event.game_id, season_id=10**9)
    now = services.clock.now()
    player = Actor(user_id=event.users[0], guild_id=event.guild_id)
    with pytest.raises(PermissionDenied):
        await boards.add_season(player, event.guild_id, "Mine", now, now + timedelta(days=3))
    with pytest.raises(InvalidInput, match="end after it starts"):
        await boards.add_season(event.organizer, event.guild_id, "Back", now, now)
    await boards.add_season(event.organizer, event.guild_id, "Once", now, now + timedelta(days=3))
    with pytest.raises(Conflict):
        await boards.add_season(
            event.organizer, event.guild_id, "Once", now, now + timedelta(days=3)
        )
    assert [s.name for s in await boards.seasons(event.guild_id)] == ["Once"]


async def test_player_record_history_and_badge_progress(services: Services, new_id) -> None:
    event = await finished_event(services, new_id, players=4)
    await services.badges.award_for_tournament(event.tournament_id)
    second = await rematch(services, event, new_id)
    await services.badges.award_for_tournament(second.tournament_id)
    champion, runner_up = event.users[0], event.users[1]
    stats = await services.stats.player(event.guild_id, champion)
    record = stats.record
    assert stats.name == "Player 1" and stats.game_name is not None
    assert (record.matches, record.wins, record.losses) == (4, 4, 0)
    assert record.win_rate == 1.0 and record.streak == "W4"
    assert record.map_difference == 4  # best of one: 1-0 four times
    assert (record.best_place, record.titles, record.podiums, record.tournaments) == (1, 2, 2, 2)
    assert len(record.rating_history) == 5 and record.rating_history[0] == START_RATING
    assert record.rating_history[-1] == record.rating
    assert record.provisional == (record.rated_matches < PROVISIONAL_MATCHES)
    assert [r.outcome for r in record.last_results] == ["W"] * 4
    assert record.last_results[0].tournament_name  # newest first, named
    assert {e.badge.key for e in stats.badges} >= {"champion", "undefeated"}
    progress = {p.badge.key: p for p in stats.progress}
    assert progress["champion"].earned
    loser = await services.stats.player(event.guild_id, event.users[3])
    assert loser.record.streak == "L2" and loser.record.wins == 0
    lost_champion = {p.badge.key: p for p in loser.progress}["champion"]
    assert not lost_champion.earned and lost_champion.text == "0 of 1 tournament wins"
    assert [p.earned for p in loser.progress] == sorted(p.earned for p in loser.progress)
    assert record.unbeaten == 2 and record.runner_ups == 0
    runner = await services.stats.player(event.guild_id, runner_up)
    assert runner.record.runner_ups == 2 and runner.record.unbeaten == 0
    unbeaten = {p.badge.key: p for p in runner.progress}["undefeated"]
    assert unbeaten.text == "0 of 1 tournaments without a loss"
    comeback = {p.badge.key: p for p in runner.progress}["comeback"]
    assert comeback.text == "not yet"
    # Cut to one game, the record follows the game; badge progress stays server-wide.
    one_game = await services.stats.player(event.guild_id, champion, event.game_id)
    assert one_game.progress == stats.progress

    h2h = await services.stats.head_to_head(event.guild_id, champion, runner_up)
    assert (h2h.first_wins, h2h.second_wins, h2h.draws) == (2, 0, 0)
    assert len(h2h.meetings) == 2 and h2h.second_name == "Player 2"
    with pytest.raises(InvalidInput):
        await services.stats.head_to_head(event.guild_id, champion, champion)

    nobody = await services.stats.player(event.guild_id, new_id())
    assert nobody.record.matches == 0 and nobody.record.rating_history == []


async def test_stats_pictures_decode(services: Services, new_id) -> None:
    event = await finished_event(services, new_id, players=4)
    board = await services.leaderboards.leaderboard(
        event.guild_id, event.game_id, viewer_id=event.users[2]
    )
    png = await services.stats_pictures.leaderboard(board)
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG" and image.width >= 600 and image.height > 200
    picture = board_picture(board)
    assert picture.lines[0].name == "Player 1" and any(line.highlight for line in picture.lines)
    stats = await services.stats.player(event.guild_id, event.users[0])
    card = await services.stats_pictures.player(stats)
    with Image.open(io.BytesIO(card)) as image:
        assert image.format == "PNG" and image.height > 300
    assert player_picture(stats).history == tuple(stats.record.rating_history)


async def test_team_record_and_team_board(services: Services, new_id) -> None:
    event = await make_event(services, new_id, players=4, team_size=2)
    team_ids = []
    async with services.ctx.unit_of_work() as uow:
        for index, registration_id in enumerate(event.registrations):
            team = Team(
                guild_id=event.guild_id,
                name=f"দল {index + 1}",
                tag=f"T{index + 1}",
                captain_id=event.users[index],
                created_at=services.clock.now(),
            )
            uow.session.add(team)
            await uow.session.flush()
            team_ids.append(team.id)
            uow.session.add(
                TeamMember(
                    team_id=team.id,
                    user_id=event.users[index],
                    role="captain",
                    joined_at=services.clock.now(),
                )
            )
            await uow.session.execute(
                update(Registration)
                .where(Registration.id == registration_id)
                .values(team_id=team.id)
            )
    await services.brackets.start(event.organizer, event.tournament_id, seed=3)
    await play_chalk(services, event)
    stats = await services.stats.team(event.guild_id, team_ids[0])
    assert stats.name == "দল 1" and stats.tag == "T1"
    assert (stats.record.wins, stats.record.losses, stats.record.titles) == (2, 0, 1)
    assert stats.record.rating is not None and stats.record.rating > START_RATING
    assert stats.record.rating_history[-1] == stats.record.rating
    board = await services.leaderboards.leaderboard(
        event.guild_id, event.game_id, viewer_id=event.users[0]
    )
    assert board.subject_type == "team" and board.rows[0].name == "দল 1"
    assert board.yours is not None and board.yours.subject_id == team_ids[0]
    card = await services.stats_pictures.team(stats)
    assert card.startswith(b"\x89PNG")
    with pytest.raises(NotFound):
        await services.stats.team(new_id(), team_ids[0])
