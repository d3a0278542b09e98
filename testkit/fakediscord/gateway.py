"""The fake gateway websocket: HELLO, IDENTIFY/READY, RESUME, heartbeats and dispatch."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from . import payloads
from .state import INTENT_GUILD_MEMBERS, Guild, shard_of

if TYPE_CHECKING:
    from .server import FakeDiscord

log = logging.getLogger(__name__)

DISPATCH, HEARTBEAT, IDENTIFY, RESUME, RECONNECT = 0, 1, 2, 6, 7
REQUEST_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 8, 9, 10, 11

# Close code Discord uses for a bad token; discord.py turns it into LoginFailure.
AUTHENTICATION_FAILED = 4004
# Close code for an IDENTIFY whose ``shard`` is malformed or out of range.
INVALID_SHARD = 4010

PayloadBuilder = Callable[["GatewaySession"], dict[str, Any] | None]


@dataclass
class GatewaySession:
    session_id: str
    intents: int
    shard: tuple[int, int] | None
    seq: int = 0
    # Every dispatched frame is kept so a RESUME can replay what the client missed.
    log: list[tuple[int, str]] = field(default_factory=list)
    ws: web.WebSocketResponse | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    resumed: int = 0

    def has_intent(self, bit: int) -> bool:
        return bool(self.intents & bit)

    def owns_guild(self, guild_id: int | None) -> bool:
        """Whether Discord would send this guild's events (or, for None, DMs) here.

        An unsharded session gets everything; guild-less events (DMs) go to shard 0 only.
        """
        if self.shard is None:
            return True
        shard_id, shard_count = self.shard
        if guild_id is None:
            return shard_id == 0
        return shard_of(guild_id, shard_count) == shard_id

    def events(self, name: str | None = None) -> list[dict[str, Any]]:
        """The dispatches sent to this session (``{"t": ..., "d": ...}``), oldest first.

        Tests read this to prove an event reached one shard and not another.
        """
        frames = (json.loads(frame) for _, frame in self.log)
        return [
            {"t": frame["t"], "d": frame["d"]}
            for frame in frames
            if name is None or frame["t"] == name
        ]


class Gateway:
    def __init__(self, fake: FakeDiscord, heartbeat_interval_ms: int = 41250) -> None:
        self.fake = fake
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.sessions: dict[str, GatewaySession] = {}
        self.identified = asyncio.Event()
        self._sockets: set[web.WebSocketResponse] = set()

    @property
    def live_sessions(self) -> list[GatewaySession]:
        return [s for s in self.sessions.values() if s.ws is not None and not s.ws.closed]

    def sessions_for_shard(self, shard_id: int) -> list[GatewaySession]:
        """Live sessions identified as ``shard_id`` (unsharded sessions count as shard 0)."""
        return [s for s in self.live_sessions if (s.shard or (0, 1))[0] == shard_id]

    # ----- dispatch -------------------------------------------------------------------
    async def dispatch(
        self,
        event: str,
        data: dict[str, Any] | PayloadBuilder,
        *,
        guild_id: int | None = None,
        intent: int | None = None,
    ) -> None:
        """Send ``event`` to every session that would receive it from Discord.

        ``data`` may be a callable so per-session differences (e.g. MESSAGE_CONTENT being
        withheld) are computed against that session's intents.
        """
        for session in list(self.sessions.values()):
            if intent is not None and not session.has_intent(intent):
                continue
            if not session.owns_guild(guild_id):
                continue
            body = data(session) if callable(data) else data
            if body is None:
                continue
            await self._send_dispatch(session, event, body)

    async def _send_dispatch(
        self, session: GatewaySession, event: str, body: dict[str, Any]
    ) -> None:
        async with session.lock:
            session.seq += 1
            frame = json.dumps({"op": DISPATCH, "t": event, "s": session.seq, "d": body})
            session.log.append((session.seq, frame))
            if session.ws is not None and not session.ws.closed:
                await session.ws.send_str(frame)

    async def announce_guild(self, guild: Guild) -> None:
        """GUILD_CREATE for a guild the bot joins while connected (like an invite).

        Discord leaves ``unavailable`` out for a join (it is only in the READY backfill),
        which is how discord.py tells ``on_guild_join`` from ``on_guild_available``.
        """
        for session in self.live_sessions:
            if session.owns_guild(guild.id):
                payload = self.guild_create(session, guild)
                payload.pop("unavailable", None)
                await self._send_dispatch(session, "GUILD_CREATE", payload)

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT, as Discord does before maintenance; the client resumes."""
        for session in self.live_sessions:
            assert session.ws is not None
            await session.ws.send_json({"op": RECONNECT, "d": None, "s": None, "t": None})

    async def close(self) -> None:
        for ws in list(self._sockets):
            await ws.close(code=1001, message=b"fake discord shutting down")

    # ----- websocket handler ----------------------------------------------------------
    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        self._sockets.add(ws)
        session: GatewaySession | None = None
        try:
            await ws.send_json(
                {
                    "op": HELLO,
                    "d": {"heartbeat_interval": self.heartbeat_interval_ms},
                    "s": None,
                    "t": None,
                }
            )
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                op, data = frame.get("op"), frame.get("d")
                if op == HEARTBEAT:
                    await ws.send_json({"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None})
                elif op == IDENTIFY:
                    session = await self._identify(ws, data)
                elif op == RESUME:
                    session = await self._resume(ws, data)
                elif op == REQUEST_MEMBERS and session is not None:
                    await self._send_member_chunk(session, data)
        finally:
            self._sockets.discard(ws)
            if session is not None and session.ws is ws:
                session.ws = None
        return ws

    async def _identify(
        self, ws: web.WebSocketResponse, data: dict[str, Any]
    ) -> GatewaySession | None:
        if data.get("token") != self.fake.token:
            await ws.close(code=AUTHENTICATION_FAILED, message=b"Authentication failed.")
            return None
        try:
            shard = self._parse_shard(data.get("shard"))
        except ValueError:
            await ws.close(code=INVALID_SHARD, message=b"Invalid shard.")
            return None
        session = GatewaySession(
            session_id=secrets.token_hex(16),
            intents=int(data.get("intents", 0)),
            shard=shard,
            ws=ws,
        )
        self.sessions[session.session_id] = session
        guilds = [g for g in self.fake.state.guilds.values() if session.owns_guild(g.id)]
        ready: dict[str, Any] = {
            "v": 10,
            "user": payloads.self_user_payload(self.fake.bot_user),
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.fake.gateway_url,
            "application": {"id": str(self.fake.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "_trace": ["fake-discord"],
        }
        if session.shard is not None:
            ready["shard"] = list(session.shard)
        await self._send_dispatch(session, "READY", ready)
        for guild in guilds:
            await self._send_dispatch(session, "GUILD_CREATE", self.guild_create(session, guild))
        self.identified.set()
        await self.fake.state.notify()
        return session

    @staticmethod
    def _parse_shard(raw: Any) -> tuple[int, int] | None:
        """``[shard_id, shard_count]`` as Discord accepts it; ValueError where Discord closes."""
        if raw is None:
            return None
        try:
            shard_id, shard_count = (int(x) for x in raw)
        except TypeError as error:
            raise ValueError(f"malformed shard {raw!r}") from error
        if shard_count < 1 or not 0 <= shard_id < shard_count:
            raise ValueError(f"shard {shard_id} is not in range({shard_count})")
        return shard_id, shard_count

    def guild_create(self, session: GatewaySession, guild: Guild) -> dict[str, Any]:
        return payloads.guild_create_payload(
            self.fake.state,
            guild,
            with_members=session.has_intent(INTENT_GUILD_MEMBERS),
            bot_id=self.fake.bot_user.id,
        )

    async def _resume(
        self, ws: web.WebSocketResponse, data: dict[str, Any]
    ) -> GatewaySession | None:
        session = self.sessions.get(data.get("session_id", ""))
        if session is None or data.get("token") != self.fake.token:
            # d=false tells the client the session cannot be resumed; it re-identifies.
            await ws.send_json({"op": INVALID_SESSION, "d": False, "s": None, "t": None})
            return None
        last_seen = int(data.get("seq") or 0)
        async with session.lock:
            session.ws = ws
            for seq, frame in session.log:
                if seq > last_seen:
                    await ws.send_str(frame)
        session.resumed += 1
        await self._send_dispatch(session, "RESUMED", {"_trace": ["fake-discord"]})
        await self.fake.state.notify()
        return session

    async def _send_member_chunk(self, session: GatewaySession, data: dict[str, Any]) -> None:
        guild = self.fake.state.guilds.get(int(data["guild_id"]))
        if guild is None:
            return
        query = (data.get("query") or "").lower()
        user_ids = {int(u) for u in data.get("user_ids") or []}
        limit = int(data.get("limit") or 0)
        members = [
            m
            for m in guild.members.values()
            if (not user_ids or m.user.id in user_ids) and m.user.username.lower().startswith(query)
        ]
        if limit:
            members = members[:limit]
        chunk: dict[str, Any] = {
            "guild_id": str(guild.id),
            "members": [payloads.member_payload(m) for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [str(u) for u in user_ids - {m.user.id for m in members}],
        }
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        if data.get("presences"):
            chunk["presences"] = []
        await self._send_dispatch(session, "GUILD_MEMBERS_CHUNK", chunk)
