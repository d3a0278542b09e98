"""Hostile ids stop at the door: every path and query parameter is checked before a handler.

A NUL byte in a slug reaches PostgreSQL as an error (SQLite just finds nothing), an
overlong value costs a query for nothing, and bytes that are not UTF-8 stay
percent-encoded in the path. No id this site issues has any of these, so the request is
answered like any unknown address (404 for the path) or a bad link (400 for the query)
before it reaches SQL.
"""

from __future__ import annotations

from aiohttp import web

from dashboard.pages import translate
from dashboard.security import Handler, error_page
from engine.kernel.text import N_

MAX_SEGMENT = 200  # slugs, codes, tokens and sponsor keys are far shorter
MAX_QUERY_VALUE = 512
MAX_QUERY_FIELDS = 32
BAD_QUERY = N_(
    "This link has characters or a length this site does not use. Check the link, or start "
    "from the list of tournaments."
)


def clean_text(value: str, limit: int) -> bool:
    """Printable, valid Unicode, no leftover percent-encoding, and not too long."""
    if len(value) > limit:
        return False
    for ch in value:
        code = ord(ch)
        if code < 0x20 or code == 0x7F or 0xD800 <= code <= 0xDFFF or code == 0xFFFD:
            return False
    return True


def clean_segment(value: str) -> bool:
    # A ``%`` left after decoding means bytes that were not UTF-8.
    return "%" not in value and clean_text(value, MAX_SEGMENT)


def clean_query(request: web.Request) -> bool:
    query = request.query
    if len(query) > MAX_QUERY_FIELDS:
        return False
    return all(
        clean_text(key, MAX_SEGMENT) and clean_text(value, MAX_QUERY_VALUE)
        for key, value in query.items()
    )


@web.middleware
async def hostile_input(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse bad path parameters as "not found" and bad query strings as a bad link."""
    if not all(clean_segment(value) for value in request.match_info.values()):
        raise web.HTTPNotFound()
    if not clean_query(request):
        return error_page(request, 400, translate(BAD_QUERY))
    return await handler(request)
