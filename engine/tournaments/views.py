"""The views TournamentService returns and the mapping between rows and configuration."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from engine.guilds import GameView
from engine.kernel.errors import InvalidInput
from engine.kernel.text import msg
from engine.render import DEFAULT_CERTIFICATE_DESIGN
from engine.tournaments import rules
from engine.tournaments.parsing import parse_local_time
from engine.tournaments.rules import TournamentConfig
from storage.models import Game, Tournament


@dataclass(frozen=True)
class TournamentDraft:
    """What /tournament create gives. Times are aware datetimes, or text in the server's
    time zone such as "2026-12-05 18:00"; money is in minor units (see
    ``tournament_rules.parse_money``); ``team_size=None`` takes the game's largest size."""

    name: str
    game_id: int
    format: str
    participant_type: str
    max_participants: int
    starts_at: datetime | str | None = None
    registration_opens_at: datetime | str | None = None
    registration_closes_at: datetime | str | None = None
    min_participants: int = 2
    team_size: int | None = None
    best_of: int = 1
    format_options: Mapping[str, Any] = field(default_factory=dict)
    entry_fee_coins: int = 0
    entry_fee_minor: int = 0
    currency: str = "BDT"
    payment_methods: Sequence[str] = ()
    prize_pool_minor: int = 0
    prize_pool_coins: int = 0
    prize_distribution: Sequence[int] = ()
    checkin_enabled: bool = False
    checkin_window_minutes: int = 30
    match_checkin_minutes: int = rules.DEFAULT_MATCH_CHECKIN_MINUTES
    round_times: Sequence[datetime | str] = ()
    round_interval_minutes: int = 0
    reminder_minutes: Sequence[int] = rules.DEFAULT_REMINDER_MINUTES
    result_deadline_minutes: int = 60
    player_reschedule_minutes: int = 120
    seeding: str = "random"
    fee_waiver_top_n: int = 0
    rules: str | None = None
    stream_links: Sequence[str] = ()
    is_public: bool = True
    certificate_design: str = DEFAULT_CERTIFICATE_DESIGN
    predictions: bool = False
    prediction_rewards: Sequence[int] = ()


@dataclass(frozen=True)
class TournamentView:
    id: int
    guild_id: int
    slug: str
    status: str
    version: int
    game_name: str
    timezone: str
    created_by: int
    created_at: datetime
    updated_at: datetime
    name: str
    game_id: int
    format: str
    format_options: Mapping[str, Any]
    participant_type: str
    team_size: int
    max_participants: int
    min_participants: int
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    starts_at: datetime | None
    best_of: int
    entry_fee_coins: int
    entry_fee_minor: int
    currency: str
    payment_methods: tuple[str, ...]
    prize_pool_minor: int
    prize_pool_coins: int
    prize_distribution: tuple[int, ...]
    checkin_enabled: bool
    checkin_window_minutes: int
    match_checkin_minutes: int
    round_times: tuple[datetime, ...]
    round_interval_minutes: int
    reminder_minutes: tuple[int, ...]
    result_deadline_minutes: int
    player_reschedule_minutes: int
    seeding: str
    fee_waiver_top_n: int
    rules: str | None
    stream_links: tuple[str, ...]
    is_public: bool
    certificate_design: str
    predictions: bool = False
    prediction_rewards: tuple[int, ...] = ()

    @property
    def config(self) -> TournamentConfig:
        return TournamentConfig(**{k: getattr(self, k) for k in rules.CONFIG_FIELDS})

    @property
    def format_name(self) -> str:
        return rules.FORMAT_NAMES.get(self.format, self.format)

    @property
    def is_free(self) -> bool:
        return self.entry_fee_coins == 0 and self.entry_fee_minor == 0


@dataclass(frozen=True)
class TournamentSummary:
    """A tournament with what /tournament info shows beside it."""

    tournament: TournamentView
    game: GameView
    slots_taken: int
    waitlisted: int
    coin_name: str = "coins"

    @property
    def slots_left(self) -> int:
        return max(0, self.tournament.max_participants - self.slots_taken)


@dataclass(frozen=True)
class VersionView:
    version: int
    summary: str
    actor_id: int
    created_at: datetime


@dataclass(frozen=True)
class TournamentChange:
    tournament: TournamentView
    version: int
    summary: str


@dataclass(frozen=True)
class CancelResult:
    tournament: TournamentView
    cancelled_registrations: int
    refunded_payments: int


def config_of(row: Tournament) -> TournamentConfig:
    return TournamentConfig(
        **{
            **{k: getattr(row, k) for k in rules.CONFIG_FIELDS},
            "format_options": dict(row.format_options or {}),
            "payment_methods": tuple(row.payment_methods or ()),
            "prize_distribution": tuple(row.prize_distribution or ()),
            "stream_links": tuple(row.stream_links or ()),
            "prediction_rewards": tuple(row.prediction_rewards or ()),
            "round_times": tuple(datetime.fromisoformat(t) for t in row.round_times or ()),
            "reminder_minutes": tuple(
                rules.DEFAULT_REMINDER_MINUTES
                if row.reminder_minutes is None
                else row.reminder_minutes
            ),
        }
    )


def view_of(row: Tournament, game_name: str, timezone: str) -> TournamentView:
    config = dataclasses.asdict(config_of(row))
    config["format_options"] = dict(config["format_options"])
    return TournamentView(
        id=row.id,
        guild_id=row.guild_id,
        slug=row.slug,
        status=row.status,
        version=row.version,
        game_name=game_name,
        timezone=timezone,
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        **{**config, **{k: tuple(config[k]) for k in (*_TUPLES, "round_times")}},
    )


_TUPLES = (
    "payment_methods",
    "prize_distribution",
    "stream_links",
    "reminder_minutes",
    "prediction_rewards",
)


def write_config(row: Tournament, config: TournamentConfig) -> None:
    for key in rules.CONFIG_FIELDS:
        value = getattr(config, key)
        if key in _TUPLES:
            value = list(value)
        elif key == "format_options":
            value = dict(value)
        elif key == "round_times":
            value = [t.astimezone(UTC).isoformat() for t in value]
        setattr(row, key, value)


def config_from_draft(draft: TournamentDraft, game: Game, tz: str) -> TournamentConfig:
    def when(value: datetime | str | None) -> datetime | None:
        if isinstance(value, str):
            return parse_local_time(value, tz) if value.strip() else None
        if value is not None and value.tzinfo is None:
            raise InvalidInput(msg("Times must carry a time zone."))
        return value

    team = draft.participant_type == "team"
    team_size = (
        draft.team_size if draft.team_size is not None else (game.team_size_max if team else 1)
    )
    values = {k: getattr(draft, k) for k in rules.CONFIG_FIELDS}
    values.update(
        team_size=team_size,
        format=draft.format.strip().lower(),
        participant_type=draft.participant_type.strip().lower(),
        format_options=dict(draft.format_options),
        payment_methods=tuple(m.lower() for m in draft.payment_methods),
        prize_distribution=tuple(draft.prize_distribution),
        stream_links=tuple(draft.stream_links),
        round_times=tuple(w for t in draft.round_times if (w := when(t)) is not None),
        reminder_minutes=tuple(draft.reminder_minutes),
        prediction_rewards=tuple(draft.prediction_rewards),
        **{k: when(getattr(draft, k)) for k in rules.TIME_FIELDS},
    )
    return TournamentConfig(**values)


@dataclass(frozen=True)
class StaffView:
    """Who runs one tournament besides the server admins."""

    tournament_id: int
    tournament_name: str
    owner_id: int
    co_organizer_ids: tuple[int, ...]
