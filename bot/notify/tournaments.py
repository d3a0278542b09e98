"""Announcements of a tournament's lifecycle in the server's announcement channel."""

from __future__ import annotations

import discord

from bot.notifier import Notifier, on
from cogs._safe import user_text
from cogs._text import moment
from cogs._tournament_render import tournament_embed
from engine.kernel.text import Command, Message, msg, nmsg
from engine.tournaments import TournamentStatusChanged
from storage.models.enums import TournamentStatus

S = TournamentStatus


@on(TournamentStatusChanged)
async def announce_status(notifier: Notifier, event: TournamentStatusChanged) -> None:
    status = S(event.new_status)
    if status not in (S.PUBLISHED, S.REGISTRATION_OPEN, S.REGISTRATION_CLOSED, S.CANCELLED):
        return  # live/completed belong to match day; archiving is silent
    summary = await notifier.services.tournaments.summary(event.tournament_id)
    t = summary.tournament
    if status is S.CANCELLED:
        await notifier.announce(
            event.guild_id,
            msg(
                "❌ **{name}** is cancelled.{reason} Every registration was cancelled; entry "
                "fees are refunded (coins at once, money by the organizers).",
                name=t.name,
                reason=msg(" Reason: {reason}", reason=event.reason) if event.reason else "",
            ),
        )
        return
    # Titles keep the name as typed (embed titles show no markdown); contents escape it.
    name = Message.literal(t.name)
    if status is S.PUBLISHED:
        title = msg("📣 {name} is coming!", name=name)
        content = msg(
            "📣 **{name}** is coming {when}.",
            name=t.name,
            when=moment(t.starts_at) if t.starts_at else msg("soon"),
        )
    elif status is S.REGISTRATION_OPEN:
        title = msg("📝 Registration for {name} is open", name=name)
        content = nmsg(
            "📝 Registration for **{name}** is open until {closes}: {n} slot left. Sign up "
            "with {register}.",
            "📝 Registration for **{name}** is open until {closes}: {n} slots left. Sign up "
            "with {register}.",
            summary.slots_left,
            name=t.name,
            closes=moment(t.registration_closes_at)
            if t.registration_closes_at
            else msg("the organizers close it"),
            register=Command("register"),
        )
    else:
        title = msg("🔒 Registration for {name} is closed", name=name)
        content = nmsg(
            "🔒 Registration for **{name}** is closed with {n} entry.",
            "🔒 Registration for **{name}** is closed with {n} entries.",
            summary.slots_taken,
            name=t.name,
        )
    words = await notifier.public_words(event.guild_id)
    embed = tournament_embed(summary, title=words(title)[:256], say=words)
    await add_sponsors(notifier, embed, event.guild_id, t.id, t.slug)
    await notifier.announce(event.guild_id, content, embed=embed)


async def add_sponsors(
    notifier: Notifier, embed: discord.Embed, guild_id: int | None, tournament_id: int, slug: str
) -> None:
    """The tournament's sponsors, by tier, each linked through the counted redirect."""
    sponsors = notifier.services.sponsors
    names = await sponsors.of_tournament(tournament_id)
    if not names:
        return
    links: list[str] = []
    for sponsor in names:
        # Square brackets would end the masked link's text early: shown as parentheses.
        shown = user_text(sponsor.name.replace("[", "(").replace("]", ")"))
        link = f"[{shown}]({sponsors.click_url(sponsor.key, slug)})"
        if sum(len(x) + 3 for x in links) + len(link) > 1024:
            break  # an embed field holds 1024 characters; never cut a link in half
        links.append(link)
    label = (await notifier.public_words(guild_id))(msg("Sponsors"))
    embed.add_field(name=label, value=" · ".join(links), inline=False)
