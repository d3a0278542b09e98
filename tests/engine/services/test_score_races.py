"""Concurrent reports and clicks are settled by the database, on SQLite and PostgreSQL.

Every call runs in its own transaction (its own session), started together with
``asyncio.gather``; the match must complete once and the bracket advance once.
"""

from __future__ import annotations

import asyncio

from engine.kernel.errors import Conflict, DomainError
from engine.services import Services
from storage.models import MatchReport
from tests.engine.services.test_scores import make_arena


async def test_both_sides_report_the_same_score_at_the_same_instant(
    services: Services, new_id
) -> None:
    arena = await make_arena(services, new_id, best_of=3)
    match = (await arena.ready())[0]
    side_a, side_b = arena.sides(match)
    outcomes = await asyncio.gather(
        arena.scores.report_score(side_a, mine=2, theirs=1, match_id=match.id),
        arena.scores.report_score(side_b, mine=1, theirs=2, match_id=match.id),
    )
    assert sorted(o.state for o in outcomes) == ["awaiting_confirmation", "completed"]
    decided = await arena.match(match.id)
    assert (decided.status, decided.score_a, decided.score_b) == ("completed", 2, 1)
    assert [a["match"] for a in await arena.actions()] == [match.code]
    events = await arena.events()
    assert events.count("match.completed") == 1 and events.count("score.confirmed") == 1
    assert await arena.count(MatchReport, MatchReport.match_id == match.id) == 2


async def test_twenty_concurrent_confirm_clicks_complete_once(services: Services, new_id) -> None:
    arena = await make_arena(services, new_id, best_of=3)
    match = (await arena.ready())[0]
    side_a, side_b = arena.sides(match)
    report = (await arena.scores.report_score(side_a, mine=2, theirs=0, match_id=match.id)).report
    assert report is not None
    results = await asyncio.gather(
        *(arena.scores.confirm_report(side_b, report.id) for _ in range(20)),
        return_exceptions=True,
    )
    done = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(done) == 1 and done[0].state == "completed"
    assert len(refused) == 19 and all(isinstance(e, Conflict) for e in refused), refused
    assert all("already final" in str(e) for e in refused)
    assert [a["match"] for a in await arena.actions()] == [match.code]
    assert (await arena.events()).count("match.completed") == 1


async def test_one_side_submitting_twenty_reports_at_once_stores_one(
    services: Services, new_id
) -> None:
    arena = await make_arena(services, new_id, best_of=3)
    match = (await arena.ready())[0]
    side_a, _ = arena.sides(match)
    results = await asyncio.gather(
        *(
            arena.scores.report_score(side_a, mine=2, theirs=1, match_id=match.id)
            for _ in range(20)
        ),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(
        isinstance(r, DomainError) and "already reported" in str(r)
        for r in results
        if isinstance(r, BaseException)
    )
    assert await arena.count(MatchReport, MatchReport.match_id == match.id) == 1
    assert (await arena.events()).count("score.reported") == 1
    assert (await arena.match(match.id)).status == "pending_result"
