"""One-time login links and sessions, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.kernel.clock import FrozenClock
from engine.kernel.errors import PermissionDenied
from engine.services import Services
from engine.site import (
    BAD_LINK,
    EXPIRED_LINK,
    USED_LINK,
    DashboardAuthService,
    LoginRefused,
    dashboard_logins,
    load_or_create_secret,
)
from testkit.payment_helpers import make_guild


async def test_link_opens_one_session_scoped_to_organized_guilds(
    services: Services, auth: DashboardAuthService, new_id
) -> None:
    here, elsewhere, not_mine = [await make_guild(services, new_id) for _ in range(3)]
    user = new_id()
    actor = here.organizer(user)
    others = [elsewhere.organizer(user), not_mine.member(user)]
    link = await auth.issue_link(actor, {here.id: "Home"}, others)
    assert [g.guild_id for g in link.guilds] == [here.id, elsewhere.id]

    pending = await auth.peek(link.token)
    assert [g.guild_name for g in pending.guilds] == ["Home", str(elsewhere.id)]
    opened = await auth.redeem(link.token)
    session = await auth.session(opened.cookie)
    assert session is not None and session.user_id == user
    acting = session.actor(here.id)
    assert acting is not None
    assert (acting.guild_id, acting.role_ids) == (here.id, frozenset({here.role_id}))
    assert session.actor(not_mine.id) is None
    actions = [e.action for e in await services.audit.recent(here.id)]
    assert actions[:2] == ["dashboard.login", "dashboard.link"]


async def test_a_link_is_spent_by_its_first_use(
    services: Services, auth: DashboardAuthService, new_id
) -> None:
    guild = await make_guild(services, new_id)
    link = await auth.issue_link(guild.owner, {})
    await auth.redeem(link.token)
    with pytest.raises(LoginRefused) as refused:
        await auth.redeem(link.token)
    assert refused.value.message == str(USED_LINK)
    with pytest.raises(LoginRefused):
        await auth.peek(link.token)


async def test_two_clicks_racing_on_one_link_open_one_session(
    services: Services, auth: DashboardAuthService, new_id
) -> None:
    guild = await make_guild(services, new_id)
    link = await auth.issue_link(guild.owner, {})
    results = await asyncio.gather(
        *(auth.redeem(link.token) for _ in range(4)), return_exceptions=True
    )
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert all(isinstance(r, LoginRefused) for r in results if isinstance(r, Exception))


async def test_expired_forged_and_foreign_links_are_refused(
    services: Services, auth: DashboardAuthService, clock: FrozenClock, new_id
) -> None:
    guild = await make_guild(services, new_id)
    link = await auth.issue_link(guild.owner, {})
    stamp, nonce, signature = link.token.split(".")
    for forged in (
        f"{stamp}.{nonce}.{signature[:-2]}AA",
        f"{int(stamp) + 3600}.{nonce}.{signature}",  # a longer life is not signed
        "garbage",
        "",
    ):
        with pytest.raises(LoginRefused) as refused:
            await auth.redeem(forged)
        assert refused.value.message == str(BAD_LINK)
    other_key = DashboardAuthService(services.ctx, b"another key, 32 bytes long......")
    with pytest.raises(LoginRefused):
        await other_key.redeem(link.token)

    clock.advance(minutes=10, seconds=1)
    with pytest.raises(LoginRefused) as refused:
        await auth.redeem(link.token)
    assert refused.value.message == str(EXPIRED_LINK)


async def test_players_get_no_link(services: Services, auth: DashboardAuthService, new_id) -> None:
    guild = await make_guild(services, new_id)
    with pytest.raises(PermissionDenied, match="Only organizers"):
        await auth.issue_link(guild.member(new_id()), {})


async def test_sessions_end_on_logout_and_after_twelve_hours(
    services: Services, auth: DashboardAuthService, clock: FrozenClock, new_id
) -> None:
    guild = await make_guild(services, new_id)
    first = await auth.redeem((await auth.issue_link(guild.owner, {})).token)
    second = await auth.redeem((await auth.issue_link(guild.owner, {})).token)
    await auth.logout(first.cookie)
    assert await auth.session(first.cookie) is None
    assert await auth.session(second.cookie) is not None
    clock.advance(hours=12)
    assert await auth.session(second.cookie) is None
    token, signature = second.cookie.split(".")
    assert await auth.session(f"{token}.{signature[::-1]}") is None
    assert await auth.session(None) is None


async def test_only_digests_are_stored(
    services: Services, auth: DashboardAuthService, new_id
) -> None:
    guild = await make_guild(services, new_id)
    link = await auth.issue_link(guild.owner, {})
    opened = await auth.redeem(link.token)
    async with services.db.read() as session:
        rows = (await session.execute(select(dashboard_logins))).all()
    stored = " ".join(str(value) for row in rows for value in row)
    assert link.token.split(".")[1] not in stored
    assert opened.cookie.split(".")[0] not in stored


async def test_csrf_tokens_belong_to_one_session(
    services: Services, auth: DashboardAuthService, new_id
) -> None:
    guild = await make_guild(services, new_id)
    one = (await auth.redeem((await auth.issue_link(guild.owner, {})).token)).session
    two = (await auth.redeem((await auth.issue_link(guild.owner, {})).token)).session
    assert auth.csrf_ok(one, one.csrf_token)
    assert not auth.csrf_ok(one, two.csrf_token)
    assert not auth.csrf_ok(one, None) and not auth.csrf_ok(one, "")


def test_the_signing_key_is_created_once_and_kept(tmp_path: Path) -> None:
    first = load_or_create_secret(tmp_path / "data")
    assert len(first) == 32
    assert load_or_create_secret(tmp_path / "data") == first
    assert oct((tmp_path / "data" / "dashboard-secret.key").stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["dashboard-secret.key"]
