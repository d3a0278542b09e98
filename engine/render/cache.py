"""An in-process LRU for rendered bracket images, keyed by the caller.

The key must change whenever what is drawn changes, e.g. ``(tournament_id,
bracket_version)``; rendering the same state twice then costs a dictionary lookup.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from engine.render.model import RenderedImage

Images = list[RenderedImage]


class BracketImageCache:
    def __init__(self, max_entries: int = 64) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[RenderedImage, ...]] = OrderedDict()
        # Rendering runs in worker threads (asyncio.to_thread); the lock keeps the
        # OrderedDict consistent. Two threads missing the same key may both render; the
        # result is identical, so that is cheaper than holding the lock while rendering.
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> Images | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return list(entry)

    def put(self, key: Hashable, images: Images) -> None:
        with self._lock:
            self._entries[key] = tuple(images)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def get_or_render(self, key: Hashable, render: Callable[[], Images]) -> Images:
        cached = self.get(key)
        if cached is not None:
            return cached
        with self._lock:
            self.misses += 1
        images = render()
        self.put(key, images)
        return list(images)

    def invalidate(self, key: Hashable) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


bracket_image_cache = BracketImageCache()
