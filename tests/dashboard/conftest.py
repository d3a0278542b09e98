"""A dashboard app around the test services, with fake feature hooks and helpers to log
in the way an organizer does (a link issued by /dashboard, then the page's button)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer

from dashboard.app import create_app
from dashboard.config import DashboardConfig
from engine.kernel.actors import Actor
from engine.kernel.clock import FrozenClock
from engine.services import Services
from engine.site import DashboardAuthService
from storage.db import Database
from testkit.dashboard_fakes import (
    FakeCertificates,
    FakeDisputes,
    Fakes,
    FakeSponsors,
    StaticBrackets,
)

SECRET = b"test-secret-key-of-32-bytes-long"


@pytest_asyncio.fixture
async def services(db: Database, clock: FrozenClock, tmp_path: Path) -> Services:
    return Services(db, clock, data_dir=tmp_path)


@pytest.fixture
def fakes() -> Fakes:
    return Fakes(StaticBrackets(), FakeCertificates(), FakeSponsors(), FakeDisputes())


@pytest.fixture
def config() -> DashboardConfig:
    return DashboardConfig(
        public_url="http://dashboard.test", secret_key=SECRET, heartbeat_seconds=0.2
    )


@pytest_asyncio.fixture
async def client(
    services: Services, config: DashboardConfig, fakes: Fakes
) -> AsyncIterator[TestClient]:
    app = create_app(services, config, fakes.hooks())
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


@pytest.fixture
def auth(services: Services) -> DashboardAuthService:
    """The same service the /dashboard command uses to issue links."""
    return DashboardAuthService(services.ctx, SECRET)


async def log_in(
    client: TestClient,
    auth: DashboardAuthService,
    actor: Actor,
    *others: Actor,
    names: dict[int, str] | None = None,
) -> None:
    link = await auth.issue_link(actor, names or {}, others)
    response = await client.post(f"/org/login/{link.token}", allow_redirects=False)
    assert response.status == 303, await response.text()


def csrf_of(html: str) -> str:
    marker = 'name="csrf" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]
