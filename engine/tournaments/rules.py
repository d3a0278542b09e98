"""Pure rules of a tournament's configuration: checking a whole configuration, the status
transition table, what may change when, and version snapshots.

No database here: ``TournamentService`` loads the rows, calls these, and writes.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from engine.formats import (
    ALL_OPTION_KEYS as ALL_OPTION_KEYS,
)
from engine.formats import (
    FORMAT_LABELS,
    MINIMUM_FIELD,
    OPTION_KEYS,
    FormatOptions,
    InvalidOptions,
    format_spec,
)
from engine.guilds import GameView
from engine.kernel.errors import Conflict, InvalidInput
from engine.kernel.text import Command, msg
from engine.render import CERTIFICATE_DESIGNS, DEFAULT_CERTIFICATE_DESIGN
from storage.models.enums import ParticipantType, TournamentStatus

S = TournamentStatus

# Live views of the format registry (engine.formats.registry), under their old names.
FORMAT_NAMES = FORMAT_LABELS
# Which bracket options an organizer may set for each format.
FORMAT_OPTION_KEYS = OPTION_KEYS

# The payment methods a tournament may accept: key -> whether it pays the coin fee (else
# the money fee). The money domain owns the methods (engine.money.methods) but sits above
# this one in the domain order, so it fills this table as each method registers.
_PAYMENT_METHODS: dict[str, bool] = {}


def offer_payment_method(key: str, *, coins: bool) -> None:
    """Let tournaments accept ``key``; called by ``engine.money.methods`` only."""
    _PAYMENT_METHODS[key] = coins


def withdraw_payment_method(key: str) -> None:
    _PAYMENT_METHODS.pop(key, None)


def payment_method_keys() -> tuple[str, ...]:
    """Every method a tournament may accept, in the order of the money registry."""
    return tuple(_PAYMENT_METHODS)


def pays_coins(method: str) -> bool:
    return _PAYMENT_METHODS.get(method, False)


def _money_methods() -> tuple[str, ...]:
    return tuple(k for k, coins in _PAYMENT_METHODS.items() if not coins)


def _or_list(words: tuple[str, ...]) -> str:
    return " or ".join(filter(None, (", ".join(words[:-1]), *words[-1:])))


MAX_PARTICIPANTS = 1024
# Fits PostgreSQL's 32-bit integer columns: 20 million in major units (taka, dollars).
MAX_MINOR = 2_000_000_000
MAX_COINS = 10**9
MAX_RULES = 4000
MAX_LINKS = 5
DEFAULT_REMINDER_MINUTES = (60, 15)  # minutes before a match its players are reminded
DEFAULT_MATCH_CHECKIN_MINUTES = 15  # new tournaments check in to every match (0 = off)

STATUS_NAMES = {
    S.DRAFT: "a draft",
    S.PUBLISHED: "published",
    S.REGISTRATION_OPEN: "open for registration",
    S.REGISTRATION_CLOSED: "closed for registration",
    S.LIVE: "live",
    S.COMPLETED: "completed",
    S.ARCHIVED: "archived",
    S.CANCELLED: "cancelled",
}
# The same words as a clause of a sentence in the reader's language ("… is {status}").
STATUS_WORDS = {
    S.DRAFT: msg("a draft"),
    S.PUBLISHED: msg("published"),
    S.REGISTRATION_OPEN: msg("open for registration"),
    S.REGISTRATION_CLOSED: msg("closed for registration"),
    S.LIVE: msg("live"),
    S.COMPLETED: msg("completed"),
    S.ARCHIVED: msg("archived"),
    S.CANCELLED: msg("cancelled"),
}
# Every legal move. Cancel is possible from any state before completed; a closed
# registration may be reopened (an organizer extending the deadline).
TRANSITIONS: dict[TournamentStatus, frozenset[TournamentStatus]] = {
    S.DRAFT: frozenset({S.PUBLISHED, S.CANCELLED}),
    S.PUBLISHED: frozenset({S.REGISTRATION_OPEN, S.CANCELLED}),
    S.REGISTRATION_OPEN: frozenset({S.REGISTRATION_CLOSED, S.CANCELLED}),
    S.REGISTRATION_CLOSED: frozenset({S.REGISTRATION_OPEN, S.LIVE, S.CANCELLED}),
    S.LIVE: frozenset({S.COMPLETED, S.CANCELLED}),
    S.COMPLETED: frozenset({S.ARCHIVED}),
    S.ARCHIVED: frozenset(),
    S.CANCELLED: frozenset({S.ARCHIVED}),
}
# How a person brings each state about, for refusal messages.
HOW_TO_REACH = {
    S.PUBLISHED: Command("tournament publish"),
    S.REGISTRATION_OPEN: Command("tournament open"),
    S.REGISTRATION_CLOSED: Command("tournament close"),
    S.LIVE: msg("{tournament} start", tournament=Command("tournament")),
    S.COMPLETED: "playing the last match",
    S.ARCHIVED: Command("tournament archive"),
    S.CANCELLED: Command("tournament cancel"),
}
# The forward step named in refusals (cancel is always mentioned separately).
_MAIN_PATH = {
    S.DRAFT: S.PUBLISHED,
    S.PUBLISHED: S.REGISTRATION_OPEN,
    S.REGISTRATION_OPEN: S.REGISTRATION_CLOSED,
    S.REGISTRATION_CLOSED: S.LIVE,
    S.LIVE: S.COMPLETED,
    S.COMPLETED: S.ARCHIVED,
    S.CANCELLED: S.ARCHIVED,
}
BRACKET_LOCKED_STATES = frozenset({S.LIVE, S.COMPLETED, S.ARCHIVED, S.CANCELLED})
BRACKET_FIELDS = frozenset(
    {
        "format",
        "format_options",
        "participant_type",
        "team_size",
        "max_participants",
        "best_of",
        "seeding",
    }
)

SEEDING_METHODS = ("random", "ranked", "manual")  # how a bracket is seeded at the start


def check_transition(name: str, current: str, target: TournamentStatus) -> None:
    now = TournamentStatus(current)
    if target in TRANSITIONS[now]:
        return
    if now is target:
        raise Conflict(
            msg(
                "“{name}” is already {status_names}; nothing changed.",
                name=name,
                status_names=STATUS_WORDS[now],
            )
        )
    step = _MAIN_PATH.get(now)
    if step is None:
        raise Conflict(
            msg(
                "“{name}” is {status_names}, and an archived tournament cannot change any more.",
                name=name,
                status_names=STATUS_WORDS[now],
            )
        )
    advice = msg("The next step from here is {how_to_reach}", how_to_reach=HOW_TO_REACH[step])
    if S.CANCELLED in TRANSITIONS[now]:
        advice += msg(" (or {tournament_cancel})", tournament_cancel=Command("tournament cancel"))
    raise Conflict(
        msg(
            "“{name}” is {status_names}, so it cannot become {status_names2}. {advice}.",
            name=name,
            status_names=STATUS_WORDS[now],
            status_names2=STATUS_WORDS[target],
            advice=advice,
        )
    )


@dataclass(frozen=True)
class TournamentConfig:
    """The editable configuration of a tournament: what a version snapshot holds."""

    name: str
    game_id: int
    format: str
    participant_type: str
    max_participants: int
    format_options: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    team_size: int = 1
    min_participants: int = 2
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    starts_at: datetime | None = None
    best_of: int = 1
    entry_fee_coins: int = 0
    entry_fee_minor: int = 0
    currency: str = "BDT"
    payment_methods: tuple[str, ...] = ()
    prize_pool_minor: int = 0
    prize_pool_coins: int = 0
    prize_distribution: tuple[int, ...] = ()
    checkin_enabled: bool = False
    checkin_window_minutes: int = 30
    match_checkin_minutes: int = 0
    # The match schedule: round start times, then an interval (engine.brackets.match_times).
    round_times: tuple[datetime, ...] = ()
    round_interval_minutes: int = 0
    reminder_minutes: tuple[int, ...] = DEFAULT_REMINDER_MINUTES
    result_deadline_minutes: int = 60
    player_reschedule_minutes: int = 120
    seeding: str = "random"
    fee_waiver_top_n: int = 0
    rules: str | None = None
    stream_links: tuple[str, ...] = ()
    is_public: bool = True
    certificate_design: str = DEFAULT_CERTIFICATE_DESIGN
    # Fan predictions (engine.predictions) and the coins per place of the top predictors.
    predictions: bool = False
    prediction_rewards: tuple[int, ...] = ()

    def to_snapshot(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["format_options"] = dict(self.format_options)
        for key in TIME_FIELDS:
            value = getattr(self, key)
            data[key] = value.astimezone(UTC).isoformat() if value else None
        for key in (
            "payment_methods",
            "prize_distribution",
            "stream_links",
            "reminder_minutes",
            "prediction_rewards",
        ):
            data[key] = list(data[key])
        data["round_times"] = [t.astimezone(UTC).isoformat() for t in self.round_times]
        return data

    @classmethod
    def from_snapshot(cls, data: Mapping[str, Any]) -> TournamentConfig:
        names = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        for key in TIME_FIELDS:
            raw = values.get(key)
            values[key] = datetime.fromisoformat(raw) if raw else None
        for key in ("payment_methods", "prize_distribution", "stream_links", "prediction_rewards"):
            values[key] = tuple(values.get(key) or ())
        # Snapshots older than the match schedule have none: play as soon as ready.
        values["round_times"] = tuple(
            datetime.fromisoformat(t) for t in values.get("round_times") or ()
        )
        values["reminder_minutes"] = tuple(values.get("reminder_minutes", DEFAULT_REMINDER_MINUTES))
        values["format_options"] = dict(values.get("format_options") or {})
        return cls(**values)


MAX_ROUND_TIMES = 64
MAX_REMINDERS = 4
TIME_FIELDS = ("registration_opens_at", "registration_closes_at", "starts_at")
CONFIG_FIELDS = tuple(f.name for f in dataclasses.fields(TournamentConfig))


# --------------------------------------------------------------------------- validation
def validate_config(config: TournamentConfig, game: GameView) -> TournamentConfig:
    """Check a whole configuration; return it normalised (trimmed text, sorted methods)."""
    config = _normalised(config)
    _check_name(config.name)
    _check_size(config, game)
    _check_format(config, game)
    _check_times(config)
    _check_money(config)
    _check_extras(config)
    return config


def _normalised(config: TournamentConfig) -> TournamentConfig:
    rules = (config.rules or "").strip() or None
    return dataclasses.replace(
        config,
        name=" ".join(config.name.split()),
        currency=config.currency.strip().upper(),
        payment_methods=tuple(sorted(set(config.payment_methods))),
        rules=rules,
        reminder_minutes=tuple(sorted(config.reminder_minutes, reverse=True)),
        format_options={k: v for k, v in config.format_options.items() if v is not None},
        certificate_design=config.certificate_design.strip().lower(),
    )


def _check_name(name: str) -> None:
    if not 3 <= len(name) <= 100:
        raise InvalidInput(msg("A tournament name must be 3 to 100 characters long."))


def _check_size(config: TournamentConfig, game: GameView) -> None:
    if config.format not in FORMAT_NAMES:
        raise InvalidInput("The format must be one of: " + ", ".join(FORMAT_NAMES.values()) + ".")
    smallest = max(2, MINIMUM_FIELD[config.format])
    if not smallest <= config.max_participants <= MAX_PARTICIPANTS:
        raise InvalidInput(
            msg(
                "{format_names} needs a maximum of at least {smallest} participants (and "
                "at most {max_participants}); you gave {config_max_participants}.",
                format_names=FORMAT_NAMES[config.format],
                smallest=smallest,
                max_participants=MAX_PARTICIPANTS,
                config_max_participants=config.max_participants,
            )
        )
    if not 2 <= config.min_participants <= config.max_participants:
        raise InvalidInput(
            msg(
                "The minimum number of participants ({min_participants}) must be at "
                "least 2 and not above the maximum ({max_participants}).",
                min_participants=config.min_participants,
                max_participants=config.max_participants,
            )
        )
    if config.participant_type == ParticipantType.SOLO:
        if game.team_size_min > 1:
            raise InvalidInput(
                msg(
                    "{name} is played in teams ({team_size_text}); make this a team tournament.",
                    name=game.name,
                    team_size_text=game.team_size_text,
                )
            )
        if config.team_size != 1:
            raise InvalidInput(msg("A solo tournament has a team size of 1."))
    elif config.participant_type == ParticipantType.TEAM:
        if not game.team_size_min <= config.team_size <= game.team_size_max:
            raise InvalidInput(
                msg(
                    "{name} allows teams of {team_size_min} to {team_size_max}; a team "
                    "size of {team_size} does not fit.",
                    name=game.name,
                    team_size_min=game.team_size_min,
                    team_size_max=game.team_size_max,
                    team_size=config.team_size,
                )
            )
        if config.team_size < 2 and game.team_size_max < 2:
            raise InvalidInput(
                msg("{name} is played alone; make this a solo tournament.", name=game.name)
            )
    else:
        raise InvalidInput(msg("The participant type must be solo or team."))


def _check_format(config: TournamentConfig, game: GameView) -> None:
    allowed = FORMAT_OPTION_KEYS[config.format]
    extra = sorted(set(config.format_options) - set(allowed))
    if extra:
        raise InvalidInput(
            msg(
                "{format_names} has no option {names}; its options are: {names2}.",
                format_names=FORMAT_NAMES[config.format],
                names=", ".join(extra),
                names2=", ".join(allowed),
            )
        )
    if not 1 <= config.best_of <= 15:
        raise InvalidInput(msg("Best-of must be a number of games from 1 to 15."))
    if config.best_of % 2 == 0 and not game.allows_draws:
        raise InvalidInput(
            msg(
                "{name} does not allow draws, so a series needs an odd best-of (1, 3, 5 …).",
                name=game.name,
            )
        )
    try:
        options = FormatOptions.from_mapping(
            {**config.format_options, "best_of": config.best_of, "allow_draws": game.allows_draws}
        )
    except InvalidOptions as error:
        raise InvalidInput(error.message) from None
    _check_against_size(config, options)


def _check_against_size(config: TournamentConfig, options: FormatOptions) -> None:
    """The format's own limits for a field of at most ``max_participants``."""
    try:
        format_spec(config.format).check_options(options, config.max_participants)
    except InvalidOptions as error:
        raise InvalidInput(error.message) from None


def _check_times(config: TournamentConfig) -> None:
    opens, closes, starts = (getattr(config, k) for k in TIME_FIELDS)
    if opens and closes and not opens < closes:
        raise InvalidInput(msg("Registration must open before it closes."))
    if closes and starts and not closes <= starts:
        raise InvalidInput(msg("Registration must close no later than the tournament starts."))
    if opens and starts and not opens < starts:
        raise InvalidInput(msg("Registration must open before the tournament starts."))
    if config.checkin_enabled and not 5 <= config.checkin_window_minutes <= 24 * 60:
        raise InvalidInput(msg("The check-in window must be from 5 minutes to 24 hours."))
    if not 0 <= config.match_checkin_minutes <= 120:
        raise InvalidInput(
            msg("Match check-in must be from 1 to 120 minutes, or 0 to play without it.")
        )
    _check_schedule(config)
    if config.seeding not in SEEDING_METHODS:
        raise InvalidInput(msg("Seeding must be random, ranked or manual."))


def _check_schedule(config: TournamentConfig) -> None:
    times = config.round_times
    if len(times) > MAX_ROUND_TIMES:
        raise InvalidInput(
            msg(
                "List at most {most} round times; an interval covers the rest.",
                most=MAX_ROUND_TIMES,
            )
        )
    if any(later <= earlier for earlier, later in itertools.pairwise(times)):
        raise InvalidInput(
            msg("Round times must go forward: each round starts after the one before it.")
        )
    if not 0 <= config.round_interval_minutes <= 7 * 24 * 60:
        raise InvalidInput(
            msg("The time between rounds must be from 0 (none) to 10080 minutes (a week).")
        )
    if config.round_interval_minutes and not times:
        raise InvalidInput(
            msg("An interval between rounds needs the first round's time; set round_times too.")
        )
    reminders = config.reminder_minutes
    if len(reminders) > MAX_REMINDERS or len(set(reminders)) != len(reminders):
        raise InvalidInput(
            msg("Give at most {most} different reminder times, such as 60, 15.", most=MAX_REMINDERS)
        )
    if any(not 1 <= m <= 24 * 60 for m in reminders):
        raise InvalidInput(msg("Reminders are from 1 to 1440 minutes (a day) before a match."))
    if not 0 <= config.player_reschedule_minutes <= 7 * 24 * 60:
        raise InvalidInput(
            msg(
                "Player reschedules move a match by at most 1 to 10080 minutes, or 0 to let "
                "only organizers move matches."
            )
        )
    if not 0 <= config.result_deadline_minutes <= 24 * 60:
        raise InvalidInput(
            msg(
                "The result deadline must be from 1 to 1440 minutes after a match's time, "
                "or 0 for none."
            )
        )


def _check_money(config: TournamentConfig) -> None:
    for what, value, cap in (
        (msg("entry fee in coins"), config.entry_fee_coins, MAX_COINS),
        (msg("entry fee"), config.entry_fee_minor, MAX_MINOR),
        (msg("prize pool"), config.prize_pool_minor, MAX_MINOR),
        (msg("prize pool in coins"), config.prize_pool_coins, MAX_COINS),
    ):
        if value < 0:
            raise InvalidInput(msg("The {what} cannot be negative; use 0 for none.", what=what))
        if value > cap:
            raise InvalidInput(msg("The {what} is too large.", what=what))
    if not re.fullmatch(r"[A-Z]{3}", config.currency):
        raise InvalidInput(msg("The currency must be a three-letter code such as BDT or USD."))
    _check_methods(config)
    _check_distribution(config)


def _check_methods(config: TournamentConfig) -> None:
    methods = set(config.payment_methods)
    unknown = methods - set(_PAYMENT_METHODS)
    if unknown:
        raise InvalidInput(
            msg("Unknown payment method: {names}.", names=", ".join(sorted(unknown)))
        )
    money = methods & set(_money_methods())
    if config.entry_fee_minor > 0 and not money:
        raise InvalidInput(
            msg(
                "An entry fee in money needs at least one way to pay it: {or_list}.",
                or_list=_or_list(_money_methods()),
            )
        )
    if money and config.entry_fee_minor == 0:
        raise InvalidInput(
            msg(
                "Payment by {names} needs an entry fee in money; set one or remove those methods.",
                names=", ".join(sorted(money)),
            )
        )
    coins = {m for m in methods if pays_coins(m)}
    if config.entry_fee_coins > 0 and not coins:
        raise InvalidInput(msg("An entry fee in coins needs the coins payment method."))
    if coins and config.entry_fee_coins == 0:
        raise InvalidInput(
            msg("Payment by coins needs an entry fee in coins; set one or remove coins.")
        )


def _check_distribution(config: TournamentConfig) -> None:
    split = config.prize_distribution
    if not split:
        return
    if any(p <= 0 for p in split) or sum(split) != 100:
        shown = "/".join(str(p) for p in split)
        raise InvalidInput(
            msg(
                "The prize distribution {shown} adds up to {split}%; the parts must be "
                "positive and add up to exactly 100, such as 50/30/20.",
                shown=shown,
                split=sum(split),
            )
        )
    if len(split) > config.max_participants:
        raise InvalidInput(
            msg("The prize distribution pays more places than there are participants.")
        )


MAX_PREDICTION_REWARDS = 10
MAX_PREDICTION_REWARD = 1_000_000


def _check_extras(config: TournamentConfig) -> None:
    if len(config.prediction_rewards) > MAX_PREDICTION_REWARDS or not all(
        0 < coins <= MAX_PREDICTION_REWARD for coins in config.prediction_rewards
    ):
        raise InvalidInput(
            msg(
                "Prediction rewards are up to {places} amounts of coins, each from 1 to "
                "{most}, for places 1, 2, 3…: for example 100/50/25.",
                places=MAX_PREDICTION_REWARDS,
                most=MAX_PREDICTION_REWARD,
            )
        )
    if not 0 <= config.fee_waiver_top_n <= config.max_participants:
        raise InvalidInput(
            msg(
                "The fee waiver must cover from 0 to the maximum number of participants "
                "(the top N ranked play for free)."
            )
        )
    if config.rules and len(config.rules) > MAX_RULES:
        raise InvalidInput(
            msg("The rules can be at most {max_rules} characters long.", max_rules=MAX_RULES)
        )
    if len(config.stream_links) > MAX_LINKS:
        raise InvalidInput(
            msg("A tournament can list at most {max_links} stream links.", max_links=MAX_LINKS)
        )
    if config.certificate_design not in CERTIFICATE_DESIGNS:
        raise InvalidInput(
            msg(
                "“{design}” is not a certificate design; pick one of: {designs}.",
                design=config.certificate_design[:40],
                designs=", ".join(CERTIFICATE_DESIGNS),
            )
        )
    for link in config.stream_links:
        parts = urlsplit(link)
        if parts.scheme not in ("http", "https") or not parts.hostname or len(link) > 300:
            raise InvalidInput(
                msg("“{link}” is not a web link; stream links start with https://.", link=link[:80])
            )
