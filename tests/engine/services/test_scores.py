"""Score reports: report → confirm, double reports, refusals, organizer overrides."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from PIL import Image
from sqlalchemy import func, select

from engine.brackets import MatchView
from engine.brackets.store import read_actions
from engine.formats import Result
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from engine.matchday import DisputeService, ScoreService
from engine.services import Services
from storage.models import (
    AuditEntry,
    BracketState,
    Dispute,
    MatchReport,
    OutboxEvent,
    Registration,
    StoredFile,
    Tournament,
)
from testkit.factories import Event, make_event


@dataclass
class Arena:
    services: Services
    scores: ScoreService
    disputes: DisputeService
    event: Event
    outbox_start: int

    def player(self, index: int) -> Actor:
        return Actor(user_id=self.event.users[index], guild_id=self.event.guild_id)

    def index_of(self, registration_id: int | None) -> int:
        return self.event.registrations.index(registration_id)  # type: ignore[arg-type]

    def sides(self, match: MatchView) -> tuple[Actor, Actor]:
        return (
            self.player(self.index_of(match.registration_a_id)),
            self.player(self.index_of(match.registration_b_id)),
        )

    @property
    def organizer(self) -> Actor:
        return self.event.organizer

    async def ready(self) -> list[MatchView]:
        return await self.services.brackets.matches(self.event.tournament_id, statuses=["ready"])

    async def match(self, match_id: int) -> MatchView:
        return await self.services.brackets.get_match(match_id)

    async def events(self) -> list[str]:
        async with self.services.db.read() as session:
            rows = await session.scalars(
                select(OutboxEvent)
                .where(OutboxEvent.id > self.outbox_start)
                .order_by(OutboxEvent.id)
            )
            return [r.event_type for r in rows if r.payload.get("guild_id") == self.event.guild_id]

    async def audit_actions(self) -> list[str]:
        async with self.services.db.read() as session:
            rows = await session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.guild_id == self.event.guild_id)
                .order_by(AuditEntry.id)
            )
            return list(rows)

    async def actions(self) -> list[dict]:
        async with self.services.db.read() as session:
            state = await session.scalar(
                select(BracketState).where(BracketState.tournament_id == self.event.tournament_id)
            )
            return [] if state is None else await read_actions(session, state.id)

    async def count(self, model, *where) -> int:  # type: ignore[no-untyped-def]
        async with self.services.db.read() as session:
            return int(await session.scalar(select(func.count()).select_from(model).where(*where)))


async def make_arena(services: Services, new_id, **options) -> Arena:  # type: ignore[no-untyped-def]
    event = await make_event(services, new_id, **{"players": 4, **options})
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    async with services.db.read() as session:
        start = await session.scalar(select(func.max(OutboxEvent.id))) or 0
    return Arena(services, ScoreService(services.ctx), DisputeService(services.ctx), event, start)


def png_bytes(size: tuple[int, int] = (8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
async def arena(services: Services, new_id) -> Arena:  # type: ignore[no-untyped-def]
    return await make_arena(services, new_id, best_of=3)


async def test_report_then_confirm_completes_and_advances(arena: Arena) -> None:
    first, second = await arena.ready()
    side_a, side_b = arena.sides(first)
    # Side B reports "my 1, their 2": stored in slot order as 2–1.
    outcome = await arena.scores.report_score(
        side_b, mine=1, theirs=2, match_id=first.id, screenshot=png_bytes(), screenshot_name="s.png"
    )
    assert outcome.state == "awaiting_confirmation"
    assert outcome.match.status == "pending_result"
    assert outcome.report is not None
    assert (outcome.report.score_a, outcome.report.score_b) == (2, 1)
    assert outcome.report.screenshot_sha256 is not None
    assert await arena.count(StoredFile, StoredFile.sha256 == outcome.report.screenshot_sha256) == 1

    done = await arena.scores.confirm_report(side_a, outcome.report.id)
    assert done.state == "completed"
    decided = await arena.match(first.id)
    assert (decided.status, decided.score_a, decided.score_b) == ("completed", 2, 1)
    assert decided.winner_registration_id == first.registration_a_id
    final = next(
        m
        for m in await arena.services.brackets.matches(arena.event.tournament_id)
        if m.id not in (first.id, second.id)
    )
    assert first.registration_a_id in (final.registration_a_id, final.registration_b_id)
    assert [a["match"] for a in await arena.actions()] == [first.code]
    events = await arena.events()
    assert events.count("score.reported") == 1 and events.count("score.confirmed") == 1
    assert events.count("match.completed") == 1
    assert {"match.report", "match.confirm"} <= set(await arena.audit_actions())


async def test_equal_reports_complete_once(arena: Arena) -> None:
    match = (await arena.ready())[0]
    side_a, side_b = arena.sides(match)
    first = await arena.scores.report_score(side_a, mine=2, theirs=0, match_id=match.id)
    assert first.state == "awaiting_confirmation"
    second = await arena.scores.report_score(side_b, mine=0, theirs=2, match_id=match.id)
    assert second.state == "completed"
    assert (await arena.match(match.id)).score_a == 2
    assert [a["match"] for a in await arena.actions()] == [match.code]
    events = await arena.events()
    assert events.count("match.completed") == 1 and events.count("score.confirmed") == 1
    # The first report's button is now late: nothing changes, and it says why.
    assert first.report is not None
    with pytest.raises(Conflict, match="already final"):
        await arena.scores.confirm_report(side_b, first.report.id)
    assert len(await arena.actions()) == 1


async def test_different_reports_open_a_dispute(arena: Arena) -> None:
    match = (await arena.ready())[0]
    side_a, side_b = arena.sides(match)
    await arena.scores.report_score(side_a, mine=2, theirs=1, match_id=match.id)
    outcome = await arena.scores.report_score(side_b, mine=2, theirs=0, match_id=match.id)
    assert outcome.state == "disputed" and outcome.dispute_id is not None
    assert (await arena.match(match.id)).status == "disputed"
    async with arena.services.db.read() as session:
        dispute = await session.get(Dispute, outcome.dispute_id)
    assert dispute is not None
    assert (dispute.reason, dispute.status, dispute.opened_by) == ("score_mismatch", "open", 0)
    events = await arena.events()
    assert "score.mismatch" in events and "dispute.opened" in events
    assert "match.completed" not in events
    assert await arena.actions() == []


async def test_stranger_second_and_own_side_clicks_change_nothing(arena: Arena, new_id) -> None:
    match = (await arena.ready())[0]
    side_a, side_b = arena.sides(match)
    stranger = Actor(user_id=new_id(), guild_id=arena.event.guild_id)
    with pytest.raises(PermissionDenied, match="Only the players"):
        await arena.scores.report_score(stranger, mine=2, theirs=0, match_id=match.id)
    outcome = await arena.scores.report_score(side_a, mine=2, theirs=0, match_id=match.id)
    assert outcome.report is not None
    report_id = outcome.report.id
    with pytest.raises(PermissionDenied, match="players of match"):
        await arena.scores.confirm_report(stranger, report_id)
    with pytest.raises(Conflict, match="opponent has to confirm"):
        await arena.scores.confirm_report(side_a, report_id)
    with pytest.raises(Conflict, match="already reported"):
        await arena.scores.report_score(side_a, mine=2, theirs=1, match_id=match.id)
    assert (await arena.match(match.id)).status == "pending_result"
    assert await arena.count(MatchReport, MatchReport.match_id == match.id) == 1
    await arena.scores.confirm_report(side_b, report_id)
    with pytest.raises(Conflict, match="already final"):
        await arena.scores.confirm_report(side_b, report_id)
    assert len(await arena.actions()) == 1
    assert (await arena.events()).count("match.completed") == 1


async def test_invalid_scores_are_refused_before_storing(services: Services, new_id) -> None:
    arena = await make_arena(services, new_id, best_of=5)
    match = (await arena.ready())[0]
    side_a, _ = arena.sides(match)
    before = await arena.audit_actions()
    for mine, theirs in ((2, 2), (3, 3), (4, 1), (2, 1)):
        with pytest.raises(InvalidInput, match="best-of-5"):
            await arena.scores.report_score(side_a, mine=mine, theirs=theirs, match_id=match.id)
    with pytest.raises(InvalidInput, match="not a PNG or JPEG"):
        await arena.scores.report_score(
            side_a, mine=3, theirs=1, match_id=match.id, screenshot=b"GIF89a not an image"
        )
    assert await arena.count(MatchReport, MatchReport.match_id == match.id) == 0
    assert (await arena.match(match.id)).status == "ready"
    assert await arena.audit_actions() == before
    assert await arena.events() == []


async def test_report_finds_the_match_by_thread_or_by_player(arena: Arena) -> None:
    match = (await arena.ready())[0]
    side_a, _ = arena.sides(match)
    await arena.scores.record_thread(match.id, 555)
    assert await arena.scores.record_thread(match.id, 556) is False  # idempotent: first wins
    assert (await arena.match(match.id)).thread_id == 555
    outcome = await arena.scores.report_score(side_a, mine=2, theirs=1, thread_id=555)
    assert outcome.match.id == match.id
    other = (await arena.ready())[0]
    player = arena.sides(other)[1]
    by_player = await arena.scores.report_score(
        player, mine=0, theirs=2, guild_id=arena.event.guild_id
    )
    assert by_player.match.id == other.id
    lobby = await arena.scores.current_match(player, arena.event.guild_id)
    assert lobby.match.id == other.id and lobby.side_of_user(player.user_id) == 1


async def test_checkin_match_cannot_be_reported_yet(services: Services, new_id) -> None:
    arena = await make_arena(services, new_id, match_checkin_minutes=10)
    match = (await services.brackets.matches(arena.event.tournament_id, statuses=["checkin"]))[0]
    with pytest.raises(Conflict, match="checked in"):
        await arena.scores.report_score(arena.sides(match)[0], mine=1, theirs=0, match_id=match.id)


async def test_organizer_report_is_final(arena: Arena) -> None:
    match = (await arena.ready())[0]
    outcome = await arena.scores.report_score(arena.organizer, mine=0, theirs=2, match_id=match.id)
    assert outcome.state == "completed"
    decided = await arena.match(match.id)
    assert (decided.score_a, decided.score_b) == (0, 2)
    assert decided.winner_registration_id == match.registration_b_id


async def test_set_score_corrects_and_moves_unplayed_dependents(services: Services, new_id) -> None:
    arena = await make_arena(services, new_id, players=8)
    tid = arena.event.tournament_id
    quarters = await arena.ready()
    for quarter in quarters[:2]:
        await arena.scores.set_score(arena.organizer, tid, quarter.code, 1, 0)
    [semi] = [m for m in await arena.ready() if m.round == 2]
    fixed = await arena.scores.set_score(
        arena.organizer, tid, quarters[0].code.lower(), 0, 1, note="Typo."
    )
    assert (fixed.match.score_a, fixed.match.score_b) == (0, 1)
    moved = await arena.match(semi.id)
    assert moved.status == "ready"
    assert quarters[0].registration_b_id in (moved.registration_a_id, moved.registration_b_id)
    assert quarters[0].registration_a_id not in (moved.registration_a_id, moved.registration_b_id)
    assert "match.set_score" in await arena.audit_actions()

    # Once the semifinal is played, the quarterfinal cannot change: refused with the reason.
    await arena.scores.set_score(arena.organizer, tid, semi.code, 1, 0)
    actions = await arena.actions()
    with pytest.raises(Conflict, match="depends on it"):
        await arena.scores.set_score(arena.organizer, tid, quarters[0].code, 1, 0)
    assert await arena.actions() == actions
    assert (await arena.match(quarters[0].id)).score_a == 0


async def test_set_score_refusals(arena: Arena) -> None:
    match = (await arena.ready())[0]
    player = arena.sides(match)[0]
    with pytest.raises(PermissionDenied):
        await arena.scores.set_score(player, arena.event.tournament_id, match.code, 2, 0)
    with pytest.raises(NotFound, match="no match"):
        await arena.scores.set_score(arena.organizer, arena.event.tournament_id, "Z9-9", 2, 0)
    with pytest.raises(InvalidInput):
        await arena.scores.set_score(arena.organizer, arena.event.tournament_id, match.code, 1, 1)
    assert (await arena.match(match.id)).status == "ready"
    assert await arena.actions() == []


async def test_set_score_settles_an_open_dispute(arena: Arena) -> None:
    match = (await arena.ready())[0]
    side_a, side_b = arena.sides(match)
    await arena.scores.report_score(side_a, mine=2, theirs=1, match_id=match.id)
    outcome = await arena.scores.report_score(side_b, mine=2, theirs=1, match_id=match.id)
    assert outcome.state == "disputed"
    await arena.scores.set_score(arena.organizer, arena.event.tournament_id, match.code, 2, 1)
    async with arena.services.db.read() as session:
        dispute = await session.get(Dispute, outcome.dispute_id)
    assert dispute is not None and dispute.status == "resolved"
    assert "dispute.resolved" in await arena.events()


async def test_dq_forfeits_the_open_match_and_removes_the_player(arena: Arena) -> None:
    match = (await arena.ready())[0]
    side_a, _ = arena.sides(match)
    outcome = await arena.scores.disqualify(
        arena.organizer, arena.event.tournament_id, side_a.user_id, reason="Smurf account."
    )
    assert outcome.disqualified_registration_id == match.registration_a_id
    decided = await arena.match(match.id)
    assert decided.outcome == "disqualification"
    assert decided.winner_registration_id == match.registration_b_id
    async with arena.services.db.read() as session:
        status = await session.scalar(
            select(Registration.status).where(Registration.id == match.registration_a_id)
        )
    assert status == "disqualified"
    [action] = await arena.actions()
    assert action["forfeit"] == 0 and action["disqualify"] is True
    with pytest.raises(NotFound, match="disqualified"):
        await arena.scores.disqualify(
            arena.organizer, arena.event.tournament_id, side_a.user_id, reason="Again."
        )
    with pytest.raises(PermissionDenied):
        await arena.scores.disqualify(
            arena.sides(match)[1], arena.event.tournament_id, side_a.user_id, reason="Mean."
        )


async def test_dq_to_losers_in_double_elimination(services: Services, new_id) -> None:
    arena = await make_arena(services, new_id, format="double_elim")
    async with services.ctx.unit_of_work() as uow:
        tournament = await uow.session.get(Tournament, arena.event.tournament_id)
        assert tournament is not None
        tournament.format_options = {**tournament.format_options, "dq_to_losers": True}
    match = (await arena.ready())[0]
    side_a, _ = arena.sides(match)
    outcome = await arena.scores.disqualify(
        arena.organizer, arena.event.tournament_id, side_a.user_id, reason="Late."
    )
    assert outcome.disqualified_registration_id is None
    assert (await arena.match(match.id)).outcome == "forfeit"
    losers = [
        m
        for m in await services.brackets.matches(arena.event.tournament_id)
        if m.side == "losers"
        and match.registration_a_id in (m.registration_a_id, m.registration_b_id)
    ]
    assert losers, "the forfeiting player drops to the losers bracket"
    [action] = await arena.actions()
    assert action["disqualify"] is False


async def test_brackets_apply_results_still_match_reports(arena: Arena) -> None:
    # The report flow and direct engine results share one history.
    match = (await arena.ready())[0]
    await arena.services.brackets.apply(
        arena.organizer, arena.event.tournament_id, Result(match.code, (2, 0))
    )
    side_a, _ = arena.sides(match)
    with pytest.raises(Conflict, match="already final"):
        await arena.scores.report_score(side_a, mine=2, theirs=0, match_id=match.id)
