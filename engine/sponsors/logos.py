"""The sponsors of one tournament as the pictures, certificates and pages show them, and
the counting of impressions and clicks. Functions here take a session or a unit of work,
so the domains above (brackets, awards, the clone of a tournament) use them in their own
transactions."""

from __future__ import annotations

import asyncio
import io
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from typing import Any

from PIL import Image
from sqlalchemy import delete, select

from engine.kernel.sql import insert_ignoring_conflicts
from engine.kernel.uow import UnitOfWork
from engine.sponsors.rules import tier_rank
from engine.tournaments import TournamentCloning
from storage.files import FileStore
from storage.models import Sponsor, SponsorDailyStats, SponsorVisitor, TournamentSponsor

LOGO_MAX_SIZE = (800, 400)  # stored logos fit this box: enough for a 2x strip and a PDF


@dataclass(frozen=True)
class SponsorLogo:
    """A sponsor of a tournament with its logo, in the order it is shown."""

    sponsor_id: int
    key: str
    name: str
    tier: str
    tier_rank: int
    url: str
    blurb: str | None
    logo_sha256: str | None
    logo: bytes | None

    @property
    def mark(self) -> tuple[int, str, int]:
        """What a picture drawn with this logo depends on (for cache keys)."""
        return (self.sponsor_id, self.logo_sha256 or "", self.tier_rank)


class _LogoBytes:
    """Logo files by content hash: immutable, so a small LRU in the process is exact."""

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, files: FileStore, sha256: str) -> bytes | None:
        with self._lock:
            data = self._entries.get(sha256)
            if data is not None:
                self._entries.move_to_end(sha256)
                return data
        if not files.exists(sha256):
            return None
        data = files.read(sha256)
        with self._lock:
            self._entries[sha256] = data
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return data


_LOGOS = _LogoBytes()


def sponsor_order(row: Sponsor) -> tuple[int, int, str]:
    return (tier_rank(row.tier), row.position, row.name.lower())


async def tournament_sponsor_rows(session: Any, tournament_id: int) -> list[Sponsor]:
    rows = list(
        await session.scalars(
            select(Sponsor)
            .join(TournamentSponsor, TournamentSponsor.sponsor_id == Sponsor.id)
            .where(TournamentSponsor.tournament_id == tournament_id)
        )
    )
    rows.sort(key=sponsor_order)
    return rows


async def tournament_sponsor_logos(
    session: Any, files: FileStore, tournament_id: int
) -> list[SponsorLogo]:
    """The tournament's sponsors by tier, then order, each with its logo's bytes."""
    rows = await tournament_sponsor_rows(session, tournament_id)
    logos: list[SponsorLogo] = []
    for row in rows:
        data = None
        if row.logo_sha256:
            data = await asyncio.to_thread(_LOGOS.get, files, row.logo_sha256)
        logos.append(
            SponsorLogo(
                sponsor_id=row.id,
                key=row.key,
                name=row.name,
                tier=row.tier,
                tier_rank=tier_rank(row.tier),
                url=row.url,
                blurb=row.blurb,
                logo_sha256=row.logo_sha256,
                logo=data,
            )
        )
    return logos


async def copy_sponsors(
    uow_or_session: UnitOfWork | Any, source_tournament_id: int, target_tournament_id: int
) -> int:
    """Attach the source tournament's sponsors to the target (in the caller's transaction;
    sponsors the target already has are kept once). Returns how many were added."""
    session = uow_or_session.session if isinstance(uow_or_session, UnitOfWork) else uow_or_session
    source = await session.execute(
        select(TournamentSponsor.sponsor_id, TournamentSponsor.added_by, TournamentSponsor.added_at)
        .where(TournamentSponsor.tournament_id == source_tournament_id)
        .order_by(TournamentSponsor.sponsor_id)
    )
    rows = source.all()
    if not rows:
        return 0
    have = set(
        await session.scalars(
            select(TournamentSponsor.sponsor_id).where(
                TournamentSponsor.tournament_id == target_tournament_id
            )
        )
    )
    added = [
        TournamentSponsor(
            tournament_id=target_tournament_id,
            sponsor_id=sponsor_id,
            added_by=added_by,
            added_at=added_at,
        )
        for sponsor_id, added_by, added_at in rows
        if sponsor_id not in have
    ]
    session.add_all(added)
    await session.flush()
    return len(added)


async def add_impressions(
    session: Any,
    sponsor_ids: list[int] | tuple[int, ...],
    tournament_id: int,
    day: date,
    n: int = 1,
) -> None:
    """One upsert adding ``n`` impressions to each sponsor's row of the day."""
    if not sponsor_ids or n <= 0:
        return
    stmt = insert_ignoring_conflicts(session, SponsorDailyStats).values(
        [
            {
                "sponsor_id": sponsor_id,
                "tournament_id": tournament_id,
                "day": day,
                "impressions": n,
                "clicks": 0,
                "unique_clicks": 0,
            }
            for sponsor_id in sorted(set(sponsor_ids))
        ]
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["sponsor_id", "tournament_id", "day"],
        set_={"impressions": SponsorDailyStats.impressions + stmt.excluded.impressions},
    )
    await session.execute(stmt)


async def add_click(
    session: Any, sponsor_id: int, tournament_id: int, day: date, visitor: str
) -> None:
    """Count one click of a person: in total always, in unique when ``visitor`` (a keyed
    hash) has not clicked this sponsor for this tournament today."""
    first = await session.execute(
        insert_ignoring_conflicts(session, SponsorVisitor)
        .values(
            sponsor_id=sponsor_id,
            tournament_id=tournament_id,
            day=day,
            visitor=visitor,
        )
        .on_conflict_do_nothing()
        .returning(SponsorVisitor.sponsor_id)
    )
    unique = 1 if first.first() is not None else 0
    if unique:
        # Yesterday's visitors can never match again (the day is in the hash):
        # the first new visitor of a day clears the sponsor's older rows.
        await session.execute(
            delete(SponsorVisitor).where(
                SponsorVisitor.sponsor_id == sponsor_id, SponsorVisitor.day < day
            )
        )
    stmt = insert_ignoring_conflicts(session, SponsorDailyStats).values(
        sponsor_id=sponsor_id,
        tournament_id=tournament_id,
        day=day,
        impressions=0,
        clicks=1,
        unique_clicks=unique,
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["sponsor_id", "tournament_id", "day"],
        set_={
            "clicks": SponsorDailyStats.clicks + 1,
            "unique_clicks": SponsorDailyStats.unique_clicks + stmt.excluded.unique_clicks,
        },
    )
    await session.execute(stmt)


def normalized_logo(data: bytes) -> bytes:
    """A checked logo as a PNG fitting ``LOGO_MAX_SIZE`` (transparency kept)."""
    with Image.open(io.BytesIO(data)) as image:
        converted = image.convert("RGBA")
    converted.thumbnail(LOGO_MAX_SIZE, Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    converted.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


async def copy_sponsors_of_clone(uow: UnitOfWork, moment: TournamentCloning) -> None:
    """Reaction: a tournament's clone is backed by the same sponsors as its source."""
    await copy_sponsors(uow, moment.source_tournament_id, moment.tournament_id)
