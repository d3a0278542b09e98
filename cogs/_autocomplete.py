"""Autocomplete and resolution of tournaments and games, shared by every cog.

An option typed ``TournamentId`` shows the server's tournaments as the user types (the
value sent is the tournament id; the name is what they see) and arrives in the command
as an ``int`` id. Someone who ignores the suggestions and types a name still gets the
right tournament, or a sentence saying there is none. Cogs that only want some states
(e.g. /register: open ones) use ``TournamentPicker(statuses=...)``:

    OpenTournament = app_commands.Transform[int, TournamentPicker(statuses=(REGISTRATION_OPEN,))]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import discord
from discord import app_commands

from cogs._interactions import actor_of, services_of
from cogs._text import Words, reader_words
from engine.kernel.errors import DomainError, NotFound
from engine.kernel.text import N_, Message, msg
from engine.kernel.typed import row_id
from storage.models.enums import TournamentStatus

_STATUS_LABELS: dict[str, str] = {
    TournamentStatus.DRAFT: N_("draft"),
    TournamentStatus.PUBLISHED: N_("published"),
    TournamentStatus.REGISTRATION_OPEN: N_("registration open"),
    TournamentStatus.REGISTRATION_CLOSED: N_("registration closed"),
    TournamentStatus.LIVE: N_("live"),
    TournamentStatus.COMPLETED: N_("completed"),
    TournamentStatus.ARCHIVED: N_("archived"),
    TournamentStatus.CANCELLED: N_("cancelled"),
}


def _label(labels: Mapping[str, str], status: str, words: Words) -> str:
    """A status as the chooser reads it, in their language."""
    known = labels.get(status)
    return words(Message(known)) if known is not None else status


# Archived tournaments are history; they stay reachable by typing their exact name.
NOT_ARCHIVED = tuple(s for s in TournamentStatus if s is not TournamentStatus.ARCHIVED)


async def tournament_choices(
    interaction: discord.Interaction,
    current: str,
    statuses: Iterable[TournamentStatus] | None = NOT_ARCHIVED,
) -> list[app_commands.Choice[str]]:
    if interaction.guild_id is None:
        return []
    views = await services_of(interaction).tournaments.search(
        interaction.guild_id, current, limit=25, statuses=statuses
    )
    words = await reader_words(interaction)
    return [
        app_commands.Choice(
            name=f"{v.name} · {_label(_STATUS_LABELS, v.status, words)}"[:100],
            value=str(v.id),
        )
        for v in views
    ]


async def tournament_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """For ``@command.autocomplete("tournament")`` on a plain ``str`` option."""
    return await tournament_choices(interaction, current)


async def my_entries_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """The tournaments the user has an active entry in (for /checkin, /unregister)."""
    if interaction.guild_id is None:
        return []
    entries = await services_of(interaction).registration.active_entries(
        interaction.guild_id, interaction.user.id, current
    )
    return [
        app_commands.Choice(
            name=f"{e.tournament_name} · {e.display_name}"[:100], value=str(e.tournament_id)
        )
        for e in entries
    ]


async def resolve_tournament(interaction: discord.Interaction, value: str) -> int:
    """The id behind an option value from :func:`tournament_autocomplete` (or a typed name)."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    return await services_of(interaction).tournaments.resolve(interaction.guild_id, value)


class TournamentPicker(app_commands.Transformer):
    """Autocompletes tournament names and hands the command the chosen tournament's id."""

    def __init__(self, statuses: Iterable[TournamentStatus] | None = NOT_ARCHIVED) -> None:
        self._statuses = tuple(statuses) if statuses is not None else None

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.string

    async def transform(self, interaction: discord.Interaction, value: str) -> int:
        return await resolve_tournament(interaction, value)

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction, value: str
    ) -> list[app_commands.Choice[str]]:
        return await tournament_choices(interaction, value, self._statuses)


class GamePicker(app_commands.Transformer):
    """Autocompletes this server's games and hands the command the chosen game's id."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.string

    async def transform(self, interaction: discord.Interaction, value: str) -> int:
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage()
        return await services_of(interaction).games.resolve(interaction.guild_id, value)

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction, value: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        games = await services_of(interaction).games.search(interaction.guild_id, value)
        return [app_commands.Choice(name=g.name, value=str(g.id)) for g in games]


TournamentId = app_commands.Transform[int, TournamentPicker]
AnyTournamentId = app_commands.Transform[int, TournamentPicker(statuses=None)]
GameId = app_commands.Transform[int, GamePicker]


async def _tournament_in_options(interaction: discord.Interaction) -> int | None:
    """The tournament already picked in the command's ``tournament`` option, if any."""
    raw = getattr(interaction.namespace, "tournament", None)
    if interaction.guild_id is None or raw is None:
        return None
    try:
        return await services_of(interaction).tournaments.resolve(interaction.guild_id, str(raw))
    except DomainError:
        return None


class EntryPicker(app_commands.Transformer):
    """The active entries of the tournament picked in the same command (organizers only:
    others see no suggestions); hands the command the registration id."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.string

    async def transform(self, interaction: discord.Interaction, value: str) -> int:
        wanted = row_id(value.strip())
        if wanted is not None:
            return wanted
        tournament_id = await _tournament_in_options(interaction)
        if tournament_id is not None:
            entries = await services_of(interaction).registration.entries_for_organizer(
                actor_of(interaction), tournament_id, value
            )
            exact = [e for e in entries if e.display_name.lower() == value.strip().lower()]
            if len(exact) == 1:
                return exact[0].id
        raise NotFound(msg("There is no such entry in this tournament. Pick one from the list."))

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction, value: str
    ) -> list[app_commands.Choice[str]]:
        tournament_id = await _tournament_in_options(interaction)
        if tournament_id is None:
            return []
        entries = await services_of(interaction).registration.entries_for_organizer(
            actor_of(interaction), tournament_id, value
        )
        words = await reader_words(interaction)
        return [
            app_commands.Choice(
                name=f"{e.display_name} · {_label(_ENTRY_LABELS, e.status, words)}"[:100],
                value=str(e.id),
            )
            for e in entries
        ]


_ENTRY_LABELS = {
    "awaiting_payment": N_("awaiting payment"),
    "payment_review": N_("payment in review"),
    "confirmed": N_("confirmed"),
    "waitlisted": N_("waitlisted"),
}

EntryId = app_commands.Transform[int, EntryPicker]


class PrizePicker(app_commands.Transformer):
    """The money prizes still owed in the tournament picked in the same command (its
    organizers only); hands the command the winning entry's registration id."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.string

    async def transform(self, interaction: discord.Interaction, value: str) -> int:
        wanted = row_id(value.strip())
        if wanted is None:
            raise NotFound(msg("Pick the prize from the list."))
        return wanted

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction, value: str
    ) -> list[app_commands.Choice[str]]:
        tournament_id = await _tournament_in_options(interaction)
        if tournament_id is None:
            return []
        try:
            owed = await services_of(interaction).prizes.unpaid(
                actor_of(interaction), tournament_id
            )
        except DomainError:
            return []
        needle = value.strip().lower()
        return [
            app_commands.Choice(
                name=f"#{p.place} {p.display_name} · {p.amount_text}"[:100],
                value=str(p.registration_id),
            )
            for p in owed
            if needle in p.display_name.lower()
        ][:25]


PrizeEntryId = app_commands.Transform[int, PrizePicker]
