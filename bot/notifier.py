"""Turns domain events into Discord messages. The engine never calls Discord itself.

Handlers live in ``bot/notify/<area>.py`` and register with ``@on(EventClass)``; each
receives the :class:`Notifier` (Discord helpers + services) and the event. Delivery is
at-least-once, so handlers make repeated delivery harmless where it matters (edit the
message they recorded rather than post a new one).
"""

from __future__ import annotations

import functools
import importlib
import logging
import pkgutil
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import discord

from cogs._safe import user_text
from engine.kernel.events import DomainEvent
from engine.kernel.outbox import OutboxDispatcher
from engine.services import Services

log = logging.getLogger(__name__)

E = TypeVar("E", bound=DomainEvent)
Handler = Callable[["Notifier", Any], Awaitable[None]]

_HANDLERS: dict[type[DomainEvent], list[Handler]] = {}


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

    def guild_name(self, guild_id: int | None) -> str | None:
        """The server's name as the bot sees it, for messages sent outside it (DMs)."""
        guild = self.client.get_guild(guild_id) if guild_id else None
        return guild.name if guild else None

    def where(self, guild_id: int | None) -> str:
        """`` on **Server**`` for a DM about something in that server; empty if unknown."""
        name = self.guild_name(guild_id)
        return f" on **{user_text(name)}**" if name else ""

    async def channel(self, channel_id: int) -> discord.abc.Messageable:
        channel = self.client.get_channel(channel_id)
        if channel is None:
            channel = await self.client.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            raise TypeError(f"channel {channel_id} cannot receive messages")
        return channel

    async def announce(
        self, guild_id: int | None, content: str | None = None, **kwargs: Any
    ) -> discord.Message | None:
        """Post in the guild's announcement channel; quietly skip when none is set."""
        if guild_id is None:
            return None
        settings = await self.services.guilds.get_settings(guild_id)
        if settings is None or settings.announcement_channel_id is None:
            return None
        channel = await self.channel(settings.announcement_channel_id)
        return await channel.send(content, **kwargs)

    async def dm(self, user_id: int, content: str | None = None, **kwargs: Any) -> bool:
        """Direct-message a member; False when they do not accept DMs."""
        try:
            user = self.client.get_user(user_id) or await self.client.fetch_user(user_id)
            await user.send(content, **kwargs)
        except discord.Forbidden:
            log.info("user %s does not accept direct messages", user_id)
            return False
        return True
