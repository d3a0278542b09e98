"""Score reports, confirmations and organizer overrides of a match.

A side reports ``my score / their score``; the other side confirms with a button, or
reports too (equal reports decide the match, different reports put it in dispute). An
organizer's word is final: ``/match set-score`` and ``/match dq`` decide directly, and
``correct_result`` replaces a result that was already final.

Every change locks the tournament row first (the order :func:`apply_action` uses too),
then the match row, so two sides reporting at the same instant, or one button clicked
twenty times, are settled one after the other by the database: the first changes the
match, the others see that it changed and are told why nothing happened.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from datetime import datetime

from PIL import Image
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from engine.events.scores import (
    DisputeOpened,
    DisputeResolved,
    ScoreConfirmed,
    ScoreMismatch,
    ScoreReported,
)
from engine.formats import FormatError, Result, Withdrawal
from engine.matches import OPEN_STATES, REPORTABLE_STATES, MatchState, transition
from engine.services.actors import Actor, is_organizer
from engine.services.brackets import (
    Applied,
    MatchView,
    apply_action,
    correct_result,
    load_for_update,
    lock_tournament,
    match_view,
)
from engine.services.context import ServiceContext, UnitOfWork
from engine.services.ledger import insert_ignoring_conflicts
from engine.services.registration import load_view, release_slot
from storage.models import (
    Dispute,
    DisputeEvidence,
    GuildSettings,
    MatchReport,
    MatchRow,
    Registration,
    RegistrationMember,
    StoredFile,
    Tournament,
)
from storage.models.enums import RegistrationStatus

SYSTEM_USER_ID = 0  # Dispute.opened_by when the bot opened it (different reports)
MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
_MAGIC = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}
_CONTENT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
DISPUTE_REASONS = {
    "score_mismatch": "Score mismatch",
    "no_show": "No-show",
    "cheating": "Cheating",
    "technical_issue": "Technical issue",
    "other": "Other",
}
OPEN_DISPUTE_STATES = ("open", "escalated")


# --- views ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Side:
    registration_id: int
    name: str
    member_ids: tuple[int, ...]


@dataclass(frozen=True)
class MatchLobby:
    """A match with the names and members of both sides, for threads and /match info."""

    match: MatchView
    tournament_name: str
    sides: tuple[Side | None, Side | None]

    def side_of_user(self, user_id: int) -> int | None:
        for slot, side in enumerate(self.sides):
            if side is not None and user_id in side.member_ids:
                return slot
        return None

    def name(self, slot: int) -> str:
        side = self.sides[slot]
        return side.name if side else "TBD"

    @property
    def title(self) -> str:
        return f"{self.match.code} · {self.name(0)} vs {self.name(1)}"

    @property
    def member_ids(self) -> tuple[int, ...]:
        return tuple(u for side in self.sides if side for u in side.member_ids)


@dataclass(frozen=True)
class ReportView:
    id: int
    match_id: int
    registration_id: int
    reporter_id: int
    score_a: int
    score_b: int
    screenshot_sha256: str | None
    created_at: datetime


@dataclass(frozen=True)
class ReportOutcome:
    """``state``: "awaiting_confirmation", "completed" or "disputed"."""

    state: str
    lobby: MatchLobby
    report: ReportView | None
    dispute_id: int | None = None
    tournament_completed: bool = False

    @property
    def match(self) -> MatchView:
        return self.lobby.match


@dataclass(frozen=True)
class OverrideOutcome:
    lobby: MatchLobby
    reset_codes: tuple[str, ...]
    tournament_completed: bool
    disqualified_registration_id: int | None = None

    @property
    def match(self) -> MatchView:
        return self.lobby.match


def report_view(row: MatchReport) -> ReportView:
    return ReportView(
        id=row.id,
        match_id=row.match_id,
        registration_id=row.registration_id,
        reporter_id=row.reporter_id,
        score_a=row.score_a,
        score_b=row.score_b,
        screenshot_sha256=row.screenshot_sha256,
        created_at=row.created_at,
    )


def score_text(a: int | None, b: int | None) -> str:
    return "—" if a is None or b is None else f"{a}–{b}"


# --- images ---------------------------------------------------------------------------


def check_image(data: bytes, what: str = "screenshot") -> str:
    """Content type of a valid PNG/JPEG (checked by content: magic, size, full decode)."""
    if not data:
        raise InvalidInput(f"The {what} is empty. Attach the image again.")
    if len(data) > MAX_IMAGE_BYTES:
        raise InvalidInput(
            f"The {what} is {len(data) // 1024:,} KB; the limit is 2 MB. Crop it or save it "
            "as JPEG, then send it again."
        )
    image_format = next((f for magic, f in _MAGIC.items() if data.startswith(magic)), None)
    if image_format is None:
        raise InvalidInput(f"The {what} is not a PNG or JPEG image. Attach a screenshot.")
    damaged = InvalidInput(
        f"The {what} could not be read: the image is damaged or incomplete. Take it again "
        "and attach it."
    )
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if image.format != image_format or width * height > MAX_IMAGE_PIXELS:
                raise damaged
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # verify() checks structure only; decoding catches truncation
    except InvalidInput:
        raise
    except Exception:  # Pillow raises many types for hostile input; all mean "unreadable"
        raise damaged from None
    return _CONTENT_TYPES[image_format]


async def store_image(
    ctx: ServiceContext,
    uow: UnitOfWork,
    *,
    guild_id: int,
    user_id: int,
    data: bytes,
    content_type: str,
    name: str | None,
) -> str:
    """Write the bytes (content-addressed) and their StoredFile row; returns the sha256."""
    sha256 = await asyncio.to_thread(ctx.files.put, data)
    stmt = (
        insert_ignoring_conflicts(uow.session, StoredFile)
        .values(
            sha256=sha256,
            guild_id=guild_id,
            content_type=content_type,
            size=len(data),
            original_name=(name or None) and name[:200],
            uploaded_by=user_id,
            created_at=uow.clock.now(),
        )
        .on_conflict_do_nothing(index_elements=["sha256"])
    )
    await uow.session.execute(stmt)
    return sha256


# --- reading and locking --------------------------------------------------------------


async def organizer_role(session: AsyncSession, guild_id: int) -> int | None:
    return await session.scalar(
        select(GuildSettings.organizer_role_id).where(GuildSettings.guild_id == guild_id)
    )


async def lock_match(uow: UnitOfWork, match_id: int) -> tuple[Tournament, MatchRow]:
    """Lock the tournament, then the match row, and return both freshly read."""
    tournament_id = await uow.session.scalar(
        select(MatchRow.tournament_id).where(MatchRow.id == match_id)
    )
    if tournament_id is None:
        raise NotFound("That match does not exist any more. Use /match info to find yours.")
    tournament = await lock_tournament(uow, tournament_id)
    row = await uow.session.scalar(
        select(MatchRow)
        .where(MatchRow.id == match_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert row is not None  # matches are never deleted while their tournament lives
    return tournament, row


async def side_of_user(session: AsyncSession, row: MatchRow, user_id: int) -> int | None:
    """0 or 1 when the user plays in the match (alone or in a team), else None."""
    ids = [r for r in (row.registration_a_id, row.registration_b_id) if r is not None]
    if not ids:
        return None
    registration_id = await session.scalar(
        select(RegistrationMember.registration_id).where(
            RegistrationMember.registration_id.in_(ids), RegistrationMember.user_id == user_id
        )
    )
    if registration_id is None:
        return None
    return 0 if registration_id == row.registration_a_id else 1


async def load_lobby(session: AsyncSession, row: MatchRow) -> MatchLobby:
    sides: list[Side | None] = []
    for registration_id in (row.registration_a_id, row.registration_b_id):
        if registration_id is None:
            sides.append(None)
            continue
        view = await load_view(session, registration_id)
        sides.append(Side(view.id, view.display_name, view.member_ids))
    name = await session.scalar(select(Tournament.name).where(Tournament.id == row.tournament_id))
    return MatchLobby(match_view(row), name or "", (sides[0], sides[1]))


async def reports_of(session: AsyncSession, match_id: int) -> list[MatchReport]:
    rows = await session.scalars(
        select(MatchReport)
        .where(MatchReport.match_id == match_id)
        .order_by(MatchReport.id)
        .execution_options(populate_existing=True)
    )
    return list(rows.all())


def report_dicts(reports: list[MatchReport]) -> list[dict]:
    return [
        {
            "registration_id": r.registration_id,
            "reporter_id": r.reporter_id,
            "scores": [r.score_a, r.score_b],
        }
        for r in reports
    ]


async def find_match_id(
    session: AsyncSession,
    user_id: int,
    *,
    guild_id: int | None = None,
    tournament_id: int | None = None,
    thread_id: int | None = None,
    states: frozenset[MatchState] = OPEN_STATES,
) -> int:
    """The match a command refers to: the match thread it was used in, else the user's
    one open match (in a tournament, or across the server)."""
    if thread_id is not None:
        by_thread = await session.scalar(select(MatchRow.id).where(MatchRow.thread_id == thread_id))
        if by_thread is not None:
            return by_thread
    query = (
        select(MatchRow)
        .join(
            RegistrationMember,
            RegistrationMember.registration_id.in_(
                [MatchRow.registration_a_id, MatchRow.registration_b_id]
            ),
        )
        .where(RegistrationMember.user_id == user_id, MatchRow.status.in_(list(states)))
        .order_by(MatchRow.id)
    )
    if tournament_id is not None:
        query = query.where(MatchRow.tournament_id == tournament_id)
    elif guild_id is not None:
        query = query.where(MatchRow.guild_id == guild_id)
    rows = list((await session.scalars(query)).unique().all())
    if not rows:
        raise NotFound(
            "You have no match waiting to be played right now. Use /match info to see your "
            "next match, or run the command inside your match thread."
        )
    if len({r.tournament_id for r in rows}) > 1:
        raise InvalidInput(
            "You have matches in more than one tournament right now; pick the tournament "
            "option, or run the command inside your match thread."
        )
    return rows[0].id


async def validate_scores(
    uow: UnitOfWork, tournament_id: int, code: str, scores: tuple[int, int]
) -> None:
    """Refuse a score the engine would refuse (best-of, draws, result type) before
    anything is stored: a dry run on a rebuilt copy of the bracket."""
    _, bracket = await load_for_update(uow, tournament_id)
    try:
        bracket.apply_result(Result(code, scores))
    except FormatError as exc:
        raise InvalidInput(str(exc)) from None


# --- disputes (opened and closed from here and from DisputeService) -------------------


async def open_dispute_in(
    uow: UnitOfWork,
    tournament: Tournament,
    row: MatchRow,
    *,
    opened_by: int,
    reason: str,
    description: str,
    evidence_sha256: str | None = None,
) -> Dispute:
    """Put the match in dispute and open a Dispute; the caller holds the match lock."""
    if reason not in DISPUTE_REASONS:
        raise InvalidInput(
            "Pick a reason for the dispute: score mismatch, no-show, cheating, technical "
            "issue or other."
        )
    existing = await uow.session.scalar(
        select(Dispute).where(Dispute.match_id == row.id, Dispute.status.in_(OPEN_DISPUTE_STATES))
    )
    if existing is not None:
        where = f" in <#{existing.thread_id}>" if existing.thread_id else ""
        raise Conflict(
            f"Match {row.code} already has an open dispute (#{existing.id}){where}. Add your "
            "evidence there; an organizer will decide."
        )
    row.status = transition(row.code, row.status, MatchState.DISPUTED).value
    now = uow.clock.now()
    row.updated_at = now
    dispute = Dispute(
        guild_id=row.guild_id,
        tournament_id=row.tournament_id,
        match_id=row.id,
        opened_by=opened_by,
        reason=reason,
        description=description.strip(),
        status="open",
        created_at=now,
    )
    uow.session.add(dispute)
    await uow.session.flush()
    if evidence_sha256 is not None:
        uow.session.add(
            DisputeEvidence(
                dispute_id=dispute.id,
                user_id=opened_by,
                note=None,
                file_sha256=evidence_sha256,
                created_at=now,
            )
        )
    reports = await reports_of(uow.session, row.id)
    uow.emit(
        DisputeOpened(
            guild_id=row.guild_id,
            tournament_id=row.tournament_id,
            dispute_id=dispute.id,
            match_id=row.id,
            code=row.code,
            round_title=row.round_title,
            reason=reason,
            description=dispute.description,
            opened_by=opened_by,
            registration_ids=[
                r for r in (row.registration_a_id, row.registration_b_id) if r is not None
            ],
            match_thread_id=row.thread_id,
            reports=report_dicts(reports),
            evidence_count=1 if evidence_sha256 else 0,
        )
    )
    uow.audit(
        guild_id=row.guild_id,
        actor_id=opened_by or None,
        action="dispute.open",
        target_type="match",
        target_id=row.id,
        after={"dispute_id": dispute.id, "reason": reason, "tournament": tournament.id},
    )
    return dispute


async def close_disputes(
    uow: UnitOfWork, row: MatchRow, *, actor_id: int, resolution: str
) -> list[int]:
    """Resolve every open dispute of a match that an organizer just decided."""
    disputes = (
        await uow.session.scalars(
            select(Dispute)
            .where(Dispute.match_id == row.id, Dispute.status.in_(OPEN_DISPUTE_STATES))
            .with_for_update()
        )
    ).all()
    now = uow.clock.now()
    for dispute in disputes:
        dispute.status = "resolved"
        dispute.resolution = resolution
        dispute.resolved_by = actor_id
        dispute.resolved_at = now
        uow.emit(
            DisputeResolved(
                guild_id=row.guild_id,
                tournament_id=row.tournament_id,
                dispute_id=dispute.id,
                match_id=row.id,
                code=row.code,
                thread_id=dispute.thread_id,
                match_thread_id=row.thread_id,
                resolved_by=actor_id,
                resolution=resolution,
                scores=[row.score_a, row.score_b] if row.score_a is not None else None,  # type: ignore[list-item]
                winner_registration_id=row.winner_registration_id,
                outcome=row.outcome,
            )
        )
        uow.audit(
            guild_id=row.guild_id,
            actor_id=actor_id,
            action="dispute.resolve",
            target_type="dispute",
            target_id=dispute.id,
            before={"status": "open"},
            after={"status": "resolved", "resolution": resolution},
        )
    return [d.id for d in disputes]


async def decide(
    uow: UnitOfWork,
    row: MatchRow,
    result: Result,
    *,
    actor_id: int,
    resolution: str,
) -> Applied:
    """An organizer's final word on a match: apply it (or correct a final result) and
    close the match's open disputes."""
    if row.status == MatchState.COMPLETED:
        applied = await correct_result(uow, row.tournament_id, result, actor_id=actor_id)
    else:
        transition(row.code, row.status, MatchState.COMPLETED)
        applied = await apply_action(uow, row.tournament_id, result, actor_id=actor_id)
    await close_disputes(uow, row, actor_id=actor_id, resolution=resolution)
    return applied


# --- the service ----------------------------------------------------------------------


class ScoreService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    # -- threads -------------------------------------------------------------------------
    async def record_thread(self, match_id: int, thread_id: int) -> bool:
        """Remember the match thread; False (and nothing changes) when one is recorded."""
        async with self._ctx.unit_of_work() as uow:
            _, row = await lock_match(uow, match_id)
            if row.thread_id is not None:
                return row.thread_id == thread_id
            row.thread_id = thread_id
            return True

    async def forget_thread(self, match_id: int, thread_id: int) -> None:
        """A reset match gets a new thread when it is ready again (maybe with a new
        opponent); clear the old one unless another thread replaced it already."""
        async with self._ctx.unit_of_work() as uow:
            _, row = await lock_match(uow, match_id)
            if row.thread_id == thread_id:
                row.thread_id = None

    async def lobby(self, match_id: int) -> MatchLobby:
        async with self._ctx.read() as session:
            row = await session.get(MatchRow, match_id)
            if row is None:
                raise NotFound("That match does not exist.")
            return await load_lobby(session, row)

    async def current_match(
        self,
        actor: Actor,
        guild_id: int,
        *,
        tournament_id: int | None = None,
        thread_id: int | None = None,
    ) -> MatchLobby:
        """The caller's match now: open first, else the next one waiting for opponents."""
        async with self._ctx.read() as session:
            try:
                match_id = await find_match_id(
                    session,
                    actor.user_id,
                    guild_id=guild_id,
                    tournament_id=tournament_id,
                    thread_id=thread_id,
                )
            except NotFound:
                match_id = await find_match_id(
                    session,
                    actor.user_id,
                    guild_id=guild_id,
                    tournament_id=tournament_id,
                    states=frozenset({MatchState.SCHEDULED}),
                )
            row = await session.get(MatchRow, match_id)
            assert row is not None
            return await load_lobby(session, row)

    async def report_form(self, actor: Actor, match_id: int) -> MatchLobby:
        """Check that the actor may report this match now (before showing the modal)."""
        async with self._ctx.read() as session:
            row = await session.get(MatchRow, match_id)
            if row is None:
                raise NotFound("That match does not exist any more.")
            lobby = await load_lobby(session, row)
            if lobby.side_of_user(actor.user_id) is None and not is_organizer(
                actor, await organizer_role(session, row.guild_id)
            ):
                raise PermissionDenied(
                    f"Only the players of match {row.code} or an organizer can report its score."
                )
            if row.status not in REPORTABLE_STATES:
                transition(row.code, row.status, MatchState.PENDING_RESULT)
            return lobby

    # -- reports -------------------------------------------------------------------------
    async def report_score(
        self,
        actor: Actor,
        *,
        mine: int,
        theirs: int,
        match_id: int | None = None,
        guild_id: int | None = None,
        tournament_id: int | None = None,
        thread_id: int | None = None,
        screenshot: bytes | None = None,
        screenshot_name: str | None = None,
    ) -> ReportOutcome:
        """Report a score as ``mine / theirs``. An organizer who does not play in the
        match reports in slot order (first-named side first), and that result is final."""
        content_type = check_image(screenshot) if screenshot is not None else None
        if match_id is None:
            async with self._ctx.read() as session:
                match_id = await find_match_id(
                    session,
                    actor.user_id,
                    guild_id=guild_id,
                    tournament_id=tournament_id,
                    thread_id=thread_id,
                )
        async with self._ctx.unit_of_work() as uow:
            tournament, row = await lock_match(uow, match_id)
            side = await side_of_user(uow.session, row, actor.user_id)
            if side is None:
                if not is_organizer(actor, await organizer_role(uow.session, row.guild_id)):
                    raise PermissionDenied(
                        f"Only the players of match {row.code} or an organizer can report its "
                        "score."
                    )
                return await self._organizer_report(uow, row, (mine, theirs), actor)
            if row.status not in REPORTABLE_STATES:
                transition(row.code, row.status, MatchState.PENDING_RESULT)
            # Reports of a side that left the match (a corrected earlier result) do not count.
            sides = (row.registration_a_id, row.registration_b_id)
            reports = [
                r for r in await reports_of(uow.session, row.id) if r.registration_id in sides
            ]
            registration_id = sides[side]
            assert registration_id is not None
            own = next((r for r in reports if r.registration_id == registration_id), None)
            if own is not None:
                raise Conflict(
                    f"Your side already reported {score_text(own.score_a, own.score_b)} for match "
                    f"{row.code}. Wait for your opponent to confirm it, or open a dispute with "
                    "/dispute open if it was wrong."
                )
            await validate_scores(uow, tournament.id, row.code, (mine, theirs))
            scores = (mine, theirs) if side == 0 else (theirs, mine)
            sha256 = None
            if screenshot is not None and content_type is not None:
                sha256 = await store_image(
                    self._ctx,
                    uow,
                    guild_id=row.guild_id,
                    user_id=actor.user_id,
                    data=screenshot,
                    content_type=content_type,
                    name=screenshot_name,
                )
            report = MatchReport(
                match_id=row.id,
                registration_id=registration_id,
                reporter_id=actor.user_id,
                score_a=scores[0],
                score_b=scores[1],
                screenshot_sha256=sha256,
                created_at=uow.clock.now(),
            )
            uow.session.add(report)
            await uow.session.flush()
            uow.audit(
                guild_id=row.guild_id,
                actor_id=actor.user_id,
                action="match.report",
                target_type="match",
                target_id=row.id,
                before={"status": row.status},
                after={"report_id": report.id, "scores": list(scores)},
            )
            other = next((r for r in reports if r.registration_id != registration_id), None)
            return await self._after_report(uow, tournament, row, report, other, actor)

    async def _after_report(
        self,
        uow: UnitOfWork,
        tournament: Tournament,
        row: MatchRow,
        report: MatchReport,
        other: MatchReport | None,
        actor: Actor,
    ) -> ReportOutcome:
        scores = [report.score_a, report.score_b]
        if other is None:
            row.status = transition(row.code, row.status, MatchState.PENDING_RESULT).value
            row.updated_at = uow.clock.now()
            awaiting = (
                row.registration_b_id
                if report.registration_id == row.registration_a_id
                else row.registration_a_id
            )
            uow.emit(self._reported(row, report, awaiting))
            return ReportOutcome(
                "awaiting_confirmation", await load_lobby(uow.session, row), report_view(report)
            )
        uow.emit(self._reported(row, report, None))
        if (other.score_a, other.score_b) == (report.score_a, report.score_b):
            transition(row.code, row.status, MatchState.COMPLETED)
            applied = await apply_action(
                uow,
                tournament.id,
                Result(row.code, (report.score_a, report.score_b)),
                actor_id=actor.user_id,
            )
            uow.emit(
                ScoreConfirmed(
                    guild_id=row.guild_id,
                    tournament_id=row.tournament_id,
                    match_id=row.id,
                    code=row.code,
                    report_id=report.id,
                    confirmed_by=actor.user_id,
                    scores=scores,
                    how="equal_reports",
                )
            )
            return ReportOutcome(
                "completed",
                await load_lobby(uow.session, row),
                report_view(report),
                tournament_completed=applied.tournament_completed,
            )
        uow.emit(
            ScoreMismatch(
                guild_id=row.guild_id,
                tournament_id=row.tournament_id,
                match_id=row.id,
                code=row.code,
                thread_id=row.thread_id,
                reports=report_dicts([other, report]),
            )
        )
        dispute = await open_dispute_in(
            uow,
            tournament,
            row,
            opened_by=SYSTEM_USER_ID,
            reason="score_mismatch",
            description=(
                f"The two sides reported different scores: "
                f"{score_text(other.score_a, other.score_b)} and "
                f"{score_text(report.score_a, report.score_b)}."
            ),
        )
        return ReportOutcome(
            "disputed", await load_lobby(uow.session, row), report_view(report), dispute.id
        )

    @staticmethod
    def _reported(row: MatchRow, report: MatchReport, awaiting: int | None) -> ScoreReported:
        return ScoreReported(
            guild_id=row.guild_id,
            tournament_id=row.tournament_id,
            match_id=row.id,
            code=row.code,
            report_id=report.id,
            registration_id=report.registration_id,
            reporter_id=report.reporter_id,
            scores=[report.score_a, report.score_b],
            thread_id=row.thread_id,
            awaiting_registration_id=awaiting,
            has_screenshot=report.screenshot_sha256 is not None,
        )

    async def _organizer_report(
        self, uow: UnitOfWork, row: MatchRow, scores: tuple[int, int], actor: Actor
    ) -> ReportOutcome:
        if row.status == MatchState.COMPLETED:
            raise Conflict(
                f"Match {row.code} is already final ({score_text(row.score_a, row.score_b)}). "
                "To change it, use /match set-score."
            )
        before = {"status": row.status}
        applied = await decide(
            uow,
            row,
            Result(row.code, scores),
            actor_id=actor.user_id,
            resolution=f"An organizer reported {score_text(*scores)}.",
        )
        self._audit_override(uow, row, actor, "match.report", before)
        return ReportOutcome(
            "completed",
            await load_lobby(uow.session, row),
            None,
            tournament_completed=applied.tournament_completed,
        )

    async def _locked_report(
        self, uow: UnitOfWork, actor: Actor, report_id: int
    ) -> tuple[Tournament, MatchRow, MatchReport]:
        match_id = await uow.session.scalar(
            select(MatchReport.match_id).where(MatchReport.id == report_id)
        )
        if match_id is None:
            raise NotFound(
                "That score report no longer exists: the match was reset or settled another "
                "way. Use /match info to see where your match stands."
            )
        tournament, row = await lock_match(uow, match_id)
        report = await uow.session.get(MatchReport, report_id, populate_existing=True)
        if report is None:
            raise NotFound("That score report was withdrawn when the match was reset.")
        await self._check_confirmer(uow.session, actor, row, report)
        return tournament, row, report

    @staticmethod
    async def _check_confirmer(
        session: AsyncSession, actor: Actor, row: MatchRow, report: MatchReport
    ) -> None:
        """Only the other side (or an organizer) may confirm or reject, and only while the
        report is still the open question of the match."""
        if report.registration_id not in (row.registration_a_id, row.registration_b_id):
            raise NotFound(
                f"That report is no longer valid: match {row.code} changed after an earlier "
                "result was corrected. Report the score again."
            )
        side = await side_of_user(session, row, actor.user_id)
        reporter_side = 0 if report.registration_id == row.registration_a_id else 1
        if side is None and not is_organizer(actor, await organizer_role(session, row.guild_id)):
            raise PermissionDenied(
                f"This button is for the players of match {row.code}; it changes nothing for you."
            )
        if side == reporter_side:
            raise Conflict(
                f"Your side sent this report ({score_text(report.score_a, report.score_b)}); "
                "your opponent has to confirm it."
            )
        if row.status == MatchState.COMPLETED:
            raise Conflict(
                f"Match {row.code} is already final: "
                f"{score_text(row.score_a, row.score_b)}. Nothing changed."
            )
        if row.status != MatchState.PENDING_RESULT:
            # Disputed, reset or back to check-in: the report is no longer the question.
            transition(row.code, row.status, MatchState.PENDING_RESULT)
            raise Conflict(f"Match {row.code} is not waiting for a confirmation any more.")

    async def check_report(self, actor: Actor, report_id: int) -> ReportView:
        """Whether the actor may confirm/reject a report now (before showing a modal)."""
        async with self._ctx.read() as session:
            report = await session.get(MatchReport, report_id)
            if report is None:
                raise NotFound("That score report no longer exists; the match was reset.")
            row = await session.get(MatchRow, report.match_id)
            assert row is not None
            await self._check_confirmer(session, actor, row, report)
            return report_view(report)

    async def confirm_report(self, actor: Actor, report_id: int) -> ReportOutcome:
        async with self._ctx.unit_of_work() as uow:
            tournament, row, report = await self._locked_report(uow, actor, report_id)
            scores = (report.score_a, report.score_b)
            applied = await apply_action(
                uow, tournament.id, Result(row.code, scores), actor_id=actor.user_id
            )
            uow.emit(
                ScoreConfirmed(
                    guild_id=row.guild_id,
                    tournament_id=row.tournament_id,
                    match_id=row.id,
                    code=row.code,
                    report_id=report.id,
                    confirmed_by=actor.user_id,
                    scores=list(scores),
                    how="confirmed",
                )
            )
            uow.audit(
                guild_id=row.guild_id,
                actor_id=actor.user_id,
                action="match.confirm",
                target_type="match",
                target_id=row.id,
                before={"status": MatchState.PENDING_RESULT.value},
                after={"report_id": report.id, "scores": list(scores)},
            )
            return ReportOutcome(
                "completed",
                await load_lobby(uow.session, row),
                report_view(report),
                tournament_completed=applied.tournament_completed,
            )

    async def reject_report(self, actor: Actor, report_id: int, description: str) -> int:
        """The other side says the report is wrong: the match goes to dispute. Returns
        the dispute id."""
        description = description.strip()
        if not description:
            raise InvalidInput("Say what the real score was, so an organizer can decide.")
        async with self._ctx.unit_of_work() as uow:
            tournament, row, report = await self._locked_report(uow, actor, report_id)
            dispute = await open_dispute_in(
                uow,
                tournament,
                row,
                opened_by=actor.user_id,
                reason="score_mismatch",
                description=(
                    f"Rejected the reported {score_text(report.score_a, report.score_b)}: "
                    f"{description}"
                ),
            )
            return dispute.id

    # -- organizer overrides -------------------------------------------------------------
    async def set_score(
        self,
        actor: Actor,
        tournament_id: int,
        code: str,
        first: int,
        second: int,
        *,
        note: str | None = None,
    ) -> OverrideOutcome:
        """Organizer: decide a match (or correct a final result) in slot order."""
        async with self._ctx.unit_of_work() as uow:
            row = await self._organizer_match(uow, actor, tournament_id, code)
            before = {"status": row.status, "scores": [row.score_a, row.score_b]}
            resolution = f"An organizer set the score to {first}–{second}." + (
                f" {note.strip()}" if note and note.strip() else ""
            )
            applied = await decide(
                uow,
                row,
                Result(row.code, (first, second)),
                actor_id=actor.user_id,
                resolution=resolution,
            )
            self._audit_override(uow, row, actor, "match.set_score", before)
            return OverrideOutcome(
                await load_lobby(uow.session, row),
                tuple(r.code for r in applied.reset),
                applied.tournament_completed,
            )

    async def disqualify(
        self, actor: Actor, tournament_id: int, user_id: int, *, reason: str
    ) -> OverrideOutcome:
        """Organizer: the player's side forfeits its open match and leaves the event (in
        double elimination with ``dq_to_losers`` a winners-bracket DQ drops them to the
        losers bracket instead)."""
        reason = reason.strip()
        if not reason:
            raise InvalidInput("Give a reason for the disqualification; the player reads it.")
        async with self._ctx.unit_of_work() as uow:
            tournament = await lock_tournament(uow, tournament_id)
            if not is_organizer(actor, await organizer_role(uow.session, tournament.guild_id)):
                raise PermissionDenied(
                    "Only organizers can disqualify a player: it needs the organizer role or "
                    "the Manage Server permission."
                )
            registration = await self._active_registration(uow, tournament, user_id)
            row = await uow.session.scalar(
                select(MatchRow)
                .where(
                    MatchRow.tournament_id == tournament.id,
                    MatchRow.status.in_([s.value for s in OPEN_STATES]),
                    (MatchRow.registration_a_id == registration.id)
                    | (MatchRow.registration_b_id == registration.id),
                )
                .with_for_update()
                .execution_options(populate_existing=True)
            )
            if row is None:
                applied = await apply_action(
                    uow, tournament.id, Withdrawal(registration.id), actor_id=actor.user_id
                )
                return await self._release(uow, tournament, registration, actor, reason, applied)
            slot = 0 if row.registration_a_id == registration.id else 1
            to_losers = (
                tournament.format == "double_elim"
                and row.side == "winners"
                and bool((tournament.format_options or {}).get("dq_to_losers"))
            )
            before = {"status": row.status}
            applied = await decide(
                uow,
                row,
                Result(row.code, None, forfeit=slot, disqualify=not to_losers),
                actor_id=actor.user_id,
                resolution=f"{registration.display_name} was disqualified: {reason}",
            )
            self._audit_override(uow, row, actor, "match.dq", before)
            if to_losers:
                return OverrideOutcome(
                    await load_lobby(uow.session, row),
                    tuple(r.code for r in applied.reset),
                    applied.tournament_completed,
                )
            return await self._release(
                uow, tournament, registration, actor, reason, applied, row=row
            )

    async def _release(
        self,
        uow: UnitOfWork,
        tournament: Tournament,
        registration: Registration,
        actor: Actor,
        reason: str,
        applied: Applied,
        *,
        row: MatchRow | None = None,
    ) -> OverrideOutcome:
        await release_slot(
            uow,
            registration.id,
            RegistrationStatus.DISQUALIFIED,
            actor_id=actor.user_id,
            reason=reason,
        )
        shown = row if row is not None else (applied.completed[0] if applied.completed else None)
        if shown is None:
            # Nothing left to play for them: the withdrawal changed no match.
            shown = await uow.session.scalar(
                select(MatchRow)
                .where(
                    MatchRow.tournament_id == tournament.id,
                    (MatchRow.registration_a_id == registration.id)
                    | (MatchRow.registration_b_id == registration.id),
                )
                .order_by(MatchRow.id.desc())
            )
        if shown is None:
            raise Conflict(f"{registration.display_name} has no match in this bracket.")
        return OverrideOutcome(
            await load_lobby(uow.session, shown),
            tuple(r.code for r in applied.reset),
            applied.tournament_completed,
            disqualified_registration_id=registration.id,
        )

    @staticmethod
    async def _active_registration(
        uow: UnitOfWork, tournament: Tournament, user_id: int
    ) -> Registration:
        registration = await uow.session.scalar(
            select(Registration)
            .join(RegistrationMember, RegistrationMember.registration_id == Registration.id)
            .where(
                Registration.tournament_id == tournament.id,
                RegistrationMember.user_id == user_id,
            )
        )
        if registration is None or registration.status != RegistrationStatus.CONFIRMED:
            state = "is not in" if registration is None else f"is {registration.status} in"
            raise NotFound(
                f"<@{user_id}> {state} {tournament.name}, so there is nobody to disqualify. "
                "Check the player and the tournament."
            )
        return registration

    async def _organizer_match(
        self, uow: UnitOfWork, actor: Actor, tournament_id: int, code: str
    ) -> MatchRow:
        match_id = await uow.session.scalar(
            select(MatchRow.id).where(
                MatchRow.tournament_id == tournament_id, MatchRow.code == code.strip().upper()
            )
        )
        if match_id is None:
            raise NotFound(
                f"There is no match {code.strip()} in this tournament; codes look like W1-2 "
                "(see /bracket)."
            )
        tournament, row = await lock_match(uow, match_id)
        if not is_organizer(actor, await organizer_role(uow.session, tournament.guild_id)):
            raise PermissionDenied(
                "Only organizers can set a score: it needs the organizer role or the Manage "
                "Server permission."
            )
        return row

    @staticmethod
    def _audit_override(
        uow: UnitOfWork, row: MatchRow, actor: Actor, action: str, before: dict
    ) -> None:
        uow.audit(
            guild_id=row.guild_id,
            actor_id=actor.user_id,
            action=action,
            target_type="match",
            target_id=row.id,
            before=before,
            after={
                "status": row.status,
                "scores": [row.score_a, row.score_b],
                "winner_registration_id": row.winner_registration_id,
                "outcome": row.outcome,
            },
        )
