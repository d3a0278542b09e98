"""Score reports, confirmations and organizer overrides of a match.

A side reports ``my score / their score``; the other side confirms with a button, or
reports too (equal reports decide the match, different reports put it in dispute). An
organizer's word is final: ``/match set-score`` and ``/match dq`` decide directly, and
``correct_result`` replaces a result that was already final.

Every change locks the tournament row first (the order :func:`apply_action` uses too),
then the match row, so two sides reporting at the same instant, or one button clicked
twenty times, are settled one after the other by the database: the first changes the
match, the others see that it changed and are told why nothing happened.

The shared views, locks and dispute primitives live in :mod:`engine.matchday._access`;
the organizer overrides in :mod:`engine.matchday.overrides`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from engine.brackets import REPORTABLE_STATES, MatchState, apply_action, transition
from engine.formats import Result
from engine.kernel.actors import SYSTEM_USER_ID, Actor
from engine.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from engine.kernel.text import Command, msg
from engine.kernel.uow import ServiceContext, UnitOfWork
from engine.matchday import overrides
from engine.matchday._access import (
    MatchLobby,
    OverrideOutcome,
    ReportOutcome,
    ReportView,
    Sides,
    claim_thread,
    decide,
    find_match_id,
    load_lobby,
    load_sides,
    lock_match,
    lock_match_of_report,
    lock_match_reports,
    locked_sides,
    open_dispute_in,
    outsider_match,
    report_dicts,
    report_view,
    score_text,
    slot_of_user,
    validate_scores,
)
from engine.matchday.events import ScoreConfirmed, ScoreMismatch, ScoreReported
from engine.matchday.schedule import check_reportable
from engine.tournaments import may_organize
from storage.models import MatchReport, MatchRow, Tournament


@dataclass(frozen=True)
class _Lobby:
    """What a report already read under its locks (the tournament, both sides), so its
    reply's lobby costs no statement."""

    tournament: Tournament
    sides: Sides

    async def of(self, uow: UnitOfWork, row: MatchRow) -> MatchLobby:
        return await load_lobby(uow.session, row, tournament=self.tournament, sides=self.sides)


class ScoreService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    # -- threads -------------------------------------------------------------------------
    async def record_thread(self, match_id: int, thread_id: int) -> bool:
        """Remember the match thread; False (and nothing changes) when one is recorded."""
        async with self._ctx.unit_of_work() as uow:
            _, row = await lock_match(uow, match_id)
            return claim_thread(row, thread_id)

    async def lobby(self, match_id: int) -> MatchLobby:
        async with self._ctx.read() as session:
            row = await session.get(MatchRow, match_id)
            if row is None:
                raise NotFound(msg("That match does not exist."))
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
                raise NotFound(msg("That match does not exist any more."))
            lobby = await load_lobby(session, row)
            if lobby.side_of_user(actor.user_id) is None and not (
                await may_organize(session, actor, row.tournament_id)
            ):
                raise PermissionDenied(
                    msg(
                        "Only the players of match {code} or an organizer can report its score.",
                        code=row.code,
                    )
                )
            if row.status not in REPORTABLE_STATES:
                transition(row.code, row.status, MatchState.PENDING_RESULT)
            tournament = await session.get(Tournament, row.tournament_id)
            assert tournament is not None
            check_reportable(tournament, row)
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
        if screenshot is not None:
            async with self._ctx.read() as session:
                if (outsider := await outsider_match(session, actor, match_id)) is not None:
                    raise _only_players(outsider.code)
            image = await self._ctx.uploads.check_image(screenshot, name=screenshot_name)
        async with self._ctx.unit_of_work() as uow:
            locked = await lock_match_reports(uow, match_id)
            tournament, row = locked.tournament, locked.row
            sides = await locked_sides(uow.session, locked)
            side = slot_of_user(sides, actor.user_id)
            if side is None:
                if not await may_organize(uow.session, actor, row.tournament_id):
                    raise _only_players(row.code)
                return await self._organizer_report(uow, tournament, row, (mine, theirs), actor)
            if row.status not in REPORTABLE_STATES:
                transition(row.code, row.status, MatchState.PENDING_RESULT)
            check_reportable(tournament, row)
            # Reports of a side that left the match (a corrected earlier result) do not count.
            slots = (row.registration_a_id, row.registration_b_id)
            reports = [r for r in locked.reports if r.registration_id in slots]
            registration_id = slots[side]
            assert registration_id is not None
            own = next((r for r in reports if r.registration_id == registration_id), None)
            if own is not None:
                raise Conflict(
                    msg(
                        "Your side already reported {score_text} for match {code}. Wait "
                        "for your opponent to confirm it, or open a dispute with "
                        "{dispute_open} if it was wrong.",
                        score_text=score_text(own.score_a, own.score_b),
                        code=row.code,
                        dispute_open=Command("dispute open"),
                    )
                )
            await validate_scores(uow, tournament.id, row.code, (mine, theirs))
            scores = (mine, theirs) if side == 0 else (theirs, mine)
            sha256 = None
            if image is not None:
                sha256 = await self._ctx.uploads.store(
                    uow, image, guild_id=row.guild_id, user_id=actor.user_id
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
                tournament_id=row.tournament_id,
                before={"status": row.status},
                after={"report_id": report.id, "scores": list(scores)},
            )
            other = next((r for r in reports if r.registration_id != registration_id), None)
            lobby = _Lobby(tournament, sides)
            return await self._after_report(uow, lobby, row, report, other, actor)

    async def _after_report(
        self,
        uow: UnitOfWork,
        known: _Lobby,
        row: MatchRow,
        report: MatchReport,
        other: MatchReport | None,
        actor: Actor,
    ) -> ReportOutcome:
        tournament = known.tournament
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
                "awaiting_confirmation", await known.of(uow, row), report_view(report)
            )
        uow.emit(self._reported(row, report, None))
        if (other.score_a, other.score_b) == (report.score_a, report.score_b):
            transition(row.code, row.status, MatchState.COMPLETED)
            applied = await apply_action(
                uow,
                tournament.id,
                Result(row.code, (report.score_a, report.score_b)),
                actor_id=actor.user_id,
                locked=tournament,
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
                await known.of(uow, row),
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
        return ReportOutcome("disputed", await known.of(uow, row), report_view(report), dispute.id)

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
        self,
        uow: UnitOfWork,
        tournament: Tournament,
        row: MatchRow,
        scores: tuple[int, int],
        actor: Actor,
    ) -> ReportOutcome:
        if row.status == MatchState.COMPLETED:
            raise Conflict(
                msg(
                    "Match {code} is already final ({score_text}). To change it, use "
                    "{match_set_score}.",
                    code=row.code,
                    score_text=score_text(row.score_a, row.score_b),
                    match_set_score=Command("match set-score"),
                )
            )
        before = {"status": row.status}
        applied = await decide(
            uow,
            row,
            Result(row.code, scores),
            actor_id=actor.user_id,
            resolution=f"An organizer reported {score_text(*scores)}.",
        )
        overrides.audit_override(uow, row, actor, "match.report", before)
        return ReportOutcome(
            "completed",
            await load_lobby(uow.session, row, tournament=tournament),
            None,
            tournament_completed=applied.tournament_completed,
        )

    async def _locked_report(
        self, uow: UnitOfWork, actor: Actor, report_id: int
    ) -> tuple[_Lobby, MatchRow, MatchReport]:
        locked = await lock_match_of_report(uow, report_id)
        if locked is None:
            raise NotFound(
                msg(
                    "That score report no longer exists: the match was reset or settled "
                    "another way. Use {match_info} to see where your match stands.",
                    match_info=Command("match info"),
                )
            )
        row = locked.row
        report = next((r for r in locked.reports if r.id == report_id), None)
        if report is None:
            raise NotFound(msg("That score report was withdrawn when the match was reset."))
        sides = await locked_sides(uow.session, locked)
        await self._check_confirmer(uow.session, actor, row, report, sides)
        return _Lobby(locked.tournament, sides), row, report

    @staticmethod
    async def _check_confirmer(
        session: AsyncSession, actor: Actor, row: MatchRow, report: MatchReport, sides: Sides
    ) -> None:
        """Only the other side (or an organizer) may confirm or reject, and only while the
        report is still the open question of the match."""
        if report.registration_id not in (row.registration_a_id, row.registration_b_id):
            raise NotFound(
                msg(
                    "That report is no longer valid: match {code} changed after an "
                    "earlier result was corrected. Report the score again.",
                    code=row.code,
                )
            )
        side = slot_of_user(sides, actor.user_id)
        reporter_side = 0 if report.registration_id == row.registration_a_id else 1
        if side is None and not await may_organize(session, actor, row.tournament_id):
            raise PermissionDenied(
                msg(
                    "This button is for the players of match {code}; it changes nothing for you.",
                    code=row.code,
                )
            )
        if side == reporter_side:
            raise Conflict(
                msg(
                    "Your side sent this report ({score_text}); your opponent has to confirm it.",
                    score_text=score_text(report.score_a, report.score_b),
                )
            )
        if row.status == MatchState.COMPLETED:
            raise Conflict(
                msg(
                    "Match {code} is already final: {score_text}. Nothing changed.",
                    code=row.code,
                    score_text=score_text(row.score_a, row.score_b),
                )
            )
        if row.status != MatchState.PENDING_RESULT:
            # Disputed, reset or back to check-in: the report is no longer the question.
            transition(row.code, row.status, MatchState.PENDING_RESULT)
            raise Conflict(
                msg("Match {code} is not waiting for a confirmation any more.", code=row.code)
            )

    async def check_report(self, actor: Actor, report_id: int) -> ReportView:
        """Whether the actor may confirm/reject a report now (before showing a modal)."""
        async with self._ctx.read() as session:
            report = await session.get(MatchReport, report_id)
            if report is None:
                raise NotFound(msg("That score report no longer exists; the match was reset."))
            row = await session.get(MatchRow, report.match_id)
            assert row is not None
            await self._check_confirmer(session, actor, row, report, await load_sides(session, row))
            return report_view(report)

    async def confirm_report(self, actor: Actor, report_id: int) -> ReportOutcome:
        async with self._ctx.unit_of_work() as uow:
            known, row, report = await self._locked_report(uow, actor, report_id)
            scores = (report.score_a, report.score_b)
            applied = await apply_action(
                uow,
                row.tournament_id,
                Result(row.code, scores),
                actor_id=actor.user_id,
                locked=known.tournament,
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
                tournament_id=row.tournament_id,
                before={"status": MatchState.PENDING_RESULT.value},
                after={"report_id": report.id, "scores": list(scores)},
            )
            return ReportOutcome(
                "completed",
                await known.of(uow, row),
                report_view(report),
                tournament_completed=applied.tournament_completed,
            )

    async def reject_report(self, actor: Actor, report_id: int, description: str) -> int:
        """The other side says the report is wrong: the match goes to dispute. Returns
        the dispute id."""
        description = description.strip()
        if not description:
            raise InvalidInput(msg("Say what the real score was, so an organizer can decide."))
        async with self._ctx.unit_of_work() as uow:
            known, row, report = await self._locked_report(uow, actor, report_id)
            dispute = await open_dispute_in(
                uow,
                known.tournament,
                row,
                opened_by=actor.user_id,
                reason="score_mismatch",
                description=(
                    f"Rejected the reported {score_text(report.score_a, report.score_b)}: "
                    f"{description}"
                ),
            )
            return dispute.id

    # -- organizer overrides (engine.matchday.overrides) ---------------------------------
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
        return await overrides.set_score(
            self._ctx, actor, tournament_id, code, first, second, note=note
        )

    async def disqualify(
        self, actor: Actor, tournament_id: int, user_id: int, *, reason: str
    ) -> OverrideOutcome:
        """Organizer: the player's side forfeits its open match and leaves the event."""
        return await overrides.disqualify(self._ctx, actor, tournament_id, user_id, reason=reason)


def _only_players(code: str) -> PermissionDenied:
    return PermissionDenied(
        msg("Only the players of match {code} or an organizer can report its score.", code=code)
    )
