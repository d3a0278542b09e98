"""A small in-process sliding-window limiter for the login and verification pages.

Per process on purpose: it slows guessing from one address; the real secret is the
signed, single-use link. Behind a proxy, ``request.remote`` is the proxy unless the
proxy's forwarded headers are applied (see docs/dashboard.md).
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque


class RateLimiter:
    """At most ``limit`` hits per key in a sliding minute; keys are (bucket, client)."""

    def __init__(self, window: float = 60.0, max_keys: int = 10_000) -> None:
        self.window = window
        self.max_keys = max_keys
        self._hits: OrderedDict[tuple[str, str], deque[float]] = OrderedDict()

    def allow(self, bucket: str, client: str, limit: int) -> bool:
        now = time.monotonic()
        key = (bucket, client)
        hits = self._hits.setdefault(key, deque())
        self._hits.move_to_end(key)
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(self._hits) > self.max_keys:
            self._hits.popitem(last=False)  # forget the least recently seen client
        if len(hits) >= limit:
            return False
        hits.append(now)
        return True
