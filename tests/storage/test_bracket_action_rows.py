"""Migration b8d41f0c7e52 moves a bracket's action log from a JSON array on ``brackets``
to ``bracket_actions`` rows; both directions keep a played bracket's log, in order."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Connection

from engine.brackets import MatchState
from engine.formats import Result
from engine.kernel.clock import FrozenClock
from engine.services import Services
from storage.db import Database
from storage.migrate import alembic_config
from testkit.factories import make_event
from tests.conftest import PostgresSchema, make_database, migrate, postgres_url

BEFORE = "4dbf51cb981c"  # the revision before b8d41f0c7e52


@pytest_asyncio.fixture(params=["sqlite", "postgresql"])
async def fresh_db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'actions.db'}"
        await migrate(url)
        db = Database(url)
        yield db
        await db.dispose()
        return
    url = postgres_url()
    if url is None:
        pytest.skip("PostgreSQL not configured: set DELTACROWN_TEST_POSTGRES_URL (.ci/run does)")
    schema = PostgresSchema(url)
    await schema.create()
    try:
        await migrate(url, search_path=schema.name)
        db = make_database(url, search_path=schema.name)
        yield db
        await db.dispose()
    finally:
        await schema.drop()


async def _to(db: Database, revision: str) -> None:
    def move(connection: Connection) -> None:
        config = alembic_config(connection=connection)
        if revision == "head":
            command.upgrade(config, revision)
        else:
            command.downgrade(config, revision)

    async with db.engine.connect() as conn:
        await conn.run_sync(move)
        await conn.commit()


async def test_a_played_log_survives_the_migration_both_ways(fresh_db: Database, new_id) -> None:
    services = Services(fresh_db, FrozenClock())
    event = await make_event(services, new_id, format="double_elim", players=8)
    await services.brackets.start(event.organizer, event.tournament_id, seed=5)
    for _ in range(3):
        ready = await services.brackets.matches(
            event.tournament_id, statuses=[MatchState.READY.value]
        )
        await services.brackets.apply(
            event.organizer, event.tournament_id, Result(ready[0].code, (1, 0))
        )
    played, version = await services.brackets.bracket(event.tournament_id)
    logged = [a.to_dict() for a in played.history]
    assert len(logged) == 3
    await fresh_db.dispose()

    await _to(fresh_db, BEFORE)  # back to the JSON array
    async with fresh_db.engine.connect() as conn:
        stored = (
            await conn.execute(
                text("SELECT actions FROM brackets WHERE tournament_id = :t"),
                {"t": event.tournament_id},
            )
        ).scalar_one()
        tables = await conn.run_sync(lambda c: c.dialect.has_table(c, "bracket_actions"))
    assert (json.loads(stored) if isinstance(stored, str) else stored) == logged
    assert not tables

    await _to(fresh_db, "head")  # and to a row per action again
    again, same_version = await services.brackets.bracket(event.tournament_id)
    assert [a.to_dict() for a in again.history] == logged
    assert same_version == version
    assert again.to_dict() == played.to_dict()
