"""The in-memory bracket cache: a result costs one action, and memory never disagrees
with the database (rollbacks, savepoints, another process writing, every format)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import insert, select, update

import engine.brackets.store as store
from engine.brackets import BracketCache, MatchState, apply_action, cache_of
from engine.formats import Bracket, MatchStatus, Result
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput
from engine.services import Services
from storage.models import BracketAction, BracketState
from testkit.factories import Event, make_event

OPEN = [MatchState.READY.value, MatchState.CHECKIN.value]
_REBUILD = store.rebuild


class Boom(Exception):
    """A failure after the bracket was changed in memory."""


@pytest.fixture
def replays(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the replays of the store (each one rebuilds a bracket from its log)."""
    calls: list[int] = []
    real = store.rebuild

    def counting(state: BracketState, actions: list[dict[str, Any]]) -> Bracket:
        calls.append(state.version)
        return real(state, actions)

    monkeypatch.setattr(store, "rebuild", counting)
    return calls


@dataclass
class Stored:
    """A bracket row and its action log, as stored."""

    row: BracketState
    actions: list[dict[str, Any]]

    @property
    def id(self) -> int:
        return self.row.id

    @property
    def version(self) -> int:
        return self.row.version

    def rebuild(self, rebuild: Callable[..., Bracket] = _REBUILD) -> Bracket:
        return rebuild(self.row, self.actions)


async def _stored(services: Services, tournament_id: int) -> Stored:
    async with services.db.read() as session:
        state = await session.scalar(
            select(BracketState).where(BracketState.tournament_id == tournament_id)
        )
        assert state is not None
        return Stored(state, await store.read_actions(session, state.id))


def _cache(services: Services) -> BracketCache:
    return cache_of(services.db.engine)


async def assert_consistent(services: Services, tournament_id: int, *, rows: bool = True) -> None:
    """Whatever is cached for the tournament is exactly the replay of the stored row, and
    (unless a test wrote the bracket row alone) the match rows mirror that replay."""
    state = await _stored(services, tournament_id)
    cached = _cache(services).peek(tournament_id, (state.id, state.version))
    if cached is not None:
        assert cached.to_dict() == state.rebuild(store.rebuild).to_dict()
    if not rows:
        return
    replayed = state.rebuild()  # not counted by the replays fixture
    # A result syncs only the matches it changed: none may be left stale.
    by_code = {m.code: m for m in await services.brackets.matches(tournament_id)}
    # (A row can outlive its engine match: a correction that drops a grand final reset.)
    assert set(replayed.matches) <= set(by_code)
    for code, match in replayed.matches.items():
        row = by_code[code]
        assert (row.registration_a_id, row.registration_b_id) == match.participants, code
        completed = match.status is MatchStatus.COMPLETED
        assert (row.status == MatchState.COMPLETED.value) == completed, code
        if completed:
            assert row.winner_registration_id == match.winner, code
            assert (row.score_a, row.score_b) == (match.scores or (None, None)), code
        elif match.status is not MatchStatus.READY:
            assert row.status == MatchState.SCHEDULED.value, code


def _winner_first(event: Event, a: int | None, b: int | None, rng: random.Random) -> bool:
    seeds = {r: i for i, r in enumerate(event.registrations)}
    chalk = seeds.get(a, 0) < seeds.get(b, 0)
    return chalk if rng.random() < 0.8 else not chalk


async def _ready_result(services: Services, event: Event, rng: random.Random) -> Result | None:
    ready = await services.brackets.matches(event.tournament_id, statuses=OPEN)
    if not ready:
        return None
    match = rng.choice(ready)
    wins = match.best_of // 2 + 1
    first = _winner_first(event, match.registration_a_id, match.registration_b_id, rng)
    return Result(match.code, (wins, 0) if first else (0, wins))


async def _play_one(services: Services, event: Event, result: Result) -> None:
    await services.brackets.apply(event.organizer, event.tournament_id, result)


async def test_results_replay_nothing_after_the_start(
    services: Services, new_id: Callable[[], int], replays: list[int]
) -> None:
    event = await make_event(services, new_id, format="double_elim", players=8)
    await services.brackets.start(event.organizer, event.tournament_id, seed=3)
    rng = random.Random(1)
    while (result := await _ready_result(services, event, rng)) is not None:
        await _play_one(services, event, result)
    assert replays == []
    assert (await services.tournaments.get(event.tournament_id)).status == "completed"


async def test_report_then_confirm_replays_nothing(
    services: Services, new_id: Callable[[], int], replays: list[int]
) -> None:
    event = await make_event(services, new_id, format="single_elim", players=4)
    await services.brackets.start(event.organizer, event.tournament_id, seed=3)
    users = dict(zip(event.registrations, event.users, strict=True))
    [match, *_] = await services.brackets.matches(event.tournament_id, statuses=OPEN)
    first = Actor(user_id=users[match.registration_a_id], guild_id=event.guild_id)
    second = Actor(user_id=users[match.registration_b_id], guild_id=event.guild_id)
    with pytest.raises(InvalidInput):  # the dry run still refuses what the engine refuses
        await services.scores.report_score(first, mine=2, theirs=0, match_id=match.id)
    outcome = await services.scores.report_score(first, mine=1, theirs=0, match_id=match.id)
    await services.scores.confirm_report(second, outcome.report.id)
    assert replays == []
    await assert_consistent(services, event.tournament_id)


async def test_a_failure_after_the_bracket_changed_leaves_memory_as_stored(
    services: Services,
    new_id: Callable[[], int],
    replays: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    event = await make_event(services, new_id, format="double_elim", players=8)
    await services.brackets.start(event.organizer, event.tournament_id, seed=3)
    rng = random.Random(2)
    result = await _ready_result(services, event, rng)
    assert result is not None

    async def failing(*_: Any) -> None:
        raise Boom  # after the bracket, the row and the match rows have changed

    with monkeypatch.context() as patch:
        patch.setattr(store, "update_ratings", failing)
        with pytest.raises(Boom):
            await _play_one(services, event, result)
    before = await _stored(services, event.tournament_id)
    assert before.actions == [] and before.version == 1
    await assert_consistent(services, event.tournament_id)
    await _play_one(services, event, result)  # the same result, now for real
    assert len(replays) == 1  # the changed bracket was never put back: one replay
    after = await _stored(services, event.tournament_id)
    assert after.actions == [result.to_dict()]
    await assert_consistent(services, event.tournament_id)


async def test_a_rolled_back_savepoint_is_not_cached(
    services: Services, new_id: Callable[[], int]
) -> None:
    event = await make_event(services, new_id, format="single_elim", players=8)
    await services.brackets.start(event.organizer, event.tournament_id, seed=3)
    rng = random.Random(3)
    undone = await _ready_result(services, event, rng)
    assert undone is not None
    async with services.ctx.unit_of_work() as uow:
        with pytest.raises(Boom):
            async with uow.session.begin_nested():
                await apply_action(uow, event.tournament_id, undone, actor_id=None)
                raise Boom
    state = await _stored(services, event.tournament_id)
    assert (state.version, state.actions) == (1, [])
    assert _cache(services).peek(event.tournament_id, (state.id, 2)) is None
    other = await _ready_result(services, event, random.Random(4))
    assert other is not None
    await _play_one(services, event, other)
    state = await _stored(services, event.tournament_id)
    assert state.actions == [other.to_dict()]
    await assert_consistent(services, event.tournament_id)


async def test_a_version_written_by_another_process_forces_a_replay(
    services: Services, new_id: Callable[[], int], replays: list[int]
) -> None:
    event = await make_event(services, new_id, format="single_elim", players=8)
    await services.brackets.start(event.organizer, event.tournament_id, seed=3)
    ready = await services.brackets.matches(event.tournament_id, statuses=OPEN)
    elsewhere, here = (Result(m.code, (1, 0)) for m in ready[:2])
    state = await _stored(services, event.tournament_id)
    async with services.db.transaction() as session:  # the other process's commit
        await session.execute(
            update(BracketState)
            .where(BracketState.id == state.id)
            .values(version=state.version + 1)
        )
        await session.execute(
            insert(BracketAction).values(bracket_id=state.id, seq=0, action=elsewhere.to_dict())
        )
    await _play_one(services, event, here)
    assert replays == [state.version + 1]
    stored = await _stored(services, event.tournament_id)
    assert stored.actions == [elsewhere.to_dict(), here.to_dict()]
    # The stand-in for the other process wrote the bracket row but not its match rows.
    await assert_consistent(services, event.tournament_id, rows=False)


def test_the_cache_is_bounded_by_tournament() -> None:
    cache = BracketCache(max_tournaments=2)
    brackets = [object() for _ in range(3)]
    for tournament_id, bracket in enumerate(brackets):
        cache.put(tournament_id, (tournament_id, 1), bracket)  # type: ignore[arg-type]
    assert len(cache) == 2
    assert cache.peek(0, (0, 1)) is None  # the least recently used went first
    assert cache.peek(2, (2, 1)) is brackets[2]
    assert cache.peek(2, (2, 2)) is None  # another version is a miss
    assert cache.take(2, (2, 1)) is brackets[2]
    assert cache.peek(2, (2, 1)) is None  # taken out while it is being changed


FORMATS: list[tuple[str, int, dict[str, Any]]] = [
    ("single_elim", 8, {}),
    ("double_elim", 8, {"grand_final": "reset"}),
    ("round_robin", 5, {}),
    ("swiss", 8, {}),
    ("group_playoff", 8, {"groups": 2, "advance_per_group": 2}),
]


async def _step(services: Services, event: Event, rng: random.Random) -> bool:
    """One random move: a result, a refused score, a rolled-back result or a correction."""
    if (await services.tournaments.get(event.tournament_id)).status != "live":
        return False  # a correction can finish the bracket (a grand final reset dropped)
    result = await _ready_result(services, event, rng)
    if result is None:
        return False
    roll = rng.random()
    if roll < 0.1:
        with pytest.raises(InvalidInput):
            await _play_one(services, event, Result(result.match_id, (5, 0)))
    elif roll < 0.2:
        with pytest.raises(Boom):
            async with services.ctx.unit_of_work() as uow:
                await apply_action(uow, event.tournament_id, result, actor_id=None)
                raise Boom
    elif roll < 0.3:
        await _correct_some_result(services, event, rng)
    else:
        await _play_one(services, event, result)
    return True


async def _correct_some_result(services: Services, event: Event, rng: random.Random) -> None:
    done = await services.brackets.matches(event.tournament_id, statuses=["completed"])
    played = [m for m in done if m.outcome == "played"]
    if not played:
        return
    match = rng.choice(played)
    flipped = Result(match.code, (match.score_b, match.score_a))  # type: ignore[arg-type]
    try:
        async with services.ctx.unit_of_work() as uow:
            await store.correct_result(uow, event.tournament_id, flipped, actor_id=None)
    except Conflict:
        pass  # a later played match depends on it: refused, nothing changed


@pytest.mark.parametrize(("fmt", "players", "options"), FORMATS, ids=[f[0] for f in FORMATS])
@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_cached_brackets_equal_their_replay_in_every_format(
    services: Services,
    new_id: Callable[[], int],
    fmt: str,
    players: int,
    options: dict[str, Any],
    seed: int,
) -> None:
    event = await make_event(services, new_id, format=fmt, players=players, options=options)
    await services.brackets.start(event.organizer, event.tournament_id, seed=seed)
    rng = random.Random(seed)
    for _ in range(200):
        if not await _step(services, event, rng):
            break
        await assert_consistent(services, event.tournament_id)
    assert (await services.tournaments.get(event.tournament_id)).status == "completed"
    assert (await _stored(services, event.tournament_id)).row.completed_at is not None
