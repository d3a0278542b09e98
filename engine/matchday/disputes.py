"""Disputes: a side says a match went wrong, players add evidence in the dispute thread,
an organizer escalates or resolves it (the resolution decides the match).

Opening and closing share their primitives with the score reports
(:mod:`engine.matchday._access`): a mismatch of reports opens a dispute the same way, and
any organizer decision on a match closes its open disputes.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.brackets import MatchState, transition
from engine.formats import Result
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from engine.kernel.sql import insert_ignoring_conflicts
from engine.kernel.text import Command, msg
from engine.kernel.uow import ServiceContext, UnitOfWork
from engine.matchday._access import (
    DISPUTE_REASONS,
    MatchLobby,
    claim_thread,
    decide,
    find_match_id,
    load_lobby,
    lock_match,
    open_dispute_in,
    outsider_match,
    report_view,
    reports_of,
    score_text,
    side_of_user,
)
from engine.matchday._dispute_closing import OPEN_DISPUTE_STATES
from engine.matchday.dispute_views import (
    DisputeDetail,
    DisputeListItem,
    DisputeView,
    EvidenceFile,
    EvidenceView,
    dispute_view,
    evidence_view,
)
from engine.matchday.events import DisputeEscalated, DisputeEvidenceAdded
from engine.tournaments import may_organize, require_any_organizing, require_tournament_organizer
from storage.models import Dispute, DisputeEvidence, MatchRow, Tournament

MAX_NOTE = 1500


async def _find_dispute_id(
    session: AsyncSession, dispute_id: int | None, thread_id: int | None
) -> int:
    """A dispute by number, else the one whose thread (or whose match's thread) this is."""
    if dispute_id is not None:
        found = await session.scalar(select(Dispute.id).where(Dispute.id == dispute_id))
        if found is None:
            raise NotFound(
                msg(
                    "There is no dispute #{dispute_id}. Check the number in its thread.",
                    dispute_id=dispute_id,
                )
            )
        return found
    if thread_id is not None:
        found = await session.scalar(select(Dispute.id).where(Dispute.thread_id == thread_id))
        if found is None:
            found = await session.scalar(
                select(Dispute.id)
                .join(MatchRow, MatchRow.id == Dispute.match_id)
                .where(MatchRow.thread_id == thread_id)
                .order_by(Dispute.id.desc())
            )
        if found is not None:
            return found
    raise InvalidInput(
        msg("Give the dispute number, or run the command inside the dispute thread.")
    )


async def _lock_dispute(uow: UnitOfWork, dispute_id: int) -> tuple[Dispute, MatchRow]:
    match_id = await uow.session.scalar(select(Dispute.match_id).where(Dispute.id == dispute_id))
    if match_id is None:
        raise NotFound(msg("There is no dispute #{dispute_id}.", dispute_id=dispute_id))
    _, row = await lock_match(uow, match_id)
    dispute = await uow.session.scalar(
        select(Dispute)
        .where(Dispute.id == dispute_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert dispute is not None
    return dispute, row


async def _require_organizer(
    session: AsyncSession, actor: Actor, tournament_id: int, what: str
) -> None:
    """The tournament's organizers (owner, co-organizers, server admins) only; ``what``
    names the action for the reader of the code."""
    await require_tournament_organizer(session, actor, tournament_id)


def _require_open(dispute: Dispute) -> None:
    if dispute.status not in OPEN_DISPUTE_STATES:
        raise Conflict(
            msg(
                "Dispute #{dispute_id} is already resolved: {value}. To change the "
                "result now, use {match_set_score}.",
                dispute_id=dispute.id,
                value=dispute.resolution or "decided",
                match_set_score=Command("match set-score"),
            )
        )


class DisputeService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def open_dispute(
        self,
        actor: Actor,
        *,
        reason: str,
        description: str,
        match_id: int | None = None,
        guild_id: int | None = None,
        tournament_id: int | None = None,
        thread_id: int | None = None,
        evidence: bytes | None = None,
        evidence_name: str | None = None,
    ) -> DisputeView:
        """A player of the match (or an organizer) opens a dispute; the match is frozen
        in ``disputed`` until an organizer resolves it."""
        description = description.strip()
        if len(description) < 5:
            raise InvalidInput(
                msg("Describe what happened in a sentence or two, so an organizer can decide.")
            )
        if match_id is None:
            async with self._ctx.read() as session:
                match_id = await find_match_id(
                    session,
                    actor.user_id,
                    guild_id=guild_id,
                    tournament_id=tournament_id,
                    thread_id=thread_id,
                )
        image = None
        if evidence is not None:
            async with self._ctx.read() as session:
                if (outsider := await outsider_match(session, actor, match_id)) is not None:
                    await _require_organizer(
                        session,
                        actor,
                        outsider.tournament_id,
                        f"open a dispute about match {outsider.code}",
                    )
            image = await self._ctx.uploads.check_image(
                evidence, what="evidence", name=evidence_name
            )
        async with self._ctx.unit_of_work() as uow:
            tournament, row = await lock_match(uow, match_id)
            if await side_of_user(uow.session, row, actor.user_id) is None:
                await _require_organizer(
                    uow.session, actor, row.tournament_id, f"open a dispute about match {row.code}"
                )
            sha256 = None
            if image is not None:
                sha256 = await self._ctx.uploads.store(
                    uow, image, guild_id=row.guild_id, user_id=actor.user_id
                )
            dispute = await open_dispute_in(
                uow,
                tournament,
                row,
                opened_by=actor.user_id,
                reason=reason,
                description=description[:MAX_NOTE],
                evidence_sha256=sha256,
            )
            return dispute_view(dispute)

    async def dispute_form(self, actor: Actor, match_id: int) -> MatchLobby:
        """Check that the actor may open a dispute on this match now (before the modal)."""
        async with self._ctx.read() as session:
            row = await session.get(MatchRow, match_id)
            if row is None:
                raise NotFound(msg("That match does not exist any more."))
            if await side_of_user(session, row, actor.user_id) is None:
                await _require_organizer(
                    session, actor, row.tournament_id, f"open a dispute about match {row.code}"
                )
            open_id = await session.scalar(
                select(Dispute.id).where(
                    Dispute.match_id == row.id, Dispute.status.in_(OPEN_DISPUTE_STATES)
                )
            )
            if open_id is not None:
                raise Conflict(
                    msg(
                        "Match {code} already has an open dispute (#{open_id}). Add your "
                        "evidence in its thread; an organizer will decide.",
                        code=row.code,
                        open_id=open_id,
                    )
                )
            transition(row.code, row.status, MatchState.DISPUTED)
            return await load_lobby(session, row)

    async def record_thread(self, dispute_id: int, thread_id: int) -> bool:
        """Remember the dispute thread; False when another thread is recorded already."""
        async with self._ctx.unit_of_work() as uow:
            dispute, _ = await _lock_dispute(uow, dispute_id)
            return claim_thread(dispute, thread_id)

    async def detail(self, dispute_id: int) -> DisputeDetail:
        async with self._ctx.read() as session:
            dispute = await session.get(Dispute, dispute_id)
            if dispute is None:
                raise NotFound(msg("There is no dispute #{dispute_id}.", dispute_id=dispute_id))
            row = await session.get(MatchRow, dispute.match_id)
            assert row is not None
            evidence = await session.scalars(
                select(DisputeEvidence)
                .where(DisputeEvidence.dispute_id == dispute_id)
                .order_by(DisputeEvidence.id)
            )
            return DisputeDetail(
                dispute_view(dispute),
                await load_lobby(session, row),
                tuple(report_view(r) for r in await reports_of(session, row.id)),
                tuple(evidence_view(e) for e in evidence),
            )

    async def open_disputes(self, actor: Actor, guild_id: int) -> list[DisputeListItem]:
        """Organizer: the guild's open and escalated disputes, oldest first."""
        async with self._ctx.read() as session:
            # The actor's permissions were resolved in their own guild; they say nothing
            # about another one.
            if actor.guild_id != guild_id:
                raise PermissionDenied(
                    msg(
                        "Only organizers of this server can see its disputes. Open the "
                        "dashboard from {dashboard} in that server.",
                        dashboard=Command("dashboard"),
                    )
                )
            # Each organizer sees the disputes of the tournaments they run.
            organized = await require_any_organizing(session, actor, guild_id)
            query = (
                select(Dispute, MatchRow.code, MatchRow.round_title, Tournament.name)
                .join(MatchRow, MatchRow.id == Dispute.match_id)
                .join(Tournament, Tournament.id == Dispute.tournament_id)
                .where(Dispute.guild_id == guild_id, Dispute.status.in_(OPEN_DISPUTE_STATES))
                .order_by(Dispute.created_at, Dispute.id)
            )
            if organized is not None:
                query = query.where(Dispute.tournament_id.in_(sorted(organized)))
            rows = await session.execute(query)
            return [
                DisputeListItem(
                    id=dispute.id,
                    tournament_id=dispute.tournament_id,
                    tournament_name=tournament_name,
                    match_id=dispute.match_id,
                    match_code=code,
                    round_title=round_title,
                    opened_by=dispute.opened_by,
                    reason=dispute.reason,
                    reason_label=DISPUTE_REASONS.get(dispute.reason, dispute.reason),
                    status=dispute.status,
                    created_at=dispute.created_at,
                    thread_id=dispute.thread_id,
                )
                for dispute, code, round_title, tournament_name in rows.all()
            ]

    async def is_dispute_thread(self, thread_id: int) -> bool:
        async with self._ctx.read() as session:
            found = await session.scalar(
                select(func.count()).select_from(Dispute).where(Dispute.thread_id == thread_id)
            )
            return bool(found)

    async def _may_add_evidence(self, actor: Actor, thread_id: int) -> bool:
        """Whether the thread's dispute is open and the actor takes part in it: asked
        before an image is decoded, so a bystander's upload in the thread costs nothing."""
        async with self._ctx.read() as session:
            match_id = await session.scalar(
                select(Dispute.match_id).where(
                    Dispute.thread_id == thread_id, Dispute.status.in_(OPEN_DISPUTE_STATES)
                )
            )
            if match_id is None:
                return False
            return await outsider_match(session, actor, match_id) is None

    async def add_evidence(
        self,
        actor: Actor,
        *,
        thread_id: int,
        message_id: int,
        note: str,
        files: list[EvidenceFile],
    ) -> EvidenceView | None:
        """Record a message posted in a dispute thread as evidence. Messages of people
        outside the match, in closed disputes, or already recorded change nothing
        (``None``)."""
        note = note.strip()
        image = next((f for f in files if f.data is not None), None)
        checked = None
        if image is not None and image.data is not None:
            if not await self._may_add_evidence(actor, thread_id):
                return None
            checked = await self._ctx.uploads.check_image(
                image.data, what="evidence", name=image.filename
            )
        links = [f.url for f in files if f is not image]
        text = "\n".join([note, *links]).strip()[:MAX_NOTE] or None
        if text is None and image is None:
            return None
        async with self._ctx.unit_of_work() as uow:
            dispute_id = await uow.session.scalar(
                select(Dispute.id).where(Dispute.thread_id == thread_id)
            )
            if dispute_id is None:
                return None
            dispute, row = await _lock_dispute(uow, dispute_id)
            if dispute.status not in OPEN_DISPUTE_STATES:
                return None
            if await side_of_user(uow.session, row, actor.user_id) is None and not (
                await may_organize(uow.session, actor, row.tournament_id)
            ):
                return None
            sha256 = None
            if checked is not None:
                sha256 = await self._ctx.uploads.store(
                    uow, checked, guild_id=row.guild_id, user_id=actor.user_id
                )
            evidence_id = await uow.session.scalar(
                insert_ignoring_conflicts(uow.session, DisputeEvidence)
                .values(
                    dispute_id=dispute.id,
                    user_id=actor.user_id,
                    note=text,
                    file_sha256=sha256,
                    source_message_id=message_id,
                    created_at=uow.clock.now(),
                )
                .on_conflict_do_nothing(index_elements=["source_message_id"])
                .returning(DisputeEvidence.id)
            )
            if evidence_id is None:
                return None  # the same message was delivered twice
            uow.emit(
                DisputeEvidenceAdded(
                    guild_id=row.guild_id,
                    tournament_id=row.tournament_id,
                    dispute_id=dispute.id,
                    match_id=row.id,
                    evidence_id=evidence_id,
                    user_id=actor.user_id,
                    thread_id=thread_id,
                    source_message_id=message_id,
                    has_file=sha256 is not None,
                )
            )
            uow.audit(
                guild_id=row.guild_id,
                actor_id=actor.user_id,
                action="dispute.evidence",
                target_type="dispute",
                target_id=dispute.id,
                after={"evidence_id": evidence_id, "file": sha256, "message_id": message_id},
            )
            evidence = await uow.session.get(DisputeEvidence, evidence_id)
            assert evidence is not None
            return evidence_view(evidence)

    async def escalate(
        self,
        actor: Actor,
        *,
        note: str,
        dispute_id: int | None = None,
        thread_id: int | None = None,
    ) -> DisputeView:
        """Organizer: flag a dispute for the senior organizers / server owner."""
        async with self._ctx.read() as session:
            dispute_id = await _find_dispute_id(session, dispute_id, thread_id)
        async with self._ctx.unit_of_work() as uow:
            dispute, row = await _lock_dispute(uow, dispute_id)
            await _require_organizer(uow.session, actor, row.tournament_id, "escalate a dispute")
            _require_open(dispute)
            if dispute.status == "escalated":
                raise Conflict(
                    msg(
                        "Dispute #{dispute_id} is already escalated; the server owner "
                        "was pinged in its thread.",
                        dispute_id=dispute.id,
                    )
                )
            dispute.status = "escalated"
            note = note.strip() or "No note given."
            uow.emit(
                DisputeEscalated(
                    guild_id=row.guild_id,
                    tournament_id=row.tournament_id,
                    dispute_id=dispute.id,
                    match_id=row.id,
                    code=row.code,
                    thread_id=dispute.thread_id,
                    actor_id=actor.user_id,
                    note=note[:MAX_NOTE],
                )
            )
            uow.audit(
                guild_id=row.guild_id,
                actor_id=actor.user_id,
                action="dispute.escalate",
                target_type="dispute",
                target_id=dispute.id,
                before={"status": "open"},
                after={"status": "escalated", "note": note[:MAX_NOTE]},
            )
            return dispute_view(dispute)

    async def resolve(
        self,
        actor: Actor,
        *,
        first: int | None,
        second: int | None,
        notes: str,
        forfeit: int | None = None,
        dispute_id: int | None = None,
        thread_id: int | None = None,
    ) -> DisputeView:
        """Organizer: decide the match (scores in slot order, or a forfeit of slot 0/1),
        advance the bracket, and close the dispute with ``notes``."""
        result = self._result_of(first, second, forfeit)
        async with self._ctx.read() as session:
            dispute_id = await _find_dispute_id(session, dispute_id, thread_id)
        async with self._ctx.unit_of_work() as uow:
            dispute, row = await _lock_dispute(uow, dispute_id)
            await _require_organizer(uow.session, actor, row.tournament_id, "resolve a dispute")
            _require_open(dispute)
            decided = (
                f"{score_text(first, second)}"
                if forfeit is None
                else f"side {forfeit + 1} forfeits"
            )
            resolution = f"{decided}. {notes.strip()}" if notes.strip() else decided
            before = {"status": row.status, "dispute": dispute.status}
            await decide(
                uow,
                row,
                Result(row.code, result[0], forfeit=result[1]),
                actor_id=actor.user_id,
                resolution=resolution[:MAX_NOTE],
            )
            uow.audit(
                guild_id=row.guild_id,
                actor_id=actor.user_id,
                action="match.resolve",
                target_type="match",
                target_id=row.id,
                before=before,
                after={"scores": [row.score_a, row.score_b], "dispute_id": dispute.id},
            )
            return dispute_view(dispute)

    @staticmethod
    def _result_of(
        first: int | None, second: int | None, forfeit: int | None
    ) -> tuple[tuple[int, int] | None, int | None]:
        if forfeit is not None:
            if forfeit not in (0, 1):
                raise InvalidInput(msg("The forfeit must name the first or the second side."))
            return None, forfeit
        if first is None or second is None:
            raise InvalidInput(
                msg(
                    "Give both final scores (first-named side, then second), or choose "
                    "which side forfeits."
                )
            )
        return (first, second), None
