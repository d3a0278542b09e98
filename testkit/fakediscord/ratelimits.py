"""Discord's REST rate limits, optional in the fake (off unless a test turns them on).

Why: a big tournament start opens dozens of threads and posts hundreds of messages; on
Discord that traffic meets per-route buckets and the global limit, and discord.py answers
429s by waiting and retrying. Tests that want to prove nothing is lost, duplicated or
starved under that pressure need a fake that pushes back the same way. Everyday tests keep
them off so they stay fast.

What the fake models, following https://discord.com/developers/docs/topics/rate-limits:

* **Per-route buckets.** A route is its method plus path template; its counter is kept per
  *major parameter* (``channel_id``, ``guild_id``, or ``webhook_id`` + ``webhook_token``),
  so two channels never share a counter but every request of one bot token does — also
  across processes, which is what several ``deltacrown run`` processes meet. Each window
  is fixed: it opens with the first request and resets ``per`` seconds later. Answers on a
  limited route carry ``X-RateLimit-Limit``, ``-Remaining``, ``-Reset`` (epoch seconds),
  ``-Reset-After`` (seconds) and ``-Bucket`` (a hash of the route, the same for every
  major parameter), which discord.py uses to pace itself before it ever sees a 429.
* **The global limit**: requests per second across every route of the bot token. discord.py
  does not track it in advance, so it is what a single busy process actually hits.
  Interaction callbacks and interaction webhooks (followups, ``@original`` edits) are not
  bound to it, as Discord documents ("Interaction endpoints are not bound to the bot's
  Global Rate Limit"); they carry the interaction token, not the bot token.
* **429 answers**: JSON ``{"message", "retry_after" (float seconds), "global"}`` plus
  ``Retry-After`` (whole seconds), ``X-RateLimit-Scope`` (``user`` or ``global``),
  ``X-RateLimit-Global: true`` for the global limit, and ``Via``, without which discord.py
  takes the 429 for a Cloudflare ban and raises instead of retrying. A request answered 429
  never reaches its handler, so retries can never create anything twice.

Default limits (Discord says not to hard-code them and may change them; these are the
numbers its headers and its former documentation have shown, so load tests meet realistic
pressure — pass a :class:`RateLimitConfig` to tune them):

=====================================================  ==========  ===========================
route                                                  limit       why
=====================================================  ==========  ===========================
POST   /channels/{channel_id}/messages                 5 / 5 s     documented "5/5s per channel"
PATCH  /channels/{channel_id}/messages/{message_id}    5 / 5 s     same bucket size as sending
DELETE /channels/{channel_id}/messages/{message_id}    5 / 1 s     documented "5/1s per channel"
PUT/DELETE .../reactions/{emoji}/@me                   1 / 0.25 s  documented "1/0.25s"
POST   /channels/{channel_id}/threads                  10 / 10 s   undocumented; observed order
POST   /channels/{channel_id}/messages/{id}/threads    10 / 10 s     of magnitude per channel
PUT/DELETE /guilds/{guild_id}/members/{id}/roles/{id}  10 / 10 s   documented "edit member
                                                                   10/10s per guild"
POST   /webhooks/{webhook_id}/{webhook_token}          5 / 2 s     webhook execution headers
PATCH  /webhooks/{...}/{...}/messages/{message_id}     5 / 2 s     same bucket size
global (bot token, all other routes)                   50 / 1 s    documented
=====================================================  ==========  ===========================

Routes not listed get no per-route bucket (only the global limit), which keeps the model
small; add them to ``RateLimitConfig.routes`` when a test needs one.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from aiohttp import web

from .http_util import json_response

MAJOR_PARAMETERS = ("channel_id", "guild_id", "webhook_id", "webhook_token")


@dataclass(frozen=True)
class Limit:
    """``limit`` requests per window of ``per`` seconds."""

    limit: int
    per: float


CREATE_MESSAGE = "POST /channels/{channel_id}/messages"
EDIT_MESSAGE = "PATCH /channels/{channel_id}/messages/{message_id}"
DELETE_MESSAGE = "DELETE /channels/{channel_id}/messages/{message_id}"
CREATE_THREAD = "POST /channels/{channel_id}/threads"
THREAD_FROM_MESSAGE = "POST /channels/{channel_id}/messages/{message_id}/threads"
REACTION = "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me"
MEMBER_ROLE = "/guilds/{guild_id}/members/{user_id}/roles/{role_id}"
FOLLOWUP = "POST /webhooks/{webhook_id}/{webhook_token}"
EDIT_WEBHOOK_MESSAGE = "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"

DEFAULT_ROUTE_LIMITS: dict[str, Limit] = {
    CREATE_MESSAGE: Limit(5, 5.0),
    EDIT_MESSAGE: Limit(5, 5.0),
    DELETE_MESSAGE: Limit(5, 1.0),
    "PUT " + REACTION: Limit(1, 0.25),
    "DELETE " + REACTION: Limit(1, 0.25),
    CREATE_THREAD: Limit(10, 10.0),
    THREAD_FROM_MESSAGE: Limit(10, 10.0),
    "PUT " + MEMBER_ROLE: Limit(10, 10.0),
    "DELETE " + MEMBER_ROLE: Limit(10, 10.0),
    FOLLOWUP: Limit(5, 2.0),
    EDIT_WEBHOOK_MESSAGE: Limit(5, 2.0),
}
DEFAULT_GLOBAL_LIMIT = Limit(50, 1.0)


@dataclass
class RateLimitConfig:
    """Which limits apply. ``routes`` keys are ``"METHOD /path/{template}"`` as above."""

    routes: dict[str, Limit] = field(default_factory=lambda: dict(DEFAULT_ROUTE_LIMITS))
    global_limit: Limit | None = DEFAULT_GLOBAL_LIMIT


@dataclass
class _Window:
    resets_at: float  # time.monotonic()
    used: int = 0


@dataclass(frozen=True)
class RateLimitHit:
    """One 429 the fake answered (for reports such as "time lost to rate limits")."""

    route: str
    major: str
    retry_after: float
    is_global: bool
    at: float


@dataclass(frozen=True)
class _Decision:
    headers: dict[str, str]
    rejection: web.Response | None = None


def _round_up_ms(seconds: float) -> float:
    # Rounded up so a client sleeping exactly this long never retries a hair too early;
    # the inner round() keeps float noise (30.000000000004) from adding a millisecond.
    return math.ceil(round(max(seconds, 0.0) * 1000, 6)) / 1000


def bucket_hash(route: str) -> str:
    """A stable opaque id per route, like Discord's ``X-RateLimit-Bucket``."""
    return hashlib.sha1(route.encode()).hexdigest()[:32]


class RateLimiter:
    """Counts requests per bucket and answers 429 exactly where Discord would.

    Counters tests read: ``requests`` (per route), ``rejected`` (route 429s per route),
    ``global_rejected`` (global 429s per route), ``total_rejected`` and ``hits``.
    """

    def __init__(self, config: RateLimitConfig | None = None, *, enabled: bool = False) -> None:
        self.config = config or RateLimitConfig()
        self.enabled = enabled
        self.requests: Counter[str] = Counter()
        self.rejected: Counter[str] = Counter()
        self.global_rejected: Counter[str] = Counter()
        self.hits: list[RateLimitHit] = []
        self._windows: dict[tuple[str, str], _Window] = {}
        self._global: _Window | None = None

    # ----- switching ------------------------------------------------------------------
    def enable(self, config: RateLimitConfig | None = None) -> None:
        """Turn limits on (optionally with new limits); windows start empty."""
        if config is not None:
            self.config = config
        self._windows.clear()
        self._global = None
        self.enabled = True

    def disable(self) -> None:
        self.enabled = False

    @contextlib.contextmanager
    def enabled_for(self, config: RateLimitConfig | None = None) -> Iterator[RateLimiter]:
        """Limits on inside the block, e.g. for one test on a session-scoped fake."""
        previous = (self.enabled, self.config)
        self.enable(config)
        try:
            yield self
        finally:
            self.enabled, self.config = previous

    def reset_counters(self) -> None:
        self.requests.clear()
        self.rejected.clear()
        self.global_rejected.clear()
        self.hits.clear()

    @property
    def total_rejected(self) -> int:
        return sum(self.rejected.values()) + sum(self.global_rejected.values())

    # ----- the check ------------------------------------------------------------------
    def check(
        self, method: str, template: str, params: dict[str, str], *, bot_authenticated: bool
    ) -> _Decision:
        """Count one request; the answer's headers, and a 429 if it must not run.

        Runs without awaiting, so concurrent requests are counted one at a time. The
        global window is charged first (every request to Discord counts against it, even
        one its route then refuses); a request refused globally leaves its route untouched.
        """
        if not self.enabled:
            return _Decision({})
        route = f"{method} {template}"
        major = "+".join(params[k] for k in MAJOR_PARAMETERS if k in params)
        now = time.monotonic()
        self.requests[route] += 1

        global_limit = self.config.global_limit
        if bot_authenticated and global_limit is not None:
            window = self._global
            if window is None or now >= window.resets_at:
                window = self._global = _Window(now + global_limit.per)
            if window.used >= global_limit.limit:
                self.global_rejected[route] += 1
                return _Decision({}, self._too_many(route, major, window.resets_at - now, True))
            window.used += 1

        limit = self.config.routes.get(route)
        if limit is None:
            return _Decision({})
        window = self._windows.get((route, major))
        if window is None or now >= window.resets_at:
            window = self._windows[route, major] = _Window(now + limit.per)
        reset_after = _round_up_ms(window.resets_at - now)
        headers = {
            "X-RateLimit-Limit": str(limit.limit),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": bucket_hash(route),
        }
        if window.used >= limit.limit:
            self.rejected[route] += 1
            rejection = self._too_many(route, major, reset_after, False)
            rejection.headers.update(headers)
            rejection.headers["X-RateLimit-Remaining"] = "0"
            return _Decision({}, rejection)
        window.used += 1
        headers["X-RateLimit-Remaining"] = str(limit.limit - window.used)
        return _Decision(headers)

    def _too_many(self, route: str, major: str, wait: float, is_global: bool) -> web.Response:
        retry_after = _round_up_ms(wait)
        self.hits.append(RateLimitHit(route, major, retry_after, is_global, time.monotonic()))
        body = {"message": "You are being rate limited.", "retry_after": retry_after}
        response = json_response({**body, "global": is_global}, status=429)
        response.headers.update(
            {
                "Retry-After": str(max(1, math.ceil(retry_after))),
                "X-RateLimit-Scope": "global" if is_global else "user",
                # discord.py treats a 429 without Via as a Cloudflare ban and gives up.
                "Via": "1.1 google",
            }
        )
        if is_global:
            response.headers["X-RateLimit-Global"] = "true"
        return response
