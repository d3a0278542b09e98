"""Real ``deltacrown run`` and ``python -m dashboard`` processes on one PostgreSQL database.

Shared by the multi-process test (``tests/multiprocess``) and the two-process load
benchmark (``python -m benchmarks load``), like the fake Discord beside it.

What an operator runs for several shards (README, "several processes"): one bot process
per shard range, each with its own dashboard port and data directory, plus a dashboard
alone, all against one database and (here) the fake Discord. The test process plays the
members and organizers through the fake and reads the database to know where things are.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from storage.migrate import upgrade_connection
from testkit.fakediscord import FakeDiscord

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARDS = 2


async def until(check: Callable[[], Any], what: str, timeout: float = 20.0) -> Any:  # noqa: ASYNC109
    """Wait for ``check()`` to be truthy (re-checked every 50 ms), failing with ``what``."""
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        await asyncio.sleep(0.05)
    return result


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def migrate(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.run_sync(upgrade_connection)
            await conn.commit()
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def scratch_database(base_url: str) -> AsyncIterator[str]:
    """A migrated database of its own (LISTEN/NOTIFY is per database: no cross-talk)."""
    name = f"dc_mp_{secrets.token_hex(4)}"
    admin = create_async_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(base_url).set(database=name).render_as_string(hide_password=False)
        await migrate(url)
        yield url
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@dataclass
class Process:
    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    port: int
    proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        handle = self.log.open("ab")
        self.proc = await asyncio.create_subprocess_exec(
            *self.argv, cwd=REPO_ROOT, env=self.env, stdout=handle, stderr=handle
        )
        handle.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    async def kill(self) -> None:
        """SIGKILL: no shutdown code runs, exactly like a crash."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def stop(self) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.proc.wait(), 10)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def bot_process(fake: FakeDiscord, url: str, shard: int, root: Path) -> Process:
    port = free_port()
    env = {
        **os.environ,
        "DELTACROWN_DATABASE_URL": url,
        "DELTACROWN_DISCORD_TOKEN": fake.token,
        "DELTACROWN_DISCORD_APPLICATION_ID": str(fake.application_id),
        "DELTACROWN_DISCORD_API_BASE_URL": fake.api_base_url,
        "DELTACROWN_DISCORD_GATEWAY_URL": fake.gateway_url,
        "DELTACROWN_DISCORD_SHARD_COUNT": str(SHARDS),
        "DELTACROWN_DISCORD_SHARD_IDS": str(shard),
        "DELTACROWN_STORAGE_DATA_DIR": str(root / f"bot{shard}"),
        "DELTACROWN_DASHBOARD_HOST": "127.0.0.1",
        "DELTACROWN_DASHBOARD_PORT": str(port),
        "DELTACROWN_DASHBOARD_SECRET_KEY": "multi-process-test-secret-key-32b",
    }
    argv = [sys.executable, "-m", "bot.cli", "run"]
    return Process(f"bot{shard}", argv, env, root / f"bot{shard}.log", port)


def dashboard_process(url: str, root: Path) -> Process:
    port = free_port()
    argv = [sys.executable, "-m", "dashboard", "--database-url", url]
    argv += ["--data-dir", str(root / "dashboard"), "--port", str(port)]
    argv += ["--secret-key", "multi-process-test-secret-key-32b"]
    return Process("dashboard", argv, dict(os.environ), root / "dashboard.log", port)


async def wait_healthy(process: Process, timeout: float = 30.0) -> None:  # noqa: ASYNC109
    """The process's dashboard answers /healthz (its database is reachable)."""
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while True:
            assert process.proc is not None and process.proc.returncode is None, (
                f"{process.name} exited:\n{process.output()[-3000:]}"
            )
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(f"{process.base}/healthz") as response:
                    if response.status == 200:
                        return
            if time.monotonic() > deadline:
                raise AssertionError(f"{process.name} never became healthy")
            await asyncio.sleep(0.1)


@dataclass
class LiveWatcher:
    """Follows one tournament's SSE stream on one dashboard, reconnecting with
    ``Last-Event-ID`` when the process behind it goes away (as a browser does)."""

    name: str
    url: str
    ids: list[str] = field(default_factory=list)
    reconnects: int = 0
    resyncs: int = 0
    task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self._follow(), name=f"sse-{self.name}")

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task

    @property
    def last_id(self) -> str:
        return self.ids[-1] if self.ids else "o-0"

    async def _follow(self) -> None:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None)) as http:
            while True:
                with contextlib.suppress(aiohttp.ClientError, ConnectionError):
                    headers = {"Last-Event-ID": self.last_id}
                    async with http.get(self.url, headers=headers) as response:
                        if response.status == 200:
                            await self._read(response)
                self.reconnects += 1
                await asyncio.sleep(0.2)  # the browser's retry pause (SSE ``retry``)

    async def _read(self, response: aiohttp.ClientResponse) -> None:
        frame: dict[str, str] = {}
        async for raw in response.content:
            line = raw.decode().rstrip("\n")
            if line == "":
                if frame.get("event") == "update":
                    self.ids.append(frame["id"])
                elif frame.get("event") == "resync":
                    self.resyncs += 1
                frame = {}
            elif not line.startswith(":"):
                key, _, value = line.partition(": ")
                frame[key] = value


def dump(processes: list[Process]) -> str:
    return "\n".join(f"--- {p.name}\n{p.output()[-4000:]}" for p in processes)


def as_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)
