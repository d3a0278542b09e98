"""Check-in and schedule messages: the check-in announcement with its button, reminders,
and what happens in a match thread while the match waits for its two sides."""

from __future__ import annotations

import logging
from datetime import datetime

import discord

from bot.notifier import Notifier, on
from cogs._safe import pings
from cogs.checkin import tournament_checkin_view
from engine.entries import TournamentCheckInClosed, TournamentCheckInOpened
from engine.kernel.errors import NotFound
from engine.kernel.text import Command, Message, Timestamp, msg, nmsg
from engine.matchday import (
    MatchCheckInComplete,
    MatchCheckInMissed,
    MatchCheckInReminder,
    MatchNoShow,
    MatchSideCheckedIn,
)
from engine.tournaments import RegistrationClosingSoon, TournamentAutoStartFailed

log = logging.getLogger(__name__)


def _ts(iso: str, style: str = "R") -> Timestamp:
    return Timestamp(datetime.fromisoformat(iso), style)


def _names(entries: list[dict]) -> list[str]:
    return [e["name"] for e in entries]


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


async def _organizer_mention(notifier: Notifier, guild_id: int | None) -> Message:
    role_id = await _organizer_role(notifier, guild_id)
    return Message.literal(f"<@&{role_id}>") if role_id else msg("Organizers")


# --- tournament schedule ----------------------------------------------------------------


@on(TournamentCheckInOpened)
async def checkin_opened(notifier: Notifier, event: TournamentCheckInOpened) -> None:
    words = await notifier.public_words(event.guild_id)
    await notifier.announce(
        event.guild_id,
        msg(
            "✅ Check-in for **{name}** is open until {until} ({closes}). Every confirmed "
            "entry must check in — press the button or use {checkin}. Entries that do not "
            "are withdrawn when it starts.",
            name=event.name,
            until=_ts(event.closes_at, "f"),
            closes=_ts(event.closes_at),
            checkin=Command("checkin"),
        ),
        view=tournament_checkin_view(event.tournament_id, words),
    )


@on(TournamentCheckInClosed)
async def checkin_closed(notifier: Notifier, event: TournamentCheckInClosed) -> None:
    text = nmsg(
        "🔒 Check-in for **{name}** is closed: {n} entry is in.",
        "🔒 Check-in for **{name}** is closed: {n} entries are in.",
        event.checked_in,
        name=event.name,
    )
    if event.removed:
        text += "\n" + msg("Withdrawn for not checking in: {names}.", names=_names(event.removed))
    if event.promoted:
        text += "\n" + msg(
            "Moved up from the waitlist into the freed slots: {names}.",
            names=_names(event.promoted),
        )
    await notifier.announce(event.guild_id, text)


@on(RegistrationClosingSoon)
async def registration_closing_soon(notifier: Notifier, event: RegistrationClosingSoon) -> None:
    slots = (
        nmsg("{n} slot left", "{n} slots left", event.slots_left)
        if event.slots_left
        else msg("the waitlist is open")
    )
    await notifier.announce(
        event.guild_id,
        msg(
            "⏳ Registration for **{name}** closes {closes} ({slots}). Sign up with {register}.",
            name=event.name,
            closes=_ts(event.closes_at),
            slots=slots,
            register=Command("register"),
        ),
    )
    for user_id in event.unpaid_user_ids:
        await notifier.dm(
            user_id,
            msg(
                "⏳ Registration for **{name}** closes {closes} and your entry is not paid "
                "yet. Pay the entry fee with {pay} to keep your place.",
                name=event.name,
                closes=_ts(event.closes_at),
                pay=Command("pay"),
            ),
            guild_id=event.guild_id,
        )


@on(TournamentAutoStartFailed)
async def autostart_failed(notifier: Notifier, event: TournamentAutoStartFailed) -> None:
    who = await _organizer_mention(notifier, event.guild_id)
    await notifier.announce(
        event.guild_id,
        msg(
            "⚠️ {who}: **{name}** could not start on schedule. {reason} Fix it and start it "
            "with {start}.",
            who=who,
            name=event.name,
            reason=Message.literal(event.reason),
            start=Command("tournament start"),
        ),
        allowed_mentions=pings(role_id=await _organizer_role(notifier, event.guild_id)),
    )


# --- match check-in ---------------------------------------------------------------------


@on(MatchSideCheckedIn)
async def side_checked_in(notifier: Notifier, event: MatchSideCheckedIn) -> None:
    if event.waiting_for_registration_id is None:
        return  # MatchCheckInComplete says it
    channel = await _match_channel(notifier, event.guild_id, event.match_id)
    if channel is not None:
        text = msg(
            "✅ {name} checked in for match {code}. Waiting for the other side.",
            name=event.display_name,
            code=event.code,
        )
        await notifier.send(channel, await notifier.public_text(event.guild_id, text))


@on(MatchCheckInComplete)
async def checkin_complete(notifier: Notifier, event: MatchCheckInComplete) -> None:
    channel = await _match_channel(notifier, event.guild_id, event.match_id)
    if channel is not None:
        text = msg(
            "🎮 Both sides are here for match {code} — play and report with {report}.",
            code=event.code,
            report=Command("report"),
        )
        await notifier.send(channel, await notifier.public_text(event.guild_id, text))


@on(MatchCheckInReminder)
async def checkin_reminder(notifier: Notifier, event: MatchCheckInReminder) -> None:
    channel = await _match_channel(notifier, event.guild_id, event.match_id)
    if channel is None:
        return
    text = msg(
        "⏰ {who} check-in for match {code} closes {deadline}. Press Check in or use "
        "{checkin} — a side that has not checked in by then forfeits.",
        who=Message.literal(" ".join(f"<@{u}>" for u in event.missing_user_ids)),
        code=event.code,
        deadline=_ts(event.deadline),
        checkin=Command("checkin"),
    )
    await notifier.send(
        channel,
        await notifier.public_text(event.guild_id, text),
        allowed_mentions=pings(users=event.missing_user_ids),
    )


@on(MatchNoShow)
async def no_show(notifier: Notifier, event: MatchNoShow) -> None:
    channel = await _match_channel(notifier, event.guild_id, event.match_id)
    if channel is not None:
        text = msg(
            "🚫 {loser} did not check in by the deadline and forfeits match {code}; {winner} "
            "advances.",
            loser=event.forfeited_name,
            code=event.code,
            winner=event.winner_name,
        )
        await notifier.send(channel, await notifier.public_text(event.guild_id, text))


@on(MatchCheckInMissed)
async def nobody_came(notifier: Notifier, event: MatchCheckInMissed) -> None:
    channel = await _match_channel(notifier, event.guild_id, event.match_id)
    if channel is None:
        return
    who = await _organizer_mention(notifier, event.guild_id)
    text = msg(
        "⚠️ {who}: neither side checked in for match {code} by the deadline. Nobody was "
        "forfeited: decide the match (set a result or disqualify). Players who turn up can "
        "still check in.",
        who=who,
        code=event.code,
    )
    await notifier.send(
        channel,
        await notifier.public_text(event.guild_id, text),
        allowed_mentions=pings(role_id=await _organizer_role(notifier, event.guild_id)),
    )
