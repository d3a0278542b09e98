"""Hostile uploads and the event loop: how long the loop freezes while images are checked.

The review saw the loop frozen for 670 ms by three 6300x6300 PNG bombs decoded on it.
Now a bomb is refused from its header (``engine/kernel/uploads.py``: 25 MP cap) and real
images decode in worker threads. A heartbeat task yields to the loop over and over and
records how late it is woken each time: the longest lateness is the longest stall.
One JSON line per case: three bombs at once, three 24 MP screenshots at once.
"""

from __future__ import annotations

import asyncio
import functools
import io
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from PIL import Image

from engine.kernel.uploads import Uploads
from storage.files import FileStore


@functools.cache
def bomb_png() -> bytes:
    """The review's bomb: 6300 x 6300 px of one colour, a few hundred KB at most."""
    buffer = io.BytesIO()
    Image.new("L", (6300, 6300), 0).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


@functools.cache
def big_screenshot_png() -> bytes:
    """Just under the cap (4900 x 4900 = 24 MP): decoded and re-encoded in full."""
    image = Image.linear_gradient("L").resize((4900, 4900)).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


async def longest_stall(work: Callable[[], Awaitable[object]]) -> tuple[float, int]:
    """Run ``work`` beside a heartbeat; returns the longest time the loop did not turn
    and how many times it turned meanwhile."""
    longest, beats = 0.0, 0
    done = asyncio.Event()

    async def heartbeat() -> None:
        nonlocal longest, beats
        while not done.is_set():
            before = time.perf_counter()
            await asyncio.sleep(0)
            longest = max(longest, time.perf_counter() - before)
            beats += 1

    beating = asyncio.create_task(heartbeat())
    try:
        await work()
    finally:
        done.set()
        await beating
    return longest, beats


async def three_at_once(case: str, data: bytes) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        uploads = Uploads(FileStore(Path(tmp)), max_bytes=8 * 1024 * 1024)
        outcomes: list[object] = []

        async def work() -> None:
            outcomes.extend(
                await asyncio.gather(
                    *(uploads.check_image(data) for _ in range(3)), return_exceptions=True
                )
            )

        started = time.perf_counter()
        stall, beats = await longest_stall(work)
        wall = time.perf_counter() - started
    refused = sum(1 for o in outcomes if isinstance(o, BaseException))
    return {
        "case": case,
        "upload_bytes": len(data),
        "refused": refused,
        "accepted": len(outcomes) - refused,
        "longest_loop_stall_ms": round(stall * 1000, 1),
        "loop_turns": beats,
        "wall_ms": round(wall * 1000, 1),
    }


async def run() -> AsyncIterator[dict[str, Any]]:
    yield await three_at_once("three 6300x6300 PNG bombs at once", bomb_png())
    yield await three_at_once("three 24 MP screenshots at once", big_screenshot_png())
