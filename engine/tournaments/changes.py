"""What an edit changes, how a change is shown, and whether it may be made now."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from engine.formats import (
    ALL_OPTION_KEYS as ALL_OPTION_KEYS,
)
from engine.kernel.errors import Conflict, InvalidInput
from engine.kernel.text import msg
from engine.tournaments.rules import (
    BRACKET_FIELDS,
    BRACKET_LOCKED_STATES,
    CONFIG_FIELDS,
    FORMAT_NAMES,
    STATUS_WORDS,
    TIME_FIELDS,
    TournamentConfig,
)
from storage.models.enums import TournamentStatus

S = TournamentStatus


# --------------------------------------------------------------------------- diffing
def display_value(key: str, value: Any) -> str:
    if value is None or value == () or value == "":
        return "none"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if key == "format":
        return FORMAT_NAMES.get(value, str(value))
    if key == "prize_distribution":
        return "/".join(str(p) for p in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key == "round_times":
        return ", ".join(t.strftime("%Y-%m-%d %H:%M UTC") for t in value)
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={v}" for k, v in sorted(value.items())) or "none"
    if key == "rules":
        return f"{len(value)} characters"
    return str(value)


def changed_fields(before: TournamentConfig, after: TournamentConfig) -> list[str]:
    return [k for k in CONFIG_FIELDS if getattr(before, k) != getattr(after, k)]


def change_summary(before: TournamentConfig, after: TournamentConfig) -> str:
    parts = [
        f"{k}: {display_value(k, getattr(before, k))} → {display_value(k, getattr(after, k))}"
        for k in changed_fields(before, after)
    ]
    summary = "; ".join(parts)
    return summary if len(summary) <= 480 else summary[:477] + "…"


def guard_change(
    status: str, before: TournamentConfig, after: TournamentConfig, slot_holders: int
) -> None:
    """Refuse a change that would break a running bracket or existing registrations."""
    changed = set(changed_fields(before, after))
    locked = changed & BRACKET_FIELDS
    if locked and TournamentStatus(status) in BRACKET_LOCKED_STATES:
        raise Conflict(
            msg(
                "The tournament is {status_names}, so {names} can no longer change: the "
                "bracket depends on it.",
                status_names=STATUS_WORDS[TournamentStatus(status)],
                names=", ".join(sorted(locked)),
            )
        )
    if slot_holders and after.max_participants < slot_holders:
        raise Conflict(
            msg(
                "{slot_holders} participants already hold a slot, so the maximum cannot "
                "go below {slot_holders}.",
                slot_holders=slot_holders,
            )
        )
    if slot_holders and changed & {"participant_type", "team_size", "game_id"}:
        which = sorted(changed & {"participant_type", "team_size", "game_id"})
        raise Conflict(
            msg(
                "Registrations already exist, so {names} cannot change: the entries were "
                "made for the current setting.",
                names=", ".join(which),
            )
        )


def newly_past(
    before: TournamentConfig | None, after: TournamentConfig, now: datetime
) -> str | None:
    """The first time field set to a new value in the past (organizers mistype years)."""
    for key in TIME_FIELDS:
        value = getattr(after, key)
        old = getattr(before, key) if before is not None else None
        if value is not None and value != old and value <= now:
            return key
    return None


def ensure_future(before: TournamentConfig | None, after: TournamentConfig, now: datetime) -> None:
    """Refuse a newly set time that has already passed (a rollback may keep old ones)."""
    key = newly_past(before, after, now)
    if key is not None:
        label = key.replace("_at", "").replace("_", " ")
        raise InvalidInput(
            msg("The {label} time is in the past; pick a time that is still ahead.", label=label)
        )
