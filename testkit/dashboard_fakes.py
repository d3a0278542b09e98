"""Stand-ins for the features that arrive after the dashboard (brackets, certificates,
sponsors, disputes), implementing the protocols in dashboard/hooks.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from dashboard.hooks import (
    BracketSnapshot,
    CertificateRecord,
    DashboardHooks,
    DisputeSummary,
    ResultLine,
    SponsorTarget,
    SponsorVisit,
)
from engine.kernel.actors import Actor
from engine.render.model import TournamentView as BracketView
from engine.tournaments import TournamentView
from testkit.render_fixtures import round_robin_view, single_elim_view


@dataclass
class StaticBrackets:
    """Brackets set by the test; ``advance`` draws the next version."""

    snapshots: dict[int, BracketSnapshot] = field(default_factory=dict)
    calls: int = 0

    async def snapshot(self, tournament: TournamentView) -> BracketSnapshot | None:
        self.calls += 1
        return self.snapshots.get(tournament.id)

    def show(
        self,
        tournament_id: int,
        view: BracketView | None = None,
        version: int = 1,
        results: tuple[ResultLine, ...] = (),
    ) -> BracketSnapshot:
        snapshot = BracketSnapshot(
            version=version,
            updated_at=datetime(2026, 1, 1, 12, version % 60, tzinfo=UTC),
            view=view or single_elim_view(8, completed_rounds=1),
            recent_results=results,
        )
        self.snapshots[tournament_id] = snapshot
        return snapshot


def round_robin_snapshot() -> BracketView:
    return round_robin_view(4)


@dataclass
class FakeCertificates:
    records: dict[str, CertificateRecord] = field(default_factory=dict)

    async def verify(self, code: str) -> CertificateRecord | None:
        return self.records.get(code)


@dataclass
class FakeSponsors:
    targets: dict[str, str] = field(default_factory=dict)
    clicks: list[tuple[str, str | None]] = field(default_factory=list)

    async def click(
        self, sponsor_key: str, tournament_slug: str | None, visit: SponsorVisit | None = None
    ) -> SponsorTarget | None:
        url = self.targets.get(sponsor_key)
        if url is None:
            return None
        self.clicks.append((sponsor_key, tournament_slug))
        return SponsorTarget(sponsor_key, url)


@dataclass
class FakeDisputes:
    disputes: list[DisputeSummary] = field(default_factory=list)

    async def open_disputes(self, actor: Actor, guild_id: int) -> list[DisputeSummary]:
        return list(self.disputes)


@dataclass
class Fakes:
    brackets: StaticBrackets
    certificates: FakeCertificates
    sponsors: FakeSponsors
    disputes: FakeDisputes

    def hooks(self) -> DashboardHooks:
        return DashboardHooks(self.brackets, self.certificates, self.sponsors, self.disputes)
