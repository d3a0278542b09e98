"""Public reads under ``wrk``, measured from outside the server process.

``deltacrown demo --serve`` plays a tournament into a fresh database and serves the
dashboard on it, in a process of its own; ``wrk`` (a separate program, ``apt-get install
wrk``) then loads four addresses one after the other, in one run: ``/healthz`` (one
``SELECT 1``: the floor), the tournament's ``bracket.png`` (200), the same with the
picture's ETag in ``If-None-Match`` (304), and the tournament page ``/t/{slug}``. One JSON
line per address: requests/s, latency p50/p90/p99, and the ratio to ``/healthz``.

Settings: ``WRK_SECONDS`` (default 10), ``WRK_CONNECTIONS`` (8), ``WRK_PLAYERS`` (64).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

SECONDS = int(os.environ.get("WRK_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("WRK_CONNECTIONS", "8"))
PLAYERS = int(os.environ.get("WRK_PLAYERS", "64"))
READY_TIMEOUT = 600.0  # the demo plays the whole tournament before it serves
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _serve_demo(
    tmp: Path, port: int
) -> tuple[asyncio.subprocess.Process, asyncio.Future[bytes]]:
    env = {
        **os.environ,
        "DELTACROWN_CONFIG": str(tmp / "absent.toml"),
        "DELTACROWN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'demo.db'}",
        "DELTACROWN_STORAGE_DATA_DIR": str(tmp / "data"),
        "DELTACROWN_DASHBOARD_HOST": "127.0.0.1",
        "DELTACROWN_DASHBOARD_PORT": str(port),
        "DELTACROWN_DASHBOARD_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    cli = Path(sys.executable).parent / "deltacrown"
    command = ["demo", "--serve", "--players", str(PLAYERS), "--out"]
    server = await asyncio.create_subprocess_exec(
        str(cli),
        *command,
        str(tmp / "out"),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert server.stdout is not None
    async with asyncio.timeout(READY_TIMEOUT):
        while b"Dashboard:" not in (line := await server.stdout.readline()):
            if not line:
                raise RuntimeError("the demo ended before serving the dashboard")
    return server, asyncio.ensure_future(server.stdout.read())  # keep draining its output


async def _paths(base: str) -> dict[str, tuple[str, dict[str, str]]]:
    """The four addresses to load, found the way a visitor would (front page, link)."""
    async with aiohttp.ClientSession(base) as client:
        front = await (await client.get("/")).text()
        match = re.search(r'href="(/t/[^"/]+)"', front)
        if match is None:
            raise RuntimeError("the demo's front page lists no tournament")
        page = match.group(1)
        picture = await client.get(f"{page}/bracket.png")
        etag = picture.headers["ETag"]
        await client.get(page)
    return {
        "healthz": ("/healthz", {}),
        "bracket_png_200": (f"{page}/bracket.png", {}),
        "bracket_png_304": (f"{page}/bracket.png", {"If-None-Match": etag}),
        "tournament_page": (page, {}),
    }


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return round(float(number) * _UNIT_MS[unit], 2)


def _parse(output: str) -> dict[str, Any]:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    cuts = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)$", output, re.MULTILINE))
    statuses = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": float(rps.group(1)) if rps else 0.0,
        **{f"p{q}_ms": _ms(cuts[q]) for q in ("50", "90", "99") if q in cuts},
        "bad_status": int(statuses.group(1)) if statuses else 0,
        "socket_errors": errors.group(1) if errors else None,
    }


async def _wrk(url: str, headers: dict[str, str]) -> dict[str, Any]:
    flags = ["-t1", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency"]
    for name, value in headers.items():
        flags += ["-H", f"{name}: {value}"]
    run = await asyncio.create_subprocess_exec(
        "wrk", *flags, url, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await run.communicate()
    return _parse(output.decode())


async def run() -> AsyncIterator[dict[str, Any]]:
    if shutil.which("wrk") is None:
        yield {"skipped": "wrk is not installed (apt-get install wrk)"}
        return
    with tempfile.TemporaryDirectory(prefix="deltacrown-wrk-") as tmp:
        port = _free_port()
        server, output = await _serve_demo(Path(tmp), port)
        base = f"http://127.0.0.1:{port}"
        try:
            floor = 0.0
            for name, (path, headers) in (await _paths(base)).items():
                row = await _wrk(base + path, headers)
                floor = floor or row["rps"]
                yield {
                    "name": name,
                    "path": re.sub(r"/t/[^/]+", "/t/{slug}", path),
                    "connections": CONNECTIONS,
                    "seconds": SECONDS,
                    **row,
                    "vs_healthz": round(row["rps"] / floor, 2) if floor else None,
                }
        finally:
            server.terminate()
            await server.wait()
            await output
