"""Disputes: opened by a side, evidence recorded once, escalated and resolved by organizers."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, PermissionDenied
from engine.matchday import EvidenceFile
from engine.services import Services
from storage.models import Dispute, DisputeEvidence
from tests.engine.services.test_scores import Arena, make_arena, png_bytes


@pytest.fixture
async def arena(services: Services, new_id) -> Arena:  # type: ignore[no-untyped-def]
    return await make_arena(services, new_id, best_of=3)


async def open_one(arena: Arena, **extra) -> tuple:  # type: ignore[no-untyped-def]
    match = (await arena.ready())[0]
    side_a, side_b = arena.sides(match)
    view = await arena.disputes.open_dispute(
        side_a,
        reason="no_show",
        description="They never joined the lobby.",
        match_id=match.id,
        **extra,
    )
    await arena.disputes.record_thread(view.id, 9000 + view.id)
    return match, side_a, side_b, view


async def test_participant_opens_a_dispute_with_evidence(arena: Arena) -> None:
    match, _, _, view = await open_one(arena, evidence=png_bytes(), evidence_name="lobby.png")
    assert (view.reason, view.status, view.reason_label) == ("no_show", "open", "No-show")
    assert (await arena.match(match.id)).status == "disputed"
    detail = await arena.disputes.detail(view.id)
    assert detail.lobby.match.id == match.id
    assert len(detail.evidence) == 1 and detail.evidence[0].file_sha256 is not None
    assert "dispute.opened" in await arena.events()
    assert "dispute.open" in await arena.audit_actions()


async def test_refusals_change_nothing(arena: Arena, new_id) -> None:
    match = (await arena.ready())[0]
    stranger = Actor(user_id=new_id(), guild_id=arena.event.guild_id)
    with pytest.raises(PermissionDenied):
        await arena.disputes.open_dispute(
            stranger, reason="cheating", description="I saw it all.", match_id=match.id
        )
    side_a, _ = arena.sides(match)
    with pytest.raises(InvalidInput, match="reason"):
        await arena.disputes.open_dispute(
            side_a, reason="vibes", description="Bad vibes all round.", match_id=match.id
        )
    with pytest.raises(InvalidInput, match="Describe"):
        await arena.disputes.open_dispute(
            side_a, reason="other", description=" ", match_id=match.id
        )
    assert (await arena.match(match.id)).status == "ready"
    assert await arena.count(Dispute, Dispute.match_id == match.id) == 0
    assert await arena.events() == []


async def test_second_dispute_on_the_same_match_is_refused(arena: Arena) -> None:
    match, _, side_b, _ = await open_one(arena)
    with pytest.raises(Conflict, match="already has an open dispute"):
        await arena.disputes.open_dispute(
            side_b, reason="other", description="Me too, really.", match_id=match.id
        )
    assert await arena.count(Dispute, Dispute.match_id == match.id) == 1


async def test_evidence_is_recorded_once_and_only_from_the_match(arena: Arena, new_id) -> None:
    _, side_a, side_b, view = await open_one(arena)
    thread = 9000 + view.id
    files = [
        EvidenceFile("proof.png", "https://cdn/proof.png", png_bytes()),
        EvidenceFile("clip.mp4", "https://cdn/clip.mp4", None),
    ]
    first = await arena.disputes.add_evidence(
        side_b, thread_id=thread, message_id=1001, note="Here is the lobby.", files=files
    )
    assert first is not None and first.file_sha256 is not None
    assert first.note is not None and "https://cdn/clip.mp4" in first.note
    again = await arena.disputes.add_evidence(
        side_b, thread_id=thread, message_id=1001, note="Here is the lobby.", files=files
    )
    assert again is None
    stranger = Actor(user_id=new_id(), guild_id=arena.event.guild_id)
    assert (
        await arena.disputes.add_evidence(
            stranger, thread_id=thread, message_id=1002, note="lol", files=[]
        )
        is None
    )
    assert (
        await arena.disputes.add_evidence(
            side_a, thread_id=123, message_id=1003, note="wrong thread", files=[]
        )
        is None
    )
    async with arena.services.db.read() as session:
        rows = (
            await session.scalars(
                select(DisputeEvidence).where(DisputeEvidence.dispute_id == view.id)
            )
        ).all()
    assert [r.source_message_id for r in rows] == [1001]
    assert (await arena.events()).count("dispute.evidence_added") == 1


async def test_escalate_then_resolve_advances_the_bracket(arena: Arena) -> None:
    match, side_a, _, view = await open_one(arena)
    with pytest.raises(PermissionDenied):
        await arena.disputes.escalate(side_a, note="Please", dispute_id=view.id)
    escalated = await arena.disputes.escalate(
        arena.organizer, note="Needs the owner.", thread_id=9000 + view.id
    )
    assert escalated.status == "escalated"
    with pytest.raises(Conflict, match="already escalated"):
        await arena.disputes.escalate(arena.organizer, note="again", dispute_id=view.id)
    with pytest.raises(PermissionDenied):
        await arena.disputes.resolve(side_a, first=2, second=0, notes="I win", dispute_id=view.id)
    with pytest.raises(InvalidInput, match="best-of-3"):
        await arena.disputes.resolve(
            arena.organizer, first=1, second=1, notes="Tie?", dispute_id=view.id
        )
    resolved = await arena.disputes.resolve(
        arena.organizer, first=None, second=None, forfeit=1, notes="No-show.", dispute_id=view.id
    )
    assert resolved.status == "resolved" and resolved.resolved_by == arena.organizer.user_id
    decided = await arena.match(match.id)
    assert (decided.status, decided.outcome) == ("completed", "forfeit")
    assert decided.winner_registration_id == match.registration_a_id
    assert [a["match"] for a in await arena.actions()] == [match.code]
    events = await arena.events()
    assert "dispute.escalated" in events and events.count("dispute.resolved") == 1
    with pytest.raises(Conflict, match="already resolved"):
        await arena.disputes.resolve(
            arena.organizer, first=2, second=0, notes="Again", dispute_id=view.id
        )


async def test_rejecting_a_report_opens_a_dispute(arena: Arena, new_id) -> None:
    match = (await arena.ready())[0]
    side_a, side_b = arena.sides(match)
    report = (await arena.scores.report_score(side_a, mine=2, theirs=0, match_id=match.id)).report
    assert report is not None
    stranger = Actor(user_id=new_id(), guild_id=arena.event.guild_id)
    with pytest.raises(PermissionDenied):
        await arena.scores.check_report(stranger, report.id)
    with pytest.raises(Conflict):
        await arena.scores.reject_report(side_a, report.id, "my own report")
    dispute_id = await arena.scores.reject_report(side_b, report.id, "It was 1–2 for me.")
    assert (await arena.match(match.id)).status == "disputed"
    with pytest.raises(Conflict, match="under dispute"):
        await arena.scores.confirm_report(side_b, report.id)
    detail = await arena.disputes.detail(dispute_id)
    assert detail.dispute.reason == "score_mismatch"
    assert [(r.score_a, r.score_b) for r in detail.reports] == [(2, 0)]
    assert await arena.actions() == []


async def test_open_disputes_lists_the_guilds_unresolved_disputes(
    arena: Arena, services: Services, new_id
) -> None:
    first, second = await arena.ready()
    _, side_a, _, view = await open_one(arena)
    await arena.disputes.escalate(arena.organizer, note="Needs the owner.", dispute_id=view.id)
    # Different reports on the other match: the bot opens that dispute.
    a, b = arena.sides(second)
    await arena.scores.report_score(a, mine=2, theirs=0, match_id=second.id)
    mismatch = await arena.scores.report_score(b, mine=2, theirs=1, match_id=second.id)
    assert mismatch.dispute_id is not None
    elsewhere = await make_arena(services, new_id, best_of=3)
    await open_one(elsewhere)

    listed = await arena.disputes.open_disputes(arena.organizer, arena.event.guild_id)

    tournament_name = f"Cup {arena.event.guild_id % 1000}"
    assert [
        (d.id, d.status, d.match_code, d.round_title, d.opened_by, d.reason, d.thread_id)
        for d in listed
    ] == [
        (
            view.id,
            "escalated",
            first.code,
            first.round_title,
            side_a.user_id,
            "no_show",
            9000 + view.id,
        ),
        (mismatch.dispute_id, "open", second.code, second.round_title, 0, "score_mismatch", None),
    ]
    assert {d.tournament_name for d in listed} == {tournament_name}
    assert [d.reason_label for d in listed] == ["No-show", "Score mismatch"]
    await arena.disputes.resolve(
        arena.organizer,
        first=2,
        second=1,
        notes="Replay shows 2–1.",
        dispute_id=mismatch.dispute_id,
    )
    remaining = await arena.disputes.open_disputes(arena.organizer, arena.event.guild_id)
    assert [d.id for d in remaining] == [view.id]


async def test_only_the_guilds_organizers_list_disputes(arena: Arena, new_id) -> None:
    _, side_a, _, _ = await open_one(arena)
    events_before = await arena.events()
    audit_before = await arena.audit_actions()
    with pytest.raises(PermissionDenied, match="Only organizers"):
        await arena.disputes.open_disputes(side_a, arena.event.guild_id)
    other_admin = Actor(user_id=new_id(), guild_id=new_id(), can_manage_guild=True)
    with pytest.raises(PermissionDenied, match="this server"):
        await arena.disputes.open_disputes(other_admin, arena.event.guild_id)
    assert await arena.events() == events_before
    assert await arena.audit_actions() == audit_before
    assert await arena.disputes.open_disputes(other_admin, other_admin.guild_id) == []
