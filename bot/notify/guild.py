from __future__ import annotations

from bot.notifier import Notifier, on
from engine.guilds import GuildConfigured
from engine.kernel.text import msg


@on(GuildConfigured)
async def announcement_channel_chosen(notifier: Notifier, event: GuildConfigured) -> None:
    if "announcement_channel_id" not in event.changed or not event.announcement_channel_id:
        return
    channel = await notifier.channel(event.announcement_channel_id)
    await notifier.send(
        channel,
        await notifier.public_text(
            event.guild_id,
            msg("📣 DeltaCrown will post tournament announcements, results and brackets here."),
        ),
    )
