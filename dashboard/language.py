"""The language of a dashboard page: the reader's remembered switch, else their browser's.

Every page has a language switch (``/lang/{code}``, linked from the header) that stores
the choice in a cookie; the cookie wins over ``Accept-Language``, which wins over English.
Only the languages we have a catalogue for count (``engine/kernel/i18n.py``).

The middleware keeps the page's language and address in a context variable for the
request, so templates (``dashboard/pages.py``) and ``web_text`` write in it without every
handler passing it along. Pictures are not affected: they follow the tournament's
language (its server's), as they do in Discord.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass

from aiohttp import web

from engine.kernel.i18n import LANGUAGES, SOURCE_LANGUAGE, supported

COOKIE = "dc_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

routes = web.RouteTableDef()


@dataclass(frozen=True)
class Page:
    language: str = SOURCE_LANGUAGE
    path: str = "/"  # where the switch sends the reader back to


ENGLISH_HOME = Page()
_PAGE: ContextVar[Page] = ContextVar("dashboard_page", default=ENGLISH_HOME)


def current() -> Page:
    return _PAGE.get()


def page_language() -> str:
    return _PAGE.get().language


def from_accept_language(header: str | None) -> str | None:
    """The first of our languages in an ``Accept-Language`` header, by quality."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for order, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, order, tag.strip()))
    for _q, _order, tag in sorted(ranked):
        language = supported(tag)
        if language is not None:
            return language
    return None


def negotiate(request: web.Request) -> str:
    """The remembered choice, then the browser's languages, then English."""
    chosen = supported(request.cookies.get(COOKIE))
    if chosen is not None:
        return chosen
    return from_accept_language(request.headers.get("Accept-Language")) or SOURCE_LANGUAGE


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def page_language_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    token = _PAGE.set(Page(negotiate(request), request.path_qs))
    try:
        response = await handler(request)
    finally:
        _PAGE.reset(token)
    # A page in the reader's language differs by the cookie and the header: caches must
    # keep them apart.
    if not response.prepared:
        response.headers.add("Vary", "Accept-Language, Cookie")
    return response


def _local(target: str | None) -> str:
    """Only a path on this site (``/t/cup``), never another host (``//evil``)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if any(ord(ch) < 32 for ch in target):
        return "/"
    return target


@routes.get("/lang/{code}")
async def switch_language(request: web.Request) -> web.Response:
    """Remember the reader's language and go back to the page they were on."""
    code = request.match_info["code"]
    if code not in LANGUAGES:
        raise web.HTTPNotFound()
    response = web.HTTPSeeOther(_local(request.query.get("next")))
    response.set_cookie(
        COOKIE, code, max_age=COOKIE_MAX_AGE, path="/", samesite="Lax", httponly=True
    )
    response.headers["Cache-Control"] = "no-store"
    raise response
