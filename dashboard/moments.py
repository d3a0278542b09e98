"""Moments as the dashboard writes them in English (the source): in the server's zone.

Kept apart from the templates (``dashboard/pages.py``) so that ``dashboard/text.py`` can
use them while the templates use ``web_text``.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def when(moment: datetime | None, timezone: str = "UTC") -> str:
    """ "Sat 5 Dec 2026, 18:00 (Asia/Dhaka)" — in the server's zone, which players know."""
    if moment is None:
        return "not set"
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone, timezone = ZoneInfo("UTC"), "UTC"
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} ({timezone})"


def clock(moment: datetime | None, timezone: str = "UTC") -> str:
    """ "Sat 5 Dec, 18:00" in the server's zone (the table's header names the zone)."""
    if moment is None:
        return "When ready"
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b, %H:%M}"
