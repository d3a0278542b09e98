"""Embeds for tournaments: /tournament info, list, history, and the announcements."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import discord

from cogs._safe import user_text
from cogs._speech import ENGLISH, Say
from engine.guilds import GameView
from engine.kernel.text import N_, Command, Message, Timestamp, User, msg, nmsg
from engine.tournaments import (
    TournamentSummary,
    TournamentView,
    VersionView,
    format_money,
)
from storage.models.enums import RegistrationStatus, TournamentStatus

RULES_EXCERPT = 300
_COLOURS = {
    TournamentStatus.DRAFT: discord.Colour.light_grey(),
    TournamentStatus.PUBLISHED: discord.Colour.blurple(),
    TournamentStatus.REGISTRATION_OPEN: discord.Colour.green(),
    TournamentStatus.REGISTRATION_CLOSED: discord.Colour.orange(),
    TournamentStatus.LIVE: discord.Colour.red(),
    TournamentStatus.COMPLETED: discord.Colour.gold(),
    TournamentStatus.ARCHIVED: discord.Colour.dark_grey(),
    TournamentStatus.CANCELLED: discord.Colour.dark_red(),
}


# A tournament's state as a heading says it ("Open for registration").
STATUS_LABELS = {
    TournamentStatus.DRAFT: N_("Draft"),
    TournamentStatus.PUBLISHED: N_("Published"),
    TournamentStatus.REGISTRATION_OPEN: N_("Open for registration"),
    TournamentStatus.REGISTRATION_CLOSED: N_("Closed for registration"),
    TournamentStatus.LIVE: N_("Live"),
    TournamentStatus.COMPLETED: N_("Completed"),
    TournamentStatus.ARCHIVED: N_("Archived"),
    TournamentStatus.CANCELLED: N_("Cancelled"),
}


# An entry's state, counted in the participants export ("3 confirmed, 1 waitlisted").
ENTRY_STATES = {
    RegistrationStatus.AWAITING_PAYMENT: N_("awaiting payment"),
    RegistrationStatus.PAYMENT_REVIEW: N_("payment in review"),
    RegistrationStatus.CONFIRMED: N_("confirmed"),
    RegistrationStatus.WAITLISTED: N_("waitlisted"),
    RegistrationStatus.WITHDRAWN: N_("withdrawn"),
    RegistrationStatus.DISQUALIFIED: N_("disqualified"),
    RegistrationStatus.CANCELLED: N_("cancelled"),
    RegistrationStatus.REJECTED: N_("rejected"),
    RegistrationStatus.EXPIRED: N_("expired"),
}
NOT_SET = N_("not set")


def entry_counts(counts: dict[str, int]) -> Message:
    """How many entries are in each state, e.g. "3 confirmed, 1 waitlisted"."""
    if not counts:
        return msg("none yet")
    parts = [
        msg(
            "{n} {state}",
            n=n,
            state=Message(ENTRY_STATES.get(RegistrationStatus(state), state.replace("_", " "))),
        )
        for state, n in counts.items()
    ]
    return Message("{parts}", {"parts": parts})


def catalogued(text: str) -> Message:
    """A label the catalogue holds under its English words (a format's name, marked in
    ``cogs/_command_texts.py`` with the choices that offer it)."""
    return Message.literal(text)


def when(moment: datetime | None, fallback: Message | str = NOT_SET, say: Say = ENGLISH) -> str:
    """A Discord timestamp every reader sees in their own time zone, plus "in 3 days"."""
    if moment is None:
        return say(Message(fallback) if isinstance(fallback, str) else fallback)
    return f"{discord.utils.format_dt(moment, 'F')} ({discord.utils.format_dt(moment, 'R')})"


def status_text(status: str, say: Say = ENGLISH) -> str:
    return say(Message(STATUS_LABELS[TournamentStatus(status)]))


def fee_text(t: TournamentView, coin_name: str = "coins", say: Say = ENGLISH) -> str:
    parts = []
    if t.entry_fee_minor:
        parts.append(format_money(t.entry_fee_minor, t.currency))
    if t.entry_fee_coins:
        parts.append(
            say(msg("{amount:,} {coin_name}", amount=t.entry_fee_coins, coin_name=coin_name))
        )
    if not parts:
        return say(msg("Free"))
    text = say(msg(" or ")).join(parts)
    if t.payment_methods:
        text += "\n" + say(msg("Pay with: {methods}", methods=", ".join(t.payment_methods)))
    if t.fee_waiver_top_n:
        text += "\n" + say(msg("Free for the top {n} ranked", n=t.fee_waiver_top_n))
    return text


def prize_text(t: TournamentView, coin_name: str = "coins", say: Say = ENGLISH) -> str:
    parts = []
    if t.prize_pool_minor:
        parts.append(format_money(t.prize_pool_minor, t.currency))
    if t.prize_pool_coins:
        parts.append(
            say(msg("{amount:,} {coin_name}", amount=t.prize_pool_coins, coin_name=coin_name))
        )
    if not parts:
        return say(msg("None announced"))
    text = " + ".join(parts)
    if t.prize_distribution:
        places = ", ".join(f"#{i + 1}: {p}%" for i, p in enumerate(t.prize_distribution))
        text += f"\n{places}"
    else:
        text += "\n" + say(msg("Split to be announced"))
    return text


def format_text(t: TournamentView, game: GameView | None = None, say: Say = ENGLISH) -> str:
    lines = [
        say(
            msg(
                "{format_name}, best of {best_of}",
                format_name=catalogued(t.format_name),
                best_of=t.best_of,
            )
        )
    ]
    if t.format_options:
        lines.append(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in t.format_options.items()))
    if t.participant_type == "team":
        lines.append(say(msg("Teams of {team_size}", team_size=t.team_size)))
    else:
        lines.append(say(msg("Solo")))
    if game is not None:
        lines.append(
            say(msg("Results: {result_type}", result_type=game.result_type.replace("_", " ")))
        )
    return "\n".join(lines)


def registration_text(t: TournamentView, say: Say = ENGLISH) -> str:
    """What registration is doing now: the planned times only while they are ahead."""
    status = TournamentStatus(t.status)
    by_organizers_open = msg("when the organizers open it")
    by_organizers_close = msg("when the organizers close it")
    if status in (TournamentStatus.DRAFT, TournamentStatus.PUBLISHED):
        return say(
            msg(
                "Opens {opens}\nCloses {closes}",
                opens=when(t.registration_opens_at, by_organizers_open, say),
                closes=when(t.registration_closes_at, by_organizers_close, say),
            )
        )
    if status is TournamentStatus.REGISTRATION_OPEN:
        return say(
            msg(
                "Open now; closes {closes}",
                closes=when(t.registration_closes_at, by_organizers_close, say),
            )
        )
    return say(msg("Closed"))


def tournament_embed(
    summary: TournamentSummary, title: str | None = None, say: Say = ENGLISH
) -> discord.Embed:
    t, coin_name = summary.tournament, summary.coin_name
    embed = discord.Embed(
        title=(title or t.name)[:256],  # titles render no links or mentions
        colour=_COLOURS.get(TournamentStatus(t.status), discord.Colour.blurple()),
        description=f"**{user_text(t.game_name)}** · {status_text(t.status, say)}",
    )
    embed.add_field(name=say(msg("Format")), value=format_text(t, summary.game, say))
    embed.add_field(name=say(msg("Starts")), value=when(t.starts_at, say=say), inline=False)
    embed.add_field(name=say(msg("Registration")), value=registration_text(t, say), inline=False)
    slots = say(msg("{left} of {max} left", left=summary.slots_left, max=t.max_participants))
    if summary.waitlisted:
        slots += say(msg(" ({n} on the waitlist)", n=summary.waitlisted))
    embed.add_field(name=say(msg("Slots")), value=slots)
    embed.add_field(name=say(msg("Entry fee")), value=fee_text(t, coin_name, say))
    embed.add_field(name=say(msg("Prize pool")), value=prize_text(t, coin_name, say))
    if t.checkin_enabled:
        embed.add_field(
            name=say(msg("Check-in")),
            value=say(
                nmsg(
                    "Opens {n} minute before",
                    "Opens {n} minutes before",
                    t.checkin_window_minutes,
                )
            ),
        )
    if t.rules:
        excerpt = t.rules if len(t.rules) <= RULES_EXCERPT else t.rules[:RULES_EXCERPT] + "…"
        embed.add_field(name=say(msg("Rules")), value=excerpt, inline=False)
    if t.stream_links:
        embed.add_field(
            name=say(msg("Streams")), value=_fit("\n".join(t.stream_links), 1024), inline=False
        )
    embed.set_footer(text=say(msg("Version {version} · /t/{slug}", version=t.version, slug=t.slug)))
    return embed


def list_embed(views: Sequence[TournamentView], say: Say = ENGLISH) -> discord.Embed:
    embed = discord.Embed(title=say(msg("Tournaments")), colour=discord.Colour.blurple())
    if not views:
        embed.description = say(msg("No tournaments are announced yet. Check back soon!"))
        return embed
    for t in views[:25]:
        embed.add_field(
            name=f"{t.name} · {t.game_name}"[:256],  # names render no links or mentions
            value=say(
                msg(
                    "{status} · {format_name}\nStarts {when}",
                    status=Message(STATUS_LABELS[TournamentStatus(t.status)]),
                    format_name=catalogued(t.format_name),
                    when=when(t.starts_at, say=say),
                )
            ),
            inline=False,
        )
    return embed


EMBED_BUDGET = 5800  # Discord refuses an embed over 6,000 characters in all


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def history_embed(name: str, versions: Sequence[VersionView], say: Say = ENGLISH) -> discord.Embed:
    # Titles render no links or mentions: the name goes in as it is.
    title = say(msg("History of {name}", name="\0")).replace("\0", name)
    embed = discord.Embed(title=title[:256], colour=discord.Colour.blurple())
    used, shown = len(embed.title or ""), 0
    # The newest first: that is what an organizer about to roll back looks for.
    for v in list(reversed(versions))[:25]:
        value = (
            _fit(v.summary, 900)
            + "\n"
            + say(
                msg(
                    "by {actor} {when}",
                    actor=User(v.actor_id),
                    when=Timestamp(v.created_at),
                )
            )
        )
        name_text = say(msg("Version {version}", version=v.version))
        if used + len(name_text) + len(value) > EMBED_BUDGET:
            break
        embed.add_field(name=name_text, value=value, inline=False)
        used += len(name_text) + len(value)
        shown += 1
    older = len(versions) - shown
    footer = msg("Restore one with {rollback}.", rollback=Command("tournament rollback"))
    if older:
        footer += nmsg(" {n} older version not shown.", " {n} older versions not shown.", older)
    embed.set_footer(text=say(footer))
    return embed
