"""Public reads from memory: a tournament page, a bracket picture or a ``304`` without a
database round trip on the hot path.

What a public tournament shows (its view, bracket snapshot, pictures and rendered pages)
is read once and served from memory until either

- an outbox event this process delivers names the tournament (or its server): a result,
  a registration, a status change drops the entry at once, before the live feed tells
  browsers to reload; or
- ``ttl`` seconds pass: the bound on staleness for changes another process made, whose
  events this process never sees.

Concurrent requests for a missing or stale entry share one load. A load that overlaps an
invalidation is served to its waiters but not kept (it may predate the change). Unknown
slugs are never remembered (scanning random addresses cannot fill memory), and the
number of tournaments kept is bounded (least recently used first out).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from dashboard.hooks import BracketSnapshot
from engine.kernel.events import DomainEvent
from engine.render.model import RenderedImage
from engine.tournaments import TournamentView

TTL_SECONDS = 2.0
MAX_TOURNAMENTS = 256


@dataclass
class PublicEntry:
    """One public tournament as last read; pictures and pages are filled on first use."""

    tournament: TournamentView
    snapshot: BracketSnapshot | None
    loaded_at: float = 0.0
    images: list[RenderedImage] | None = None
    # (template, language) -> the page: each reader's language is rendered once.
    pages: dict[tuple[str, str], bytes] = field(default_factory=dict)
    context: dict[str, object] | None = None
    # The tournament's sponsors (engine.sponsors.SponsorLogo), read on first use.
    sponsors: list[Any] | None = None


Loader = Callable[[str], Awaitable[PublicEntry | None]]


class PublicReads:
    def __init__(
        self,
        ttl: float = TTL_SECONDS,
        max_tournaments: int = MAX_TOURNAMENTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.max_tournaments = max_tournaments
        self._clock = clock
        self._entries: OrderedDict[str, PublicEntry] = OrderedDict()
        self._loading: dict[str, asyncio.Future[PublicEntry | None]] = {}
        self._epoch = 0  # grows with every invalidation
        self.loads = 0

    async def get(self, slug: str, load: Loader) -> PublicEntry | None:
        """The entry of ``slug`` from memory when fresh, else loaded (once for all)."""
        entry = self._entries.get(slug)
        if entry is not None and self._clock() - entry.loaded_at < self.ttl:
            self._entries.move_to_end(slug)
            return entry
        pending = self._loading.get(slug)
        if pending is None:
            pending = asyncio.ensure_future(self._load(slug, load, self._epoch))
            self._loading[slug] = pending
        return await asyncio.shield(pending)

    async def _load(self, slug: str, load: Loader, epoch: int) -> PublicEntry | None:
        try:
            self.loads += 1
            entry = await load(slug)
        finally:
            self._loading.pop(slug, None)
        self._entries.pop(slug, None)
        if entry is not None and epoch == self._epoch:
            entry.loaded_at = self._clock()
            self._entries[slug] = entry
            while len(self._entries) > self.max_tournaments:
                self._entries.popitem(last=False)
        return entry

    def forget(self, *, tournament_id: int | None = None, guild_id: int | None = None) -> None:
        """Drop what a change touched: one tournament, or every tournament of a server."""
        self._epoch += 1
        gone = [
            slug
            for slug, entry in self._entries.items()
            if entry.tournament.id == tournament_id
            or (tournament_id is None and entry.tournament.guild_id == guild_id)
        ]
        for slug in gone:
            del self._entries[slug]

    def saw(self, event: DomainEvent) -> None:
        """An outbox event this process delivers: forget what it changed."""
        tournament_id = getattr(event, "tournament_id", None)
        if isinstance(tournament_id, int):
            self.forget(tournament_id=tournament_id)
        elif event.guild_id is not None:
            self.forget(guild_id=event.guild_id)
