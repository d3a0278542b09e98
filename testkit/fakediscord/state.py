"""In-memory model of the Discord world the fake serves: users, guilds, channels, messages.

Everything the bot sends is recorded here so tests can query it; every mutation notifies
``State.changed`` so waiters wake up without polling.
"""
# The waiting helpers take ``timeout=`` like asyncio.wait_for so tests read naturally.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import itertools
import mimetypes
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1420070400000

# Permission bits used by the fake (values from Discord's documentation).
ADD_REACTIONS = 1 << 6
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
CONNECT = 1 << 20
SPEAK = 1 << 21
CHANGE_NICKNAME = 1 << 26
MANAGE_ROLES = 1 << 28
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
CREATE_PRIVATE_THREADS = 1 << 36
SEND_MESSAGES_IN_THREADS = 1 << 38
ALL_PERMISSIONS = (1 << 51) - 1

EVERYONE_PERMISSIONS = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | ADD_REACTIONS
    | USE_EXTERNAL_EMOJIS
    | CONNECT
    | SPEAK
    | CHANGE_NICKNAME
    | USE_APPLICATION_COMMANDS
    | CREATE_PUBLIC_THREADS
    | CREATE_PRIVATE_THREADS
    | SEND_MESSAGES_IN_THREADS
)
# What a bot typically gets from its invite link: enough to run a tournament server,
# deliberately not Administrator so permission bugs stay visible.
DEFAULT_BOT_PERMISSIONS = (
    EVERYONE_PERMISSIONS
    | MANAGE_CHANNELS
    | MANAGE_ROLES
    | MANAGE_MESSAGES
    | MANAGE_THREADS
    | MENTION_EVERYONE
)

# Channel types.
GUILD_TEXT = 0
DM = 1
PUBLIC_THREAD = 11
PRIVATE_THREAD = 12
THREAD_TYPES = (10, PUBLIC_THREAD, PRIVATE_THREAD)

# Gateway intents relevant to the events the fake dispatches.
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard Discord routes a guild to: ``(guild_id >> 22) % shard_count``.

    The formula only reads the snowflake's millisecond timestamp, which is why a guild's
    shard can be chosen by choosing the millisecond its id was "created" in.
    """
    return (guild_id >> 22) % shard_count


class SnowflakeGenerator:
    """Time-based, strictly increasing ids so ordering by id matches creation order."""

    def __init__(self) -> None:
        self._last = 0

    def __call__(self) -> int:
        candidate = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last = max(candidate, self._last + 1)
        return self._last

    def on_shard(self, shard_id: int, shard_count: int) -> int:
        """A fresh id whose guild would live on ``shard_id`` of ``shard_count``.

        The next id is moved forward to the first millisecond with the right remainder
        (at most ``shard_count - 1`` ms ahead), so ids stay unique and increasing.
        """
        if not 0 <= shard_id < shard_count:
            raise ValueError(f"shard {shard_id} is not in range({shard_count})")
        candidate = self()
        millis = candidate >> 22
        if millis % shard_count == shard_id:
            return candidate
        millis += (shard_id - millis) % shard_count
        self._last = millis << 22
        return self._last


@dataclass
class User:
    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    locale: str = "en-US"
    # False simulates a user who closed DMs from server members (Discord error 50007).
    accepts_dms: bool = True

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"


@dataclass
class Role:
    id: int
    guild_id: int
    name: str
    permissions: int = 0
    position: int = 0
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    managed: bool = False
    bot_id: int | None = None

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"


@dataclass
class Member:
    user: User
    guild_id: int
    role_ids: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: float = field(default_factory=time.time)

    @property
    def id(self) -> int:
        return self.user.id


@dataclass
class Channel:
    """A text channel, thread or DM channel."""

    id: int
    type: int
    name: str | None = None
    guild_id: int | None = None
    parent_id: int | None = None
    position: int = 0
    topic: str | None = None
    # Thread-only state.
    owner_id: int | None = None
    archived: bool = False
    locked: bool = False
    invitable: bool = True
    auto_archive_duration: int = 1440
    archive_timestamp: float = field(default_factory=time.time)
    created_at: float = field(default_factory=time.time)
    member_ids: list[int] = field(default_factory=list)
    message_count: int = 0
    # DM-only state.
    recipient_id: int | None = None
    last_message_id: int | None = None

    @property
    def is_thread(self) -> bool:
        return self.type in THREAD_TYPES

    @property
    def is_dm(self) -> bool:
        return self.type == DM

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    channel_ids: list[int] = field(default_factory=list)
    preferred_locale: str = "en-US"

    @property
    def everyone_role(self) -> Role:
        return self.roles[self.id]


@dataclass
class StoredFile:
    """A file uploaded by the bot or attached by a test user; served by the fake over HTTP."""

    id: int
    filename: str
    data: bytes
    content_type: str
    url: str
    description: str | None = None
    ephemeral: bool = False

    @property
    def size(self) -> int:
        return len(self.data)

    @staticmethod
    def guess_type(filename: str) -> str:
        return mimetypes.guess_type(filename)[0] or "application/octet-stream"


@dataclass
class Message:
    id: int
    channel_id: int
    guild_id: int | None
    author: User
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[StoredFile] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    timestamp: float = field(default_factory=time.time)
    edited_timestamp: float | None = None
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_metadata: dict[str, Any] | None = None
    message_reference: dict[str, Any] | None = None
    mention_ids: list[int] = field(default_factory=list)
    mention_role_ids: list[int] = field(default_factory=list)
    # The sender's ``allowed_mentions`` as sent (None: not sent, Discord parses everything).
    allowed_mentions: dict[str, Any] | None = None
    pinned: bool = False
    deleted: bool = False
    reactions: dict[str, set[int]] = field(default_factory=dict)
    # Every edit's raw body, oldest first, so tests can assert on the edit sequence.
    edits: list[dict[str, Any]] = field(default_factory=list)

    EPHEMERAL = 1 << 6
    LOADING = 1 << 7

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & self.EPHEMERAL)

    @property
    def is_dm(self) -> bool:
        return self.guild_id is None

    @property
    def files(self) -> list[StoredFile]:
        return self.attachments

    def custom_ids(self) -> list[str]:
        return [c["custom_id"] for c in walk_components(self.components) if "custom_id" in c]

    def find_component(self, custom_id: str) -> dict[str, Any] | None:
        for component in walk_components(self.components):
            if component.get("custom_id") == custom_id:
                return component
        return None


def walk_components(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Flatten rows/containers/sections/labels so lookups by custom_id see every item."""
    found: list[dict[str, Any]] = []
    for component in components:
        found.append(component)
        for key in ("components", "items"):
            if isinstance(component.get(key), list):
                found.extend(walk_components(component[key]))
        for key in ("accessory", "component"):
            if isinstance(component.get(key), dict):
                found.extend(walk_components([component[key]]))
    return found


@dataclass
class UnknownRoute:
    method: str
    path: str
    body: str


class State:
    """The fake's world plus everything recorded from the bot."""

    def __init__(self) -> None:
        self.snowflake = SnowflakeGenerator()
        self.users: dict[int, User] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self.files: dict[int, StoredFile] = {}
        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}
        self.unknown_routes: list[UnknownRoute] = []
        self.bot_id = 0
        self.changed = asyncio.Condition()
        self._names = itertools.count(1)

    # ----- notifications -------------------------------------------------------------
    async def notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()

    async def wait_for(self, check: Callable[[], Any], timeout: float) -> Any:
        """Wait until ``check()`` returns something truthy; re-evaluated on every change."""
        async with self.changed:
            return await asyncio.wait_for(self.changed.wait_for(check), timeout)

    # ----- lookups --------------------------------------------------------------------
    def channel(self, channel_id: int) -> Channel | None:
        return self.channels.get(channel_id)

    def guild_of(self, channel: Channel) -> Guild | None:
        return self.guilds.get(channel.guild_id) if channel.guild_id else None

    def member(self, guild_id: int, user_id: int) -> Member | None:
        guild = self.guilds.get(guild_id)
        return guild.members.get(user_id) if guild else None

    def base_permissions(self, guild: Guild, user_id: int) -> int:
        """Guild-level permissions as Discord computes them (owner and Administrator win)."""
        if user_id == guild.owner_id:
            return ALL_PERMISSIONS
        member = guild.members.get(user_id)
        perms = guild.everyone_role.permissions
        if member is not None:
            for role_id in member.role_ids:
                role = guild.roles.get(role_id)
                if role is not None:
                    perms |= role.permissions
        if perms & ADMINISTRATOR:
            return ALL_PERMISSIONS
        return perms

    def messages_in(self, channel_id: int, *, include_deleted: bool = False) -> list[Message]:
        return sorted(
            (
                m
                for m in self.messages.values()
                if m.channel_id == channel_id and (include_deleted or not m.deleted)
            ),
            key=lambda m: m.id,
        )

    def dm_channel_for(self, user_id: int) -> Channel | None:
        for channel in self.channels.values():
            if channel.is_dm and channel.recipient_id == user_id:
                return channel
        return None

    def next_name(self, prefix: str) -> str:
        return f"{prefix}{next(self._names)}"

    # ----- mutations ------------------------------------------------------------------
    def store_file(
        self,
        base_url: str,
        channel_id: int,
        filename: str,
        data: bytes,
        content_type: str | None = None,
        *,
        description: str | None = None,
        ephemeral: bool = False,
    ) -> StoredFile:
        file_id = self.snowflake()
        stored = StoredFile(
            id=file_id,
            filename=filename,
            data=data,
            content_type=content_type or StoredFile.guess_type(filename),
            url=f"{base_url}/attachments/{channel_id}/{file_id}/{filename}",
            description=description,
            ephemeral=ephemeral,
        )
        self.files[file_id] = stored
        return stored
