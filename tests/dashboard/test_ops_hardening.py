"""/metrics behind an optional bearer token; malformed requests logged without tracebacks."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

import pytest
from aiohttp.test_utils import TestClient, TestServer

from dashboard.app import create_app, start_dashboard
from dashboard.config import DashboardConfig
from engine.services import Services
from testkit.dashboard_fakes import Fakes

TOKEN = "scrape-me-with-this-token"


async def test_metrics_need_the_bearer_token_when_one_is_configured(
    services: Services, config: DashboardConfig, fakes: Fakes
) -> None:
    app = create_app(services, replace(config, metrics_token=TOKEN), fakes.hooks())
    async with TestClient(TestServer(app)) as client:
        anonymous = await client.get("/metrics")
        assert anonymous.status == 401 and "Bearer" in anonymous.headers["WWW-Authenticate"]
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status == 401
        basic = await client.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"})
        assert basic.status == 401
        right = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert right.status == 200 and "deltacrown_dashboard_live_streams" in await right.text()


async def test_metrics_stay_open_without_a_token(client: TestClient) -> None:
    assert (await client.get("/metrics")).status == 200


async def raw_request(port: int, request: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        return await reader.readline()  # the status line is enough
    finally:
        writer.close()


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 20000 + b"\r\n\r\n",
    ],
    ids=["long-url", "huge-header"],
)
async def test_oversized_requests_are_refused_without_a_logged_traceback(
    services: Services,
    config: DashboardConfig,
    fakes: Fakes,
    caplog: pytest.LogCaptureFixture,
    request_bytes: bytes,
) -> None:
    runner = await start_dashboard(create_app(services, config, fakes.hooks()), "127.0.0.1", 0)
    try:
        port = runner.addresses[0][1]
        with caplog.at_level(logging.DEBUG):
            status_line = await raw_request(port, request_bytes)
            assert status_line.split()[1] in (b"400", b"414", b"431"), status_line
    finally:
        await runner.cleanup()
    server_records = [r for r in caplog.records if r.name == "aiohttp.server"]
    assert server_records, "the refusal is still logged, as one line"
    assert all(r.exc_info is None and r.levelno <= logging.INFO for r in server_records)
