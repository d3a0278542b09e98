"""Where CPU-heavy pure work runs: drawing bracket pictures and certificates.

Pillow and ReportLab hold the GIL for most of a drawing, so a worker *thread* still
slows the event loop that answers Discord. In production ``main()`` hands the services a
process pool sized to the machine (``bot.runtime.render_pool``); tests and the offline
demo keep the default, the event loop's thread pool. The functions sent here must be
top-level and their arguments picklable, so both kinds of executor work the same.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Executor
from typing import TypeVar

T = TypeVar("T")


class RenderExecutor:
    """Runs a pure function off the event loop, in the configured executor."""

    def __init__(self, executor: Executor | None = None) -> None:
        self.executor = executor  # None: the loop's default thread pool

    async def run(self, func: Callable[..., T], /, *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.executor, func, *args)
