"""Tournament templates and clones: a new draft from another tournament's configuration.

What is copied: the whole configuration (format and its options, sizes, entry fees and
payment methods, prizes, check-in, the match schedule, seeding, rules, stream links,
visibility, certificate design), the registration questions and the co-organizers; in
the same transaction the domains above copy what they own (``TournamentCloning``).
What is not: entries, matches, payments, results, versions.

Times keep their pattern: the new draft takes a new start (and, if given, a new
registration opening) and every other configured time keeps its offset from the start.
A template stores that pattern as a versioned JSON snapshot (offsets in seconds from
the start), so it makes a draft on any date.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from engine.guilds import GameView, require_guild_organizer
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, NotFound
from engine.kernel.text import Command, msg
from engine.kernel.typed import row_id
from engine.kernel.uow import ServiceContext, UnitOfWork
from engine.tournaments import rules
from engine.tournaments._rows import check_found, timezone, unique_slug, version_row
from engine.tournaments.changes import ensure_future
from engine.tournaments.events import TournamentCloned, TournamentCreated
from engine.tournaments.moments import TournamentCloning
from engine.tournaments.parsing import parse_local_time
from engine.tournaments.rules import TIME_FIELDS, TournamentConfig
from engine.tournaments.views import TournamentView, config_of, view_of, write_config
from storage.models import (
    Game,
    RegistrationField,
    Tournament,
    TournamentStaff,
    TournamentTemplate,
)
from storage.models.enums import TournamentStatus

TEMPLATE_VERSION = 1  # the snapshot's layout; bump it with a reader for the old one
MAX_TEMPLATES = 50  # per server
FIELD_COLUMNS = ("key", "label", "kind", "required", "options", "position")


@dataclass(frozen=True)
class TemplateView:
    id: int
    guild_id: int
    name: str
    tournament_name: str
    format: str
    participant_type: str
    max_participants: int
    questions: int
    source_tournament_id: int | None
    created_by: int
    updated_at: datetime

    @property
    def format_name(self) -> str:
        return rules.FORMAT_NAMES.get(self.format, self.format)


@dataclass(frozen=True)
class ClonedTournament:
    """The new draft, where it came from, and what came with it."""

    tournament: TournamentView
    source_name: str
    questions: int
    co_organizers: int
    # The opening kept its offset but that moment has passed: the draft has none, and
    # registration opens when an organizer opens it.
    opening_dropped: bool = False


# ---------------------------------------------------------------------- the pattern
def schedule_pattern(config: TournamentConfig) -> dict[str, Any]:
    """The configuration as JSON with every time an offset (seconds) from the start;
    without a start there is no pattern to keep and the times are left out."""
    data = config.to_snapshot()
    start = config.starts_at

    def offset(moment: datetime | None) -> int | None:
        if moment is None or start is None:
            return None
        return int((moment - start).total_seconds())

    for key in TIME_FIELDS:
        data[key] = offset(getattr(config, key))
    data["round_times"] = [offset(t) for t in config.round_times] if start else []
    if not data["round_times"]:
        data["round_interval_minutes"] = 0
    return data


def config_on_new_dates(
    pattern: Mapping[str, Any],
    name: str,
    starts_at: datetime,
    registration_opens_at: datetime | None = None,
) -> TournamentConfig:
    """The configuration of a pattern placed at a new start (and registration opening)."""
    had_start = pattern.get("starts_at") is not None

    def moment(offset: Any) -> str | None:
        if offset is None or not had_start:
            return None
        return (starts_at + timedelta(seconds=int(offset))).astimezone(UTC).isoformat()

    values = dict(pattern)
    for key in TIME_FIELDS:
        values[key] = moment(pattern.get(key))
    values["starts_at"] = starts_at.astimezone(UTC).isoformat()
    values["round_times"] = [t for t in map(moment, pattern.get("round_times") or ()) if t]
    if not values["round_times"]:
        values["round_interval_minutes"] = 0
    if registration_opens_at is not None:
        values["registration_opens_at"] = registration_opens_at.astimezone(UTC).isoformat()
    values["name"] = name
    return TournamentConfig.from_snapshot(values)


def template_snapshot(config: TournamentConfig, fields: list[RegistrationField]) -> dict[str, Any]:
    return {
        "v": TEMPLATE_VERSION,
        "config": schedule_pattern(config),
        "fields": [{k: getattr(f, k) for k in FIELD_COLUMNS} for f in fields],
    }


def _read_snapshot(snapshot: Mapping[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    if snapshot.get("v") != TEMPLATE_VERSION:
        raise Conflict(
            msg("This template was saved by a newer DeltaCrown; save it again from a tournament.")
        )
    return dict(snapshot["config"]), [dict(f) for f in snapshot.get("fields") or ()]


def _new_name(name: str | None, fallback: str) -> str:
    return " ".join((name or "").split()) or fallback


def _template_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not 2 <= len(cleaned) <= 64:
        raise InvalidInput(msg("A template name must be 2 to 64 characters long."))
    return cleaned


# ---------------------------------------------------------------------- the service
class TournamentTemplateService:
    """``/tournament clone`` and ``/template save|list|use|delete``."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def clone(
        self,
        actor: Actor,
        source_tournament_id: int,
        *,
        starts_at: datetime | str,
        registration_opens_at: datetime | str | None = None,
        name: str | None = None,
    ) -> ClonedTournament:
        """A new draft with the source's whole configuration on new dates."""
        async with self._ctx.unit_of_work() as uow:
            session = uow.session
            source = await session.get(Tournament, source_tournament_id)
            check_found(source, actor.guild_id)
            assert source is not None
            # Reading a configuration is no privilege (/tournament info shows it): any
            # organizer of the server may copy it; the copy is theirs.
            await require_guild_organizer(session, actor, source.guild_id)
            tz = await timezone(session, source.guild_id)
            start, opens = _when(starts_at, tz), _when(registration_opens_at, tz)
            assert start is not None
            config = config_on_new_dates(
                schedule_pattern(config_of(source)), _new_name(name, source.name), start, opens
            )
            config, dropped = _past_opening_dropped(config, opens, uow.clock.now())
            fields = await _fields_of(uow, source.id)
            row, view = await self._create(uow, actor, source.guild_id, config, tz)
            questions = _copy_fields(
                uow, row.id, [{k: getattr(f, k) for k in FIELD_COLUMNS} for f in fields]
            )
            co_organizers = await _copy_staff(uow, actor, source, row)
            await uow.react(TournamentCloning(source.guild_id, source.id, row.id))
            self._record(uow, actor, row, source_id=source.id, template_id=None, via=source.name)
            return ClonedTournament(view, source.name, questions, co_organizers, dropped)

    # -- templates ---------------------------------------------------------------------
    async def save_template(
        self, actor: Actor, tournament_id: int, name: str, *, replace: bool = False
    ) -> TemplateView:
        """Save a tournament's configuration under a name for this server."""
        name = _template_name(name)
        async with self._ctx.unit_of_work() as uow:
            session = uow.session
            source = await session.get(Tournament, tournament_id)
            check_found(source, actor.guild_id)
            assert source is not None
            # Reading a configuration is no privilege (/tournament info shows it): any
            # organizer of the server may copy it; the copy is theirs.
            await require_guild_organizer(session, actor, source.guild_id)
            fields = await _fields_of(uow, source.id)
            snapshot = template_snapshot(config_of(source), fields)
            existing = await self._by_name(uow, source.guild_id, name, lock=True)
            now = uow.clock.now()
            if existing is not None and not replace:
                raise Conflict(
                    msg(
                        "This server already has a template called “{name}”. Pick another "
                        "name, or save again with replace: True to overwrite it.",
                        name=existing.name,
                    )
                )
            if existing is None:
                count = await session.scalar(
                    select(func.count())
                    .select_from(TournamentTemplate)
                    .where(TournamentTemplate.guild_id == source.guild_id)
                )
                if int(count or 0) >= MAX_TEMPLATES:
                    raise Conflict(
                        msg(
                            "This server has {most} templates, the most it can keep; delete "
                            "one with {template_delete} first.",
                            most=MAX_TEMPLATES,
                            template_delete=Command("template delete"),
                        )
                    )
                existing = TournamentTemplate(
                    guild_id=source.guild_id, name=name, created_by=actor.user_id, created_at=now
                )
                session.add(existing)
            existing.snapshot = snapshot
            existing.source_tournament_id = source.id
            existing.updated_at = now
            try:
                await session.flush()
            except IntegrityError:  # saved under the same name at the same moment
                raise Conflict(
                    msg(
                        "This server already has a template called “{name}”. Pick another "
                        "name, or save again with replace: True to overwrite it.",
                        name=name,
                    )
                ) from None
            uow.audit(
                guild_id=source.guild_id,
                actor_id=actor.user_id,
                action="tournament.template_save",
                target_type="tournament",
                target_id=source.id,
                after={"template": name, "template_id": existing.id},
            )
            return _template_view(existing)

    async def templates(self, guild_id: int, text: str = "") -> list[TemplateView]:
        """The server's templates by name (those containing ``text``)."""
        query = select(TournamentTemplate).where(TournamentTemplate.guild_id == guild_id)
        if text.strip():
            query = query.where(
                func.lower(TournamentTemplate.name).contains(text.strip().lower(), autoescape=True)
            )
        async with self._ctx.read() as session:
            rows = await session.scalars(query.order_by(TournamentTemplate.name).limit(25))
            return [_template_view(r) for r in rows]

    async def use_template(
        self,
        actor: Actor,
        guild_id: int,
        template: str,
        *,
        name: str,
        starts_at: datetime | str,
        registration_opens_at: datetime | str | None = None,
    ) -> ClonedTournament:
        """A new draft from a saved template on new dates."""
        async with self._ctx.unit_of_work() as uow:
            session = uow.session
            await require_guild_organizer(session, actor, guild_id)
            row = await self._find(uow, guild_id, template)
            pattern, fields = _read_snapshot(row.snapshot)
            tz = await timezone(session, guild_id)
            start, opens = _when(starts_at, tz), _when(registration_opens_at, tz)
            assert start is not None
            fallback = str(pattern.get("name") or row.name)
            config = config_on_new_dates(pattern, _new_name(name, fallback), start, opens)
            config, dropped = _past_opening_dropped(config, opens, uow.clock.now())
            created, view = await self._create(uow, actor, guild_id, config, tz)
            questions = _copy_fields(uow, created.id, fields)
            source = row.source_tournament_id
            self._record(uow, actor, created, source_id=source, template_id=row.id, via=row.name)
            return ClonedTournament(view, row.name, questions, 0, dropped)

    async def delete_template(self, actor: Actor, guild_id: int, template: str) -> TemplateView:
        async with self._ctx.unit_of_work() as uow:
            await require_guild_organizer(uow.session, actor, guild_id)
            row = await self._find(uow, guild_id, template)
            view = _template_view(row)
            await uow.session.delete(row)
            uow.audit(
                guild_id=guild_id,
                actor_id=actor.user_id,
                action="tournament.template_delete",
                target_type="template",
                target_id=view.id,
                before={"template": view.name},
            )
            return view

    # -- helpers -----------------------------------------------------------------------
    async def _create(
        self, uow: UnitOfWork, actor: Actor, guild_id: int, config: TournamentConfig, tz: str
    ) -> tuple[Tournament, TournamentView]:
        game = await uow.session.get(Game, config.game_id)
        if game is None or game.guild_id != guild_id:
            raise NotFound(
                msg(
                    "The game of that tournament is no longer in this server's list; add it "
                    "again with {game_add}.",
                    game_add=Command("game add"),
                )
            )
        config = rules.validate_config(config, GameView.of(game))
        ensure_future(None, config, uow.clock.now())
        now = uow.clock.now()
        row = Tournament(
            guild_id=guild_id,
            slug=await unique_slug(uow, config.name),
            status=TournamentStatus.DRAFT.value,
            version=1,
            created_by=actor.user_id,
            created_at=now,
            updated_at=now,
        )
        write_config(row, config)
        uow.session.add(row)
        await uow.session.flush()
        return row, view_of(row, game.name, tz)

    @staticmethod
    def _record(
        uow: UnitOfWork,
        actor: Actor,
        row: Tournament,
        *,
        source_id: int | None,
        template_id: int | None,
        via: str,
    ) -> None:
        snapshot = config_of(row).to_snapshot()
        summary = (f"Created from template {via!r}" if template_id else f"Cloned from {via!r}")[
            :500
        ]
        now = uow.clock.now()
        uow.session.add(version_row(row.id, 1, snapshot, summary, actor.user_id, now))
        uow.audit(
            guild_id=row.guild_id,
            actor_id=actor.user_id,
            action="tournament.template_use" if template_id else "tournament.clone",
            target_type="tournament",
            target_id=row.id,
            after=snapshot | {"source_tournament_id": source_id, "template_id": template_id},
        )
        uow.emit(
            TournamentCreated(
                guild_id=row.guild_id,
                tournament_id=row.id,
                name=row.name,
                slug=row.slug,
                actor_id=actor.user_id,
            )
        )
        uow.emit(
            TournamentCloned(
                guild_id=row.guild_id,
                source_tournament_id=source_id,
                tournament_id=row.id,
                template_id=template_id,
                actor_id=actor.user_id,
            )
        )

    @staticmethod
    async def _by_name(
        uow: UnitOfWork, guild_id: int, name: str, *, lock: bool = False
    ) -> TournamentTemplate | None:
        query = select(TournamentTemplate).where(
            TournamentTemplate.guild_id == guild_id,
            func.lower(TournamentTemplate.name) == name.lower(),
        )
        return await uow.session.scalar(query.with_for_update() if lock else query)

    async def _find(self, uow: UnitOfWork, guild_id: int, text: str) -> TournamentTemplate:
        """A template picked from autocomplete (its id) or typed by name."""
        wanted = row_id(text.strip())
        if wanted is not None:
            row = await uow.session.get(TournamentTemplate, wanted)
            if row is not None and row.guild_id == guild_id:
                return row
        row = await self._by_name(uow, guild_id, " ".join(text.split()))
        if row is None:
            raise NotFound(
                msg(
                    "This server has no template called “{text}”. See {template_list}.",
                    text=text.strip()[:64],
                    template_list=Command("template list"),
                )
            )
        return row


def _past_opening_dropped(
    config: TournamentConfig, given: datetime | None, now: datetime
) -> tuple[TournamentConfig, bool]:
    """A copy made shortly before its start would open registration in the past: unless
    the organizer gave that time, leave it unset (they open it with /tournament open)
    rather than refuse the copy."""
    opens = config.registration_opens_at
    if given is None and opens is not None and opens <= now:
        return dataclasses.replace(config, registration_opens_at=None), True
    return config, False


def _when(value: datetime | str | None, tz: str) -> datetime | None:
    if isinstance(value, str):
        return parse_local_time(value, tz) if value.strip() else None
    if value is not None and value.tzinfo is None:
        raise InvalidInput(msg("Times must carry a time zone."))
    return value


async def _fields_of(uow: UnitOfWork, tournament_id: int) -> list[RegistrationField]:
    return list(
        await uow.session.scalars(
            select(RegistrationField)
            .where(RegistrationField.tournament_id == tournament_id)
            .order_by(RegistrationField.position)
        )
    )


def _copy_fields(uow: UnitOfWork, tournament_id: int, fields: list[dict[str, Any]]) -> int:
    for field in fields:
        values = {k: field[k] for k in FIELD_COLUMNS if k in field}
        uow.session.add(RegistrationField(tournament_id=tournament_id, **values))
    return len(fields)


async def _copy_staff(uow: UnitOfWork, actor: Actor, source: Tournament, row: Tournament) -> int:
    """The same crew runs the copy: the source's co-organizers, and its owner when
    someone else clones it (the cloner owns the copy)."""
    staff = set(
        await uow.session.scalars(
            select(TournamentStaff.user_id).where(TournamentStaff.tournament_id == source.id)
        )
    )
    staff.add(source.created_by)
    staff.discard(actor.user_id)
    for user_id in sorted(staff):
        uow.session.add(
            TournamentStaff(
                tournament_id=row.id,
                guild_id=row.guild_id,
                user_id=user_id,
                added_by=actor.user_id,
                created_at=uow.clock.now(),
            )
        )
    return len(staff)


def _template_view(row: TournamentTemplate) -> TemplateView:
    config = row.snapshot.get("config") or {}
    return TemplateView(
        id=row.id,
        guild_id=row.guild_id,
        name=row.name,
        tournament_name=str(config.get("name", "")),
        format=str(config.get("format", "")),
        participant_type=str(config.get("participant_type", "")),
        max_participants=int(config.get("max_participants", 0)),
        questions=len(row.snapshot.get("fields") or ()),
        source_tournament_id=row.source_tournament_id,
        created_by=row.created_by,
        updated_at=row.updated_at,
    )
