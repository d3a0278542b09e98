"""The engine services behind the dashboard's hooks (see dashboard/hooks.py)."""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from datetime import UTC, datetime, time

from dashboard.hooks import (
    BracketSnapshot,
    CertificateRecord,
    DashboardHooks,
    DisputeSummary,
    ResultLine,
    ScheduleLine,
    SponsorTarget,
    SponsorVisit,
)
from engine.brackets import MatchView, Snapshot, view_of
from engine.kernel.actors import SYSTEM_USER_ID, Actor
from engine.kernel.errors import Conflict
from engine.matchday import DisputeListItem
from engine.services import Services
from engine.sponsors import Visit
from engine.tournaments import TournamentView

RECENT = 10
SCHEDULED = 12
UPCOMING = ["checkin", "ready", "live", "pending_result", "disputed", "scheduled"]
LIVE = frozenset({"live", "pending_result"})


def _score(match: MatchView) -> str:
    if match.outcome in ("forfeit", "disqualification"):
        return "forfeit"
    if match.outcome == "walkover" or match.score_a is None:
        return "W/O"
    return f"{match.score_a} – {match.score_b}"


def _line(match: MatchView, names: Mapping[int | str, str]) -> ResultLine:
    def name(registration_id: int | None) -> str:
        return names.get(registration_id, "—") if registration_id else "BYE"

    return ResultLine(
        label=f"{match.round_title} · {match.code}",
        top=name(match.registration_a_id),
        bottom=name(match.registration_b_id),
        score=_score(match),
        winner=names.get(match.winner_registration_id) if match.winner_registration_id else None,
        finished_at=match.completed_at,
    )


def _schedule(matches: list[MatchView], names: Mapping[int | str, str]) -> tuple[ScheduleLine, ...]:
    """Live matches, then the rest by time; a match whose sides are both still unknown
    and that has no time says nothing yet."""

    def name(registration_id: int | None) -> str:
        return names.get(registration_id, "—") if registration_id else "TBD"

    shown = [
        m
        for m in matches
        if m.scheduled_at is not None or m.registration_a_id or m.registration_b_id
    ]
    far = datetime.max.replace(tzinfo=UTC)
    shown.sort(key=lambda m: (m.status not in LIVE, m.scheduled_at or far, m.round, m.code))
    return tuple(
        ScheduleLine(
            label=f"{m.round_title} · {m.code}",
            top=name(m.registration_a_id),
            bottom=name(m.registration_b_id),
            starts_at=m.scheduled_at,
            live=m.status in LIVE,
        )
        for m in shown[:SCHEDULED]
    )


def _drawn_version(snapshot: Snapshot) -> int:
    """The bracket version, changed too when a match goes LIVE or moves in time (both are
    drawn): it keys the dashboard's image cache and the pictures' ETag."""
    drawn = repr(
        (sorted(snapshot.live.items()), sorted(snapshot.times.items()), snapshot.sponsor_marks)
    )
    return snapshot.version * 2**32 + zlib.crc32(drawn.encode())


class ServiceBrackets:
    """Brackets from the PictureService, sharing its image cache with /bracket."""

    def __init__(self, services: Services) -> None:
        self._services = services

    async def snapshot(self, tournament: TournamentView) -> BracketSnapshot | None:
        pictures = self._services.pictures
        try:
            snapshot: Snapshot = await pictures.snapshot(tournament.id)
        except Conflict:
            return None  # not started: nothing to draw yet
        played = [
            m
            for m in await self._services.brackets.matches(tournament.id, statuses=["completed"])
            if m.outcome != "walkover"
        ]
        played.sort(key=lambda m: m.completed_at or datetime.min.replace(tzinfo=UTC), reverse=True)
        names = dict(snapshot.names)
        upcoming = await self._services.brackets.matches(tournament.id, statuses=UPCOMING)
        return BracketSnapshot(
            version=_drawn_version(snapshot),
            updated_at=snapshot.updated_at,
            view=view_of(snapshot),
            recent_results=tuple(_line(m, names) for m in played[:RECENT]),
            schedule=_schedule(upcoming, names),
            # Kept in memory by the dashboard, which counts each response it serves.
            render=lambda: pictures.images_of(snapshot, shown=False),
            language=snapshot.language,
        )


class ServiceCertificates:
    def __init__(self, services: Services) -> None:
        self._services = services

    async def verify(self, code: str) -> CertificateRecord | None:
        found = await self._services.certificates.verify(code)
        if found is None:
            return None
        recipient = found.recipient_name
        if found.roster:
            recipient = f"{recipient} ({', '.join(found.roster)})"
        reason = found.revoke_reason
        if found.status == "altered":
            reason = "The stored certificate no longer matches what was issued."
        return CertificateRecord(
            code=found.code,
            issued_to=recipient,
            achievement=found.placement,
            tournament_name=found.tournament_name,
            issued_at=datetime.combine(found.issued_on, time(), tzinfo=UTC),
            revoked=found.status != "valid",
            revoked_reason=reason,
        )


def _dispute_summary(guild_id: int, item: DisputeListItem) -> DisputeSummary:
    thread_url = None
    if item.thread_id is not None:
        thread_url = f"https://discord.com/channels/{guild_id}/{item.thread_id}"
    # The page shows plain text: a <@mention> only renders inside Discord.
    opened_by = (
        "the bot (score mismatch)" if item.opened_by == SYSTEM_USER_ID else f"User {item.opened_by}"
    )
    return DisputeSummary(
        id=item.id,
        tournament_name=item.tournament_name,
        match_label=f"{item.round_title} · {item.match_code}",
        opened_by=opened_by,
        reason=item.reason_label,
        status=item.status,
        opened_at=item.created_at,
        thread_url=thread_url,
    )


class ServiceDisputes:
    """Open disputes from the DisputeService, each linked to its thread in Discord."""

    def __init__(self, services: Services) -> None:
        self._services = services

    async def open_disputes(self, actor: Actor, guild_id: int) -> list[DisputeSummary]:
        items = await self._services.disputes.open_disputes(actor, guild_id)
        return [_dispute_summary(guild_id, item) for item in items]


class ServiceSponsors:
    """Sponsor links from the SponsorService: the registered URL, the click counted."""

    def __init__(self, services: Services) -> None:
        self._services = services

    async def click(
        self, sponsor_key: str, tournament_slug: str | None, visit: SponsorVisit | None = None
    ) -> SponsorTarget | None:
        seen = visit or SponsorVisit(address="", method="HEAD")  # no visit: not counted
        found = await self._services.sponsors.click(
            sponsor_key,
            tournament_slug,
            Visit(seen.address, seen.user_agent, seen.method, seen.purpose, seen.secret),
        )
        return SponsorTarget(found.key, found.url) if found else None


def dashboard_hooks(services: Services) -> DashboardHooks:
    return DashboardHooks(
        brackets=ServiceBrackets(services),
        certificates=ServiceCertificates(services),
        sponsors=ServiceSponsors(services),
        disputes=ServiceDisputes(services),
    )
