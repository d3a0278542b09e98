"""What organizers type, turned into configuration values: money, times in the server's
time zone, prize splits, and the fields /tournament edit can change.

Pure functions; every refusal is an InvalidInput with a sentence saying how to write it.
"""

from __future__ import annotations

import dataclasses
import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from engine.formats import FORMATS
from engine.formats.errors import InvalidOptions
from engine.formats.options import FormatOptions
from engine.kernel.errors import InvalidInput
from engine.kernel.text import N_, Command, Text, msg
from engine.kernel.typed import ascii_digits
from engine.render import CERTIFICATE_DESIGNS
from engine.tournaments.rules import (
    ALL_OPTION_KEYS,
    FORMAT_OPTION_KEYS,
    MAX_MINOR,
    TournamentConfig,
    payment_method_keys,
    pays_coins,
)

# ----------------------------------------------------------------------------- parsing
AMOUNT = msg("amount")


def parse_money(text: str, what: Text = AMOUNT) -> int:
    """ "150" or "150.50" → minor units (15000, 15050). Decimal, never float."""
    cleaned = text.strip().replace(",", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise InvalidInput(
            msg(
                "The {what} “{text}” is not a number; write it like 150 or 150.50.",
                what=what,
                text=text,
            )
        ) from None
    if not amount.is_finite():
        raise InvalidInput(msg("The {what} must be a number such as 150 or 150.50.", what=what))
    if amount < 0:
        raise InvalidInput(msg("The {what} cannot be negative; use 0 for none.", what=what))
    minor = amount * 100
    if minor != minor.to_integral_value():
        raise InvalidInput(
            msg(
                "The {what} “{text}” has more than two decimals; write it like 150.50.",
                what=what,
                text=text,
            )
        )
    if minor > MAX_MINOR:
        raise InvalidInput(msg("The {what} “{text}” is too large.", what=what, text=text))
    return int(minor)


def format_money(minor: int, currency: str) -> str:
    major, cents = divmod(minor, 100)
    return f"{major:,}.{cents:02d} {currency}" if cents else f"{major:,} {currency}"


_TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")


def parse_local_time(text: str, timezone: str) -> datetime:
    """ "2026-12-05 18:00" in the server's time zone → an aware UTC datetime."""
    cleaned = " ".join(text.strip().split())
    for pattern in _TIME_FORMATS:
        try:
            naive = datetime.strptime(cleaned, pattern)
        except ValueError:
            continue
        local = naive.replace(tzinfo=ZoneInfo(timezone))
        moment = local.astimezone(UTC)
        if moment.astimezone(ZoneInfo(timezone)).replace(tzinfo=None) != naive:
            # Zoneinfo quietly shifts a time that the clocks skip (a DST change).
            raise InvalidInput(
                msg(
                    "{cleaned} does not exist in {timezone}: the clocks change then. "
                    "Pick a time an hour earlier or later.",
                    cleaned=cleaned,
                    timezone=timezone,
                )
            )
        return moment
    raise InvalidInput(
        msg(
            "“{text}” is not a date and time I can read. Write it like 2026-12-05 18:00 "
            "(year-month-day hour:minute, in this server's time zone {timezone}).",
            text=text,
            timezone=timezone,
        )
    )


def parse_distribution(text: str) -> tuple[int, ...]:
    """ "50/30/20" → (50, 30, 20); the parts are whole percentages summing to 100."""
    parts = [p for p in re.split(r"[/,\s]+", text.strip().replace("%", "")) if p]
    if not parts or not all(ascii_digits(p) for p in parts):
        raise InvalidInput(
            msg(
                "“{text}” is not a prize distribution. Write whole percentages per place "
                "separated by slashes, such as 50/30/20.",
                text=text,
            )
        )
    return tuple(int(p) for p in parts)


def parse_coin_list(text: str) -> tuple[int, ...]:
    """ "100/50/25" → (100, 50, 25): whole coins per place."""
    parts = [p for p in re.split(r"[/,\s]+", text.strip()) if p]
    if not parts or not all(ascii_digits(p) and len(p) <= 9 for p in parts):
        raise InvalidInput(
            msg(
                "“{text}” is not a list of coins. Write whole coins per place separated by "
                "slashes, such as 100/50/25.",
                text=text,
            )
        )
    return tuple(int(p) for p in parts)


def parse_bool(text: str, what: Text) -> bool:
    word = text.strip().lower()
    if word in ("yes", "y", "true", "on", "1", "enabled"):
        return True
    if word in ("no", "n", "false", "off", "0", "disabled"):
        return False
    raise InvalidInput(msg("{what} takes yes or no; you wrote “{text}”.", what=what, text=text))


def parse_int(text: str, what: Text) -> int:
    cleaned = text.strip()
    if not re.fullmatch(r"[+-]?\d{1,10}", cleaned):
        raise InvalidInput(
            msg("{what} takes a whole number; you wrote “{text}”.", what=what, text=text)
        )
    return int(cleaned)


def parse_methods(text: str) -> tuple[str, ...]:
    words = [w.lower() for w in re.split(r"[,\s/]+", text.strip()) if w]
    known = set(payment_method_keys())
    wrong = [w for w in words if w not in known]
    if wrong:
        raise InvalidInput(
            msg(
                "“{names}” is not a payment method; choose from: {names2}.",
                names=", ".join(wrong),
                names2=", ".join(sorted(known)),
            )
        )
    return tuple(dict.fromkeys(words))


def parse_links(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(w for w in re.split(r"[\s,]+", text.strip()) if w))


def slugify(name: str, rng: random.Random) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-")
    return f"{base or 'tournament'}-{rng.getrandbits(24):06x}"


# --------------------------------------------------------------------------- edit fields
Parser = Callable[[str, str], Any]  # (text, guild timezone) -> value


@dataclass(frozen=True)
class EditableField:
    name: str  # what organizers pick in /tournament edit
    describe: str | Callable[[], str]
    parse: Parser
    long_text: bool = False

    @property
    def description(self) -> str:
        """A list of formats or payment methods is read when shown, from its registry."""
        return self.describe if isinstance(self.describe, str) else self.describe()


def _opt_time(text: str, tz: str) -> datetime | None:
    return None if text.strip().lower() in ("", "none", "clear") else parse_local_time(text, tz)


def _round_times(text: str, tz: str) -> tuple[datetime, ...]:
    lines = [part for part in re.split(r"[\n,;]+", text) if part.strip()]
    return tuple(parse_local_time(line, tz) for line in lines)


def _minutes_list(text: str) -> tuple[int, ...]:
    words = [w for w in re.split(r"[,\s/]+", text.strip()) if w]
    return tuple(parse_int(w, msg("A reminder")) for w in words)


def _option_value(key: str) -> Parser:
    def parse(text: str, _tz: str) -> Any:
        if text.strip().lower() in ("", "none", "default"):
            return None
        try:
            return FormatOptions.from_mapping({key: text}).to_dict()[key]
        except InvalidOptions as error:
            raise InvalidInput(error.message) from None

    return parse


EDITABLE_FIELDS: dict[str, EditableField] = {
    f.name: f
    for f in (
        EditableField("name", N_("Tournament name"), lambda t, _: t),
        EditableField("format", lambda: ", ".join(FORMATS), lambda t, _: t.strip().lower()),
        EditableField("participant_type", N_("solo or team"), lambda t, _: t.strip().lower()),
        EditableField(
            "team_size", N_("Players per team"), lambda t, _: parse_int(t, msg("The team size"))
        ),
        EditableField(
            "max_participants",
            N_("Maximum participants"),
            lambda t, _: parse_int(t, msg("The maximum")),
        ),
        EditableField(
            "min_participants",
            N_("Minimum participants"),
            lambda t, _: parse_int(t, msg("The minimum")),
        ),
        EditableField(
            "registration_opens_at", N_("When registration opens (2026-12-01 10:00)"), _opt_time
        ),
        EditableField("registration_closes_at", N_("When registration closes"), _opt_time),
        EditableField("starts_at", N_("When the tournament starts"), _opt_time),
        EditableField("best_of", N_("Games per match"), lambda t, _: parse_int(t, msg("Best-of"))),
        EditableField(
            "entry_fee_coins",
            N_("Entry fee in coins"),
            lambda t, _: parse_int(t, msg("The coin fee")),
        ),
        EditableField(
            "entry_fee",
            N_("Entry fee in money (150 or 150.50)"),
            lambda t, _: parse_money(t, msg("entry fee")),
        ),
        EditableField("currency", N_("Three-letter currency code"), lambda t, _: t),
        EditableField(
            "payment_methods",
            lambda: ", ".join(payment_method_keys()),
            lambda t, _: parse_methods(t),
        ),
        EditableField(
            "prize_pool", N_("Prize pool in money"), lambda t, _: parse_money(t, msg("prize pool"))
        ),
        EditableField(
            "prize_pool_coins",
            N_("Prize pool in coins"),
            lambda t, _: parse_int(t, msg("The coin prize pool")),
        ),
        EditableField(
            "prize_distribution",
            N_("Percent per place, e.g. 50/30/20"),
            lambda t, _: parse_distribution(t) if t.strip() else (),
        ),
        EditableField(
            "checkin_enabled", N_("yes or no"), lambda t, _: parse_bool(t, msg("Check-in"))
        ),
        EditableField(
            "checkin_window_minutes",
            N_("Minutes before the start check-in opens"),
            lambda t, _: parse_int(t, msg("The check-in window")),
        ),
        EditableField(
            "match_checkin_minutes",
            N_("Minutes both sides have to check in to a match (0 = off)"),
            lambda t, _: parse_int(t, msg("Match check-in")),
        ),
        EditableField(
            "round_times",
            N_("Round times, one per line (2026-12-05 18:00)"),
            _round_times,
            long_text=True,
        ),
        EditableField(
            "round_interval_minutes",
            N_("Minutes between rounds after the last time"),
            lambda t, _: parse_int(t, msg("The time between rounds")),
        ),
        EditableField(
            "reminder_minutes",
            N_("Reminder minutes before a match, e.g. 60, 15"),
            lambda t, _: _minutes_list(t),
        ),
        EditableField(
            "result_deadline_minutes",
            N_("Minutes after a match's time until overdue"),
            lambda t, _: parse_int(t, msg("The result deadline")),
        ),
        EditableField(
            "player_reschedule_minutes",
            N_("How far players may move a match (minutes)"),
            lambda t, _: parse_int(t, msg("The reschedule limit")),
        ),
        EditableField("seeding", N_("random, ranked or manual"), lambda t, _: t.strip().lower()),
        EditableField(
            "fee_waiver_top_n",
            N_("Top N ranked play for free"),
            lambda t, _: parse_int(t, msg("The fee waiver")),
        ),
        EditableField("rules", N_("Rules text"), lambda t, _: t, long_text=True),
        EditableField(
            "stream_links",
            N_("Stream links, one per line"),
            lambda t, _: parse_links(t),
            long_text=True,
        ),
        EditableField(
            "is_public",
            N_("Shown on the public dashboard"),
            lambda t, _: parse_bool(t, msg("Public")),
        ),
        EditableField(
            "certificate_design",
            lambda: ", ".join(CERTIFICATE_DESIGNS),
            lambda t, _: t.strip().lower(),
        ),
        EditableField(
            "predictions",
            N_("Fans predict match winners (yes or no)"),
            lambda t, _: parse_bool(t, msg("Predictions")),
        ),
        EditableField(
            "prediction_rewards",
            N_("Coins for the top predictors, e.g. 100/50/25"),
            lambda t, _: parse_coin_list(t) if t.strip() else (),
        ),
        EditableField(
            "third_place",
            N_("Third-place match (single elimination)"),
            _option_value("third_place"),
        ),
        EditableField(
            "grand_final",
            N_("none, single or reset (double elimination)"),
            _option_value("grand_final"),
        ),
        EditableField(
            "dq_to_losers",
            N_("A winners-bracket DQ drops to losers (double elimination)"),
            _option_value("dq_to_losers"),
        ),
        EditableField("rounds", N_("Swiss rounds"), _option_value("rounds")),
        EditableField("cycles", N_("Round-robin cycles"), _option_value("cycles")),
        EditableField("groups", N_("Number of groups"), _option_value("groups")),
        EditableField(
            "advance_per_group",
            N_("How many advance from each group"),
            _option_value("advance_per_group"),
        ),
        EditableField(
            "playoff_format", N_("single_elim or double_elim"), _option_value("playoff_format")
        ),
    )
}
_RENAMED = {"entry_fee": "entry_fee_minor", "prize_pool": "prize_pool_minor"}


def editable_field(field_name: str) -> EditableField:
    spec = EDITABLE_FIELDS.get(field_name)
    if spec is None:
        raise InvalidInput(
            msg(
                "“{field_name}” is not something {tournament_edit} can change; pick a "
                "field from the list.",
                field_name=field_name,
                tournament_edit=Command("tournament edit"),
            )
        )
    return spec


def apply_edit(config: TournamentConfig, field_name: str, text: str, tz: str) -> TournamentConfig:
    """The configuration with one field set from what the organizer typed."""
    value = editable_field(field_name).parse(text, tz)
    if field_name in ALL_OPTION_KEYS:
        options = dict(config.format_options)
        if value is None:
            options.pop(field_name, None)
        else:
            options[field_name] = value
        return dataclasses.replace(config, format_options=options)
    if field_name == "format":
        # Options of the old format mean nothing to the new one.
        keep = FORMAT_OPTION_KEYS.get(value, ())
        options = {k: v for k, v in config.format_options.items() if k in keep}
        return dataclasses.replace(config, format=value, format_options=options)
    if field_name in ("entry_fee_coins", "entry_fee") and not value:
        # Making an entry free also retires the way of paying it: otherwise neither edit
        # could come first (a method needs a fee, and a fee needs a method).
        money = field_name == "entry_fee"
        methods = tuple(m for m in config.payment_methods if pays_coins(m) == money)
        config = dataclasses.replace(config, payment_methods=methods)
        if money:
            return dataclasses.replace(config, entry_fee_minor=0)
        return dataclasses.replace(config, entry_fee_coins=0)
    return dataclasses.replace(config, **{_RENAMED.get(field_name, field_name): value})


def current_text(config: TournamentConfig, field_name: str, tz: str) -> str:
    """A field's value written the way /tournament edit reads it (to prefill a form)."""
    if field_name in ALL_OPTION_KEYS:
        value = config.format_options.get(field_name)
        return "" if value is None else str(value).lower()
    value = getattr(config, _RENAMED.get(field_name, field_name))
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")
    if field_name in ("entry_fee", "prize_pool"):
        major, cents = divmod(value, 100)
        return f"{major}.{cents:02d}" if cents else str(major)
    if field_name in ("prize_distribution", "prediction_rewards"):
        return "/".join(str(p) for p in value)
    if field_name == "stream_links":
        return "\n".join(value)
    if field_name == "round_times":
        return "\n".join(t.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M") for t in value)
    if field_name == "reminder_minutes":
        return ", ".join(str(m) for m in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return ", ".join(value)
    return str(value)
