"""Discord-shaped JSON payloads built from the fake's state.

discord.py drops the websocket when a parser raises, so every builder emits the complete
set of keys the library indexes with ``data[...]`` (see discord/member.py, role.py,
threads.py, message.py, guild.py), not just the ones a test happens to read.
"""

from __future__ import annotations

from typing import Any

from .state import (
    Channel,
    Guild,
    Member,
    Message,
    Role,
    State,
    StoredFile,
    User,
    iso,
)


def user_payload(user: User) -> dict[str, Any]:
    return {
        "id": str(user.id),
        "username": user.username,
        "global_name": user.global_name,
        "discriminator": "0",
        "avatar": None,
        "bot": user.bot,
        "system": False,
        "public_flags": 0,
        "banner": None,
        "accent_color": None,
        "avatar_decoration_data": None,
    }


def self_user_payload(user: User) -> dict[str, Any]:
    return {
        **user_payload(user),
        "verified": True,
        "mfa_enabled": False,
        "flags": 0,
        "locale": "en-US",
        "email": None,
    }


def role_payload(role: Role) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": str(role.id),
        "name": role.name,
        "permissions": str(role.permissions),
        "position": role.position,
        "color": role.color,
        "colors": {"primary_color": role.color, "secondary_color": None, "tertiary_color": None},
        "hoist": role.hoist,
        "icon": None,
        "unicode_emoji": None,
        "managed": role.managed,
        "mentionable": role.mentionable,
        "flags": 0,
    }
    if role.bot_id is not None:
        payload["tags"] = {"bot_id": str(role.bot_id)}
    return payload


def member_payload(
    member: Member, *, with_user: bool = True, permissions: int | None = None
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "roles": [str(r) for r in member.role_ids],
        "nick": member.nick,
        "avatar": None,
        "banner": None,
        "joined_at": iso(member.joined_at),
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "pending": False,
        "flags": 0,
        "communication_disabled_until": None,
    }
    if with_user:
        payload["user"] = user_payload(member.user)
    if permissions is not None:
        payload["permissions"] = str(permissions)
    return payload


def thread_member_payload(thread: Channel, user_id: int, joined_at: float) -> dict[str, Any]:
    return {
        "id": str(thread.id),
        "user_id": str(user_id),
        "join_timestamp": iso(joined_at),
        "flags": 0,
    }


def channel_payload(state: State, channel: Channel) -> dict[str, Any]:
    if channel.is_dm:
        recipient = state.users[channel.recipient_id] if channel.recipient_id else None
        return {
            "id": str(channel.id),
            "type": channel.type,
            "last_message_id": _opt_id(channel.last_message_id),
            "flags": 0,
            "recipients": [user_payload(recipient)] if recipient else [],
        }
    payload: dict[str, Any] = {
        "id": str(channel.id),
        "type": channel.type,
        "guild_id": str(channel.guild_id),
        "name": channel.name,
        "parent_id": _opt_id(channel.parent_id),
        "position": channel.position,
        "permission_overwrites": [],
        "nsfw": False,
        "rate_limit_per_user": 0,
        "last_message_id": _opt_id(channel.last_message_id),
        "flags": 0,
    }
    if channel.is_thread:
        payload.update(
            owner_id=str(channel.owner_id),
            message_count=channel.message_count,
            total_message_sent=channel.message_count,
            member_count=min(len(channel.member_ids), 50),
            thread_metadata={
                "archived": channel.archived,
                "auto_archive_duration": channel.auto_archive_duration,
                "archive_timestamp": iso(channel.archive_timestamp),
                "locked": channel.locked,
                "invitable": channel.invitable,
                "create_timestamp": iso(channel.created_at),
            },
            applied_tags=[],
        )
        del payload["position"]
        del payload["permission_overwrites"]
    else:
        payload.update(topic=channel.topic, default_auto_archive_duration=1440)
    return payload


def attachment_payload(stored: StoredFile) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": str(stored.id),
        "filename": stored.filename,
        "size": stored.size,
        "url": stored.url,
        "proxy_url": stored.url,
        "content_type": stored.content_type,
        "flags": 0,
    }
    if stored.description is not None:
        payload["description"] = stored.description
    if stored.ephemeral:
        payload["ephemeral"] = True
    return payload


def message_payload(
    state: State, message: Message, *, for_gateway: bool = False, strip_content: bool = False
) -> dict[str, Any]:
    """A message as REST returns it; ``for_gateway`` adds the author's partial member.

    ``strip_content`` mimics Discord withholding content from bots without the privileged
    MESSAGE_CONTENT intent.
    """
    mentions: list[dict[str, Any]] = []
    for user_id in message.mention_ids:
        user = state.users.get(user_id)
        if user is None:
            continue
        mention = user_payload(user)
        member = state.member(message.guild_id, user_id) if message.guild_id else None
        if member is not None and for_gateway:
            mention["member"] = member_payload(member, with_user=False)
        mentions.append(mention)
    payload: dict[str, Any] = {
        "id": str(message.id),
        "channel_id": str(message.channel_id),
        "author": user_payload(message.author),
        "content": "" if strip_content else message.content,
        "timestamp": iso(message.timestamp),
        "edited_timestamp": iso(message.edited_timestamp) if message.edited_timestamp else None,
        "tts": False,
        "mention_everyone": False,
        "mentions": mentions,
        "mention_roles": [str(r) for r in message.mention_role_ids],
        "attachments": []
        if strip_content
        else [attachment_payload(a) for a in message.attachments],
        "embeds": [] if strip_content else message.embeds,
        "components": [] if strip_content else message.components,
        "reactions": [
            {"count": len(users), "me": state.bot_id in users, "emoji": {"id": None, "name": e}}
            for e, users in message.reactions.items()
            if users
        ],
        "pinned": message.pinned,
        "type": message.type,
        "flags": message.flags,
    }
    if message.guild_id is not None:
        payload["guild_id"] = str(message.guild_id)
        member = state.member(message.guild_id, message.author.id)
        if for_gateway and member is not None and message.webhook_id is None:
            payload["member"] = member_payload(member, with_user=False)
    if message.webhook_id is not None:
        payload["webhook_id"] = str(message.webhook_id)
    if message.application_id is not None:
        payload["application_id"] = str(message.application_id)
    if message.interaction_metadata is not None:
        payload["interaction_metadata"] = message.interaction_metadata
    if message.message_reference is not None:
        payload["message_reference"] = message.message_reference
    thread = state.channels.get(message.id)
    if thread is not None and thread.is_thread:
        payload["thread"] = channel_payload(state, thread)
    return payload


def guild_payload(state: State, guild: Guild) -> dict[str, Any]:
    return {
        "id": str(guild.id),
        "name": guild.name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "description": None,
        "owner_id": str(guild.owner_id),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "roles": [role_payload(r) for r in guild.roles.values()],
        "emojis": [],
        "stickers": [],
        "features": [],
        "mfa_level": 0,
        "application_id": None,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "safety_alerts_channel_id": None,
        "vanity_url_code": None,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": guild.preferred_locale,
        "max_members": 500000,
        "max_video_channel_users": 25,
        "nsfw_level": 0,
        "premium_progress_bar_enabled": False,
    }


def guild_create_payload(
    state: State, guild: Guild, *, with_members: bool, bot_id: int
) -> dict[str, Any]:
    """GUILD_CREATE as sent to a bot; without GUILD_MEMBERS only the bot's member is sent."""
    members = [
        member_payload(m) for m in guild.members.values() if with_members or m.user.id == bot_id
    ]
    channels = [state.channels[c] for c in guild.channel_ids]
    bot_member = guild.members.get(bot_id)
    return {
        **guild_payload(state, guild),
        "joined_at": iso(bot_member.joined_at) if bot_member else iso(0),
        "large": False,
        "unavailable": False,
        "member_count": len(guild.members),
        "members": members,
        "channels": [channel_payload(state, c) for c in channels if not c.is_thread],
        "threads": [channel_payload(state, c) for c in channels if c.is_thread and not c.archived],
        "presences": [],
        "voice_states": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
    }


def application_payload(app_id: int, bot: User, owner: User) -> dict[str, Any]:
    return {
        "id": str(app_id),
        "name": bot.username,
        "icon": None,
        "description": "",
        "summary": "",
        "type": None,
        "bot_public": True,
        "bot_require_code_grant": False,
        "verify_key": "0" * 64,
        "flags": 0,
        "owner": user_payload(owner),
        "team": None,
        "bot": user_payload(bot),
        "rpc_origins": [],
        "interactions_endpoint_url": None,
        "redirect_uris": [],
        "tags": [],
        "install_params": None,
        "custom_install_url": None,
        "approximate_guild_count": 0,
    }


def _opt_id(value: int | None) -> str | None:
    return str(value) if value is not None else None
