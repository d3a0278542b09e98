"""Turns domain events into Discord messages. The engine never calls Discord itself."""

from __future__ import annotations

import logging

import discord

from engine.events import DomainEvent, GuildConfigured
from engine.services.outbox import OutboxDispatcher

log = logging.getLogger(__name__)


class Notifier:
    def __init__(self, client: discord.Client) -> None:
        self.client = client

    def subscribe(self, dispatcher: OutboxDispatcher) -> None:
        dispatcher.subscribe("discord-notifier", self.handle)

    async def handle(self, event: DomainEvent) -> None:
        if isinstance(event, GuildConfigured):
            await self._guild_configured(event)

    async def _channel(self, channel_id: int) -> discord.abc.Messageable:
        channel = self.client.get_channel(channel_id)
        if channel is None:
            channel = await self.client.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            raise TypeError(f"channel {channel_id} cannot receive messages")
        return channel

    async def _guild_configured(self, event: GuildConfigured) -> None:
        if "announcement_channel_id" not in event.changed or not event.announcement_channel_id:
            return
        channel = await self._channel(event.announcement_channel_id)
        await channel.send(
            "📣 DeltaCrown will post tournament announcements, results and brackets here."
        )
