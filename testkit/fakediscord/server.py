"""FakeDiscord: the aiohttp server plus the API tests use to build a world and inspect it."""
# The waiting helpers take ``timeout=`` like asyncio.wait_for so tests read naturally.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import contextlib
import logging
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

import discord
from aiohttp import web

from bot.endpoints import configure_discord_endpoints

from . import payloads
from .actions import UserActions
from .commands import CommandStore
from .gateway import Gateway
from .http_util import DiscordError, json_response
from .interactions import InteractionRecord, Interactions
from .messages import Messages
from .options import AttachmentInput
from .ratelimits import RateLimitConfig, RateLimiter
from .rest import RestApi
from .state import (
    ADMINISTRATOR,
    ALL_PERMISSIONS,
    DEFAULT_BOT_PERMISSIONS,
    EVERYONE_PERMISSIONS,
    GUILD_TEXT,
    INTENT_GUILD_MEMBERS,
    INTENT_GUILDS,
    MANAGE_GUILD,
    Channel,
    Guild,
    Member,
    Message,
    Role,
    State,
    UnknownRoute,
    User,
)

log = logging.getLogger(__name__)
API_PREFIX = "/api/v10"
# Permissions a user/bot has in a DM, per Discord's docs for DM channels.
DM_PERMISSIONS = EVERYONE_PERMISSIONS & ~(1 << 35 | 1 << 36 | 1 << 38)


class FakeDiscord:
    """A Discord stand-in on 127.0.0.1 that the real discord.py client can connect to."""

    def __init__(
        self,
        *,
        token: str = "fake-bot-token",
        bot_name: str = "DeltaCrown",
        ack_window: float = 3.0,
        token_lifetime: float = 15 * 60,
        shard_count: int = 1,
        rate_limits: bool | RateLimitConfig = False,
    ) -> None:
        """``shard_count`` is what ``GET /gateway/bot`` recommends (``shards``); clients
        may still IDENTIFY with any ``[shard_id, shard_count]`` and are routed by it.

        ``rate_limits`` turns Discord's 429s on (True for the realistic defaults, or a
        :class:`RateLimitConfig`); off by default so ordinary tests never wait.
        """
        self.token = token
        self.ack_window = ack_window
        self.token_lifetime = token_lifetime
        self.attachment_size_limit = 25 * 1024 * 1024
        self.recommended_shards = shard_count
        self.state = State()
        self.application_id = self.state.snowflake()
        # The bot user shares the application's id, as it does for every modern app.
        self.bot_user = User(id=self.application_id, username=bot_name, bot=True)
        self.application_owner = User(id=self.state.snowflake(), username="app-owner")
        self.state.bot_id = self.bot_user.id
        for user in (self.bot_user, self.application_owner):
            self.state.users[user.id] = user
        self.gateway = Gateway(self)
        self.messages = Messages(self)
        self.commands = CommandStore(self)
        self.interactions = Interactions(self)
        self.actions = UserActions(self)
        self.rest = RestApi(self)
        self.ratelimits = RateLimiter(
            rate_limits if isinstance(rate_limits, RateLimitConfig) else None,
            enabled=bool(rate_limits),
        )
        self.handler_errors: list[str] = []
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ----- lifecycle ------------------------------------------------------------------
    @classmethod
    @contextlib.asynccontextmanager
    async def start(cls, **kwargs: Any) -> AsyncIterator[FakeDiscord]:
        fake = cls(**kwargs)
        await fake.serve()
        try:
            yield fake
        finally:
            await fake.stop()

    async def serve(self) -> None:
        app = web.Application(middlewares=[self._middleware], client_max_size=64 * 1024 * 1024)
        api = web.Application()
        api.add_routes(self.rest.routes() + self.commands.routes() + self.interactions.routes())
        api.router.add_route("*", "/{tail:.*}", self._unknown_route)
        app.add_subapp(API_PREFIX, api)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/attachments/{channel_id}/{file_id}/{filename}", self._serve_file)
        app.router.add_route("*", "/{tail:.*}", self._unknown_route)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def stop(self) -> None:
        self.interactions.close()
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base_url(self) -> str:
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def configure_client(self) -> None:
        """Point discord.py (process-wide) at this fake."""
        configure_discord_endpoints(self.api_base_url, self.gateway_url)

    @contextlib.asynccontextmanager
    async def run_bot(
        self, bot: discord.Client, *, ready_timeout: float = 10
    ) -> AsyncIterator[discord.Client]:
        """Log ``bot`` in against the fake, connect it, wait for on_ready; close on exit.

        discord.py's endpoints are process-wide, so the previous ones are restored on exit
        (a nested fake must not leave an outer bot pointing at a dead server).
        """
        previous = (discord.http.Route.BASE, str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY))
        self.configure_client()
        await bot.login(self.token)
        task = asyncio.create_task(bot.connect(reconnect=True), name="fake-discord-bot")
        try:
            ready = asyncio.create_task(bot.wait_until_ready())
            done, _ = await asyncio.wait(
                {ready, task}, timeout=ready_timeout, return_when=asyncio.FIRST_COMPLETED
            )
            if ready not in done:
                ready.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ready
                if task in done:
                    task.result()  # re-raise the connection error
                raise TimeoutError("bot did not become ready against the fake")
            yield bot
        finally:
            await bot.close()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            configure_discord_endpoints(*previous)

    async def wait_until_ready(self, timeout: float = 10) -> None:
        """Wait until a client identified and was sent READY plus every GUILD_CREATE."""
        await asyncio.wait_for(self.gateway.identified.wait(), timeout)

    # ----- HTTP plumbing --------------------------------------------------------------
    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        path = request.path
        needs_auth = path.startswith(API_PREFIX) and not path.startswith(
            (API_PREFIX + "/interactions/", API_PREFIX + "/webhooks/")
        )
        if needs_auth and request.headers.get("Authorization") != f"Bot {self.token}":
            return json_response({"message": "401: Unauthorized", "code": 0}, status=401)
        limits: dict[str, str] = {}
        if self.ratelimits.enabled and path.startswith(API_PREFIX):
            decision = self.ratelimits.check(
                request.method,
                self._route_template(request),
                dict(request.match_info),
                bot_authenticated=needs_auth,
            )
            if decision.rejection is not None:
                return decision.rejection  # before the handler: a 429 has no side effect
            limits = decision.headers
        try:
            response = await handler(request)
        except DiscordError as error:
            response = error.response()
        except web.HTTPException:
            raise
        except Exception as error:
            # Never answer 5xx: discord.py retries those for ~25 s. Record it so the test
            # fails loudly via assert_clean() instead.
            self.handler_errors.append(f"{request.method} {path}: {traceback.format_exc()}")
            log.exception("fake discord handler crashed")
            response = json_response(
                {"message": f"fake discord error: {error}", "code": 0}, status=400
            )
        response.headers.update(limits)
        return response

    @staticmethod
    def _route_template(request: web.Request) -> str:
        """``/channels/{channel_id}/messages`` for a request, without the API prefix."""
        info = request.match_info.route.resource
        canonical = info.canonical if info is not None else request.path
        return canonical.removeprefix(API_PREFIX)

    async def _unknown_route(self, request: web.Request) -> web.Response:
        body = await request.text() if request.can_read_body else ""
        self.state.unknown_routes.append(UnknownRoute(request.method, request.path, body[:2000]))
        await self.state.notify()
        return json_response(
            {"message": f"404: Not Found ({request.method} {request.path})", "code": 0}, status=404
        )

    async def _serve_file(self, request: web.Request) -> web.Response:
        stored = self.state.files.get(int(request.match_info["file_id"]))
        if stored is None or stored.filename != request.match_info["filename"]:
            return web.Response(status=404, text="asset not found")
        return web.Response(body=stored.data, headers={"Content-Type": stored.content_type})

    def assert_clean(self) -> None:
        """Fail if the bot hit a route the fake does not know or a handler crashed."""
        assert not self.state.unknown_routes, (
            f"unknown Discord routes hit: {self.state.unknown_routes}"
        )
        assert not self.handler_errors, "fake handler errors:\n" + "\n".join(self.handler_errors)

    def reset_records(self) -> None:
        """Forget recorded traffic (messages, files, interactions, unknown routes, errors,
        rate-limit counters).

        The world (guilds, members, channels, threads, synced commands) and the connected
        bot stay as they are, so a session-scoped fake can serve many tests.
        """
        self.interactions.close()
        self.interactions.records.clear()
        self.state.messages.clear()
        self.state.files.clear()
        self.state.unknown_routes.clear()
        self.handler_errors.clear()
        self.ratelimits.reset_counters()

    # ----- world building -------------------------------------------------------------
    def guild_id_on_shard(self, shard_id: int, shard_count: int | None = None) -> int:
        """A new snowflake that Discord's formula routes to ``shard_id`` of ``shard_count``.

        ``shard_count`` defaults to :attr:`recommended_shards`. Tests use it to place guilds
        on the shard a given client (or process) runs.
        """
        return self.state.snowflake.on_shard(shard_id, shard_count or self.recommended_shards)

    def add_user(
        self, username: str | None = None, *, global_name: str | None = None, bot: bool = False
    ) -> User:
        user = User(
            id=self.state.snowflake(),
            username=username or self.state.next_name("user"),
            global_name=global_name,
            bot=bot,
        )
        self.state.users[user.id] = user
        return user

    async def create_guild(
        self,
        name: str | None = None,
        *,
        owner: User | None = None,
        channels: Sequence[str] = ("general",),
        bot_permissions: int = DEFAULT_BOT_PERMISSIONS,
        shard: int | None = None,
        shard_count: int | None = None,
    ) -> Guild:
        """A guild with @everyone, the bot (and its managed role), an owner and channels.

        If a client is connected, the session owning the guild's shard receives
        GUILD_CREATE, as when a bot is invited. ``shard`` picks the guild's id so it lands
        on that shard of ``shard_count`` (default: the recommended count).
        """
        owner = owner or self.add_user(self.state.next_name("owner"))
        if shard is None:
            guild_id = self.state.snowflake()
        else:
            guild_id = self.guild_id_on_shard(shard, shard_count)
        guild = Guild(id=guild_id, name=name or self.state.next_name("guild"), owner_id=owner.id)
        guild.roles[guild.id] = Role(
            id=guild.id, guild_id=guild.id, name="@everyone", permissions=EVERYONE_PERMISSIONS
        )
        bot_role = Role(
            id=self.state.snowflake(),
            guild_id=guild.id,
            name=self.bot_user.username,
            permissions=bot_permissions,
            position=1,
            managed=True,
            bot_id=self.bot_user.id,
        )
        guild.roles[bot_role.id] = bot_role
        guild.members[owner.id] = Member(user=owner, guild_id=guild.id)
        guild.members[self.bot_user.id] = Member(
            user=self.bot_user, guild_id=guild.id, role_ids=[bot_role.id]
        )
        self.state.guilds[guild.id] = guild
        for position, channel_name in enumerate(channels):
            channel = Channel(
                id=self.state.snowflake(),
                type=GUILD_TEXT,
                name=channel_name,
                guild_id=guild.id,
                position=position,
            )
            self.state.channels[channel.id] = channel
            guild.channel_ids.append(channel.id)
        await self.gateway.announce_guild(guild)
        await self.state.notify()
        return guild

    async def add_role(
        self,
        guild: Guild,
        name: str,
        *,
        permissions: int = 0,
        color: int = 0,
        hoist: bool = False,
        mentionable: bool = False,
    ) -> Role:
        role = Role(
            id=self.state.snowflake(),
            guild_id=guild.id,
            name=name,
            permissions=permissions,
            position=len(guild.roles),
            color=color,
            hoist=hoist,
            mentionable=mentionable,
        )
        guild.roles[role.id] = role
        await self.gateway.dispatch(
            "GUILD_ROLE_CREATE",
            {"guild_id": str(guild.id), "role": payloads.role_payload(role)},
            guild_id=guild.id,
            intent=INTENT_GUILDS,
        )
        await self.state.notify()
        return role

    async def add_member(
        self,
        guild: Guild,
        username: str | None = None,
        *,
        global_name: str | None = None,
        roles: Sequence[Role] = (),
        administrator: bool = False,
        manage_guild: bool = False,
        user: User | None = None,
    ) -> Member:
        """Add a member; ``administrator``/``manage_guild`` grant it via a dedicated role."""
        user = user or self.add_user(username, global_name=global_name)
        role_ids = [r.id for r in roles]
        if administrator:
            role_ids.append((await self.add_role(guild, "Admin", permissions=ADMINISTRATOR)).id)
        if manage_guild:
            role_ids.append((await self.add_role(guild, "Manager", permissions=MANAGE_GUILD)).id)
        member = Member(user=user, guild_id=guild.id, role_ids=role_ids)
        guild.members[user.id] = member
        await self.gateway.dispatch(
            "GUILD_MEMBER_ADD",
            {**payloads.member_payload(member), "guild_id": str(guild.id)},
            guild_id=guild.id,
            intent=INTENT_GUILD_MEMBERS,
        )
        await self.state.notify()
        return member

    async def set_member_roles(self, guild: Guild, member: Member, roles: Sequence[Role]) -> None:
        member.role_ids = [r.id for r in roles]
        await self.dispatch_member_update(guild, member)

    async def dispatch_member_update(self, guild: Guild, member: Member) -> None:
        await self.gateway.dispatch(
            "GUILD_MEMBER_UPDATE",
            {**payloads.member_payload(member), "guild_id": str(guild.id)},
            guild_id=guild.id,
            intent=INTENT_GUILD_MEMBERS,
        )
        await self.state.notify()

    async def add_channel(
        self,
        guild: Guild,
        name: str,
        *,
        channel_type: int = GUILD_TEXT,
        topic: str | None = None,
        parent_id: int | None = None,
    ) -> Channel:
        channel = Channel(
            id=self.state.snowflake(),
            type=channel_type,
            name=name,
            guild_id=guild.id,
            position=len(guild.channel_ids),
            topic=topic,
            parent_id=parent_id,
        )
        self.state.channels[channel.id] = channel
        guild.channel_ids.append(channel.id)
        await self.gateway.dispatch(
            "CHANNEL_CREATE",
            payloads.channel_payload(self.state, channel),
            guild_id=guild.id,
            intent=INTENT_GUILDS,
        )
        await self.state.notify()
        return channel

    def dm_channel(self, user: User | Member) -> Channel:
        """The DM channel between ``user`` and the bot (created like Discord would)."""
        target = user.user if isinstance(user, Member) else user
        channel = self.state.dm_channel_for(target.id)
        if channel is None:
            channel = Channel(id=self.state.snowflake(), type=1, recipient_id=target.id)
            self.state.channels[channel.id] = channel
        return channel

    def all_permissions_in(self, channel: Channel, user_id: int) -> int:
        guild = self.state.guild_of(channel)
        if guild is None:
            return DM_PERMISSIONS
        perms = self.state.base_permissions(guild, user_id)
        return ALL_PERMISSIONS if perms & ADMINISTRATOR else perms

    # ----- user actions (see actions.UserActions) -------------------------------------
    async def slash(
        self,
        user: User | Member,
        command: str,
        options: dict[str, Any] | None = None,
        *,
        guild: Guild | None = None,
        channel: Channel | None = None,
    ) -> InteractionRecord:
        return await self.actions.slash(user, command, options, guild=guild, channel=channel)

    async def autocomplete(
        self,
        user: User | Member,
        command: str,
        options: dict[str, Any] | None,
        focused: str,
        *,
        guild: Guild | None = None,
        channel: Channel | None = None,
    ) -> list[dict[str, Any]]:
        """The choices the bot offers while ``user`` types ``options[focused]``."""
        return await self.actions.autocomplete(
            user, command, options, focused, guild=guild, channel=channel
        )

    async def send_autocomplete(
        self,
        user: User | Member,
        command: str,
        options: dict[str, Any] | None,
        focused: str,
        *,
        guild: Guild | None = None,
        channel: Channel | None = None,
    ) -> InteractionRecord:
        """Like :meth:`autocomplete` but returns the interaction (for refusals, timing)."""
        return await self.actions.send_autocomplete(
            user, command, options, focused, guild=guild, channel=channel
        )

    async def click(
        self,
        user: User | Member,
        message: Message | int,
        custom_id: str,
        *,
        values: Sequence[str] | None = None,
    ) -> InteractionRecord:
        return await self.actions.click(user, message, custom_id, values=values)

    async def submit_modal(
        self, user: User | Member, source: InteractionRecord | str, values: dict[str, Any]
    ) -> InteractionRecord:
        return await self.actions.submit_modal(user, source, values)

    async def post_message(
        self,
        user: User | Member,
        channel: Channel,
        content: str = "",
        *,
        attachments: Sequence[AttachmentInput | tuple[str, bytes]] = (),
        reply_to: Message | None = None,
    ) -> Message:
        return await self.actions.post_message(
            user, channel, content, attachments=attachments, reply_to=reply_to
        )

    # ----- queries --------------------------------------------------------------------
    def messages_in(self, channel: Channel | int) -> list[Message]:
        return self.state.messages_in(channel.id if isinstance(channel, Channel) else channel)

    def dms_to(self, user: User | Member) -> list[Message]:
        target = user.user if isinstance(user, Member) else user
        channel = self.state.dm_channel_for(target.id)
        return self.state.messages_in(channel.id) if channel else []

    @property
    def threads(self) -> list[Channel]:
        return [c for c in self.state.channels.values() if c.is_thread]

    def threads_in(self, parent: Channel) -> list[Channel]:
        return [t for t in self.threads if t.parent_id == parent.id]

    def guild_commands(self, guild: Guild) -> list[dict[str, Any]]:
        return self.state.guild_commands.get(guild.id, [])

    @property
    def global_commands(self) -> list[dict[str, Any]]:
        return self.state.global_commands

    @property
    def unknown_routes(self) -> list[UnknownRoute]:
        return self.state.unknown_routes

    async def wait_for_message(
        self, predicate: Callable[[Message], bool], timeout: float = 30
    ) -> Message:
        """The first recorded (non-deleted) message matching ``predicate``, waiting if needed."""

        def find() -> Message | None:
            return next(
                (
                    m
                    for m in sorted(self.state.messages.values(), key=lambda m: m.id)
                    if not m.deleted and predicate(m)
                ),
                None,
            )

        return await self.state.wait_for(find, timeout)

    async def wait_for_thread(
        self, predicate: Callable[[Channel], bool], timeout: float = 30
    ) -> Channel:
        return await self.state.wait_for(
            lambda: next((t for t in self.threads if predicate(t)), None), timeout
        )

    async def wait_for_dm(self, user: User | Member, timeout: float = 30) -> Message:
        target = user.user if isinstance(user, Member) else user

        def find() -> Message | None:
            channel = self.state.dm_channel_for(target.id)
            return next(iter(self.state.messages_in(channel.id)), None) if channel else None

        return await self.state.wait_for(find, timeout)

    async def wait_until(self, check: Callable[[], Any], timeout: float = 30) -> Any:
        """Generic wait: ``check`` is re-evaluated whenever the fake's state changes."""
        return await self.state.wait_for(check, timeout)
