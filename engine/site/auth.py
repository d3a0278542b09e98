"""Password-less organizer login for the web dashboard.

``/dashboard`` in Discord asks for a one-time link. The link carries a random nonce, its
expiry and an HMAC over both (``dashboard.secret_key``), so a forged or edited link is
refused before the database is asked. Single use is settled by the database: redeeming
is one ``UPDATE … WHERE used_at IS NULL AND link_expires_at > now`` on the login row, so
two clicks racing on one link give one session, on SQLite and PostgreSQL alike.

The session cookie is another random token (signed the same way); only sha256 digests of
nonces and session tokens are stored. A session remembers, per guild, the roles and the
Manage Server permission the organizer had when the link was issued; the services
re-check those against the guild's current organizer role on every request.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, delete, or_, select, update
from sqlalchemy.engine import CursorResult

from engine.kernel.actors import Actor
from engine.kernel.errors import PermissionDenied
from engine.kernel.text import Command, msg
from engine.kernel.uow import ServiceContext, UnitOfWork
from engine.tournaments import may_organize_anything
from storage.models import DashboardLogin

log = logging.getLogger(__name__)

LINK_LIFETIME = timedelta(minutes=10)
# Short enough that an organizer who lost the role in Discord does not keep the payment
# queue for long: a session cannot see role changes (a new /dashboard link is one click).
SESSION_LIFETIME = timedelta(hours=2)
# Old rows are only kept long enough to explain "expired" and "already used".
_KEEP_FINISHED = timedelta(days=1)

dashboard_logins = cast(Table, DashboardLogin.__table__)

BAD_LINK = msg(
    "This login link is not valid. Copy the whole link from the DM, or run "
    "{dashboard} in Discord for a new one.",
    dashboard=Command("dashboard"),
)
EXPIRED_LINK = msg(
    "This login link has expired: links work for 10 minutes. Run {dashboard} in "
    "Discord for a new one.",
    dashboard=Command("dashboard"),
)
USED_LINK = msg(
    "This login link was already used: each link opens one session. Run {dashboard} "
    "in Discord for a new one.",
    dashboard=Command("dashboard"),
)


SECRET_FILE = "dashboard-secret.key"


def load_or_create_secret(data_dir: Path) -> bytes:
    """The signing key kept in ``<data_dir>/dashboard-secret.key``, created on first use.

    Generated rather than derived from another secret (the Discord token) so that rotating
    that token does not log every organizer out and leaking one does not forge the other.
    The key is written to a private temporary file and hard-linked into place, so two
    processes starting at once agree on one whole key.
    """
    path = data_dir / SECRET_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=data_dir, prefix=".dashboard-secret-")  # mode 0600
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_bytes(32).hex())
            os.link(temp, path)
            log.info("created the dashboard signing key at %s", path)
        except FileExistsError:
            pass  # another process won the race; use its key
        finally:
            os.unlink(temp)
    return bytes.fromhex(path.read_text().strip())


def signing_key(configured: str | None, data_dir: Path) -> bytes:
    """``dashboard.secret_key`` when set (hashed to 32 bytes), else the persisted key.

    Several dashboard processes, or a dashboard on another machine than the bot, must be
    given the same ``secret_key``: a link signed by one is checked by another.
    """
    if configured:
        return hashlib.sha256(configured.encode()).digest()
    return load_or_create_secret(data_dir)


def is_number(text: str, max_digits: int = 20) -> bool:
    """ASCII digits only (str.isdigit() also accepts '²', which int() rejects); 20 digits
    hold any Discord id."""
    return text.isascii() and text.isdigit() and len(text) <= max_digits


class LoginRefused(PermissionDenied):
    """A login link that is forged, expired or already used."""


@dataclass(frozen=True)
class GuildGrant:
    guild_id: int
    guild_name: str
    role_ids: frozenset[int]
    can_manage_guild: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "guild_id": str(self.guild_id),
            "guild_name": self.guild_name,
            "role_ids": [str(r) for r in sorted(self.role_ids)],
            "can_manage_guild": self.can_manage_guild,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GuildGrant:
        # Snowflakes travel as strings: JSON numbers lose precision in some clients.
        return cls(
            guild_id=int(data["guild_id"]),
            guild_name=str(data.get("guild_name") or data["guild_id"]),
            role_ids=frozenset(int(r) for r in data.get("role_ids", ())),
            can_manage_guild=bool(data.get("can_manage_guild")),
        )


@dataclass(frozen=True)
class LoginLink:
    token: str
    expires_at: datetime
    guilds: tuple[GuildGrant, ...]


@dataclass(frozen=True)
class PendingLogin:
    """What the confirmation page shows before a link is spent."""

    display_name: str
    guilds: tuple[GuildGrant, ...]
    expires_at: datetime


@dataclass(frozen=True)
class DashboardSession:
    login_id: int
    user_id: int
    display_name: str
    guilds: tuple[GuildGrant, ...]
    expires_at: datetime
    csrf_token: str

    def grant(self, guild_id: int) -> GuildGrant | None:
        return next((g for g in self.guilds if g.guild_id == guild_id), None)

    def actor(self, guild_id: int) -> Actor | None:
        """The organizer as the services see them in ``guild_id``; None outside their guilds."""
        grant = self.grant(guild_id)
        if grant is None:
            return None
        return Actor(
            user_id=self.user_id,
            guild_id=guild_id,
            role_ids=grant.role_ids,
            can_manage_guild=grant.can_manage_guild,
            display_name=self.display_name,
        )


@dataclass(frozen=True)
class NewSession:
    cookie: str
    session: DashboardSession


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class DashboardAuthService:
    def __init__(
        self,
        ctx: ServiceContext,
        secret_key: bytes,
        *,
        link_lifetime: timedelta = LINK_LIFETIME,
        session_lifetime: timedelta = SESSION_LIFETIME,
    ) -> None:
        if len(secret_key) < 16:
            raise ValueError("the dashboard secret key must be at least 16 bytes")
        self._ctx = ctx
        self._secret = secret_key
        self.link_lifetime = link_lifetime
        self.session_lifetime = session_lifetime

    # -- signing ------------------------------------------------------------------------

    def _sign(self, purpose: str, *parts: str) -> str:
        message = "|".join((purpose, *parts)).encode()
        return _b64(hmac.new(self._secret, message, hashlib.sha256).digest())

    def _verify(self, signature: str, purpose: str, *parts: str) -> bool:
        # compare_digest refuses non-ASCII str; bytes keep hostile input a plain "no".
        expected = self._sign(purpose, *parts).encode()
        return hmac.compare_digest(signature.encode("utf-8", "replace"), expected)

    # -- issuing ------------------------------------------------------------------------

    async def issue_link(
        self, actor: Actor, guild_names: dict[int, str], others: Sequence[Actor] = ()
    ) -> LoginLink:
        """A one-time link for ``actor``, an organizer of ``actor.guild_id``.

        ``others`` are the same person in the other servers the bot shares with them; the
        session also covers those where they organize, and silently skips the rest.
        """
        assert actor.guild_id is not None  # /dashboard runs inside a server
        now = self._ctx.clock.now()
        nonce = secrets.token_urlsafe(24)
        expires = now + self.link_lifetime
        async with self._ctx.unit_of_work() as uow:
            # Admins, organizer-role holders and anyone who runs a tournament here; each
            # page then shows only the tournaments the person runs.
            if not await may_organize_anything(uow.session, actor, actor.guild_id):
                raise PermissionDenied(
                    msg(
                        "Only organizers can open the dashboard: it needs the organizer "
                        "role, the Manage Server permission, or a tournament you run here."
                    )
                )
            grants = [_grant(actor, guild_names)]
            for other in others:
                if other.guild_id in (None, actor.guild_id):
                    continue
                if await may_organize_anything(uow.session, other, other.guild_id):
                    grants.append(_grant(other, guild_names))
            await _forget_finished(uow, now)
            await uow.session.execute(
                dashboard_logins.insert().values(
                    link_sha256=_sha256(nonce),
                    user_id=actor.user_id,
                    display_name=(actor.display_name or str(actor.user_id))[:100],
                    grants=[g.as_json() for g in grants],
                    created_at=now,
                    link_expires_at=expires,
                )
            )
            uow.audit(
                guild_id=actor.guild_id,
                actor_id=actor.user_id,
                action="dashboard.link",
                target_type="user",
                target_id=actor.user_id,
                after={"guilds": [str(g.guild_id) for g in grants]},
            )
        stamp = str(int(expires.timestamp()))
        token = f"{stamp}.{nonce}.{self._sign('login', stamp, nonce)}"
        return LoginLink(token=token, expires_at=expires, guilds=tuple(grants))

    # -- redeeming ----------------------------------------------------------------------

    def _check_token(self, token: str) -> str:
        """The nonce of a well-formed, correctly signed, unexpired link."""
        parts = token.split(".")
        if len(parts) != 3 or not is_number(parts[0]):
            raise LoginRefused(BAD_LINK)
        stamp, nonce, signature = parts
        if not self._verify(signature, "login", stamp, nonce):
            raise LoginRefused(BAD_LINK)
        if int(stamp) <= self._ctx.clock.now().timestamp():
            raise LoginRefused(EXPIRED_LINK)
        return nonce

    async def peek(self, token: str) -> PendingLogin:
        """Check a link without spending it (the page that asks "log in?")."""
        nonce = self._check_token(token)
        async with self._ctx.read() as session:
            row = (
                await session.execute(
                    select(dashboard_logins).where(dashboard_logins.c.link_sha256 == _sha256(nonce))
                )
            ).one_or_none()
        _explain_unusable(row, self._ctx.clock.now())
        assert row is not None
        return PendingLogin(row.display_name, _grants(row.grants), row.link_expires_at)

    async def redeem(self, token: str) -> NewSession:
        """Spend a link and open a session; a second redeem of the same link is refused."""
        nonce = self._check_token(token)
        now = self._ctx.clock.now()
        session_token = secrets.token_urlsafe(32)
        async with self._ctx.unit_of_work() as uow:
            claimed: CursorResult[Any] = await uow.session.execute(  # type: ignore[assignment]
                update(dashboard_logins)
                .where(
                    dashboard_logins.c.link_sha256 == _sha256(nonce),
                    dashboard_logins.c.used_at.is_(None),
                    dashboard_logins.c.link_expires_at > now,
                )
                .values(
                    used_at=now,
                    session_sha256=_sha256(session_token),
                    session_expires_at=now + self.session_lifetime,
                )
            )
            row = await _row_by(uow, dashboard_logins.c.link_sha256 == _sha256(nonce))
            if claimed.rowcount != 1 or row is None or row.session_sha256 != _sha256(session_token):
                _explain_unusable(row, now)
                raise LoginRefused(USED_LINK)
            session = self._session_of(row, _sha256(session_token))
            for grant in session.guilds:
                uow.audit(
                    guild_id=grant.guild_id,
                    actor_id=session.user_id,
                    action="dashboard.login",
                    target_type="user",
                    target_id=session.user_id,
                )
        cookie = f"{session_token}.{self._sign('session', session_token)}"
        return NewSession(cookie=cookie, session=session)

    # -- sessions -----------------------------------------------------------------------

    def _session_digest(self, cookie: str | None) -> str | None:
        if not cookie or cookie.count(".") != 1:
            return None
        session_token, signature = cookie.split(".")
        if not self._verify(signature, "session", session_token):
            return None
        return _sha256(session_token)

    async def session(self, cookie: str | None) -> DashboardSession | None:
        """The live session behind a cookie, or None (absent, forged, expired, logged out)."""
        digest = self._session_digest(cookie)
        if digest is None:
            return None
        async with self._ctx.read() as read:
            row = (
                await read.execute(
                    select(dashboard_logins).where(dashboard_logins.c.session_sha256 == digest)
                )
            ).one_or_none()
        now = self._ctx.clock.now()
        if row is None or row.revoked_at is not None or row.session_expires_at <= now:
            return None
        return self._session_of(row, digest)

    async def logout(self, cookie: str | None) -> None:
        digest = self._session_digest(cookie)
        if digest is None:
            return
        async with self._ctx.unit_of_work() as uow:
            await uow.session.execute(
                update(dashboard_logins)
                .where(dashboard_logins.c.session_sha256 == digest)
                .values(revoked_at=uow.clock.now())
            )

    def csrf_ok(self, session: DashboardSession, submitted: str | None) -> bool:
        return bool(submitted) and hmac.compare_digest(
            str(submitted).encode("utf-8", "replace"), session.csrf_token.encode()
        )

    def _session_of(self, row: Any, digest: str) -> DashboardSession:
        return DashboardSession(
            login_id=row.id,
            user_id=row.user_id,
            display_name=row.display_name,
            guilds=_grants(row.grants),
            expires_at=row.session_expires_at,
            # Bound to the session: a token from one session is worthless in another.
            csrf_token=self._sign("csrf", digest),
        )


def _grant(actor: Actor, guild_names: dict[int, str]) -> GuildGrant:
    assert actor.guild_id is not None
    return GuildGrant(
        guild_id=actor.guild_id,
        guild_name=guild_names.get(actor.guild_id, str(actor.guild_id)),
        role_ids=actor.role_ids,
        can_manage_guild=actor.can_manage_guild,
    )


def _grants(data: list[dict[str, Any]]) -> tuple[GuildGrant, ...]:
    return tuple(GuildGrant.from_json(g) for g in data)


def _explain_unusable(row: Any, now: datetime) -> None:
    if row is None:
        raise LoginRefused(BAD_LINK)
    if row.used_at is not None:
        raise LoginRefused(USED_LINK)
    if row.link_expires_at <= now:
        raise LoginRefused(EXPIRED_LINK)


async def _row_by(uow: UnitOfWork, condition: Any) -> Any:
    return (await uow.session.execute(select(dashboard_logins).where(condition))).one_or_none()


async def _forget_finished(uow: UnitOfWork, now: datetime) -> None:
    cutoff = now - _KEEP_FINISHED
    await uow.session.execute(
        delete(dashboard_logins).where(
            or_(
                dashboard_logins.c.session_expires_at < cutoff,
                (dashboard_logins.c.used_at.is_(None))
                & (dashboard_logins.c.link_expires_at < cutoff),
            )
        )
    )
