"""What players and organizers see of a dispute: read models built from its rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.matchday._access import (
    DISPUTE_REASONS,
    MatchLobby,
    ReportView,
)
from storage.models import Dispute, DisputeEvidence


@dataclass(frozen=True)
class EvidenceView:
    id: int
    dispute_id: int
    user_id: int
    note: str | None
    file_sha256: str | None
    source_message_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class DisputeView:
    id: int
    guild_id: int
    tournament_id: int
    match_id: int
    opened_by: int
    reason: str
    reason_label: str
    description: str
    status: str
    thread_id: int | None
    resolution: str | None
    resolved_by: int | None
    created_at: datetime
    resolved_at: datetime | None


@dataclass(frozen=True)
class DisputeDetail:
    """Everything the dispute thread shows: the match, its reports and the evidence."""

    dispute: DisputeView
    lobby: MatchLobby
    reports: tuple[ReportView, ...]
    evidence: tuple[EvidenceView, ...]


@dataclass(frozen=True)
class DisputeListItem:
    """One unresolved dispute in the organizers' list (the dashboard's /org/disputes)."""

    id: int
    tournament_id: int
    tournament_name: str
    match_id: int
    match_code: str
    round_title: str
    opened_by: int  # SYSTEM_USER_ID when the bot opened it (the reports differed)
    reason: str
    reason_label: str
    status: str
    created_at: datetime
    thread_id: int | None


@dataclass(frozen=True)
class EvidenceFile:
    """An attachment of a message posted in a dispute thread."""

    filename: str
    url: str
    data: bytes | None  # None when it is not an image worth downloading (kept as a link)


def dispute_view(row: Dispute) -> DisputeView:
    return DisputeView(
        id=row.id,
        guild_id=row.guild_id,
        tournament_id=row.tournament_id,
        match_id=row.match_id,
        opened_by=row.opened_by,
        reason=row.reason,
        reason_label=DISPUTE_REASONS.get(row.reason, row.reason),
        description=row.description,
        status=row.status,
        thread_id=row.thread_id,
        resolution=row.resolution,
        resolved_by=row.resolved_by,
        created_at=row.created_at,
        resolved_at=row.resolved_at,
    )


def evidence_view(row: DisputeEvidence) -> EvidenceView:
    return EvidenceView(
        id=row.id,
        dispute_id=row.dispute_id,
        user_id=row.user_id,
        note=row.note,
        file_sha256=row.file_sha256,
        source_message_id=row.source_message_id,
        created_at=row.created_at,
    )
