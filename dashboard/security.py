"""Security headers, rate limits, error pages and request metrics for every route."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from dashboard.clients import client_address
from dashboard.pages import translate
from dashboard.state import state
from dashboard.text import web_text
from engine.kernel.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotConfigured,
    NotFound,
    PermissionDenied,
)
from engine.kernel.metrics import METRICS
from engine.kernel.text import N_

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "img-src 'self'",
        "style-src 'self'",
        "script-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Login links carry a secret in the path; never hand a URL to another site.
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class LoginRequired(PermissionDenied):
    """No organizer session, or it ended."""


# First match wins, so subclasses come before their parents.
STATUS_OF: dict[type[DomainError], int] = {
    LoginRequired: 401,
    NotFound: 404,
    PermissionDenied: 403,
    InvalidInput: 400,
    Conflict: 409,
    NotConfigured: 409,
}


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare``: runs for every response, streams and errors included."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.path.startswith("/org"):
        response.headers["Cache-Control"] = "no-store"


def rate_limit(request: web.Request, bucket: str, limit: int) -> None:
    client = client_address(request)
    if not state(request).limiter.allow(bucket, client, limit):
        raise web.HTTPTooManyRequests(
            text="Too many attempts from your address. Wait a minute and try again.",
            headers={"Retry-After": "60"},
        )


@web.middleware
async def error_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Domain errors and unknown addresses become readable pages with the right status."""
    try:
        return await handler(request)
    except DomainError as error:
        status = next((s for cls, s in STATUS_OF.items() if isinstance(error, cls)), 400)
        return error_page(request, status, web_text(error.text))
    except web.HTTPNotFound:
        return error_page(
            request,
            404,
            translate(
                N_(
                    "There is nothing at this address. Check the link, or start from the "
                    "list of tournaments."
                )
            ),
        )


def error_page(request: web.Request, status: int, message: str) -> web.Response:
    titles = {
        400: N_("That did not work"),
        401: N_("Please log in"),
        403: N_("Not allowed"),
        404: N_("Not found"),
        409: N_("That did not work"),
        429: N_("Slow down"),
    }
    title = translate(titles.get(status, N_("Error")))
    return state(request).templates.render(
        "error.html", status=status, title=title, message=message
    )


@web.middleware
async def request_metrics(request: web.Request, handler: Handler) -> web.StreamResponse:
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else "unmatched"
        # A live stream lasts as long as the reader stays; it is not a latency.
        if not route.endswith("/events"):
            METRICS.http_requests.observe(
                time.perf_counter() - started,
                route=route,
                method=request.method,
                status=f"{status // 100}xx",
            )
