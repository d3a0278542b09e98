"""REST routes for users, guilds, channels, messages, threads and DMs."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from aiohttp import web

from . import payloads
from .http_util import DiscordError, invalid_form, json_response, no_content, not_found, read_body
from .state import (
    DM,
    GUILD_TEXT,
    INTENT_GUILD_MEMBERS,
    INTENT_GUILDS,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    Channel,
    Guild,
    Member,
    Message,
    Role,
)

if TYPE_CHECKING:
    from .server import FakeDiscord

CATEGORY, ANNOUNCEMENT, ANNOUNCEMENT_THREAD = 4, 5, 10
THREAD_CREATED_MESSAGE = 18


class RestApi:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.state = fake.state

    def routes(self) -> list[web.RouteDef]:
        ch = "/channels/{channel_id}"
        msg = ch + "/messages/{message_id}"
        g = "/guilds/{guild_id}"
        return [
            web.get("/gateway", self.get_gateway),
            web.get("/gateway/bot", self.get_gateway_bot),
            web.get("/users/@me", self.get_me),
            web.post("/users/@me/channels", self.create_dm),
            web.get("/users/{user_id}", self.get_user),
            web.get("/applications/@me", self.get_application),
            web.get("/oauth2/applications/@me", self.get_application),
            web.get(ch, self.get_channel),
            web.patch(ch, self.edit_channel),
            web.delete(ch, self.delete_channel),
            web.post(ch + "/typing", self.typing),
            # Pin routes are registered before /messages/{message_id} so "pins" is not an id.
            web.get(ch + "/messages/pins", self.get_pins),
            web.put(ch + "/messages/pins/{message_id}", self.pin),
            web.delete(ch + "/messages/pins/{message_id}", self.unpin),
            web.get(ch + "/pins", self.get_pins_legacy),
            web.put(ch + "/pins/{message_id}", self.pin),
            web.delete(ch + "/pins/{message_id}", self.unpin),
            web.get(ch + "/messages", self.history),
            web.post(ch + "/messages", self.send_message),
            web.get(msg, self.get_message),
            web.patch(msg, self.edit_message),
            web.delete(msg, self.delete_message),
            web.put(msg + "/reactions/{emoji}/@me", self.add_reaction),
            web.delete(msg + "/reactions/{emoji}/@me", self.remove_reaction),
            web.post(msg + "/threads", self.thread_from_message),
            web.post(ch + "/threads", self.create_thread),
            web.get(ch + "/thread-members", self.list_thread_members),
            web.get(ch + "/thread-members/{user_id}", self.get_thread_member),
            web.put(ch + "/thread-members/{user_id}", self.add_thread_member),
            web.delete(ch + "/thread-members/{user_id}", self.remove_thread_member),
            web.get(g, self.get_guild),
            web.get(g + "/channels", self.guild_channels),
            web.post(g + "/channels", self.create_guild_channel),
            web.get(g + "/roles", self.guild_roles),
            web.post(g + "/roles", self.create_role),
            web.get(g + "/members", self.list_members),
            web.get(g + "/members/{user_id}", self.get_member),
            web.put(g + "/members/{user_id}/roles/{role_id}", self.add_member_role),
            web.delete(g + "/members/{user_id}/roles/{role_id}", self.remove_member_role),
        ]

    # ----- lookups that answer Discord's errors ---------------------------------------
    def _channel(self, request: web.Request) -> Channel:
        channel = self.state.channels.get(int(request.match_info["channel_id"]))
        if channel is None:
            raise not_found("Channel", 10003)
        return channel

    def _message(self, request: web.Request, channel: Channel) -> Message:
        message = self.state.messages.get(int(request.match_info["message_id"]))
        if message is None or message.deleted or message.channel_id != channel.id:
            raise not_found("Message", 10008)
        return message

    def _guild(self, request: web.Request) -> Guild:
        guild = self.state.guilds.get(int(request.match_info["guild_id"]))
        if guild is None:
            raise not_found("Guild", 10004)
        return guild

    def _member(self, guild: Guild, raw_user_id: str) -> Member:
        user_id = self.fake.bot_user.id if raw_user_id == "@me" else int(raw_user_id)
        member = guild.members.get(user_id)
        if member is None:
            raise not_found("Member", 10007)
        return member

    def _thread(self, request: web.Request) -> Channel:
        channel = self._channel(request)
        if not channel.is_thread:
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        return channel

    # ----- gateway / identity ---------------------------------------------------------
    async def get_gateway(self, request: web.Request) -> web.Response:
        return json_response({"url": self.fake.gateway_url})

    async def get_gateway_bot(self, request: web.Request) -> web.Response:
        return json_response(
            {
                "url": self.fake.gateway_url,
                "shards": self.fake.recommended_shards,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 1000,
                    "reset_after": 0,
                    "max_concurrency": 1,
                },
            }
        )

    async def get_me(self, request: web.Request) -> web.Response:
        return json_response(payloads.self_user_payload(self.fake.bot_user))

    async def get_user(self, request: web.Request) -> web.Response:
        user = self.state.users.get(int(request.match_info["user_id"]))
        if user is None:
            raise not_found("User", 10013)
        return json_response(payloads.user_payload(user))

    async def get_application(self, request: web.Request) -> web.Response:
        return json_response(
            payloads.application_payload(
                self.fake.application_id, self.fake.bot_user, self.fake.application_owner
            )
        )

    # ----- channels -------------------------------------------------------------------
    async def get_channel(self, request: web.Request) -> web.Response:
        return json_response(payloads.channel_payload(self.state, self._channel(request)))

    async def edit_channel(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        body, _ = await read_body(request)
        if body.get("name"):
            channel.name = str(body["name"])
        if channel.is_thread:
            if "archived" in body and body["archived"] is not None:
                channel.archived = bool(body["archived"])
                channel.archive_timestamp = time.time()
            if body.get("locked") is not None:
                channel.locked = bool(body["locked"])
            if body.get("invitable") is not None:
                channel.invitable = bool(body["invitable"])
            if body.get("auto_archive_duration") is not None:
                channel.auto_archive_duration = int(body["auto_archive_duration"])
        else:
            if "topic" in body:
                channel.topic = body["topic"]
            if body.get("position") is not None:
                channel.position = int(body["position"])
            if "parent_id" in body:
                channel.parent_id = int(body["parent_id"]) if body["parent_id"] else None
        await self.fake.messages.dispatch_channel_update(channel)
        await self.state.notify()
        return json_response(payloads.channel_payload(self.state, channel))

    async def delete_channel(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        payload = payloads.channel_payload(self.state, channel)
        del self.state.channels[channel.id]
        guild = self.state.guild_of(channel)
        if guild is not None and channel.id in guild.channel_ids:
            guild.channel_ids.remove(channel.id)
        if guild is not None:
            if channel.is_thread:
                event = "THREAD_DELETE"
                body: dict[str, Any] = {
                    "id": str(channel.id),
                    "guild_id": str(guild.id),
                    "parent_id": str(channel.parent_id),
                    "type": channel.type,
                }
            else:
                event, body = "CHANNEL_DELETE", payload
            await self.fake.gateway.dispatch(event, body, guild_id=guild.id, intent=INTENT_GUILDS)
        await self.state.notify()
        return json_response(payload)

    async def typing(self, request: web.Request) -> web.Response:
        self._channel(request)
        return no_content()

    async def create_guild_channel(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        body, _ = await read_body(request)
        channel_type = int(body.get("type") or GUILD_TEXT)
        if channel_type not in (GUILD_TEXT, CATEGORY, ANNOUNCEMENT):
            raise invalid_form(f"type: channel type {channel_type} is not supported by the fake")
        if not body.get("name"):
            raise invalid_form("name: This field is required")
        channel = await self.fake.add_channel(
            guild,
            str(body["name"]),
            channel_type=channel_type,
            topic=body.get("topic"),
            parent_id=int(body["parent_id"]) if body.get("parent_id") else None,
        )
        return json_response(payloads.channel_payload(self.state, channel), status=201)

    # ----- messages -------------------------------------------------------------------
    async def send_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        body, uploads = await read_body(request)
        if channel.is_dm:
            recipient = self.state.users.get(channel.recipient_id or 0)
            if recipient is None or not recipient.accepts_dms:
                raise DiscordError(403, 50007, "Cannot send messages to this user")
        message = self.fake.messages.by_nonce(self.fake.bot_user, body)
        if message is None:
            message = await self.fake.messages.create(channel, self.fake.bot_user, body, uploads)
        return json_response(payloads.message_payload(self.state, message))

    async def get_message(self, request: web.Request) -> web.Response:
        message = self._message(request, self._channel(request))
        return json_response(payloads.message_payload(self.state, message))

    async def edit_message(self, request: web.Request) -> web.Response:
        message = self._message(request, self._channel(request))
        if message.author.id != self.fake.bot_user.id:
            raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
        body, uploads = await read_body(request)
        await self.fake.messages.edit(message, body, uploads)
        return json_response(payloads.message_payload(self.state, message))

    async def delete_message(self, request: web.Request) -> web.Response:
        message = self._message(request, self._channel(request))
        await self.fake.messages.delete(message)
        return no_content()

    async def history(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        limit = min(int(request.query.get("limit", 50)), 100)
        messages = self.state.messages_in(channel.id)
        if "before" in request.query:
            messages = [m for m in messages if m.id < int(request.query["before"])]
        if "after" in request.query:
            messages = [m for m in messages if m.id > int(request.query["after"])][:limit]
        if "around" in request.query:
            around = int(request.query["around"])
            older = [m for m in messages if m.id <= around][-(limit // 2 + 1) :]
            newer = [m for m in messages if m.id > around][: limit // 2]
            messages = older + newer
        # Discord returns the newest messages first.
        newest_first = list(reversed(messages))[:limit]
        return json_response([payloads.message_payload(self.state, m) for m in newest_first])

    async def _set_pinned(self, request: web.Request, pinned: bool) -> web.Response:
        channel = self._channel(request)
        message = self._message(request, channel)
        message.pinned = pinned
        event: dict[str, Any] = {"channel_id": str(channel.id), "last_pin_timestamp": None}
        if channel.guild_id is not None:
            event["guild_id"] = str(channel.guild_id)
        await self.fake.gateway.dispatch(
            "CHANNEL_PINS_UPDATE", event, guild_id=channel.guild_id, intent=INTENT_GUILDS
        )
        await self.state.notify()
        return no_content()

    async def pin(self, request: web.Request) -> web.Response:
        return await self._set_pinned(request, True)

    async def unpin(self, request: web.Request) -> web.Response:
        return await self._set_pinned(request, False)

    def _pinned(self, channel: Channel) -> list[Message]:
        return [m for m in reversed(self.state.messages_in(channel.id)) if m.pinned]

    async def get_pins(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        items = [
            {
                "pinned_at": payloads.iso(time.time()),
                "message": payloads.message_payload(self.state, m),
            }
            for m in self._pinned(channel)
        ]
        return json_response({"items": items, "has_more": False})

    async def get_pins_legacy(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        return json_response(
            [payloads.message_payload(self.state, m) for m in self._pinned(channel)]
        )

    async def add_reaction(self, request: web.Request) -> web.Response:
        message = self._message(request, self._channel(request))
        emoji = unquote(request.match_info["emoji"])
        message.reactions.setdefault(emoji, set()).add(self.fake.bot_user.id)
        await self.state.notify()
        return no_content()

    async def remove_reaction(self, request: web.Request) -> web.Response:
        message = self._message(request, self._channel(request))
        emoji = unquote(request.match_info["emoji"])
        message.reactions.get(emoji, set()).discard(self.fake.bot_user.id)
        await self.state.notify()
        return no_content()

    # ----- threads --------------------------------------------------------------------
    async def create_thread(self, request: web.Request) -> web.Response:
        parent = self._channel(request)
        if parent.type not in (GUILD_TEXT, ANNOUNCEMENT):
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        body, _ = await read_body(request)
        # Without an explicit type Discord (API v9+) creates a private thread.
        thread_type = int(body.get("type") or PRIVATE_THREAD)
        if thread_type not in (PUBLIC_THREAD, PRIVATE_THREAD):
            raise invalid_form(f"type: invalid thread type {thread_type}")
        thread = await self._start_thread(parent, body, thread_type, thread_id=None)
        if thread_type == PUBLIC_THREAD:
            # Discord announces message-less public threads in the parent channel.
            await self.fake.messages.create(
                parent,
                self.fake.bot_user,
                {"content": thread.name, "message_reference": {"channel_id": str(thread.id)}},
                message_type=THREAD_CREATED_MESSAGE,
            )
        return json_response(self._thread_response(thread), status=201)

    async def thread_from_message(self, request: web.Request) -> web.Response:
        parent = self._channel(request)
        message = self._message(request, parent)
        if message.id in self.state.channels:
            raise DiscordError(400, 160004, "A thread has already been created for this message")
        body, _ = await read_body(request)
        thread_type = ANNOUNCEMENT_THREAD if parent.type == ANNOUNCEMENT else PUBLIC_THREAD
        # A thread started from a message shares the message's id, as on Discord.
        thread = await self._start_thread(parent, body, thread_type, thread_id=message.id)
        return json_response(self._thread_response(thread), status=201)

    async def _start_thread(
        self, parent: Channel, body: dict[str, Any], thread_type: int, thread_id: int | None
    ) -> Channel:
        name = str(body.get("name") or "")
        if not 1 <= len(name) <= 100:
            raise invalid_form("name: Must be between 1 and 100 in length.")
        bot_id = self.fake.bot_user.id
        thread = Channel(
            id=thread_id or self.state.snowflake(),
            type=thread_type,
            name=name,
            guild_id=parent.guild_id,
            parent_id=parent.id,
            owner_id=bot_id,
            auto_archive_duration=int(body.get("auto_archive_duration") or 1440),
            invitable=bool(body.get("invitable", True)),
            member_ids=[bot_id],
        )
        self.state.channels[thread.id] = thread
        guild = self.state.guild_of(parent)
        assert guild is not None
        guild.channel_ids.append(thread.id)
        event = {
            **payloads.channel_payload(self.state, thread),
            "newly_created": True,
            "member": payloads.thread_member_payload(thread, bot_id, thread.created_at),
        }
        await self.fake.gateway.dispatch(
            "THREAD_CREATE", event, guild_id=guild.id, intent=INTENT_GUILDS
        )
        await self.state.notify()
        return thread

    def _thread_response(self, thread: Channel) -> dict[str, Any]:
        return {
            **payloads.channel_payload(self.state, thread),
            "member": payloads.thread_member_payload(
                thread, self.fake.bot_user.id, thread.created_at
            ),
        }

    async def list_thread_members(self, request: web.Request) -> web.Response:
        thread = self._thread(request)
        return json_response(
            [
                payloads.thread_member_payload(thread, u, thread.created_at)
                for u in thread.member_ids
            ]
        )

    async def get_thread_member(self, request: web.Request) -> web.Response:
        thread = self._thread(request)
        raw = request.match_info["user_id"]
        user_id = self.fake.bot_user.id if raw == "@me" else int(raw)
        if user_id not in thread.member_ids:
            raise not_found("Member", 10007)
        return json_response(payloads.thread_member_payload(thread, user_id, thread.created_at))

    async def add_thread_member(self, request: web.Request) -> web.Response:
        thread = self._thread(request)
        guild = self.state.guild_of(thread)
        assert guild is not None
        member = self._member(guild, request.match_info["user_id"])
        if thread.archived:
            raise DiscordError(400, 50083, "Thread is archived")
        if member.id not in thread.member_ids:
            thread.member_ids.append(member.id)
            await self._dispatch_thread_members(thread, guild, added=member)
        await self.state.notify()
        return no_content()

    async def remove_thread_member(self, request: web.Request) -> web.Response:
        thread = self._thread(request)
        guild = self.state.guild_of(thread)
        assert guild is not None
        member = self._member(guild, request.match_info["user_id"])
        if member.id in thread.member_ids:
            thread.member_ids.remove(member.id)
            await self._dispatch_thread_members(thread, guild, removed=member)
        await self.state.notify()
        return no_content()

    async def _dispatch_thread_members(
        self,
        thread: Channel,
        guild: Guild,
        *,
        added: Member | None = None,
        removed: Member | None = None,
    ) -> None:
        event: dict[str, Any] = {
            "id": str(thread.id),
            "guild_id": str(guild.id),
            "member_count": min(len(thread.member_ids), 50),
        }
        subject = added or removed
        assert subject is not None
        if added is not None:
            event["added_members"] = [
                {
                    **payloads.thread_member_payload(thread, added.id, time.time()),
                    "member": payloads.member_payload(added),
                    "presence": None,
                }
            ]
        if removed is not None:
            event["removed_member_ids"] = [str(removed.id)]
        # Updates about other users need the privileged GUILD_MEMBERS intent.
        intent = INTENT_GUILDS if subject.id == self.fake.bot_user.id else INTENT_GUILD_MEMBERS
        await self.fake.gateway.dispatch(
            "THREAD_MEMBERS_UPDATE", event, guild_id=guild.id, intent=intent
        )

    # ----- DMs ------------------------------------------------------------------------
    async def create_dm(self, request: web.Request) -> web.Response:
        body, _ = await read_body(request)
        user = self.state.users.get(int(body.get("recipient_id") or 0))
        if user is None:
            raise not_found("User", 10013)
        if user.id == self.fake.bot_user.id:
            raise DiscordError(400, 50007, "Cannot send messages to this user")
        channel = self.state.dm_channel_for(user.id)
        if channel is None:
            channel = Channel(id=self.state.snowflake(), type=DM, recipient_id=user.id)
            self.state.channels[channel.id] = channel
            await self.state.notify()
        # Discord does not send CHANNEL_CREATE for DMs on API v8+; the REST answer is all.
        return json_response(payloads.channel_payload(self.state, channel))

    # ----- guilds, roles, members -----------------------------------------------------
    async def get_guild(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        payload = payloads.guild_payload(self.state, guild)
        payload["approximate_member_count"] = len(guild.members)
        payload["approximate_presence_count"] = 0
        return json_response(payload)

    async def guild_channels(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        channels = [self.state.channels[c] for c in guild.channel_ids]
        return json_response(
            [payloads.channel_payload(self.state, c) for c in channels if not c.is_thread]
        )

    async def guild_roles(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        return json_response([payloads.role_payload(r) for r in guild.roles.values()])

    async def create_role(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        body, _ = await read_body(request)
        role = await self.fake.add_role(
            guild,
            str(body.get("name") or "new role"),
            permissions=int(body.get("permissions") or 0),
            color=int(body.get("color") or 0),
            hoist=bool(body.get("hoist", False)),
            mentionable=bool(body.get("mentionable", False)),
        )
        return json_response(payloads.role_payload(role))

    async def list_members(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        after = int(request.query.get("after", 0))
        limit = min(int(request.query.get("limit", 1)), 1000)
        members = sorted((m for m in guild.members.values() if m.id > after), key=lambda m: m.id)
        return json_response([payloads.member_payload(m) for m in members[:limit]])

    async def get_member(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        return json_response(
            payloads.member_payload(self._member(guild, request.match_info["user_id"]))
        )

    def _role(self, guild: Guild, request: web.Request) -> Role:
        role = guild.roles.get(int(request.match_info["role_id"]))
        if role is None:
            raise not_found("Role", 10011)
        return role

    async def add_member_role(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        member = self._member(guild, request.match_info["user_id"])
        role = self._role(guild, request)
        if role.id not in member.role_ids:
            member.role_ids.append(role.id)
            await self.fake.dispatch_member_update(guild, member)
        return no_content()

    async def remove_member_role(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        member = self._member(guild, request.match_info["user_id"])
        role = self._role(guild, request)
        if role.id in member.role_ids:
            member.role_ids.remove(role.id)
            await self.fake.dispatch_member_update(guild, member)
        return no_content()
