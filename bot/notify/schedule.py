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
from cogs._safe import pings, user_text
from engine.brackets import MatchLive
from engine.matchday import (
    MatchLobbyPosted,
    MatchRescheduleDecided,
    MatchRescheduleProposed,
    MatchResultOverdue,
    MatchStartingSoon,
)

log = logging.getLogger(__name__)


def when_text(moment: datetime | str) -> str:
    """``<t:…:F>`` (``<t:…:R>``): the reader's own clock and how far away it is."""
    when = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return f"{discord.utils.format_dt(when, 'F')} ({discord.utils.format_dt(when, 'R')})"


@on(MatchStartingSoon)
async def remind_players(notifier: Notifier, event: MatchStartingSoon) -> None:
    channel = await _match_channel(notifier, event.guild_id, event.match_id)
    who = " ".join(f"<@{u}>" for u in event.member_ids)
    if channel is not None:
        await channel.send(
            f"⏰ {who} match {event.code} starts {when_text(event.starts_at)}. Be in the "
            "lobby on time; the organizer posts the lobby details here.",
            allowed_mentions=pings(users=event.member_ids),
        )
    for user_id in event.dm_user_ids:
        await notifier.dm(
            user_id,
            f"⏰ Your match {event.code}{await notifier.where(event.guild_id)} starts "
            f"{when_text(event.starts_at)}. (Turn these messages off with /match reminders.)",
        )


@on(MatchLive)
async def match_live(notifier: Notifier, event: MatchLive) -> None:
    if event.how == "checked_in":
        return  # "Both sides are here" (the check-in notice) says it already
    channel = await _match_channel(notifier, event.guild_id, event.match_id)
    if channel is None:
        return
    why = "an organizer started it" if event.how == "organizer" else "its time has come"
    await channel.send(
        f"🔴 Match {event.code} is LIVE ({why}). Play, then report the score with the "
        "Report score button or /report."
    )


def overdue_buttons(match_id: int, first: str, second: str) -> discord.ui.View:
    return rendered_buttons(
        ("Set score", f"dc:overdue:{match_id}:score", discord.ButtonStyle.primary),
        (f"Disqualify {first}"[:80], f"dc:overdue:{match_id}:dq0", discord.ButtonStyle.danger),
        (f"Disqualify {second}"[:80], f"dc:overdue:{match_id}:dq1", discord.ButtonStyle.danger),
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
    ping = f"<@&{role}> " if role else ""
    since = f" (it was due to start {when_text(event.scheduled_at)})" if event.scheduled_at else ""
    thread = f" in <#{event.thread_id}>" if event.thread_id else ""
    first, second = user_text(lobby.name(0)), user_text(lobby.name(1))
    await channel.send(
        f"⌛ {ping}the result of match {event.code}{thread} is overdue{since}: **{first}** vs "
        f"**{second}** in {user_text(lobby.tournament_name)}. Set the score or disqualify the "
        "side that did not play.",
        view=overdue_buttons(event.match_id, lobby.name(0), lobby.name(1)),
        allowed_mentions=pings(role_id=role),
    )


@on(MatchRescheduleProposed)
async def reschedule_proposed(notifier: Notifier, event: MatchRescheduleProposed) -> None:
    channel = await _match_channel(notifier, event.guild_id, event.match_id)
    if channel is None:
        return
    opponents = " ".join(f"<@{u}>" for u in event.opponent_user_ids)
    was = f" (instead of {when_text(event.old_time)})" if event.old_time else ""
    note = f"\n> {user_text(event.note)}" if event.note else ""
    expires = discord.utils.format_dt(datetime.fromisoformat(event.expires_at), "R")
    await channel.send(
        f"📅 <@{event.proposed_by}> proposes playing match {event.code} at "
        f"{when_text(event.new_time)}{was}.{note}\n{opponents} accept or decline; the "
        f"proposal expires {expires} and the match then keeps its time.",
        view=rendered_buttons(
            ("Accept", f"dc:resched:{event.proposal_id}:accept", discord.ButtonStyle.success),
            ("Decline", f"dc:resched:{event.proposal_id}:decline", discord.ButtonStyle.danger),
        ),
        allowed_mentions=pings(users=event.opponent_user_ids),
    )


@on(MatchRescheduleDecided)
async def reschedule_decided(notifier: Notifier, event: MatchRescheduleDecided) -> None:
    channel = await _match_channel(notifier, event.guild_id, event.match_id)
    if channel is None:
        return
    when = when_text(event.scheduled_at) if event.scheduled_at else "as soon as it is ready"
    text = {
        "accepted": f"✅ <@{event.decided_by}> accepted: match {event.code} now starts {when}. "
        "The reminders moved with it.",
        "declined": f"❌ <@{event.decided_by}> declined the new time; match {event.code} keeps "
        f"its time ({when}).",
        "expired": f"⌛ Nobody answered the proposal in time; match {event.code} keeps its time "
        f"({when}).",
        "overridden": f"🗓️ An organizer set the time of match {event.code}: it now starts {when}.",
    }.get(event.outcome)
    if text is not None:
        await channel.send(text)
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
    what = "updated" if event.replaced else "posted"
    await channel.send(
        f"🔑 <@{event.posted_by}> {what} the lobby details of match {event.code}. Players "
        "and organizers: press **Lobby details** to read them (only you will see them).",
        view=rendered_buttons(
            ("Lobby details", f"dc:match:{event.match_id}:lobby", discord.ButtonStyle.primary)
        ),
    )
