"""Where the dashboard asks for things that later features own.

Brackets (match day), certificates, sponsors and disputes arrive after the dashboard;
each is reached through a small protocol here, with a default that answers "nothing yet"
honestly. When a feature lands, its service implements the protocol and ``create_app``
gets it through ``DashboardHooks``; no handler changes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from engine.kernel.actors import Actor
from engine.render.model import RenderedImage
from engine.render.model import TournamentView as BracketView
from engine.tournaments import TournamentView


@dataclass(frozen=True)
class ResultLine:
    """One finished match for the "recent results" list."""

    label: str  # "Quarterfinal · W1-3"
    top: str
    bottom: str
    score: str  # "13 – 11", "W/O"
    winner: str | None
    finished_at: datetime | None = None


@dataclass(frozen=True)
class ScheduleLine:
    """A match still to be played or being played, for the schedule list."""

    label: str  # "Semifinal · W2-1"
    top: str
    bottom: str
    starts_at: datetime | None  # None: as soon as both sides are ready
    live: bool = False


@dataclass(frozen=True)
class BracketSnapshot:
    """What the bracket looks like now. ``version`` must change whenever anything drawn
    changes: it keys the image cache and the ETag."""

    version: int
    updated_at: datetime
    view: BracketView
    recent_results: tuple[ResultLine, ...] = ()
    # Live matches first, then the next ones by time (no lobby details: they are private).
    schedule: tuple[ScheduleLine, ...] = ()
    # The provider's own (cached) renderer, so Discord and the dashboard share one
    # rendering of a bracket version; None = the dashboard renders ``view`` itself.
    render: Callable[[], Awaitable[list[RenderedImage]]] | None = None
    # The pictures' language (the tournament's server's): part of their ETag, since a
    # server switching language redraws the same bracket version in other words.
    language: str = "en"


class BracketProvider(Protocol):
    async def snapshot(self, tournament: TournamentView) -> BracketSnapshot | None: ...


class NoBrackets:
    """Before match day exists no tournament has a bracket to show."""

    async def snapshot(self, tournament: TournamentView) -> BracketSnapshot | None:
        return None


@dataclass(frozen=True)
class CertificateRecord:
    code: str
    issued_to: str
    achievement: str  # "1st place"
    tournament_name: str
    issued_at: datetime
    revoked: bool = False
    revoked_reason: str | None = None


class CertificateVerifier(Protocol):
    async def verify(self, code: str) -> CertificateRecord | None: ...


class NoCertificates:
    async def verify(self, code: str) -> CertificateRecord | None:
        return None


@dataclass(frozen=True)
class SponsorTarget:
    """Where a sponsor link goes: only a URL an organizer registered with /sponsor add."""

    sponsor_key: str
    url: str


@dataclass(frozen=True)
class SponsorVisit:
    """Who followed a sponsor link, as far as counting needs: the address is only
    hashed with ``secret`` (the dashboard's key) and the day, never stored."""

    address: str
    user_agent: str = ""
    method: str = "GET"
    purpose: str = ""  # Purpose / Sec-Purpose: "prefetch" is not a click
    secret: bytes = b""


class SponsorLinks(Protocol):
    async def click(
        self, sponsor_key: str, tournament_slug: str | None, visit: SponsorVisit | None = None
    ) -> SponsorTarget | None:
        """Record one click and return the registered target, or None when unknown."""
        ...


class NoSponsors:
    async def click(
        self, sponsor_key: str, tournament_slug: str | None, visit: SponsorVisit | None = None
    ) -> SponsorTarget | None:
        return None


@dataclass(frozen=True)
class DisputeSummary:
    id: int
    tournament_name: str
    match_label: str
    opened_by: str
    reason: str
    status: str
    opened_at: datetime
    thread_url: str | None = None


class DisputeFeed(Protocol):
    async def open_disputes(self, actor: Actor, guild_id: int) -> list[DisputeSummary]: ...


class NoDisputes:
    async def open_disputes(self, actor: Actor, guild_id: int) -> list[DisputeSummary]:
        return []


@dataclass(frozen=True)
class DashboardHooks:
    brackets: BracketProvider = field(default_factory=NoBrackets)
    certificates: CertificateVerifier = field(default_factory=NoCertificates)
    sponsors: SponsorLinks = field(default_factory=NoSponsors)
    disputes: DisputeFeed = field(default_factory=NoDisputes)
