"""Turns domain events into Discord messages. The engine never calls Discord itself.

Handlers live in ``bot/notify/<area>.py`` and register with ``@on(EventClass)``; each
receives the :class:`Notifier` (Discord helpers + services) and the event. Delivery is
at-least-once, so every message or thread a handler creates goes through :meth:`send`,
:meth:`announce`, :meth:`dm` or :meth:`open_thread`: under the outbox each is keyed
(``<subscriber>:<event id>:<label>``), recorded with the id it created, and skipped on a
retry in any process; the message also carries a nonce derived from the key, so Discord
itself drops a second post when a crash came between posting and recording.

A handler never assumes the guild is in this process's cache (the owner process should
have it, but a reconnect or a retry elsewhere may not): :meth:`guild` fetches it over REST.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import logging
import pkgutil
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import discord

from cogs._safe import user_text
from cogs._text import Words, discord_text
from engine.kernel.events import DomainEvent
from engine.kernel.outbox import Effect, OutboxDispatcher, current_delivery, effect_key
from engine.kernel.text import Message, Text, msg
from engine.services import Services

log = logging.getLogger(__name__)

E = TypeVar("E", bound=DomainEvent)
Handler = Callable[["Notifier", Any], Awaitable[None]]

_HANDLERS: dict[type[DomainEvent], list[Handler]] = {}
NONCE_LENGTH = 25  # Discord accepts nonces of up to 25 characters


def nonce_for(key: str) -> str:
    """The message nonce of an effect key: Discord returns the first message instead of
    posting a second one with the same nonce (``enforce_nonce``) for a few minutes."""
    return hashlib.sha256(key.encode()).hexdigest()[:NONCE_LENGTH]


def on(event_type: type[E]) -> Callable[[Callable[[Notifier, E], Awaitable[None]]], Handler]:
    def register(func: Callable[[Notifier, E], Awaitable[None]]) -> Handler:
        _HANDLERS.setdefault(event_type, []).append(func)
        return func

    return register


def _load_handlers() -> None:
    import bot.notify

    for module in pkgutil.iter_modules(bot.notify.__path__):
        importlib.import_module(f"bot.notify.{module.name}")


class Notifier:
    def __init__(self, client: discord.Client, services: Services) -> None:
        self.client = client
        self.services = services
        _load_handlers()

    def subscribe(self, dispatcher: OutboxDispatcher) -> None:
        """Each handler is its own outbox subscriber: one that fails (a deleted channel)
        is retried alone, and neither blocks nor repeats the others' messages."""
        for event_type, handlers in _HANDLERS.items():
            for handler in handlers:
                name = f"discord:{handler.__module__.rsplit('.', 1)[-1]}.{handler.__name__}"
                dispatcher.subscribe(
                    name, functools.partial(handler, self), event_types=[event_type.event_type]
                )

    async def handle(self, event: DomainEvent) -> None:
        """Every handler of ``event`` in turn (the demo and tests call this directly)."""
        for handler in _HANDLERS.get(type(event), []):
            await handler(self, event)

    @property
    def retrying(self) -> bool:
        """True when this delivery already failed once (a previous try may have acted)."""
        delivery = current_delivery()
        return delivery is not None and delivery.attempt > 0

    async def guild(self, guild_id: int | None) -> discord.Guild | None:
        """The guild from the cache, else over REST; None (logged) when it cannot be had.
        A guild fetched over REST has no members: read ``owner_id`` and ``name`` only."""
        if guild_id is None:
            return None
        guild = self.client.get_guild(guild_id)
        if guild is not None and not guild.unavailable:
            return guild
        try:
            return await self.client.fetch_guild(guild_id)
        except discord.HTTPException as exc:
            log.info("guild %s is not in this process's cache nor fetchable (%s)", guild_id, exc)
            return None

    async def guild_name(self, guild_id: int | None) -> str | None:
        """The server's name as the bot sees it, for messages sent outside it (DMs)."""
        guild = await self.guild(guild_id)
        return guild.name if guild is not None else None

    async def where(self, guild_id: int | None) -> str:
        """`` on **Server**`` for a DM about something in that server; empty if unknown."""
        name = await self.guild_name(guild_id)
        return f" on **{user_text(name)}**" if name else ""

    async def where_clause(self, guild_id: int | None) -> Message | str:
        """:meth:`where` as a clause of a message (in the reader's language)."""
        name = await self.guild_name(guild_id)
        return msg(" on **{server}**", server=name) if name else ""

    async def send(
        self,
        channel: discord.abc.Messageable,
        content: str | None = None,
        *,
        effect: str = "post",
        **kwargs: Any,
    ) -> discord.Message | discord.PartialMessage:
        """Post once per delivery: a retry returns the message recorded under the key
        instead of posting again. Outside the outbox (demo, tests) it simply posts."""
        key = effect_key(effect)
        if key is None:
            return await channel.send(content, **kwargs)
        done = await self.services.outbox.effects.find(key)
        if done is not None:
            log.info("%s was posted before as message %s; not posting again", key, done.object_id)
            return _partial(channel, done)
        message = await channel.send(content, nonce=nonce_for(key), **kwargs)
        await self.services.outbox.effects.record(key, message.channel.id, message.id)
        return message

    async def open_thread(
        self, parent: discord.TextChannel, name: str, *, effect: str = "thread", **kwargs: Any
    ) -> discord.Thread:
        """Create a thread once per delivery: a retry gets the thread recorded under the key
        (threads take no nonce, so only a crash between creating and recording repeats)."""
        key = effect_key(effect)
        done = await self.services.outbox.effects.find(key) if key else None
        if done is not None:
            try:
                found = await self.client.fetch_channel(done.object_id)
            except discord.NotFound:
                found = None
            if isinstance(found, discord.Thread):
                return found
        thread = await parent.create_thread(name=name, **kwargs)
        if key is not None:
            await self.services.outbox.effects.record(key, parent.id, thread.id)
        return thread

    async def channel(self, channel_id: int) -> discord.abc.Messageable:
        channel = self.client.get_channel(channel_id)
        if channel is None:
            channel = await self.client.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            raise TypeError(f"channel {channel_id} cannot receive messages")
        return channel

    async def public_text(self, guild_id: int | None, text: Text) -> str:
        """Engine text for everyone in a server to read: in the server's language."""
        language = await self.services.languages.server_language(guild_id)
        return discord_text(text, self.client, language)

    async def private_text(self, user_id: int, guild_id: int | None, text: Text) -> str:
        """Engine text for one person (a DM): in their language, else the server's."""
        language = await self.services.languages.reader_language(user_id, guild_id)
        return discord_text(text, self.client, language)

    async def public_words(self, guild_id: int | None) -> Words:
        """Writes text for everyone in a server (posts, threads, the buttons on them)."""
        return Words(await self.services.languages.server_language(guild_id), self.client)

    async def private_words(self, user_id: int, guild_id: int | None) -> Words:
        """Writes text for one person (DMs, the buttons on them)."""
        return Words(await self.services.languages.reader_language(user_id, guild_id), self.client)

    async def announce(
        self, guild_id: int | None, content: Text | None = None, **kwargs: Any
    ) -> discord.Message | discord.PartialMessage | None:
        """Post in the guild's announcement channel (engine text in the server's
        language); quietly skip when none is set."""
        if guild_id is None:
            return None
        settings = await self.services.guilds.get_settings(guild_id)
        if settings is None or settings.announcement_channel_id is None:
            return None
        channel = await self.channel(settings.announcement_channel_id)
        if isinstance(content, Message):
            content = discord_text(content, self.client, settings.language)
        return await self.send(channel, content, effect="announce", **kwargs)

    async def dm(
        self,
        user_id: int,
        content: Text | None = None,
        *,
        guild_id: int | None = None,
        **kwargs: Any,
    ) -> bool:
        """Direct-message a member (once per delivery); False when they do not accept DMs.
        Engine text is written in their language (else the server's)."""
        if isinstance(content, Message):
            content = await self.private_text(user_id, guild_id, content)
        try:
            user = self.client.get_user(user_id) or await self.client.fetch_user(user_id)
            channel = user.dm_channel or await user.create_dm()
            await self.send(channel, content, effect=f"dm:{user_id}", **kwargs)
        except discord.Forbidden:
            log.info("user %s does not accept direct messages", user_id)
            return False
        return True


def _partial(channel: discord.abc.Messageable, effect: Effect) -> discord.PartialMessage:
    """The recorded message, without fetching it (callers only edit it or read its ids)."""
    return discord.PartialMessage(channel=channel, id=effect.object_id)  # type: ignore[arg-type]
