"""Calendar days typed by organizers ("2026-12-05"), read in the server's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from engine.kernel.errors import InvalidInput
from engine.kernel.text import msg


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
