"""Creating, editing and deleting messages, with Discord's validation and gateway events.

Shared by channel routes, DM routes, interaction callbacks and webhook followups so every
path records messages and dispatches MESSAGE_CREATE/UPDATE/DELETE the same way.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import payloads
from .gateway import GatewaySession
from .http_util import DiscordError, Upload, invalid_form
from .state import (
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MESSAGES,
    INTENT_GUILDS,
    INTENT_MESSAGE_CONTENT,
    Channel,
    Message,
    StoredFile,
    User,
    walk_components,
)

if TYPE_CHECKING:
    from .server import FakeDiscord

USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")
# Flags a sender may set on a message (SUPPRESS_EMBEDS, EPHEMERAL, SUPPRESS_NOTIFICATIONS,
# IS_COMPONENTS_V2); anything else is server-controlled.
SETTABLE_FLAGS = (1 << 2) | (1 << 6) | (1 << 12) | (1 << 15)
COMPONENTS_V2 = 1 << 15


def validate_message_body(body: dict[str, Any], *, has_files: bool, creating: bool) -> None:
    """Reject what Discord rejects, so a bot that would fail in production fails here."""
    content = body.get("content")
    if content is not None and len(str(content)) > 2000:
        raise invalid_form("content: Must be 2000 or fewer in length.")
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        raise invalid_form("embeds: Must be 10 or fewer in length.")
    total = 0
    for embed in embeds:
        title, description = embed.get("title") or "", embed.get("description") or ""
        if len(title) > 256:
            raise invalid_form("embeds.title: Must be 256 or fewer in length.")
        if len(description) > 4096:
            raise invalid_form("embeds.description: Must be 4096 or fewer in length.")
        fields = embed.get("fields") or []
        if len(fields) > 25:
            raise invalid_form("embeds.fields: Must be 25 or fewer in length.")
        total += len(title) + len(description)
        for f in fields:
            if not f.get("name") or not f.get("value"):
                raise invalid_form("embeds.fields: name and value are required.")
            if len(f["name"]) > 256 or len(f["value"]) > 1024:
                raise invalid_form("embeds.fields: name <= 256 and value <= 1024 characters.")
            total += len(f["name"]) + len(f["value"])
        total += len((embed.get("footer") or {}).get("text") or "")
        total += len((embed.get("author") or {}).get("name") or "")
    if total > 6000:
        raise invalid_form("embeds: Embed size exceeds maximum size of 6000")
    components = body.get("components") or []
    is_v2 = bool(int(body.get("flags") or 0) & COMPONENTS_V2)
    if not is_v2 and len(components) > 5:
        raise invalid_form("components: Must be 5 or fewer in length.")
    for component in walk_components(components):
        custom_id = component.get("custom_id")
        if custom_id is not None and not 1 <= len(custom_id) <= 100:
            raise invalid_form("components.custom_id: Must be between 1 and 100 in length.")
        if component.get("type") == 1 and len(component.get("components") or []) > 5:
            raise invalid_form("components: an action row holds at most 5 items.")
        label = component.get("label")
        if component.get("type") == 2 and label is not None and len(label) > 80:
            raise invalid_form("components.label: Must be 80 or fewer in length.")
    if creating and not (content or embeds or components or has_files or body.get("poll")):
        raise DiscordError(400, 50006, "Cannot send an empty message")


# Discord checks an enforced nonce against the same author's messages of the past few
# minutes and returns the first message instead of creating a second one.
NONCE_WINDOW_SECONDS = 300
EVERYONE_MENTION = re.compile(r"@(everyone|here)\b")


@dataclass(frozen=True)
class Pings:
    """Whom a created message notifies, by Discord's rules: mentions in its content that
    its ``allowed_mentions`` permits (edits never notify, embeds never ping)."""

    everyone: bool
    user_ids: frozenset[int]
    role_ids: frozenset[int]


def pings_of(message: Message) -> Pings:
    content = message.content
    users = {int(u) for u in USER_MENTION.findall(content)}
    roles = {int(r) for r in ROLE_MENTION.findall(content)}
    everyone = bool(EVERYONE_MENTION.search(content))
    allowed = message.allowed_mentions
    if allowed is None:
        return Pings(everyone, frozenset(users), frozenset(roles))
    parse = set(allowed.get("parse") or [])
    listed_users = {int(u) for u in allowed.get("users") or []}
    listed_roles = {int(r) for r in allowed.get("roles") or []}
    return Pings(
        everyone=everyone and "everyone" in parse,
        user_ids=frozenset(u for u in users if "users" in parse or u in listed_users),
        role_ids=frozenset(r for r in roles if "roles" in parse or r in listed_roles),
    )


class Messages:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.state = fake.state
        self._nonces: dict[tuple[int, str], tuple[int, float]] = {}
        self.nonce_hits = 0  # posts answered with an earlier message, for tests

    def by_nonce(self, author: User, body: dict[str, Any]) -> Message | None:
        """The earlier message of ``author`` with this enforced nonce, if recent."""
        nonce = body.get("nonce")
        if nonce is None or not body.get("enforce_nonce"):
            return None
        seen = self._nonces.get((author.id, str(nonce)))
        if seen is None or time.time() - seen[1] > NONCE_WINDOW_SECONDS:
            return None
        message = self.state.messages.get(seen[0])
        if message is None or message.deleted:
            return None
        self.nonce_hits += 1
        return message

    def remember_nonce(self, message: Message, body: dict[str, Any]) -> None:
        if body.get("nonce") is not None and body.get("enforce_nonce"):
            self._nonces[(message.author.id, str(body["nonce"]))] = (message.id, time.time())

    # ----- files ----------------------------------------------------------------------
    def _attachments(
        self,
        channel: Channel,
        body: dict[str, Any],
        uploads: dict[int, Upload],
        existing: list[StoredFile],
        *,
        ephemeral: bool,
    ) -> list[StoredFile]:
        """Resolve the ``attachments`` array: ids of kept attachments or upload indexes."""
        by_id = {a.id: a for a in existing}
        described: dict[int, dict[str, Any]] = {}
        kept: list[StoredFile] = []
        if "attachments" in body and body["attachments"] is not None:
            for entry in body["attachments"]:
                ref = int(entry["id"])
                if ref in by_id:
                    kept.append(by_id[ref])
                elif ref in uploads:
                    described[ref] = entry
                else:
                    raise invalid_form(f"attachments: unknown attachment id {ref}")
        else:
            kept = list(existing)
        for index in sorted(uploads):
            upload = uploads[index]
            entry = described.get(index, {})
            kept.append(
                self.state.store_file(
                    self.fake.base_url,
                    channel.id,
                    entry.get("filename") or upload.filename,
                    upload.data,
                    upload.content_type,
                    description=entry.get("description"),
                    ephemeral=ephemeral,
                )
            )
        return kept

    # ----- create ---------------------------------------------------------------------
    async def create(
        self,
        channel: Channel,
        author: User,
        body: dict[str, Any],
        uploads: dict[int, Upload] | None = None,
        *,
        message_type: int = 0,
        webhook_id: int | None = None,
        interaction_metadata: dict[str, Any] | None = None,
        extra_flags: int = 0,
    ) -> Message:
        uploads = uploads or {}
        # A deferred ("thinking") message is legitimately empty until it is edited.
        creating = not extra_flags & Message.LOADING
        validate_message_body(body, has_files=bool(uploads), creating=creating)
        await self._unarchive_for_post(channel)
        flags = (int(body.get("flags") or 0) & SETTABLE_FLAGS) | extra_flags
        if interaction_metadata is None:
            # Only interaction responses can be ephemeral.
            flags &= ~Message.EPHEMERAL
        content = body.get("content") or ""
        message = Message(
            id=self.state.snowflake(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author=author,
            content=str(content),
            embeds=list(body.get("embeds") or []),
            components=list(body.get("components") or []),
            flags=flags,
            type=message_type,
            webhook_id=webhook_id,
            application_id=self.fake.application_id if webhook_id else None,
            interaction_metadata=interaction_metadata,
            mention_ids=self.mentions(channel, str(content)),
            mention_role_ids=[int(r) for r in ROLE_MENTION.findall(str(content))],
            allowed_mentions=body.get("allowed_mentions"),
        )
        reference = body.get("message_reference")
        if reference:
            if message_type == 0 and reference.get("message_id"):
                message.type = 19  # REPLY
            message.message_reference = {
                "type": 0,
                "channel_id": str(reference.get("channel_id") or channel.id),
                **(
                    {"message_id": str(reference["message_id"])}
                    if reference.get("message_id")
                    else {}
                ),
                **({"guild_id": str(channel.guild_id)} if channel.guild_id else {}),
            }
        message.attachments = self._attachments(
            channel, body, uploads, [], ephemeral=message.ephemeral
        )
        self.state.messages[message.id] = message
        self.remember_nonce(message, body)
        channel.last_message_id = message.id
        if channel.is_thread:
            channel.message_count += 1
        await self.dispatch_create(message)
        await self.state.notify()
        return message

    def mentions(self, channel: Channel, content: str) -> list[int]:
        ids = [int(u) for u in USER_MENTION.findall(content)]
        return [u for u in dict.fromkeys(ids) if u in self.state.users]

    async def _unarchive_for_post(self, channel: Channel) -> None:
        # Posting into an archived, unlocked thread unarchives it, as on Discord.
        if channel.is_thread and channel.archived:
            if channel.locked:
                raise DiscordError(400, 50083, "Thread is archived")
            channel.archived = False
            channel.archive_timestamp = time.time()
            await self.dispatch_channel_update(channel)

    async def dispatch_create(self, message: Message) -> None:
        if message.ephemeral:
            return  # Discord never sends ephemeral messages over the gateway.

        def build(session: GatewaySession) -> dict[str, Any]:
            return payloads.message_payload(
                self.state,
                message,
                for_gateway=True,
                strip_content=self._withhold_content(session, message),
            )

        await self.fake.gateway.dispatch(
            "MESSAGE_CREATE", build, guild_id=message.guild_id, intent=self._intent(message)
        )

    def _withhold_content(self, session: GatewaySession, message: Message) -> bool:
        if message.guild_id is None or session.has_intent(INTENT_MESSAGE_CONTENT):
            return False
        bot_id = self.fake.bot_user.id
        return message.author.id != bot_id and bot_id not in message.mention_ids

    @staticmethod
    def _intent(message: Message) -> int:
        return INTENT_DIRECT_MESSAGES if message.guild_id is None else INTENT_GUILD_MESSAGES

    # ----- edit / delete --------------------------------------------------------------
    async def edit(
        self, message: Message, body: dict[str, Any], uploads: dict[int, Upload] | None = None
    ) -> Message:
        uploads = uploads or {}
        validate_message_body(body, has_files=bool(uploads), creating=False)
        channel = self.state.channels[message.channel_id]
        if "content" in body:
            message.content = str(body["content"] or "")
            message.mention_ids = self.mentions(channel, message.content)
        if "embeds" in body:
            message.embeds = list(body["embeds"] or [])
        if "components" in body:
            message.components = list(body["components"] or [])
        if body.get("flags") is not None:
            # Ephemerality is fixed at creation; edits may only toggle the other settable flags.
            server_side = message.flags & (~SETTABLE_FLAGS | Message.EPHEMERAL)
            message.flags = server_side | (int(body["flags"]) & SETTABLE_FLAGS & ~Message.EPHEMERAL)
        if "attachments" in body or uploads:
            message.attachments = self._attachments(
                channel, body, uploads, message.attachments, ephemeral=message.ephemeral
            )
        was_loading = bool(message.flags & Message.LOADING)
        if was_loading:
            # Filling a deferred response is the message's first showing: it notifies.
            message.allowed_mentions = body.get("allowed_mentions")
        message.flags &= ~Message.LOADING
        if not was_loading:
            message.edited_timestamp = time.time()
        message.edits.append(body)
        if not message.ephemeral:
            await self.fake.gateway.dispatch(
                "MESSAGE_UPDATE",
                lambda s: payloads.message_payload(
                    self.state,
                    message,
                    for_gateway=True,
                    strip_content=self._withhold_content(s, message),
                ),
                guild_id=message.guild_id,
                intent=self._intent(message),
            )
        await self.state.notify()
        return message

    async def delete(self, message: Message) -> None:
        message.deleted = True
        if not message.ephemeral:
            event: dict[str, Any] = {"id": str(message.id), "channel_id": str(message.channel_id)}
            if message.guild_id is not None:
                event["guild_id"] = str(message.guild_id)
            await self.fake.gateway.dispatch(
                "MESSAGE_DELETE", event, guild_id=message.guild_id, intent=self._intent(message)
            )
        await self.state.notify()

    async def dispatch_channel_update(self, channel: Channel) -> None:
        event = "THREAD_UPDATE" if channel.is_thread else "CHANNEL_UPDATE"
        await self.fake.gateway.dispatch(
            event,
            payloads.channel_payload(self.state, channel),
            guild_id=channel.guild_id,
            intent=INTENT_GUILDS,
        )
