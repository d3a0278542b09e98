"""Embeds for tournaments: /tournament info, list, history, and the announcements."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import discord

from cogs._safe import user_text
from engine.guilds import GameView
from engine.tournaments import (
    STATUS_NAMES,
    TournamentSummary,
    TournamentView,
    VersionView,
    format_money,
)
from storage.models.enums import TournamentStatus

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


def when(moment: datetime | None, fallback: str = "not set") -> str:
    """A Discord timestamp every reader sees in their own time zone, plus "in 3 days"."""
    if moment is None:
        return fallback
    return f"{discord.utils.format_dt(moment, 'F')} ({discord.utils.format_dt(moment, 'R')})"


def status_text(status: str) -> str:
    return STATUS_NAMES[TournamentStatus(status)].capitalize()


def fee_text(t: TournamentView, coin_name: str = "coins") -> str:
    parts = []
    if t.entry_fee_minor:
        parts.append(format_money(t.entry_fee_minor, t.currency))
    if t.entry_fee_coins:
        parts.append(f"{t.entry_fee_coins:,} {coin_name}")
    if not parts:
        return "Free"
    text = " or ".join(parts)
    if t.payment_methods:
        text += f"\nPay with: {', '.join(t.payment_methods)}"
    if t.fee_waiver_top_n:
        text += f"\nFree for the top {t.fee_waiver_top_n} ranked"
    return text


def prize_text(t: TournamentView, coin_name: str = "coins") -> str:
    parts = []
    if t.prize_pool_minor:
        parts.append(format_money(t.prize_pool_minor, t.currency))
    if t.prize_pool_coins:
        parts.append(f"{t.prize_pool_coins:,} {coin_name}")
    if not parts:
        return "None announced"
    text = " + ".join(parts)
    if t.prize_distribution:
        places = ", ".join(f"#{i + 1}: {p}%" for i, p in enumerate(t.prize_distribution))
        text += f"\n{places}"
    else:
        text += "\nSplit to be announced"
    return text


def format_text(t: TournamentView, game: GameView | None = None) -> str:
    lines = [f"{t.format_name}, best of {t.best_of}"]
    if t.format_options:
        lines.append(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in t.format_options.items()))
    if t.participant_type == "team":
        lines.append(f"Teams of {t.team_size}")
    else:
        lines.append("Solo")
    if game is not None:
        lines.append(f"Results: {game.result_type.replace('_', ' ')}")
    return "\n".join(lines)


def registration_text(t: TournamentView) -> str:
    """What registration is doing now: the planned times only while they are ahead."""
    status = TournamentStatus(t.status)
    if status in (TournamentStatus.DRAFT, TournamentStatus.PUBLISHED):
        return (
            f"Opens {when(t.registration_opens_at, 'when the organizers open it')}\n"
            f"Closes {when(t.registration_closes_at, 'when the organizers close it')}"
        )
    if status is TournamentStatus.REGISTRATION_OPEN:
        return f"Open now; closes {when(t.registration_closes_at, 'when the organizers close it')}"
    return "Closed"


def tournament_embed(summary: TournamentSummary, title: str | None = None) -> discord.Embed:
    t, coin_name = summary.tournament, summary.coin_name
    embed = discord.Embed(
        title=(title or t.name)[:256],  # titles render no links or mentions
        colour=_COLOURS.get(TournamentStatus(t.status), discord.Colour.blurple()),
        description=f"**{user_text(t.game_name)}** · {status_text(t.status)}",
    )
    embed.add_field(name="Format", value=format_text(t, summary.game))
    embed.add_field(name="Starts", value=when(t.starts_at), inline=False)
    embed.add_field(name="Registration", value=registration_text(t), inline=False)
    slots = f"{summary.slots_left} of {t.max_participants} left"
    if summary.waitlisted:
        slots += f" ({summary.waitlisted} on the waitlist)"
    embed.add_field(name="Slots", value=slots)
    embed.add_field(name="Entry fee", value=fee_text(t, coin_name))
    embed.add_field(name="Prize pool", value=prize_text(t, coin_name))
    if t.checkin_enabled:
        embed.add_field(name="Check-in", value=f"Opens {t.checkin_window_minutes} minutes before")
    if t.rules:
        excerpt = t.rules if len(t.rules) <= RULES_EXCERPT else t.rules[:RULES_EXCERPT] + "…"
        embed.add_field(name="Rules", value=excerpt, inline=False)
    if t.stream_links:
        embed.add_field(name="Streams", value=_fit("\n".join(t.stream_links), 1024), inline=False)
    embed.set_footer(text=f"Version {t.version} · /t/{t.slug}")
    return embed


def list_embed(views: Sequence[TournamentView]) -> discord.Embed:
    embed = discord.Embed(title="Tournaments", colour=discord.Colour.blurple())
    if not views:
        embed.description = "No tournaments are announced yet. Check back soon!"
        return embed
    for t in views[:25]:
        embed.add_field(
            name=f"{t.name} · {t.game_name}"[:256],  # names render no links or mentions
            value=f"{status_text(t.status)} · {t.format_name}\nStarts {when(t.starts_at)}",
            inline=False,
        )
    return embed


EMBED_BUDGET = 5800  # Discord refuses an embed over 6,000 characters in all


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def history_embed(name: str, versions: Sequence[VersionView]) -> discord.Embed:
    embed = discord.Embed(title=f"History of {name}"[:256], colour=discord.Colour.blurple())
    used, shown = len(embed.title or ""), 0
    # The newest first: that is what an organizer about to roll back looks for.
    for v in list(reversed(versions))[:25]:
        value = (
            f"{_fit(v.summary, 900)}\nby <@{v.actor_id}> "
            f"{discord.utils.format_dt(v.created_at, 'R')}"
        )
        name_text = f"Version {v.version}"
        if used + len(name_text) + len(value) > EMBED_BUDGET:
            break
        embed.add_field(name=name_text, value=value, inline=False)
        used += len(name_text) + len(value)
        shown += 1
    older = len(versions) - shown
    more = f" {older} older version(s) not shown." if older else ""
    embed.set_footer(text=f"Restore one with /tournament rollback.{more}")
    return embed
