"""Jinja2 templates and the few formatting filters they use."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jinja2
from aiohttp import web

from engine.tournaments import FORMAT_NAMES, STATUS_NAMES, format_money
from storage.models.enums import TournamentStatus


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


def status_label(status: str) -> str:
    try:
        return STATUS_NAMES[TournamentStatus(status)].removeprefix("a ").capitalize()
    except ValueError:
        return status.replace("_", " ").capitalize()


def money(minor: int, currency: str) -> str:
    return format_money(minor, currency)


def format_label(name: str) -> str:
    return FORMAT_NAMES.get(name, name.replace("_", " ").capitalize())


def humanize(text: str) -> str:
    return text.replace("_", " ")


CHANGE_SHOWN = 240


def change_text(value: object) -> str:
    """An audit entry's before/after as readable JSON (names in their own script), cut
    short on the page; the CSV download has it whole."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= CHANGE_SHOWN else text[: CHANGE_SHOWN - 1] + "…"


def is_http_url(value: object) -> bool:
    """Organizer-typed links become anchors only when they are plain web addresses."""
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def build_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("dashboard", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        when=when,
        clock=clock,
        status_label=status_label,
        money=money,
        format_label=format_label,
        humanize=humanize,
        change=change_text,
    )
    env.tests["http_url"] = is_http_url
    return env


class Templates:
    def __init__(self) -> None:
        self.env = build_environment()

    def html(self, name: str, **context: Any) -> str:
        """The page as text, for callers that keep it (public pages, see dashboard/reads.py)."""
        return self.env.get_template(name).render(**context)

    def render(
        self, name: str, *, status: int = 200, headers: dict[str, str] | None = None, **context: Any
    ) -> web.Response:
        body = self.html(name, **context)
        return web.Response(
            text=body, status=status, content_type="text/html", charset="utf-8", headers=headers
        )
