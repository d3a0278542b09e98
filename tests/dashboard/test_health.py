from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from dashboard.app import create_app
from engine.services import Services


async def test_healthz_reports_database_ok(services: Services) -> None:
    async with TestClient(TestServer(create_app(services))) as client:
        response = await client.get("/healthz")
        assert response.status == 200
        assert (await response.json()) == {"status": "ok", "database": True}
