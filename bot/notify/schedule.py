"""A match's schedule on Discord: reminders before it (in the match thread, and by DM for
players who asked), the LIVE notice, and the overdue-result notice that gives organizers
one click to set the score or disqualify a side.

The overdue buttons (``dc:overdue:<match id>:score|dq0|dq1``) are answered by
``cogs/schedule.py``; the services re-check that the clicker organizes. A repeated
delivery may post a reminder twice (posting is at-least-once); the timer behind it fires
once.
"""

from __future__ import annotations

import logging
from datetime import datetime

import discord

from bot.notifier import Notifier, on
from bot.notify.checkin import _match_channel, _organizer_role
from bot.notify.matches import rendered_buttons
from cogs._safe import pings
from cogs._text import ENGLISH, Words, moment
from engine.brackets import MatchLive
from engine.kernel.text import Channel, Command, Message, Timestamp, User, msg
from engine.matchday import (
    MatchLobbyPosted,
    MatchRescheduleDecided,
    MatchRescheduleProposed,
    MatchResultOverdue,
    MatchStartingSoon,
)

log = logging.getLogger(__name__)


def when_text(at: datetime | str) -> Message:
    """``<t:…:F>`` (``<t:…:R>``): the reader's own clock and how far away it is."""
    return moment(datetime.fromisoformat(at) if isinstance(at, str) else at)


def _mentions(user_ids: tuple[int, ...] | list[int]) -> Message:
    return Message.literal(" ".join(f"<@{u}>" for u in user_ids))


@on(MatchStartingSoon)
async def remind_players(notifier: Notifier, event: MatchStartingSoon) -> None:
    channel = await _match_channel(notifier, event.guild_id, event.match_id)
    if channel is not None:
        text = msg(
            "⏰ {who} match {code} starts {when}. Be in the lobby on time; the organizer posts "
            "the lobby details here.",
            who=_mentions(event.member_ids),
            code=event.code,
            when=when_text(event.starts_at),
        )
        await channel.send(
            await notifier.public_text(event.guild_id, text),
            allowed_mentions=pings(users=event.member_ids),
        )
    for user_id in event.dm_user_ids:
        await notifier.dm(
            user_id,
            msg(
                "⏰ Your match {code}{where} starts {when}. (Turn these messages off with "
                "{reminders}.)",
                code=event.code,
                where=await notifier.where_clause(event.guild_id),
                when=when_text(event.starts_at),
                reminders=Command("match reminders"),
            ),
            guild_id=event.guild_id,
        )


@on(MatchLive)
async def match_live(notifier: Notifier, event: MatchLive) -> None:
    if event.how == "checked_in":
        return  # "Both sides are here" (the check-in notice) says it already
    channel = await _match_channel(notifier, event.guild_id, event.match_id)
    if channel is None:
        return
    why = msg("an organizer started it") if event.how == "organizer" else msg("its time has come")
    text = msg(
        "🔴 Match {code} is LIVE ({why}). Play, then report the score with the Report score "
        "button or {report}.",
        code=event.code,
        why=why,
        report=Command("report"),
    )
    await channel.send(await notifier.public_text(event.guild_id, text))


def overdue_buttons(
    match_id: int, first: str, second: str, words: Words = ENGLISH
) -> discord.ui.View:
    def disqualify(name: str) -> str:
        return words(msg("Disqualify {name}", name=Message.literal(name)))[:80]

    return rendered_buttons(
        (msg("Set score"), f"dc:overdue:{match_id}:score", discord.ButtonStyle.primary),
        (disqualify(first), f"dc:overdue:{match_id}:dq0", discord.ButtonStyle.danger),
        (disqualify(second), f"dc:overdue:{match_id}:dq1", discord.ButtonStyle.danger),
        words=words,
    )


@on(MatchResultOverdue)
async def result_overdue(notifier: Notifier, event: MatchResultOverdue) -> None:
    """Organizers are told where they look: the dispute channel, else the match thread."""
    lobby = await notifier.services.scores.lobby(event.match_id)
    settings = await notifier.services.guilds.get_settings(event.guild_id or 0)
    channel: discord.abc.Messageable | None = None
    if settings is not None and settings.dispute_channel_id:
        try:
            channel = await notifier.channel(settings.dispute_channel_id)
        except (discord.NotFound, discord.Forbidden):
            log.info("dispute channel of guild %s is gone", event.guild_id)
    if channel is None:
        channel = await _match_channel(notifier, event.guild_id, event.match_id)
    if channel is None:
        return
    role = await _organizer_role(notifier, event.guild_id)
    words = await notifier.public_words(event.guild_id)
    text = msg(
        "⌛ {ping}the result of match {code}{thread} is overdue{since}: **{first}** vs "
        "**{second}** in {tournament}. Set the score or disqualify the side that did not play.",
        ping=Message.literal(f"<@&{role}> " if role else ""),
        code=event.code,
        thread=msg(" in {thread}", thread=Channel(event.thread_id)) if event.thread_id else "",
        since=msg(" (it was due to start {when})", when=when_text(event.scheduled_at))
        if event.scheduled_at
        else "",
        first=lobby.name(0),
        second=lobby.name(1),
        tournament=lobby.tournament_name,
    )
    await channel.send(
        words(text),
        view=overdue_buttons(event.match_id, lobby.name(0), lobby.name(1), words),
        allowed_mentions=pings(role_id=role),
    )


@on(MatchRescheduleProposed)
async def reschedule_proposed(notifier: Notifier, event: MatchRescheduleProposed) -> None:
    channel = await _match_channel(notifier, event.guild_id, event.match_id)
    if channel is None:
        return
    words = await notifier.public_words(event.guild_id)
    text = msg(
        "📅 {proposer} proposes playing match {code} at {when}{was}.{note}\n{opponents} accept "
        "or decline; the proposal expires {expires} and the match then keeps its time.",
        proposer=User(event.proposed_by),
        code=event.code,
        when=when_text(event.new_time),
        was=msg(" (instead of {when})", when=when_text(event.old_time)) if event.old_time else "",
        note=Message("\n> {note}", {"note": event.note}) if event.note else "",
        opponents=_mentions(event.opponent_user_ids),
        expires=Timestamp(datetime.fromisoformat(event.expires_at)),
    )
    await channel.send(
        words(text),
        view=rendered_buttons(
            (msg("Accept"), f"dc:resched:{event.proposal_id}:accept", discord.ButtonStyle.success),
            (msg("Decline"), f"dc:resched:{event.proposal_id}:decline", discord.ButtonStyle.danger),
            words=words,
        ),
        allowed_mentions=pings(users=event.opponent_user_ids),
    )


@on(MatchRescheduleDecided)
async def reschedule_decided(notifier: Notifier, event: MatchRescheduleDecided) -> None:
    channel = await _match_channel(notifier, event.guild_id, event.match_id)
    if channel is None:
        return
    when = when_text(event.scheduled_at) if event.scheduled_at else msg("as soon as it is ready")
    who = User(event.decided_by) if event.decided_by is not None else ""
    said = {"who": who, "code": event.code, "when": when}
    text = {
        "accepted": msg(
            "✅ {who} accepted: match {code} now starts {when}. The reminders moved with it.",
            **said,
        ),
        "declined": msg(
            "❌ {who} declined the new time; match {code} keeps its time ({when}).", **said
        ),
        "expired": msg(
            "⌛ Nobody answered the proposal in time; match {code} keeps its time ({when}).",
            **said,
        ),
        "overridden": msg(
            "🗓️ An organizer set the time of match {code}: it now starts {when}.", **said
        ),
    }.get(event.outcome)
    if text is not None:
        await channel.send(await notifier.public_text(event.guild_id, text))
    await _clear_answer_buttons(channel, event.proposal_id)


async def _clear_answer_buttons(channel: discord.abc.Messageable, proposal_id: int) -> None:
    """The proposal is settled: its Accept / Decline go, so nobody answers it again."""
    if not isinstance(channel, discord.Thread):
        return
    wanted = f"dc:resched:{proposal_id}:accept"
    async for message in channel.history(limit=50):
        if message.author.id != channel.guild.me.id or not message.components:
            continue
        ids = {
            getattr(child, "custom_id", None)
            for row in message.components
            for child in getattr(row, "children", ())
        }
        if wanted in ids:
            await message.edit(view=None)
            return


@on(MatchLobbyPosted)
async def lobby_posted(notifier: Notifier, event: MatchLobbyPosted) -> None:
    """Says that the details are in, never what they are: each player reads them privately."""
    channel = await _match_channel(notifier, event.guild_id, event.match_id)
    if channel is None:
        return
    words = await notifier.public_words(event.guild_id)
    said = {"who": User(event.posted_by), "code": event.code}
    text = (
        msg(
            "🔑 {who} updated the lobby details of match {code}. Players and organizers: "
            "press **Lobby details** to read them (only you will see them).",
            **said,
        )
        if event.replaced
        else msg(
            "🔑 {who} posted the lobby details of match {code}. Players and organizers: "
            "press **Lobby details** to read them (only you will see them).",
            **said,
        )
    )
    await channel.send(
        words(text),
        view=rendered_buttons(
            (msg("Lobby details"), f"dc:match:{event.match_id}:lobby", discord.ButtonStyle.primary),
            words=words,
        ),
    )
