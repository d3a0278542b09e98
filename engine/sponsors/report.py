"""The sponsor report: impressions, clicks (total and unique) and click-through per
tournament and sponsor, summed from the daily rows; and its CSV."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from engine.kernel.exports import csv_bytes
from engine.sponsors.logos import sponsor_order
from storage.models import Sponsor, SponsorDailyStats, Tournament, TournamentSponsor


@dataclass(frozen=True)
class ReportLine:
    """One sponsor's numbers for one tournament (tournament 0: clicks naming none)."""

    tournament_id: int
    tournament_name: str
    sponsor_id: int
    sponsor_name: str
    tier: str
    impressions: int = 0
    clicks: int = 0
    unique_clicks: int = 0

    @property
    def click_through(self) -> float | None:
        """Clicks per impression, or None before the first impression."""
        return self.clicks / self.impressions if self.impressions else None

    @property
    def click_through_text(self) -> str:
        rate = self.click_through
        return "—" if rate is None else f"{rate * 100:.1f}%"


@dataclass(frozen=True)
class SponsorReport:
    lines: tuple[ReportLine, ...] = field(default_factory=tuple)

    @property
    def impressions(self) -> int:
        return sum(line.impressions for line in self.lines)

    @property
    def clicks(self) -> int:
        return sum(line.clicks for line in self.lines)

    @property
    def unique_clicks(self) -> int:
        return sum(line.unique_clicks for line in self.lines)


REPORT_HEADER = (
    "tournament_id",
    "tournament",
    "sponsor",
    "tier",
    "impressions",
    "clicks",
    "unique_clicks",
    "click_through",
)


async def read_report(session: Any, guild_id: int, allowed: set[int] | None) -> SponsorReport:
    """The server's numbers, for the tournaments in ``allowed`` (None: all of them)."""
    sponsors = {
        r.id: r for r in await session.scalars(select(Sponsor).where(Sponsor.guild_id == guild_id))
    }
    if not sponsors:
        return SponsorReport()
    totals: dict[tuple[int, int], list[int]] = {}
    numbers = await session.execute(
        select(
            SponsorDailyStats.tournament_id,
            SponsorDailyStats.sponsor_id,
            func.sum(SponsorDailyStats.impressions),
            func.sum(SponsorDailyStats.clicks),
            func.sum(SponsorDailyStats.unique_clicks),
        )
        .where(SponsorDailyStats.sponsor_id.in_(list(sponsors)))
        .group_by(SponsorDailyStats.tournament_id, SponsorDailyStats.sponsor_id)
    )
    for t_id, s_id, shown, clicks, unique in numbers.all():
        totals[(t_id, s_id)] = [int(shown or 0), int(clicks or 0), int(unique or 0)]
    links = await session.execute(
        select(TournamentSponsor.tournament_id, TournamentSponsor.sponsor_id).where(
            TournamentSponsor.sponsor_id.in_(list(sponsors))
        )
    )
    for t_id, s_id in links.all():
        totals.setdefault((t_id, s_id), [0, 0, 0])  # attached, not shown yet
    if allowed is not None:
        totals = {k: v for k, v in totals.items() if k[0] in allowed}
    names = dict(
        (
            await session.execute(
                select(Tournament.id, Tournament.name).where(
                    Tournament.id.in_([t for t, _ in totals if t])
                )
            )
        ).all()
    )
    lines = [
        ReportLine(
            tournament_id=t_id,
            tournament_name=names.get(t_id, "—") if t_id else "—",
            sponsor_id=s_id,
            sponsor_name=sponsors[s_id].name,
            tier=sponsors[s_id].tier,
            impressions=shown,
            clicks=clicks,
            unique_clicks=unique,
        )
        for (t_id, s_id), (shown, clicks, unique) in totals.items()
    ]
    # Newest tournaments first, clicks naming no tournament last; sponsors by tier.
    lines.sort(
        key=lambda x: (
            x.tournament_id == 0,
            -x.tournament_id,
            sponsor_order(sponsors[x.sponsor_id]),
        )
    )
    return SponsorReport(tuple(lines))


def report_csv_bytes(report: SponsorReport) -> bytes:
    rows = [
        (
            line.tournament_id or "",
            line.tournament_name,
            line.sponsor_name,
            line.tier,
            line.impressions,
            line.clicks,
            line.unique_clicks,
            "" if line.click_through is None else f"{line.click_through:.4f}",
        )
        for line in report.lines
    ]
    return csv_bytes(REPORT_HEADER, rows)
