"""Cross-process wake-ups on PostgreSQL (docs/architecture.md, "Scale-out"): LISTEN/NOTIFY.

A transaction that wrote outbox events or timers sends ``NOTIFY`` on a channel; PostgreSQL
delivers it to every listening process when (and only if) the transaction commits. Each
process keeps one plain asyncpg connection that LISTENs and wakes its outbox dispatcher or
timer clock at once, instead of waiting for the next poll. Polling stays as the safety
net, so a lost connection only costs latency, never an event.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger(__name__)
CLOSE_SECONDS = 2.0

OUTBOX_CHANNEL = "deltacrown_outbox"
TIMERS_CHANNEL = "deltacrown_timers"
RECONNECT_SECONDS = 5.0


async def notify(session: AsyncSession, channel: str) -> None:
    """Queue a wake-up for other processes; PostgreSQL sends it on commit."""
    await session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": channel})


def asyncpg_dsn(sqlalchemy_url: str) -> str:
    url = make_url(sqlalchemy_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class Listener:
    """One LISTEN connection for the process; reconnects when the server drops it."""

    def __init__(self, sqlalchemy_url: str, callbacks: dict[str, Callable[[], None]]) -> None:
        self._dsn = asyncpg_dsn(sqlalchemy_url)
        self._callbacks = callbacks
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="postgres-listener")

    async def stop(self) -> None:
        if self._task is not None:
            await stop_task(self._task, "the LISTEN connection")
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self._listen_until_lost()
            except (OSError, asyncpg.PostgresError) as exc:
                log.warning("LISTEN connection failed (%s); polling covers until it is back", exc)
            self.connected.clear()
            await asyncio.sleep(RECONNECT_SECONDS)

    async def _listen_until_lost(self) -> None:
        connection = await asyncpg.connect(self._dsn)
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _conn: lost.set())
        try:
            for channel, callback in self._callbacks.items():
                await connection.add_listener(channel, _caller(callback))
            self.connected.set()
            await lost.wait()
        finally:
            # A graceful close waits on the server; stopping must not (a cancelled task
            # can be left waiting for an answer that never comes).
            try:
                await asyncio.wait_for(connection.close(), CLOSE_SECONDS)
            except (Exception, asyncio.CancelledError):
                connection.terminate()


async def stop_task(task: asyncio.Task[None], what: str, wait: float = 10.0) -> None:
    """Cancel ``task`` and wait for it, but never longer than ``wait`` seconds: shutting
    down must not hang on a connection that never answers (logged, then left behind)."""
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=wait)
    if not done:
        log.warning("%s did not stop within %.0f s; leaving it behind", what, wait)
        return
    with contextlib.suppress(asyncio.CancelledError, Exception):
        task.result()


def _caller(callback: Callable[[], None]) -> Callable[[object, int, str, str], None]:
    def on_notification(_conn: object, _pid: int, _channel: str, _payload: str) -> None:
        callback()

    return on_notification
