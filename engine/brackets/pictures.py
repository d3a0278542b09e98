"""Bracket and standings pictures of a started tournament, cached by bracket version.

Reading is one short read transaction (the bracket inputs, names, live match states);
rebuilding the engine state and drawing with Pillow are CPU-bound, so they run in the
context's render executor (a process pool in production, see engine/kernel/offload.py)
and never block the event loop nor hold its GIL. The drawing functions are top-level and
take the picklable ``Snapshot``; the cache lives here, in the loop's process. Images are cached
in a ``BracketImageCache`` keyed by (tournament id, bracket version, what is drawn): the
version grows with every result, so the same state is never drawn twice.

Pictures speak the tournament's language, its server's (``guild_settings.language``):
the words are looked up in ``engine/brackets/picture_words.py`` and the language is part
of every cache key.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from PIL import Image
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.brackets.picture_words import PictureLanguage
from engine.brackets.states import MatchState
from engine.brackets.store import read_actions
from engine.brackets.views import standings_table, tournament_view
from engine.formats import Bracket, ParticipantId
from engine.kernel.errors import Conflict, InvalidInput, NotFound
from engine.kernel.i18n import SOURCE_LANGUAGE
from engine.kernel.text import N_, msg
from engine.kernel.uow import ServiceContext
from engine.render import (
    BracketImageCache,
    MatchStatus,
    RenderedImage,
    TournamentView,
    bracket_image_count,
    render_bracket,
    render_standings,
)
from engine.render.sponsor_strip import StripLogo, append_sponsor_strip
from engine.sponsors import record_impressions, tournament_sponsor_logos
from storage.models import (
    BracketState,
    Game,
    GuildSettings,
    MatchRow,
    Registration,
    Tournament,
)
from storage.models.enums import TournamentStatus

STATUS_TEXT = {
    TournamentStatus.LIVE: N_("Live"),
    TournamentStatus.COMPLETED: N_("Completed"),
    TournamentStatus.ARCHIVED: N_("Archived"),
    TournamentStatus.CANCELLED: N_("Cancelled"),
}
# Match rows further along than the engine knows (it only has "ready").
LIVE_STATES = {
    MatchState.LIVE.value: MatchStatus.LIVE,
    MatchState.PENDING_RESULT.value: MatchStatus.LIVE,
    MatchState.DISPUTED.value: MatchStatus.DISPUTED,
}


LIVE_COUNTS_KEPT = 256


@dataclass(frozen=True)
class LiveMessage:
    channel_id: int
    message_id: int


@dataclass(frozen=True)
class Snapshot:
    """Everything a picture depends on, read in one transaction."""

    tournament_id: int
    guild_id: int
    version: int
    title: str
    game: str
    status: str
    date: str
    state: Mapping[str, Any]
    names: Mapping[ParticipantId, str]
    live: Mapping[str, MatchStatus]
    updated_at: datetime
    # Match code -> when an unfinished match starts, in the server's time zone.
    times: Mapping[str, str] = dataclasses.field(default_factory=dict)
    # The tournament's sponsors' logos for the footer strip, by tier then order, and
    # what they depend on (sponsor, logo hash, tier): part of the cache key.
    sponsor_logos: tuple[StripLogo, ...] = ()
    sponsor_marks: tuple[tuple[int, str, int], ...] = ()
    # The tournament's language (its server's): the words on the pictures.
    language: str = SOURCE_LANGUAGE

    def key(self, what: str) -> tuple[Any, ...]:
        # Names, title and live states change without a new bracket version (a team
        # renamed, a match went live), so they are part of the key through a digest.
        digest = hash(
            (
                self.title,
                self.game,
                self.status,
                self.date,
                tuple(sorted(self.names.items())),
                tuple(sorted(self.live.items())),
                tuple(sorted(self.times.items())),
                self.sponsor_marks,
            )
        )
        return (self.tournament_id, self.version, what, self.language, digest)

    def bracket(self) -> Bracket:
        return Bracket.from_dict(self.state)


class PictureService:
    def __init__(self, ctx: ServiceContext, cache: BracketImageCache | None = None) -> None:
        self._ctx = ctx
        self.cache = cache or BracketImageCache(max_entries=64)
        self._live_counts: dict[tuple[Any, ...], int] = {}

    # ---------------------------------------------------------------- pictures
    async def bracket_images(
        self, tournament_id: int, section: str | None = None, *, guild_id: int | None = None
    ) -> list[RenderedImage]:
        """Every image of the bracket (or of one section: "winners", "losers",
        "grand-final", "bracket", "playoff", "groups", "swiss", ...)."""
        snapshot = await self.snapshot(tournament_id, guild_id)
        return await self.images_of(snapshot, section)

    async def images_of(
        self, snapshot: Snapshot, section: str | None = None, *, shown: bool = True
    ) -> list[RenderedImage]:
        """The images of a snapshot already read (the notifier checks its version first).
        ``shown``: they go out now, an impression for the sponsors (the dashboard, which
        keeps them in memory, counts each response itself)."""
        if shown:
            await self.count_shown(snapshot)
        key = snapshot.key(f"bracket:{section or ''}")
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        images = await self._ctx.render.run(_draw_bracket, snapshot, section)
        self.cache.put(key, images)
        return images

    async def count_shown(self, snapshot: Snapshot) -> None:
        """A picture of this snapshot went out: one impression for each of its sponsors."""
        if snapshot.sponsor_marks:
            ids = [mark[0] for mark in snapshot.sponsor_marks]
            record_impressions(self._ctx, snapshot.tournament_id, ids)

    async def live_image(self, snapshot: Snapshot) -> tuple[RenderedImage, int]:
        """The first image of the bracket and how many there are in all, for the live
        message. Laying the bracket out to count its images takes milliseconds; painting
        all 14 images of a 256-player double elimination after every result would take
        seconds of CPU for the one that is shown."""
        await self.count_shown(snapshot)  # the live message shows it in the channel
        full = self.cache.get(snapshot.key("bracket:"))
        if full is not None:
            return full[0], len(full)

        key = snapshot.key("bracket-live")
        live, count = self.cache.get(key), self._live_counts.get(key)
        if live is not None and count is not None:
            return live[0], count
        first, drawn = await self._ctx.render.run(_draw_live, snapshot)
        self.cache.put(key, [first])
        if len(self._live_counts) >= LIVE_COUNTS_KEPT:
            self._live_counts.clear()  # only the newest versions are ever asked for again
        self._live_counts[key] = drawn
        return first, drawn

    async def check_section(self, snapshot: Snapshot, section: str) -> None:
        """Refuse an unknown section with the list of the bracket's sections."""
        keys = await self._ctx.render.run(_section_keys, snapshot)
        if section not in keys:
            raise InvalidInput(
                msg(
                    "This bracket has no section '{section}'; choose one of: {names}.",
                    section=section,
                    names=", ".join(keys),
                )
            )

    async def standings_image(self, tournament_id: int, *, guild_id: int | None = None) -> bytes:
        snapshot = await self.snapshot(tournament_id, guild_id)
        await self.count_shown(snapshot)
        key = snapshot.key("standings")
        cached = self.cache.get(key)
        if cached is None:
            cached = [await self._ctx.render.run(_draw_standings, snapshot)]
            self.cache.put(key, cached)
        return cached[0].png_bytes

    async def snapshot(self, tournament_id: int, guild_id: int | None = None) -> Snapshot:
        async with self._ctx.read() as session:
            tournament = await session.get(Tournament, tournament_id)
            if tournament is None or (guild_id is not None and tournament.guild_id != guild_id):
                raise NotFound(msg("That tournament does not exist. Pick one from the list."))
            state = await session.scalar(
                select(BracketState).where(BracketState.tournament_id == tournament_id)
            )
            if state is None:
                raise Conflict(
                    msg(
                        "{name} has not started yet, so it has no bracket; it appears "
                        "once an organizer starts the tournament.",
                        name=tournament.name,
                    )
                )
            game = await session.get(Game, tournament.game_id)
            settings = await session.get(GuildSettings, tournament.guild_id)
            language = settings.language if settings is not None else SOURCE_LANGUAGE
            words = PictureLanguage(language)
            names: dict[ParticipantId, str] = dict(
                (
                    await session.execute(
                        select(Registration.id, Registration.display_name).where(
                            Registration.tournament_id == tournament_id
                        )
                    )
                ).all()
            )
            live_rows = await session.execute(
                select(MatchRow.code, MatchRow.status).where(
                    MatchRow.tournament_id == tournament_id,
                    MatchRow.status.in_(list(LIVE_STATES)),
                )
            )
            sponsors = await tournament_sponsor_logos(session, self._ctx.files, tournament_id)
            return Snapshot(
                tournament_id=tournament.id,
                guild_id=tournament.guild_id,
                version=state.version,
                title=tournament.name,
                game=game.name if game else "",
                status=STATUS_TEXT.get(TournamentStatus(tournament.status), ""),
                date=words.date(tournament.starts_at.date() if tournament.starts_at else None),
                state={
                    "format": state.format,
                    "seed": state.seed,
                    "options": dict(state.options),
                    "participants": list(state.participants),
                    "history": await read_actions(session, state.id),
                },
                names=names,
                live={code: LIVE_STATES[status] for code, status in live_rows.all()},
                updated_at=state.updated_at,
                times=await _match_times(session, tournament, words),
                language=language,
                sponsor_logos=tuple(
                    StripLogo(s.logo, s.tier_rank) for s in sponsors if s.logo is not None
                ),
                sponsor_marks=tuple(s.mark for s in sponsors if s.logo is not None),
            )

    # ------------------------------------------------------------ live message
    async def live_message(self, tournament_id: int) -> LiveMessage | None:
        """The bracket message posted in the announcement channel, if there is one."""
        async with self._ctx.read() as session:
            row = (
                await session.execute(
                    select(BracketState.message_channel_id, BracketState.message_id).where(
                        BracketState.tournament_id == tournament_id
                    )
                )
            ).first()
        if row is None or row[0] is None or row[1] is None:
            return None
        return LiveMessage(int(row[0]), int(row[1]))

    async def record_live_message(
        self, tournament_id: int, channel_id: int, message_id: int
    ) -> None:
        """Remember which Discord message shows the bracket, so later updates edit it.

        Bookkeeping of the notifier, not a change anyone made: no audit entry, no event
        (an event here would only wake the notifier that just wrote it)."""
        async with self._ctx.unit_of_work() as uow:
            state = await uow.session.scalar(
                select(BracketState)
                .where(BracketState.tournament_id == tournament_id)
                .with_for_update()
            )
            if state is None:
                raise Conflict(msg("This tournament has not started yet, so it has no bracket."))
            state.message_channel_id = channel_id
            state.message_id = message_id


async def _match_times(
    session: AsyncSession, tournament: Tournament, words: PictureLanguage
) -> dict[str, str]:
    """When each unfinished match starts, as the server's clock reads ("Sat 18:45")."""
    zone = await session.scalar(
        select(GuildSettings.timezone).where(GuildSettings.guild_id == tournament.guild_id)
    )
    tz = ZoneInfo(zone or "UTC")
    rows = await session.execute(
        select(MatchRow.code, MatchRow.scheduled_at).where(
            MatchRow.tournament_id == tournament.id,
            MatchRow.scheduled_at.is_not(None),
            MatchRow.status.not_in([MatchState.COMPLETED.value, MatchState.CANCELLED.value]),
        )
    )
    return {code: words.clock(when.astimezone(tz)) for code, when in rows.all() if when is not None}


def view_of(snapshot: Snapshot, bracket: Bracket | None = None) -> TournamentView:
    """The snapshot's view in the tournament's language."""
    return PictureLanguage(snapshot.language).view(_english_view(snapshot, bracket))


def _english_view(snapshot: Snapshot, bracket: Bracket | None = None) -> TournamentView:
    return tournament_view(
        bracket or snapshot.bracket(),
        title=snapshot.title,
        game=snapshot.game,
        status=snapshot.status,
        date=snapshot.date,
        names=snapshot.names,
        live=snapshot.live,
        times=snapshot.times,
    )


def _section_keys(snapshot: Snapshot) -> list[str]:
    return [s.key for s in _english_view(snapshot).sections]


def _draw_live(snapshot: Snapshot) -> tuple[RenderedImage, int]:
    """The first image only, and how many there are (see ``live_image``)."""
    view = view_of(snapshot, snapshot.bracket())
    words = PictureLanguage(snapshot.language).picture_words()
    [first] = render_bracket(view, limit=1, words=words)
    return _with_sponsors(snapshot, first), bracket_image_count(view, words=words)


def _draw_bracket(snapshot: Snapshot, section: str | None) -> list[RenderedImage]:
    view = view_of(snapshot, snapshot.bracket())
    if section is not None and section not in {s.key for s in view.sections}:
        keys = ", ".join(s.key for s in view.sections)
        raise InvalidInput(
            msg(
                "This bracket has no section '{section}'; choose one of: {keys}.",
                section=section,
                keys=keys,
            )
        )
    words = PictureLanguage(snapshot.language).picture_words()
    return [
        _with_sponsors(snapshot, image)
        for image in render_bracket(view, section=section, words=words)
    ]


def _with_sponsors(snapshot: Snapshot, image: RenderedImage) -> RenderedImage:
    """The picture with the sponsors' strip appended below it (never over it)."""
    return append_sponsor_strip(image, snapshot.sponsor_logos)


STANDINGS_IMAGE_ROWS = 64  # past this a phone screen shows an unreadable sliver


def _draw_standings(snapshot: Snapshot) -> RenderedImage:
    language = PictureLanguage(snapshot.language)
    table = language.table(standings_table(snapshot.bracket(), names=snapshot.names))
    # The tournament's own name is not translated: the title is built after the table.
    title = f"{snapshot.title} · {table.title}"
    if len(table.rows) > STANDINGS_IMAGE_ROWS:
        # The top of the table in Discord; the dashboard page lists everyone.
        title = language.text(
            N_("{title} · top {shown} of {total}"),
            title=title,
            shown=STANDINGS_IMAGE_ROWS,
            total=len(table.rows),
        )
        table = dataclasses.replace(table, rows=table.rows[:STANDINGS_IMAGE_ROWS])
    table = dataclasses.replace(table, title=title)
    png = render_standings(table, words=language.picture_words())
    with Image.open(io.BytesIO(png)) as image:
        width, height = image.size
    return _with_sponsors(snapshot, RenderedImage("standings.png", png, width, height))
