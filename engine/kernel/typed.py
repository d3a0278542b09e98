"""Reading what users type, where the obvious call is not enough.

Numbers: ``"²".isdigit()`` and ``"١٢".isdigit()`` are true, yet ``int("²")`` raises; and
a 20-digit "id" overflows a 64-bit primary key (SQLite raises OverflowError, PostgreSQL a
DataError). Both used to end as unhandled errors with an incident id.

Days: calendar days typed by organizers ("2026-12-05"), read in the server's time zone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from engine.kernel.errors import InvalidInput
from engine.kernel.text import msg

MAX_ROW_ID = 2**63 - 1  # the largest BIGINT primary key on SQLite and PostgreSQL


def ascii_digits(text: str) -> bool:
    """True for a non-empty run of 0-9 only."""
    return text.isascii() and text.isdigit()


def row_id(text: str) -> int | None:
    """The database id ``text`` spells, or None when it cannot be one."""
    if not ascii_digits(text):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ROW_ID else None


def parse_day(text: str, timezone: str = "UTC", *, end_of_day: bool = False) -> datetime:
    """The start of that day (or the start of the next, for an inclusive end) in UTC."""
    cleaned = text.strip()
    try:
        if not cleaned.isascii():
            raise ValueError(cleaned)
        day = datetime.strptime(cleaned, "%Y-%m-%d")
        if not 2000 <= day.year <= 2200:
            raise ValueError(cleaned)
    except ValueError:
        raise InvalidInput(
            msg(
                "“{text}” is not a date I can read. Write it like 2026-12-05 (year-month-day).",
                text=text,
            )
        ) from None
    if end_of_day:
        day += timedelta(days=1)
    return day.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)
