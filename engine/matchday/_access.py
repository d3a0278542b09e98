"""What score reports and disputes share: the match views, finding and locking a match,
and opening, closing and deciding its disputes (screenshots are checked and stored by
:mod:`engine.kernel.uploads`).

:class:`engine.matchday.reports.ScoreService`, :mod:`engine.matchday.overrides` and
:class:`engine.matchday.disputes.DisputeService` build on these. Every change locks the
tournament row first (the order :func:`apply_action` uses too), then the match row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.brackets import (
    OPEN_STATES,
    Applied,
    MatchState,
    MatchView,
    apply_action,
    bracket_row_options,
    correct_result,
    keep_bracket_row,
    match_view,
    peek_bracket,
    transition,
)
from engine.formats import FormatError, Result
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, NotFound
from engine.kernel.sql import holds_database
from engine.kernel.text import N_, Channel, Command, msg
from engine.kernel.uow import UnitOfWork
from engine.matchday._dispute_closing import (
    OPEN_DISPUTE_STATES,
    close_disputes,
)
from engine.matchday.events import DisputeOpened
from engine.tournaments import may_organize
from storage.models import (
    BracketState,
    Dispute,
    DisputeEvidence,
    MatchReport,
    MatchRow,
    Registration,
    RegistrationMember,
    Tournament,
)

DISPUTE_REASONS = {
    "score_mismatch": N_("Score mismatch"),
    "no_show": N_("No-show"),
    "cheating": N_("Cheating"),
    "technical_issue": N_("Technical issue"),
    "other": N_("Other"),
}


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


# --- reading and locking --------------------------------------------------------------


@dataclass(frozen=True)
class LockedMatch:
    """A match under its locks: the tournament, the row, its reports in order, and both
    sides when the same statement could read them (see :func:`locked_sides`)."""

    tournament: Tournament
    row: MatchRow
    reports: list[MatchReport]
    sides: Sides | None = None


async def lock_match(uow: UnitOfWork, match_id: int) -> tuple[Tournament, MatchRow]:
    """Lock the tournament, then the match row, and return both freshly read."""
    locked = await lock_match_reports(uow, match_id)
    return locked.tournament, locked.row


async def lock_match_reports(uow: UnitOfWork, match_id: int) -> LockedMatch:
    """:func:`lock_match` with the match's reports (and, where one statement can read
    everything, both sides and the bracket row: see :func:`_read_whole_match`)."""
    params = {"match_id": match_id}
    if holds_database(uow.session):
        locked = await _read_whole_match(uow, _WHOLE_MATCH, params)
    else:
        locked = await _lock_match_where(uow, _LOCK_MATCH, params)
    if locked is None:
        raise NotFound(
            msg(
                "That match does not exist any more. Use {match_info} to find yours.",
                match_info=Command("match info"),
            )
        )
    return locked


async def lock_match_of_report(uow: UnitOfWork, report_id: int) -> LockedMatch | None:
    """:func:`lock_match_reports` for the match of a report, or None when the report is
    gone: the match is found by the locking statement itself, not by a lookup first."""
    params = {"report_id": report_id}
    if holds_database(uow.session):
        return await _read_whole_match(uow, _WHOLE_MATCH_OF_REPORT, params)
    return await _lock_match_where(uow, _LOCK_MATCH_OF_REPORT, params)


def _locking(where: ColumnElement[bool]) -> Select[Tournament, MatchRow]:
    return (
        select(Tournament, MatchRow)
        .join(Tournament, Tournament.id == MatchRow.tournament_id)
        .where(where)
        .with_for_update(of=[Tournament, MatchRow])
        .execution_options(populate_existing=True)
    )


# Built once (every report and confirmation runs one): a reused statement keeps its
# cache key instead of computing it again.
_LOCK_MATCH = _locking(MatchRow.id == bindparam("match_id"))
_MATCH_OF_REPORT = (
    MatchRow.id
    == select(MatchReport.match_id)
    .where(MatchReport.id == bindparam("report_id"))
    .scalar_subquery()
)
_LOCK_MATCH_OF_REPORT = _locking(_MATCH_OF_REPORT)


_WholeMatch = Select[Tournament, MatchRow, BracketState, MatchReport, Registration, int]


def _whole(where: ColumnElement[bool]) -> _WholeMatch:
    """The tournament, the match, the bracket row, the reports and both sides' members
    in one statement (a row per report and member), for a transaction that holds the
    whole database (SQLite): nothing it reads can change before its commit, so nothing
    has to be read again after a lock. A report and its confirmation start here; the
    four statements this replaces were a third of a result's."""
    return (
        select(
            Tournament,
            MatchRow,
            BracketState,
            MatchReport,
            Registration,
            RegistrationMember.user_id,
        )
        .join(Tournament, Tournament.id == MatchRow.tournament_id)
        .outerjoin(BracketState, BracketState.tournament_id == MatchRow.tournament_id)
        .outerjoin(MatchReport, MatchReport.match_id == MatchRow.id)
        .outerjoin(
            Registration,
            Registration.id.in_([MatchRow.registration_a_id, MatchRow.registration_b_id]),
        )
        .outerjoin(RegistrationMember, RegistrationMember.registration_id == Registration.id)
        .where(where)
        .order_by(MatchReport.id, Registration.id, RegistrationMember.id)
        .options(*bracket_row_options())
        .execution_options(populate_existing=True)
    )


_WHOLE_MATCH = _whole(MatchRow.id == bindparam("match_id"))
_WHOLE_MATCH_OF_REPORT = _whole(_MATCH_OF_REPORT)


async def _read_whole_match(
    uow: UnitOfWork, statement: _WholeMatch, params: dict[str, int]
) -> LockedMatch | None:
    rows = (await uow.session.execute(statement, params)).all()
    if not rows:
        return None
    tournament, row, bracket_row = rows[0][0], rows[0][1], rows[0][2]
    keep_bracket_row(uow, bracket_row)
    reports: dict[int, MatchReport] = {}
    found: dict[int, tuple[str, list[int]]] = {}
    loaded = uow.session.info.setdefault(_KEEP, [])
    for *_, report, registration, user_id in rows:
        if report is not None:
            reports.setdefault(report.id, report)
        if registration is None:
            continue
        if registration.id not in found:
            loaded.append(registration)  # as load_sides: kept for the rating update
            found[registration.id] = (registration.display_name, [])
        members = found[registration.id][1]
        if user_id is not None and user_id not in members:
            members.append(user_id)
    sides = (_side(found, row.registration_a_id), _side(found, row.registration_b_id))
    return LockedMatch(tournament, row, list(reports.values()), sides)


async def locked_sides(session: AsyncSession, locked: LockedMatch) -> Sides:
    """Both sides of a locked match: as its locking statement read them, else read now."""
    if locked.sides is not None:
        return locked.sides
    return await load_sides(session, locked.row)


async def _lock_match_where(
    uow: UnitOfWork, statement: Select[Tournament, MatchRow], params: dict[str, int]
) -> LockedMatch | None:
    """Two statements for the tournament, the match and its reports (every report and
    confirmation starts here). On PostgreSQL ``FOR UPDATE OF tournaments, matches`` locks
    the tournament row before the match row, the order every writer keeps; the reports
    are read once both locks are held, so that a report committed by the writer this one
    waited for is seen (a locking statement keeps its own snapshot for the rows it does
    not lock). On SQLite the write transaction already holds the database."""
    found = (await uow.session.execute(statement, params)).first()
    if found is None:
        return None
    tournament, row = found
    return LockedMatch(tournament, row, await reports_of(uow.session, row.id))


Sides = tuple[Side | None, Side | None]
# Session.info key: registration rows kept alive for the rest of the transaction.
_KEEP = "deltacrown.matchday.registrations"


_SIDES = (  # built once: a reused statement keeps its cache key
    select(Registration, RegistrationMember.user_id)
    .outerjoin(RegistrationMember, RegistrationMember.registration_id == Registration.id)
    .where(Registration.id.in_(bindparam("ids", expanding=True)))
    .order_by(Registration.id, RegistrationMember.id)
)


async def load_sides(session: AsyncSession, row: MatchRow) -> Sides:
    """Both sides of a match, names and members, in one statement: what a report needs to
    know who may act, and what its reply shows. The registrations are loaded as rows, so
    the rating update of the result finds them in the session instead of reading them."""
    ids = [r for r in (row.registration_a_id, row.registration_b_id) if r is not None]
    found: dict[int, tuple[str, list[int]]] = {}
    if ids:
        rows = await session.execute(_SIDES, {"ids": ids})
        loaded = session.info.setdefault(_KEEP, [])
        for registration, user_id in rows:
            if registration.id not in found:
                loaded.append(registration)  # the identity map only holds rows weakly
            members = found.setdefault(registration.id, (registration.display_name, []))[1]
            if user_id is not None:
                members.append(user_id)
    return _side(found, row.registration_a_id), _side(found, row.registration_b_id)


def _side(found: dict[int, tuple[str, list[int]]], registration_id: int | None) -> Side | None:
    if registration_id is None or registration_id not in found:
        return None
    name, members = found[registration_id]
    return Side(registration_id, name, tuple(members))


def slot_of_user(sides: Sides, user_id: int) -> int | None:
    """0 or 1 when the user plays on that side (alone or in a team), else None."""
    for slot, side in enumerate(sides):
        if side is not None and user_id in side.member_ids:
            return slot
    return None


async def outsider_match(session: AsyncSession, actor: Actor, match_id: int) -> MatchRow | None:
    """The match when the actor neither plays in it nor organizes its server, else None.

    Asked before an attached image is decoded, so a stranger's upload costs a refusal and
    no decoding; the unit of work asks again under its locks (a missing match is its
    refusal to give)."""
    row = await session.get(MatchRow, match_id)
    if row is None or await side_of_user(session, row, actor.user_id) is not None:
        return None
    return None if await may_organize(session, actor, row.tournament_id) else row


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


def claim_thread(row: MatchRow | Dispute, thread_id: int) -> bool:
    """Record the Discord thread of a match or dispute (locked by the caller); False, and
    nothing changes, when another thread is recorded already."""
    if row.thread_id is not None:
        return row.thread_id == thread_id
    row.thread_id = thread_id
    return True


async def load_lobby(
    session: AsyncSession,
    row: MatchRow,
    *,
    tournament: Tournament | None = None,
    sides: Sides | None = None,
) -> MatchLobby:
    """The lobby of ``row``; a caller that already read the tournament or the sides
    passes them and no statement is spent on them again (sides are reused only while
    they are still the row's registrations)."""
    if sides is None or _registrations(sides) != (row.registration_a_id, row.registration_b_id):
        sides = await load_sides(session, row)
    if tournament is not None and tournament.id == row.tournament_id:
        name: str | None = tournament.name
    else:
        name = await session.scalar(
            select(Tournament.name).where(Tournament.id == row.tournament_id)
        )
    return MatchLobby(match_view(row), name or "", sides)


def _registrations(sides: Sides) -> tuple[int | None, int | None]:
    first, second = sides
    return (
        first.registration_id if first else None,
        second.registration_id if second else None,
    )


_REPORTS_OF = (  # built once: reused, a statement keeps its cache key
    select(MatchReport)
    .where(MatchReport.match_id == bindparam("match_id"))
    .order_by(MatchReport.id)
    .execution_options(populate_existing=True)
)


async def reports_of(session: AsyncSession, match_id: int) -> list[MatchReport]:
    rows = await session.scalars(_REPORTS_OF, {"match_id": match_id})
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
            msg(
                "You have no match waiting to be played right now. Use {match_info} to "
                "see your next match, or run the command inside your match thread.",
                match_info=Command("match info"),
            )
        )
    if len({r.tournament_id for r in rows}) > 1:
        raise InvalidInput(
            msg(
                "You have matches in more than one tournament right now; pick the "
                "tournament option, or run the command inside your match thread."
            )
        )
    return rows[0].id


async def validate_scores(
    uow: UnitOfWork, tournament_id: int, code: str, scores: tuple[int, int]
) -> None:
    """Refuse a score the engine would refuse (best-of, draws, result type) before
    anything is stored: a dry run that changes nothing, on the cached bracket."""
    bracket = await peek_bracket(uow, tournament_id)
    try:
        bracket.check_result(Result(code, scores))
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
            msg(
                "Pick a reason for the dispute: score mismatch, no-show, cheating, "
                "technical issue or other."
            )
        )
    existing = await uow.session.scalar(
        select(Dispute).where(Dispute.match_id == row.id, Dispute.status.in_(OPEN_DISPUTE_STATES))
    )
    if existing is not None:
        where = (
            msg(" in {channel}", channel=Channel(existing.thread_id)) if existing.thread_id else ""
        )
        raise Conflict(
            msg(
                "Match {code} already has an open dispute (#{existing_id}){where}. Add "
                "your evidence there; an organizer will decide.",
                code=row.code,
                existing_id=existing.id,
                where=where,
            )
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
