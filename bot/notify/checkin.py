"""Check-in and schedule messages: the check-in announcement with its button, reminders,
and what happens in a match thread while the match waits for its two sides."""

from __future__ import annotations

import logging
from datetime import datetime

import discord

from bot.notifier import Notifier, on
from cogs._safe import pings, user_text
from cogs.checkin import tournament_checkin_view
from engine.entries import TournamentCheckInClosed, TournamentCheckInOpened
from engine.kernel.errors import NotFound
from engine.matchday import (
    MatchCheckInComplete,
    MatchCheckInMissed,
    MatchCheckInReminder,
    MatchNoShow,
    MatchSideCheckedIn,
)
from engine.tournaments import RegistrationClosingSoon, TournamentAutoStartFailed

log = logging.getLogger(__name__)


def _ts(iso: str, style: str = "R") -> str:
    return discord.utils.format_dt(datetime.fromisoformat(iso), style)  # type: ignore[arg-type]


def _names(entries: list[dict]) -> str:
    return ", ".join(user_text(e["name"]) for e in entries)


async def _match_channel(
    notifier: Notifier, guild_id: int | None, match_id: int
) -> discord.abc.Messageable | None:
    """The match's thread (read at delivery: it may have been opened after the event),
    else the server's match channel."""
    try:
        match = await notifier.services.brackets.get_match(match_id)
    except NotFound:
        return None
    if match.thread_id is not None:
        try:
            return await notifier.channel(match.thread_id)
        except (discord.NotFound, discord.Forbidden):
            log.info("thread of match %s is gone; using the match channel", match_id)
    settings = await notifier.services.guilds.get_settings(guild_id) if guild_id else None
    if settings is None or settings.match_channel_id is None:
        log.info("match %s has no thread and the server no match channel", match_id)
        return None
    return await notifier.channel(settings.match_channel_id)


async def _organizer_role(notifier: Notifier, guild_id: int | None) -> int | None:
    settings = await notifier.services.guilds.get_settings(guild_id) if guild_id else None
    return settings.organizer_role_id if settings else None


async def _organizer_mention(notifier: Notifier, guild_id: int | None) -> str:
    role_id = await _organizer_role(notifier, guild_id)
    return f"<@&{role_id}>" if role_id else "Organizers"


# --- tournament schedule ----------------------------------------------------------------


@on(TournamentCheckInOpened)
async def checkin_opened(notifier: Notifier, event: TournamentCheckInOpened) -> None:
    await notifier.announce(
        event.guild_id,
        f"✅ Check-in for **{user_text(event.name)}** is open until {_ts(event.closes_at, 'f')} "
        f"({_ts(event.closes_at)}). Every confirmed entry must check in — press the button "
        "or use /checkin. Entries that do not are withdrawn when it starts.",
        view=tournament_checkin_view(event.tournament_id),
    )


@on(TournamentCheckInClosed)
async def checkin_closed(notifier: Notifier, event: TournamentCheckInClosed) -> None:
    lines = [
        f"🔒 Check-in for **{user_text(event.name)}** is closed: {event.checked_in} entries are in."
    ]
    if event.removed:
        lines.append(f"Withdrawn for not checking in: {_names(event.removed)}.")
    if event.promoted:
        lines.append(f"Moved up from the waitlist into the freed slots: {_names(event.promoted)}.")
    await notifier.announce(event.guild_id, "\n".join(lines))


@on(RegistrationClosingSoon)
async def registration_closing_soon(notifier: Notifier, event: RegistrationClosingSoon) -> None:
    slots = f"{event.slots_left} slots left" if event.slots_left else "the waitlist is open"
    await notifier.announce(
        event.guild_id,
        f"⏳ Registration for **{user_text(event.name)}** closes {_ts(event.closes_at)} "
        f"({slots}). Sign up with /register.",
    )
    for user_id in event.unpaid_user_ids:
        await notifier.dm(
            user_id,
            f"⏳ Registration for **{user_text(event.name)}** closes {_ts(event.closes_at)} and "
            "your "
            "entry is not paid yet. Pay the entry fee with /pay to keep your place.",
        )


@on(TournamentAutoStartFailed)
async def autostart_failed(notifier: Notifier, event: TournamentAutoStartFailed) -> None:
    who = await _organizer_mention(notifier, event.guild_id)
    await notifier.announce(
        event.guild_id,
        f"⚠️ {who}: **{user_text(event.name)}** could not start on schedule. {event.reason} "
        "Fix it and start it with /tournament start.",
        allowed_mentions=pings(role_id=await _organizer_role(notifier, event.guild_id)),
    )


# --- match check-in ---------------------------------------------------------------------


@on(MatchSideCheckedIn)
async def side_checked_in(notifier: Notifier, event: MatchSideCheckedIn) -> None:
    if event.waiting_for_registration_id is None:
        return  # MatchCheckInComplete says it
    channel = await _match_channel(notifier, event.guild_id, event.match_id)
    if channel is not None:
        await notifier.send(
            channel,
            f"✅ {user_text(event.display_name)} checked in for match {event.code}. "
            "Waiting for the other side.",
        )


@on(MatchCheckInComplete)
async def checkin_complete(notifier: Notifier, event: MatchCheckInComplete) -> None:
    channel = await _match_channel(notifier, event.guild_id, event.match_id)
    if channel is not None:
        await notifier.send(
            channel,
            f"🎮 Both sides are here for match {event.code} — play and report with /report.",
        )


@on(MatchCheckInReminder)
async def checkin_reminder(notifier: Notifier, event: MatchCheckInReminder) -> None:
    channel = await _match_channel(notifier, event.guild_id, event.match_id)
    if channel is None:
        return
    who = " ".join(f"<@{u}>" for u in event.missing_user_ids)
    await notifier.send(
        channel,
        f"⏰ {who} check-in for match {event.code} closes {_ts(event.deadline)}. Press "
        "Check in or use /checkin — a side that has not checked in by then forfeits.",
        allowed_mentions=pings(users=event.missing_user_ids),
    )


@on(MatchNoShow)
async def no_show(notifier: Notifier, event: MatchNoShow) -> None:
    channel = await _match_channel(notifier, event.guild_id, event.match_id)
    if channel is not None:
        await notifier.send(
            channel,
            f"🚫 {user_text(event.forfeited_name)} did not check in by the deadline and "
            f"forfeits match {event.code}; {user_text(event.winner_name)} advances.",
        )


@on(MatchCheckInMissed)
async def nobody_came(notifier: Notifier, event: MatchCheckInMissed) -> None:
    channel = await _match_channel(notifier, event.guild_id, event.match_id)
    if channel is None:
        return
    who = await _organizer_mention(notifier, event.guild_id)
    await notifier.send(
        channel,
        f"⚠️ {who}: neither side checked in for match {event.code} by the deadline. "
        "Nobody was forfeited: decide the match (set a result or disqualify). Players "
        "who turn up can still check in.",
        allowed_mentions=pings(role_id=await _organizer_role(notifier, event.guild_id)),
    )
