"""Sponsors: /sponsor add, edit, remove, list, attach, detach, report; clicks and views."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from engine.guilds import is_guild_organizer, require_guild_organizer
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, NotFound
from engine.kernel.text import Command, msg
from engine.kernel.typed import row_id
from engine.kernel.uow import ServiceContext
from engine.kernel.uploads import CheckedImage
from engine.sponsors.impressions import flush_impressions, record_impressions
from engine.sponsors.logos import (
    SponsorLogo,
    add_click,
    normalized_logo,
    sponsor_order,
    tournament_sponsor_logos,
    tournament_sponsor_rows,
)
from engine.sponsors.report import (
    SponsorReport,
    read_report,
    report_csv_bytes,
)
from engine.sponsors.rules import (
    MAX_SPONSORS_PER_GUILD,
    Visit,
    clean_blurb,
    clean_name,
    clean_position,
    clean_tier,
    clean_url,
    is_counted,
    key_base,
    visitor_hash,
)
from engine.tournaments import require_any_organizing, require_tournament_organizer
from storage.models import (
    Sponsor,
    SponsorDailyStats,
    SponsorVisitor,
    Tournament,
    TournamentSponsor,
)

_UNSET: Any = object()


@dataclass(frozen=True)
class SponsorSpec:
    name: str
    url: str
    tier: str = "gold"
    blurb: str | None = None
    position: int = 0


@dataclass(frozen=True)
class SponsorChanges:
    """What ``/sponsor edit`` changes; None leaves a field as it is."""

    name: str | None = None
    url: str | None = None
    tier: str | None = None
    blurb: str | None = None
    position: int | None = None

    @property
    def empty(self) -> bool:
        return all(v is None for v in (self.name, self.url, self.tier, self.blurb, self.position))


@dataclass(frozen=True)
class SponsorView:
    id: int
    guild_id: int
    key: str
    name: str
    tier: str
    position: int
    url: str
    blurb: str | None
    logo_sha256: str | None
    tournament_ids: tuple[int, ...] = ()

    @classmethod
    def of(cls, row: Sponsor, tournament_ids: tuple[int, ...] = ()) -> SponsorView:
        return cls(
            id=row.id,
            guild_id=row.guild_id,
            key=row.key,
            name=row.name,
            tier=row.tier,
            position=row.position,
            url=row.url,
            blurb=row.blurb,
            logo_sha256=row.logo_sha256,
            tournament_ids=tournament_ids,
        )


@dataclass(frozen=True)
class ClickTarget:
    key: str
    url: str
    counted: bool = False


def _audit(view: SponsorView) -> dict[str, object]:
    return {
        "name": view.name,
        "key": view.key,
        "tier": view.tier,
        "position": view.position,
        "url": view.url,
        "blurb": view.blurb,
        "logo_sha256": view.logo_sha256,
    }


def _not_found(text: str) -> NotFound:
    return NotFound(
        msg(
            "There is no sponsor called “{text}” on this server. Pick one from the list "
            "(see {sponsor_list}).",
            text=text,
            sponsor_list=Command("sponsor list"),
        )
    )


def _duplicate(name: str) -> Conflict:
    return Conflict(
        msg(
            "This server already has a sponsor called “{name}”. Pick another name, or "
            "change that sponsor with {sponsor_edit}.",
            name=name,
            sponsor_edit=Command("sponsor edit"),
        )
    )


class SponsorService:
    def __init__(self, ctx: ServiceContext, public_url: str = "http://127.0.0.1:8080") -> None:
        self._ctx = ctx
        self._public_url = public_url.rstrip("/")

    def click_url(self, key: str, tournament_slug: str | None = None) -> str:
        """The dashboard address that counts a click and redirects to the sponsor."""
        query = f"?t={quote(tournament_slug, safe='')}" if tournament_slug else ""
        return f"{self._public_url}/s/{quote(key, safe='')}{query}"

    # ------------------------------------------------------------------ organizers
    async def add(
        self,
        actor: Actor,
        guild_id: int,
        spec: SponsorSpec,
        *,
        logo: bytes | None = None,
        logo_name: str | None = None,
        tournament_id: int | None = None,
    ) -> SponsorView:
        """A new sponsor of the server (its logo checked like every upload), optionally
        attached to a tournament at once."""
        name, url = clean_name(spec.name), clean_url(spec.url)
        tier, blurb = clean_tier(spec.tier), clean_blurb(spec.blurb)
        position = clean_position(spec.position)
        async with self._ctx.read() as session:
            await require_guild_organizer(session, actor, guild_id)
        checked = await self._checked_logo(logo, logo_name)
        try:
            async with self._ctx.unit_of_work() as uow:
                session = uow.session
                await require_guild_organizer(session, actor, guild_id)
                if tournament_id is not None:
                    await self._tournament_here(session, actor, guild_id, tournament_id)
                await self._refuse_clash(session, guild_id, name)
                count = await session.scalar(
                    select(func.count()).select_from(Sponsor).where(Sponsor.guild_id == guild_id)
                )
                if (count or 0) >= MAX_SPONSORS_PER_GUILD:
                    raise Conflict(
                        msg(
                            "This server already has {max} sponsors, the most it can keep. "
                            "Remove one with {sponsor_remove} first.",
                            max=MAX_SPONSORS_PER_GUILD,
                            sponsor_remove=Command("sponsor remove"),
                        )
                    )
                sha = None
                if checked is not None:
                    sha = await self._ctx.uploads.store(
                        uow, checked, guild_id=guild_id, user_id=actor.user_id
                    )
                now = uow.clock.now()
                row = Sponsor(
                    guild_id=guild_id,
                    key=await self._free_key(session, name),
                    name=name,
                    tier=tier,
                    position=position,
                    url=url,
                    blurb=blurb,
                    logo_sha256=sha,
                    created_by=actor.user_id,
                    created_at=now,
                    updated_at=now,
                )
                session.add(row)
                await session.flush()
                attached: tuple[int, ...] = ()
                if tournament_id is not None:
                    session.add(
                        TournamentSponsor(
                            tournament_id=tournament_id,
                            sponsor_id=row.id,
                            added_by=actor.user_id,
                            added_at=now,
                        )
                    )
                    attached = (tournament_id,)
                view = SponsorView.of(row, attached)
                uow.audit(
                    guild_id=guild_id,
                    actor_id=actor.user_id,
                    action="sponsor.add",
                    target_type="sponsor",
                    target_id=row.id,
                    after={**_audit(view), "tournament_id": tournament_id},
                )
        except IntegrityError:
            raise _duplicate(name) from None
        return view

    async def edit(
        self,
        actor: Actor,
        guild_id: int,
        sponsor: str,
        changes: SponsorChanges,
        *,
        logo: bytes | None = None,
        logo_name: str | None = None,
    ) -> SponsorView:
        if changes.empty and logo is None:
            raise InvalidInput(
                msg("Nothing to change: give a new name, link, tier, text, order or logo.")
            )
        name = clean_name(changes.name) if changes.name is not None else None
        url = clean_url(changes.url) if changes.url is not None else None
        tier = clean_tier(changes.tier) if changes.tier is not None else None
        blurb = clean_blurb(changes.blurb) if changes.blurb is not None else _UNSET
        position = clean_position(changes.position) if changes.position is not None else None
        async with self._ctx.read() as session:
            await require_guild_organizer(session, actor, guild_id)
        checked = await self._checked_logo(logo, logo_name)
        try:
            async with self._ctx.unit_of_work() as uow:
                session = uow.session
                await require_guild_organizer(session, actor, guild_id)
                row = await self._find(session, guild_id, sponsor, lock=True)
                before = _audit(SponsorView.of(row))
                if name is not None and name.lower() != row.name.lower():
                    await self._refuse_clash(session, guild_id, name)
                if name is not None:
                    row.name = name
                if url is not None:
                    row.url = url
                if tier is not None:
                    row.tier = tier
                if blurb is not _UNSET:
                    row.blurb = blurb
                if position is not None:
                    row.position = position
                if checked is not None:
                    row.logo_sha256 = await self._ctx.uploads.store(
                        uow, checked, guild_id=guild_id, user_id=actor.user_id
                    )
                row.updated_at = uow.clock.now()
                await session.flush()
                view = SponsorView.of(row, await self._tournaments_of(session, row.id))
                uow.audit(
                    guild_id=guild_id,
                    actor_id=actor.user_id,
                    action="sponsor.edit",
                    target_type="sponsor",
                    target_id=row.id,
                    before=before,
                    after=_audit(view),
                )
        except IntegrityError:
            raise _duplicate(name or sponsor) from None
        return view

    async def remove(self, actor: Actor, guild_id: int, sponsor: str) -> SponsorView:
        """Remove a sponsor with its numbers; its logo leaves every picture drawn later."""
        async with self._ctx.unit_of_work() as uow:
            session = uow.session
            await require_guild_organizer(session, actor, guild_id)
            row = await self._find(session, guild_id, sponsor, lock=True)
            view = SponsorView.of(row, await self._tournaments_of(session, row.id))
            for table in (TournamentSponsor, SponsorDailyStats, SponsorVisitor):
                await session.execute(delete(table).where(table.sponsor_id == row.id))
            await session.delete(row)
            uow.audit(
                guild_id=guild_id,
                actor_id=actor.user_id,
                action="sponsor.remove",
                target_type="sponsor",
                target_id=view.id,
                before=_audit(view),
            )
        return view

    async def attach(
        self, actor: Actor, guild_id: int, sponsor: str, tournament_id: int
    ) -> SponsorView:
        async with self._ctx.unit_of_work() as uow:
            session = uow.session
            tournament = await self._tournament_here(session, actor, guild_id, tournament_id)
            row = await self._find(session, guild_id, sponsor)
            have = await self._tournaments_of(session, row.id)
            if tournament_id in have:
                raise Conflict(
                    msg(
                        "{sponsor} already sponsors {tournament}.",
                        sponsor=row.name,
                        tournament=tournament.name,
                    )
                )
            session.add(
                TournamentSponsor(
                    tournament_id=tournament_id,
                    sponsor_id=row.id,
                    added_by=actor.user_id,
                    added_at=uow.clock.now(),
                )
            )
            uow.audit(
                guild_id=guild_id,
                actor_id=actor.user_id,
                action="sponsor.attach",
                target_type="sponsor",
                target_id=row.id,
                after={"tournament_id": tournament_id, "name": row.name},
            )
            return SponsorView.of(row, tuple(sorted((*have, tournament_id))))

    async def detach(
        self, actor: Actor, guild_id: int, sponsor: str, tournament_id: int
    ) -> SponsorView:
        async with self._ctx.unit_of_work() as uow:
            session = uow.session
            tournament = await self._tournament_here(session, actor, guild_id, tournament_id)
            row = await self._find(session, guild_id, sponsor)
            gone = await session.execute(
                delete(TournamentSponsor).where(
                    TournamentSponsor.tournament_id == tournament_id,
                    TournamentSponsor.sponsor_id == row.id,
                )
            )
            if not gone.rowcount:  # type: ignore[attr-defined]
                raise Conflict(
                    msg(
                        "{sponsor} does not sponsor {tournament}, so there is nothing to detach.",
                        sponsor=row.name,
                        tournament=tournament.name,
                    )
                )
            uow.audit(
                guild_id=guild_id,
                actor_id=actor.user_id,
                action="sponsor.detach",
                target_type="sponsor",
                target_id=row.id,
                before={"tournament_id": tournament_id, "name": row.name},
            )
            return SponsorView.of(row, await self._tournaments_of(session, row.id))

    # ----------------------------------------------------------------------- reads
    async def list_sponsors(self, guild_id: int) -> list[SponsorView]:
        async with self._ctx.read() as session:
            rows = list(await session.scalars(select(Sponsor).where(Sponsor.guild_id == guild_id)))
            links = await session.execute(
                select(TournamentSponsor.sponsor_id, TournamentSponsor.tournament_id)
                .join(Sponsor, Sponsor.id == TournamentSponsor.sponsor_id)
                .where(Sponsor.guild_id == guild_id)
            )
            by_sponsor: dict[int, list[int]] = {}
            for sponsor_id, tournament_id in links.all():
                by_sponsor.setdefault(sponsor_id, []).append(tournament_id)
        rows.sort(key=sponsor_order)
        return [SponsorView.of(r, tuple(sorted(by_sponsor.get(r.id, ())))) for r in rows]

    async def listing(self, actor: Actor, guild_id: int) -> list[SponsorView]:
        """``/sponsor list``: for whoever organizes something on the server."""
        async with self._ctx.read() as session:
            await require_any_organizing(session, actor, guild_id)
        return await self.list_sponsors(guild_id)

    async def search(self, guild_id: int, text: str, limit: int = 25) -> list[SponsorView]:
        wanted = text.strip().lower()
        found = [s for s in await self.list_sponsors(guild_id) if wanted in s.name.lower()]
        return found[:limit]

    async def of_tournament(self, tournament_id: int) -> list[SponsorLogo]:
        """The tournament's sponsors with their logos, by tier then order."""
        async with self._ctx.read() as session:
            return await tournament_sponsor_logos(session, self._ctx.files, tournament_id)

    async def names_of_tournament(self, tournament_id: int) -> list[str]:
        async with self._ctx.read() as session:
            return [row.name for row in await tournament_sponsor_rows(session, tournament_id)]

    async def logo(self, key: str) -> bytes | None:
        """A sponsor's logo by its public key (the logo is public: it is on every picture)."""
        async with self._ctx.read() as session:
            sha = await session.scalar(select(Sponsor.logo_sha256).where(Sponsor.key == key))
        if not sha or not self._ctx.files.exists(sha):
            return None
        return await asyncio.to_thread(self._ctx.files.read, sha)

    # --------------------------------------------------------------------- counting
    async def count_impressions(
        self, tournament_id: int, sponsor_ids: list[int] | None = None, n: int = 1
    ) -> None:
        """Count a picture or page with the tournament's logos served (``sponsor_ids``
        when the caller already knows them, else read)."""
        if sponsor_ids is None:
            async with self._ctx.read() as session:
                sponsor_ids = list(
                    await session.scalars(
                        select(TournamentSponsor.sponsor_id).where(
                            TournamentSponsor.tournament_id == tournament_id
                        )
                    )
                )
        record_impressions(self._ctx, tournament_id, sponsor_ids, n)

    async def flush_impressions(self) -> None:
        """Write the impressions this process counted and has not written yet (see
        ``impressions.py``): before a report, and when the process stops."""
        await flush_impressions(self._ctx)

    async def click(
        self, key: str, tournament_slug: str | None, visit: Visit
    ) -> ClickTarget | None:
        """The registered link of sponsor ``key`` (None: unknown), counting the click
        when a person made it: total always, unique once per visitor, sponsor,
        tournament and day. The tournament counts only when that sponsor backs it."""
        async with self._ctx.read() as session:
            row = (
                await session.execute(select(Sponsor.id, Sponsor.url).where(Sponsor.key == key))
            ).first()
            if row is None:
                return None
            sponsor_id, url = row
            tournament_id = 0
            if tournament_slug:
                found = await session.scalar(
                    select(TournamentSponsor.tournament_id)
                    .join(Tournament, Tournament.id == TournamentSponsor.tournament_id)
                    .where(
                        Tournament.slug == tournament_slug,
                        TournamentSponsor.sponsor_id == sponsor_id,
                    )
                )
                tournament_id = found or 0
        if not is_counted(visit):
            return ClickTarget(key, url, counted=False)
        async with self._ctx.unit_of_work() as uow:
            day = uow.clock.now().date()
            await add_click(uow.session, sponsor_id, tournament_id, day, visitor_hash(visit, day))
        return ClickTarget(key, url, counted=True)

    # ----------------------------------------------------------------------- report
    async def report(
        self, actor: Actor, guild_id: int, tournament_id: int | None = None
    ) -> SponsorReport:
        """Impressions, clicks (total and unique) and click-through per tournament and
        sponsor: every tournament the actor runs (a server organizer: every one)."""
        await flush_impressions(self._ctx)  # this process's latest count is in
        async with self._ctx.read() as session:
            if tournament_id is not None:
                await self._tournament_here(session, actor, guild_id, tournament_id)
                allowed: set[int] | None = {tournament_id}
            else:
                allowed = await require_any_organizing(session, actor, guild_id)
                if allowed is not None and await is_guild_organizer(session, actor, guild_id):
                    allowed = None
            return await read_report(session, guild_id, allowed)

    async def report_csv(
        self, actor: Actor, guild_id: int, tournament_id: int | None = None
    ) -> tuple[str, bytes]:
        report = await self.report(actor, guild_id, tournament_id)
        name = f"sponsors-{tournament_id}.csv" if tournament_id else "sponsors.csv"
        return name, report_csv_bytes(report)

    # ---------------------------------------------------------------------- helpers
    async def _checked_logo(self, logo: bytes | None, name: str | None) -> CheckedImage | None:
        if logo is None:
            return None
        checked = await self._ctx.uploads.check_image(logo, what="logo", name=name)
        data = await asyncio.to_thread(normalized_logo, checked.data)
        return CheckedImage(data, "image/png", name)

    async def _tournament_here(
        self, session: Any, actor: Actor, guild_id: int, tournament_id: int
    ) -> Tournament:
        tournament = await session.get(Tournament, tournament_id)
        if tournament is None or tournament.guild_id != guild_id:
            raise NotFound(msg("That tournament does not exist. Pick one from the list."))
        await require_tournament_organizer(session, actor, tournament)
        return tournament

    async def _find(self, session: Any, guild_id: int, text: str, *, lock: bool = False) -> Sponsor:
        text = text.strip()
        query = select(Sponsor).where(Sponsor.guild_id == guild_id)
        wanted = row_id(text)
        if wanted is not None:
            found = await session.scalar(
                query.where(Sponsor.id == wanted).with_for_update()
                if lock
                else query.where(Sponsor.id == wanted)
            )
            if found is not None:
                return found
        by_name = query.where(
            (func.lower(Sponsor.name) == text.lower()) | (Sponsor.key == text.lower())
        )
        found = await session.scalar(by_name.with_for_update() if lock else by_name)
        if found is None:
            raise _not_found(text)
        return found

    async def _refuse_clash(self, session: Any, guild_id: int, name: str) -> None:
        clash = await session.scalar(
            select(Sponsor.name).where(
                Sponsor.guild_id == guild_id, func.lower(Sponsor.name) == name.lower()
            )
        )
        if clash is not None:
            raise _duplicate(clash)

    async def _free_key(self, session: Any, name: str) -> str:
        base = key_base(name)
        taken = set(
            await session.scalars(
                select(Sponsor.key).where((Sponsor.key == base) | Sponsor.key.like(f"{base}-%"))
            )
        )
        if base not in taken:
            return base
        n = 2
        while f"{base}-{n}" in taken:
            n += 1
        return f"{base}-{n}"

    async def _tournaments_of(self, session: Any, sponsor_id: int) -> tuple[int, ...]:
        ids = await session.scalars(
            select(TournamentSponsor.tournament_id).where(
                TournamentSponsor.sponsor_id == sponsor_id
            )
        )
        return tuple(sorted(ids))
