"""Lobby details on SQLite and PostgreSQL: the higher seed or an organizer posts them, the
two sides and organizers read them, nobody else; they never reach an event, the audit
log, a match view, the public dashboard's data or a log line."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from engine.kernel.actors import Actor
from engine.kernel.errors import InvalidInput, PermissionDenied
from engine.services import Services
from storage.models import AuditEntry, OutboxEvent
from testkit.factories import make_event

SECRET_CODE, SECRET_PASSWORD = "ZX-lobby-4711", "hunter2-secret"


async def test_the_host_posts_and_only_the_match_reads(
    services: Services, new_id, caplog: pytest.LogCaptureFixture
) -> None:
    # Our own loggers at their most talkative (the drivers' SQL echo is kept at WARNING
    # by bot/logs.py, like SQLAlchemy's).
    for name in ("engine", "storage", "bot", "cogs", "dashboard"):
        caplog.set_level(logging.DEBUG, logger=name)
    event = await make_event(services, new_id, players=4)
    await services.brackets.start(event.organizer, event.tournament_id, seed=1)
    match = next(
        m
        for m in await services.brackets.matches(event.tournament_id, statuses=["ready"])
        if event.registrations[0] in (m.registration_a_id, m.registration_b_id)
    )

    def player(registration_id: int) -> Actor:
        user = event.users[event.registrations.index(registration_id)]
        return Actor(user_id=user, guild_id=event.guild_id)

    host = player(event.registrations[0])  # seed 1 hosts against seed 4
    guest_id = next(
        r for r in (match.registration_a_id, match.registration_b_id) if r != event.registrations[0]
    )
    guest = player(guest_id)
    stranger = Actor(user_id=new_id(), guild_id=event.guild_id)

    assert (await services.lobbies.access(host, match.id)).can_post
    guest_view = await services.lobbies.access(guest, match.id)
    assert not guest_view.can_post and guest_view.details is None
    with pytest.raises(PermissionDenied, match="higher seed"):
        await services.lobbies.post(guest, match.id, "guest-code", None)
    with pytest.raises(PermissionDenied, match="players and the organizers"):
        await services.lobbies.access(stranger, match.id)
    with pytest.raises(InvalidInput, match="lobby code"):
        await services.lobbies.post(host, match.id, "   ", None)
    with pytest.raises(InvalidInput, match="at most 64"):
        await services.lobbies.post(host, match.id, "x" * 65, None)
    assert (await services.lobbies.access(host, match.id)).details is None

    await services.lobbies.post(host, match.id, f"  {SECRET_CODE} ", SECRET_PASSWORD)
    details = (await services.lobbies.access(guest, match.id)).details
    assert details is not None
    assert (details.code, details.password, details.posted_by) == (
        SECRET_CODE,
        SECRET_PASSWORD,
        host.user_id,
    )
    assert (await services.lobbies.access(event.organizer, match.id)).can_post
    await services.lobbies.post(event.organizer, match.id, SECRET_CODE, SECRET_PASSWORD)

    # Nowhere else: events, audit, views, the dashboard's snapshot, logs.
    async with services.db.read() as session:
        payloads = [repr(p) for p in await session.scalars(select(OutboxEvent.payload))]
        audits = [
            repr((a.before, a.after))
            for a in await session.scalars(
                select(AuditEntry).where(AuditEntry.guild_id == event.guild_id)
            )
        ]
    for text in [
        *payloads,
        *audits,
        repr(await services.brackets.get_match(match.id)),
        repr(await services.pictures.snapshot(event.tournament_id)),
        caplog.text,
    ]:
        assert SECRET_CODE not in text and SECRET_PASSWORD not in text
    actions = [a.action for a in await services.audit.recent(event.guild_id, limit=5)]
    assert actions[:2] == ["match.lobby_posted", "match.lobby_posted"]
