"""The live roster: one message per tournament in the announcement channel, edited as
entries come and go, instead of a public line for every registration.

An 8-player cup used to post eleven messages while it filled (one per entry, then "full"
and the waitlist); now one embed lists the entries with their payment and check-in state
and the waitlist, and each change edits it. The message is recorded in the delivery
effects under ``roster:<tournament id>``, so every process (the guild's shard owner
delivers its events) and every restart edits the same one; a deleted roster is posted
again. Each repaint reads the entries as they are when it runs, so during a rush the
events delivered after one edit mostly find the roster already current and skip it
(the digest of the last painted roster): the number of edits follows Discord's pace, not
the number of registrations.
"""

from __future__ import annotations

import hashlib
import json
import logging

import discord

from bot.notifier import Notifier, on
from cogs._safe import user_text
from cogs._text import ENGLISH, Words
from engine.entries import (
    RegistrationCheckedIn,
    RegistrationConfirmed,
    RegistrationCreated,
    RegistrationExpired,
    RegistrationRemoved,
    RegistrationView,
    RegistrationWithdrawn,
    WaitlistPromoted,
)
from engine.kernel.text import N_, Message, msg
from engine.tournaments import TournamentView
from storage.models.enums import RegistrationStatus

log = logging.getLogger(__name__)

DESCRIPTION_LIMIT = 3900  # Discord allows 4096 characters in an embed description
WAITLIST_SHOWN = 10
COLOUR = 0x5865F2
_STATE: dict[str, str] = {
    RegistrationStatus.AWAITING_PAYMENT: N_(" · ⏳ awaiting payment"),
    RegistrationStatus.PAYMENT_REVIEW: N_(" · 🔎 payment in review"),
}
# The digest of the roster this process last painted, per tournament.
_painted: dict[int, str] = {}


def roster_key(tournament_id: int) -> str:
    return f"roster:{tournament_id}"


def roster_embed(
    tournament: TournamentView, entries: list[RegistrationView], words: Words = ENGLISH
) -> discord.Embed:
    """The roster as one embed: entries in registration order, then the waitlist."""
    holding = [e for e in entries if e.holds_slot]
    waiting = sorted(
        (e for e in entries if e.status == RegistrationStatus.WAITLISTED),
        key=lambda e: e.waitlist_position or 0,
    )
    confirmed = sum(1 for e in holding if e.status == RegistrationStatus.CONFIRMED)
    lines: list[str] = []
    used = 0
    for number, entry in enumerate(holding, start=1):
        mark = " ✅" if entry.checked_in_at is not None else ""
        state = _STATE.get(entry.status)
        line = (
            f"`{number:>3}` {user_text(entry.display_name)}"
            f"{words(Message(state)) if state else ''}{mark}"
        )
        if used + len(line) + 1 > DESCRIPTION_LIMIT:
            lines.append(words(msg("… and {n} more", n=len(holding) - number + 1)))
            break
        lines.append(line)
        used += len(line) + 1
    if not holding:
        lines.append(
            words(msg("No entries yet: be the first with {register}.", register="/register"))
        )
    embed = discord.Embed(
        title=words(msg("📋 Entries · {tournament}", tournament=Message.literal(tournament.name)))[
            :256
        ],
        description="\n".join(lines),
        colour=COLOUR,
    )
    if waiting:
        shown = ", ".join(user_text(e.display_name) for e in waiting[:WAITLIST_SHOWN])
        more = (
            words(msg(" and {n} more", n=len(waiting) - WAITLIST_SHOWN))
            if len(waiting) > WAITLIST_SHOWN
            else ""
        )
        embed.add_field(
            name=words(msg("Waitlist ({n})", n=len(waiting))),
            value=(shown + more)[:1024],
            inline=False,
        )
    counts = msg(
        "{taken}/{slots} slots taken · {confirmed} confirmed",
        taken=len(holding),
        slots=tournament.max_participants,
        confirmed=confirmed,
    )
    if tournament.checkin_enabled:
        checked = sum(1 for e in holding if e.checked_in_at is not None)
        counts += msg(" · {n} checked in", n=checked)
    embed.set_footer(text=words(counts)[:2048])
    return embed


def _digest(embed: discord.Embed) -> str:
    return hashlib.sha256(json.dumps(embed.to_dict(), sort_keys=True).encode()).hexdigest()


async def refresh_roster(notifier: Notifier, guild_id: int | None, tournament_id: int) -> None:
    """Edit the tournament's roster message to the entries as they are now (post it the
    first time, or again when someone deleted it)."""
    services = notifier.services
    tournament = await services.tournaments.get(tournament_id)
    entries = await services.registration.list(tournament_id)
    words = await notifier.public_words(guild_id)
    embed = roster_embed(tournament, [e for e in entries if e.is_active], words)
    digest = _digest(embed)
    if _painted.get(tournament_id) == digest:
        return  # a later event's state was painted already
    effects = services.outbox.effects
    key = roster_key(tournament_id)
    recorded = await effects.find(key)
    if recorded is not None and recorded.channel_id is not None:
        channel = await notifier.channel(recorded.channel_id)
        message = channel.get_partial_message(recorded.object_id)  # type: ignore[attr-defined]
        try:
            await message.edit(embed=embed)
            _painted[tournament_id] = digest
            return
        except discord.NotFound:
            log.info("the roster of %s was deleted; posting it again", tournament_id)
            await effects.forget(key)
    posted = await notifier.announce(guild_id, embed=embed)
    if posted is None:
        return  # no announcement channel: nothing to keep up to date
    kept = await effects.record(key, posted.channel.id, posted.id)
    if kept.object_id != posted.id:  # another delivery posted the roster first
        await posted.delete()
        _painted.pop(tournament_id, None)  # paint into the one that stands next time
        return
    _painted[tournament_id] = digest


@on(RegistrationCreated)
async def entry_created(notifier: Notifier, event: RegistrationCreated) -> None:
    await refresh_roster(notifier, event.guild_id, event.tournament_id)


@on(RegistrationConfirmed)
async def entry_confirmed(notifier: Notifier, event: RegistrationConfirmed) -> None:
    await refresh_roster(notifier, event.guild_id, event.tournament_id)


@on(RegistrationWithdrawn)
async def entry_withdrawn(notifier: Notifier, event: RegistrationWithdrawn) -> None:
    await refresh_roster(notifier, event.guild_id, event.tournament_id)


@on(RegistrationRemoved)
async def entry_removed(notifier: Notifier, event: RegistrationRemoved) -> None:
    await refresh_roster(notifier, event.guild_id, event.tournament_id)


@on(WaitlistPromoted)
async def entry_promoted(notifier: Notifier, event: WaitlistPromoted) -> None:
    await refresh_roster(notifier, event.guild_id, event.tournament_id)


@on(RegistrationCheckedIn)
async def entry_checked_in(notifier: Notifier, event: RegistrationCheckedIn) -> None:
    await refresh_roster(notifier, event.guild_id, event.tournament_id)


@on(RegistrationExpired)
async def entry_expired(notifier: Notifier, event: RegistrationExpired) -> None:
    await refresh_roster(notifier, event.guild_id, event.tournament_id)
