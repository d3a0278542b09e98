"""Tournaments: create, edit, versions and rollback, lifecycle, custom fields."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select, update

from engine.guilds import GameView, require_guild_organizer
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, NotFound
from engine.kernel.text import Command, msg
from engine.kernel.typed import row_id
from engine.kernel.uow import ServiceContext, UnitOfWork
from engine.tournaments import rules
from engine.tournaments._rows import (
    check_field_room,
    check_found,
    check_ready,
    coin_name,
    game_name,
    game_names,
    slot_holders,
    timezone,
    unique_slug,
    version_row,
    view,
)
from engine.tournaments.access import (
    require_tournament_organizer,
)
from engine.tournaments.changes import change_summary, changed_fields, ensure_future, guard_change
from engine.tournaments.events import (
    RegistrationFieldAdded,
    TournamentCreated,
    TournamentEdited,
)
from engine.tournaments.fields import FieldSpec, FieldView, field_key, field_options
from engine.tournaments.moments import (
    EntryFeeWaived,
    MatchScheduleChanged,
    SlotsAdded,
    TournamentCancelling,
)
from engine.tournaments.parsing import apply_edit, current_text, editable_field
from engine.tournaments.rules import TournamentConfig
from engine.tournaments.staff import TournamentStaffService
from engine.tournaments.status import SCHEDULED_STATES, apply_status_change, replan_timers
from engine.tournaments.views import (
    CancelResult,
    StaffView,
    TournamentChange,
    TournamentDraft,
    TournamentSummary,
    TournamentView,
    VersionView,
    config_from_draft,
    config_of,
    view_of,
    write_config,
)
from storage.models import (
    Game,
    Registration,
    RegistrationField,
    Tournament,
    TournamentVersion,
)
from storage.models.enums import SLOT_HOLDING, RegistrationStatus, TournamentStatus

S = TournamentStatus
SCHEDULE_FIELDS = frozenset(
    {"round_times", "round_interval_minutes", "reminder_minutes", "result_deadline_minutes"}
)
ACTIVE_REGISTRATION = frozenset({*SLOT_HOLDING, RegistrationStatus.WAITLISTED})
FIELD_STATES = frozenset({S.DRAFT, S.PUBLISHED, S.REGISTRATION_OPEN})


class TournamentService(TournamentStaffService):
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    # ------------------------------------------------------------------ reading
    async def get(self, tournament_id: int, guild_id: int | None = None) -> TournamentView:
        async with self._ctx.read() as session:
            row = await session.get(Tournament, tournament_id)
            check_found(row, guild_id)
            assert row is not None
            return await view(session, row)

    async def summary(self, tournament_id: int, guild_id: int | None = None) -> TournamentSummary:
        async with self._ctx.read() as session:
            row = await session.get(Tournament, tournament_id)
            check_found(row, guild_id)
            assert row is not None
            game = await session.get(Game, row.game_id)
            assert game is not None
            grouped = await session.execute(
                select(Registration.status, func.count())
                .where(Registration.tournament_id == row.id)
                .group_by(Registration.status)
            )
            counts = {status: int(n) for status, n in grouped}
            return TournamentSummary(
                tournament=await view(session, row),
                game=GameView.of(game),
                slots_taken=sum(n for status, n in counts.items() if status in SLOT_HOLDING),
                waitlisted=counts.get(RegistrationStatus.WAITLISTED, 0),
                coin_name=await coin_name(session, row.guild_id),
            )

    async def search(
        self,
        guild_id: int,
        text: str = "",
        limit: int = 25,
        statuses: Iterable[TournamentStatus] | None = None,
    ) -> list[TournamentView]:
        """Tournaments of a server whose name contains ``text``, soonest start first."""
        query = select(Tournament).where(Tournament.guild_id == guild_id)
        if text.strip():
            query = query.where(
                func.lower(Tournament.name).contains(text.strip().lower(), autoescape=True)
            )
        if statuses is not None:
            query = query.where(Tournament.status.in_([s.value for s in statuses]))
        query = query.order_by(Tournament.starts_at.is_(None), Tournament.starts_at, Tournament.id)
        async with self._ctx.read() as session:
            rows = list(await session.scalars(query.limit(limit)))
            games = await game_names(session, {r.game_id for r in rows})
            tz = await timezone(session, guild_id)
            return [view_of(r, games.get(r.game_id, "?"), tz) for r in rows]

    async def resolve(self, guild_id: int, text: str) -> int:
        """The id of a tournament picked from autocomplete (its id) or typed by name."""
        text = text.strip()
        async with self._ctx.read() as session:
            if (wanted := row_id(text)) is not None:
                row = await session.get(Tournament, wanted)
                if row is not None and row.guild_id == guild_id:
                    return row.id
            ids = list(
                await session.scalars(
                    select(Tournament.id).where(
                        Tournament.guild_id == guild_id,
                        func.lower(Tournament.name) == text.lower(),
                    )
                )
            )
        if len(ids) == 1:
            return ids[0]
        if ids:
            raise InvalidInput(
                msg(
                    "Several tournaments are called “{text}”; pick the one you mean from the list.",
                    text=text,
                )
            )
        raise NotFound(
            msg(
                "There is no tournament called “{text}” on this server. Pick one from "
                "the list (see {tournament_list}).",
                text=text,
                tournament_list=Command("tournament list"),
            )
        )

    async def history(self, actor: Actor, tournament_id: int) -> list[VersionView]:
        async with self._ctx.read() as session:
            row = await session.get(Tournament, tournament_id)
            check_found(row, actor.guild_id)
            assert row is not None
            await require_tournament_organizer(session, actor, row)
            versions = await session.scalars(
                select(TournamentVersion)
                .where(TournamentVersion.tournament_id == tournament_id)
                .order_by(TournamentVersion.version)
            )
            return [VersionView(v.version, v.summary, v.actor_id, v.created_at) for v in versions]

    async def editable_text(self, actor: Actor, tournament_id: int, field_name: str) -> str:
        """The current value of a field as /tournament edit reads it (prefills the form)."""
        editable_field(field_name)
        async with self._ctx.read() as session:
            row = await session.get(Tournament, tournament_id)
            check_found(row, actor.guild_id)
            assert row is not None
            await require_tournament_organizer(session, actor, row)
            return current_text(config_of(row), field_name, await timezone(session, row.guild_id))

    async def fields(self, tournament_id: int) -> list[FieldView]:
        async with self._ctx.read() as session:
            rows = await session.scalars(
                select(RegistrationField)
                .where(RegistrationField.tournament_id == tournament_id)
                .order_by(RegistrationField.position)
            )
            return [FieldView.of(r) for r in rows]

    # ----------------------------------------------------------------- creating
    async def create(self, actor: Actor, guild_id: int, draft: TournamentDraft) -> TournamentView:
        async with self._ctx.unit_of_work() as uow:
            session = uow.session
            await require_guild_organizer(session, actor, guild_id)
            game = await session.get(Game, draft.game_id)
            if game is None or game.guild_id != guild_id:
                raise NotFound(
                    msg(
                        "That game is not in this server's list; add it with {game_add}.",
                        game_add=Command("game add"),
                    )
                )
            tz = await timezone(session, guild_id)
            config = rules.validate_config(config_from_draft(draft, game, tz), GameView.of(game))
            ensure_future(None, config, uow.clock.now())
            now = uow.clock.now()
            row = Tournament(
                guild_id=guild_id,
                slug=await unique_slug(uow, config.name),
                status=S.DRAFT.value,
                version=1,
                created_by=actor.user_id,
                created_at=now,
                updated_at=now,
            )
            write_config(row, config)
            session.add(row)
            await session.flush()
            snapshot = config.to_snapshot()
            session.add(version_row(row.id, 1, snapshot, "Created", actor.user_id, now))
            uow.audit(
                guild_id=guild_id,
                actor_id=actor.user_id,
                action="tournament.create",
                target_type="tournament",
                target_id=row.id,
                after=snapshot,
            )
            uow.emit(
                TournamentCreated(
                    guild_id=guild_id,
                    tournament_id=row.id,
                    name=row.name,
                    slug=row.slug,
                    actor_id=actor.user_id,
                )
            )
            return view_of(row, game.name, tz)

    # ------------------------------------------------------------------ editing
    async def edit(
        self, actor: Actor, tournament_id: int, field_name: str, value: str
    ) -> TournamentChange:
        """Set one field from what the organizer typed, recording a new version."""
        async with self._ctx.unit_of_work() as uow:
            row, tz = await self._locked_for_organizer(uow, actor, tournament_id)
            before = config_of(row)
            after = apply_edit(before, field_name, value, tz)
            if before == after:
                raise InvalidInput(
                    msg(
                        "{field_name} already has that value; nothing changed.",
                        field_name=field_name,
                    )
                )
            ensure_future(before, after, uow.clock.now())
            return await self._record(uow, actor, row, tz, before, after, restored=None)

    async def rollback(self, actor: Actor, tournament_id: int, version: int) -> TournamentChange:
        """Restore the configuration of ``version``, recorded as a new version."""
        async with self._ctx.unit_of_work() as uow:
            row, tz = await self._locked_for_organizer(uow, actor, tournament_id)
            stored = await uow.session.scalar(
                select(TournamentVersion).where(
                    TournamentVersion.tournament_id == tournament_id,
                    TournamentVersion.version == version,
                )
            )
            if stored is None:
                raise NotFound(
                    msg(
                        "“{name}” has no version {version}; its versions are 1 to "
                        "{row_version} (see {tournament_history}).",
                        name=row.name,
                        version=version,
                        row_version=row.version,
                        tournament_history=Command("tournament history"),
                    )
                )
            before = config_of(row)
            after = TournamentConfig.from_snapshot(stored.snapshot)
            if before == after:
                raise InvalidInput(
                    msg(
                        "“{name}” already matches version {version}; nothing changed.",
                        name=row.name,
                        version=version,
                    )
                )
            if row.status in SCHEDULED_STATES:
                # Its timers would fire at once: restoring an old start time must not start
                # the tournament behind the organizer's back.
                ensure_future(before, after, uow.clock.now())
            return await self._record(uow, actor, row, tz, before, after, restored=version)

    async def _record(
        self,
        uow: UnitOfWork,
        actor: Actor,
        row: Tournament,
        tz: str,
        before: TournamentConfig,
        after: TournamentConfig,
        *,
        restored: int | None,
    ) -> TournamentChange:
        game = await uow.session.get(Game, after.game_id)
        if game is None or game.guild_id != row.guild_id:
            raise NotFound(
                msg(
                    "That game is not in this server's list; see {game_list}.",
                    game_list=Command("game list"),
                )
            )
        # The bracket/registration guard first: its reason is the one that matters.
        guard_change(row.status, before, after, await slot_holders(uow, row.id))
        after = rules.validate_config(after, GameView.of(game))
        changes = change_summary(before, after)
        summary = changes if restored is None else f"Rolled back to version {restored} ({changes})"
        summary = summary if len(summary) <= 500 else summary[:499] + "…"
        now = uow.clock.now()
        row.version += 1
        row.updated_at = now
        write_config(row, after)
        await replan_timers(uow, row)
        old, new = before.to_snapshot(), after.to_snapshot()
        uow.session.add(version_row(row.id, row.version, new, summary, actor.user_id, now))
        changed = changed_fields(before, after)
        uow.audit(
            guild_id=row.guild_id,
            actor_id=actor.user_id,
            action="tournament.edit" if restored is None else "tournament.rollback",
            target_type="tournament",
            target_id=row.id,
            before={k: old[k] for k in changed} | {"version": row.version - 1},
            after={k: new[k] for k in changed} | {"version": row.version},
        )
        uow.emit(
            TournamentEdited(
                guild_id=row.guild_id,
                tournament_id=row.id,
                version=row.version,
                summary=summary,
                changed=changed,
                actor_id=actor.user_id,
                restored_version=restored,
            )
        )
        await uow.session.flush()
        if after.max_participants > before.max_participants:
            # New slots go to the waitlist first, in the same transaction as the edit.
            await uow.react(SlotsAdded(row.id))
        if not (after.entry_fee_coins or after.entry_fee_minor) and (
            before.entry_fee_coins or before.entry_fee_minor
        ):
            await uow.react(EntryFeeWaived(row.id, actor.user_id))
        if set(changed) & SCHEDULE_FIELDS and row.status == S.LIVE:
            # The matches take their new times, and their reminders move with them.
            await uow.react(MatchScheduleChanged(row.id))
        return TournamentChange(view_of(row, game.name, tz), row.version, summary)

    # ---------------------------------------------------------------- lifecycle
    async def publish(self, actor: Actor, tournament_id: int) -> TournamentView:
        return await self._move(actor, tournament_id, S.PUBLISHED)

    async def open_registration(self, actor: Actor, tournament_id: int) -> TournamentView:
        return await self._move(actor, tournament_id, S.REGISTRATION_OPEN)

    async def close_registration(self, actor: Actor, tournament_id: int) -> TournamentView:
        return await self._move(actor, tournament_id, S.REGISTRATION_CLOSED)

    async def archive(self, actor: Actor, tournament_id: int) -> TournamentView:
        return await self._move(actor, tournament_id, S.ARCHIVED)

    async def _move(
        self, actor: Actor, tournament_id: int, target: TournamentStatus
    ) -> TournamentView:
        async with self._ctx.unit_of_work() as uow:
            row, tz = await self._locked_for_organizer(uow, actor, tournament_id)
            rules.check_transition(row.name, row.status, target)
            check_ready(row, target, uow.clock.now())
            await apply_status_change(uow, row, target, actor.user_id)
            return view_of(row, await game_name(uow, row), tz)

    async def cancel(
        self, actor: Actor, tournament_id: int, reason: str | None = None
    ) -> CancelResult:
        """Cancel the event: every active entry is cancelled and everything paid refunded."""
        reason = (reason or "").strip()[:300] or None
        async with self._ctx.unit_of_work() as uow:
            row, tz = await self._locked_for_organizer(uow, actor, tournament_id)
            rules.check_transition(row.name, row.status, S.CANCELLED)
            result = await uow.session.execute(
                update(Registration)
                .where(
                    Registration.tournament_id == row.id,
                    Registration.status.in_([s.value for s in ACTIVE_REGISTRATION]),
                )
                .values(status=RegistrationStatus.CANCELLED.value, updated_at=uow.clock.now())
                .execution_options(synchronize_session=False)
            )
            cancelled = int(result.rowcount or 0)  # type: ignore[attr-defined]
            refunds = await uow.react(
                TournamentCancelling(
                    row.id, actor.user_id, reason or "The tournament was cancelled."
                )
            )
            refunded = sum(refunds)
            await apply_status_change(
                uow,
                row,
                S.CANCELLED,
                actor.user_id,
                reason=reason,
                cancelled_registrations=cancelled,
                refunded_payments=refunded,
            )
            view = view_of(row, await game_name(uow, row), tz)
        return CancelResult(view, cancelled, refunded)

    # ------------------------------------------------------------ custom fields
    async def add_field(self, actor: Actor, tournament_id: int, spec: FieldSpec) -> FieldView:
        options = field_options(spec)
        label = " ".join(spec.label.split())
        key = field_key(label)
        async with self._ctx.unit_of_work() as uow:
            row, _ = await self._locked_for_organizer(uow, actor, tournament_id)
            if TournamentStatus(row.status) not in FIELD_STATES:
                raise Conflict(
                    msg(
                        "“{name}” is {status_names}; registration questions can only be "
                        "added before registration closes.",
                        name=row.name,
                        status_names=rules.STATUS_WORDS[TournamentStatus(row.status)],
                    )
                )
            existing = list(
                await uow.session.scalars(
                    select(RegistrationField).where(RegistrationField.tournament_id == row.id)
                )
            )
            check_field_room(row.name, existing, key, label)
            if spec.required and await slot_holders(uow, row.id, ACTIVE_REGISTRATION):
                raise Conflict(
                    msg(
                        "People have already registered without answering it, so a new "
                        "question must be optional (required: False)."
                    )
                )
            field_row = RegistrationField(
                tournament_id=row.id,
                key=key,
                label=label,
                kind=spec.kind,
                required=spec.required,
                options=options,
                position=max((f.position for f in existing), default=-1) + 1,
            )
            uow.session.add(field_row)
            await uow.session.flush()
            view = FieldView.of(field_row)
            uow.audit(
                guild_id=row.guild_id,
                actor_id=actor.user_id,
                action="tournament.field_add",
                target_type="tournament",
                target_id=row.id,
                after={
                    "key": key,
                    "label": label,
                    "kind": spec.kind,
                    "required": spec.required,
                    "options": options,
                },
            )
            uow.emit(
                RegistrationFieldAdded(
                    guild_id=row.guild_id,
                    tournament_id=row.id,
                    field_id=field_row.id,
                    key=key,
                    label=label,
                    kind=spec.kind,
                    actor_id=actor.user_id,
                )
            )
            return view

    # ----------------------------------------------------------------- helpers
    async def _locked_for_organizer(
        self, uow: UnitOfWork, actor: Actor, tournament_id: int
    ) -> tuple[Tournament, str]:
        row = await uow.session.get(Tournament, tournament_id, with_for_update=True)
        check_found(row, actor.guild_id)
        assert row is not None
        await require_tournament_organizer(uow.session, actor, row)
        return row, await timezone(uow.session, row.guild_id)


__all__ = [
    "CancelResult",
    "StaffView",
    "TournamentChange",
    "TournamentDraft",
    "TournamentService",
    "TournamentSummary",
    "TournamentView",
    "VersionView",
    "apply_status_change",
]
