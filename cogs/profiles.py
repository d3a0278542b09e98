"""/profile — a player's in-game ids (registration fills them in) and standings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import discord
from discord import app_commands
from discord.app_commands import locale_str
from discord.ext import commands

from cogs._autocomplete import GameId
from cogs._interactions import ORGANIZER_EXTRA, actor_of, cog_host, reply
from cogs._members import ServerMember
from cogs._text import ENGLISH, Words, reader_words
from cogs.setup import LANGUAGE_CHOICES
from cogs.stats import progress_lines
from cogs.teams import rank_text
from engine.awards import EarnedBadge
from engine.entries import ProfileEntry, ProfileView
from engine.kernel.i18n import LANGUAGES
from engine.kernel.text import Command, Message, msg, nmsg
from engine.services import Services
from engine.stats import BadgeProgress


def _standing(entry: ProfileEntry) -> Message:
    parts: list[Message] = []
    if entry.manual_rank is not None:
        parts.append(msg("rank #{rank}", rank=entry.manual_rank))
    if entry.rating is not None:
        parts.append(
            nmsg(
                "rating {rating} ({n} match)",
                "rating {rating} ({n} matches)",
                entry.matches_played,
                rating=entry.rating,
            )
        )
    if not parts:
        return msg("unranked")
    return parts[0] if len(parts) == 1 else Message("{a} · {b}", {"a": parts[0], "b": parts[1]})


def profile_embed(
    view: ProfileView,
    name: str,
    badges: Sequence[EarnedBadge] = (),
    progress: Sequence[BadgeProgress] = (),
    words: Words = ENGLISH,
) -> discord.Embed:
    embed = discord.Embed(
        title=words(msg("{name}'s profile", name=Message.literal(name)))[:256],
        colour=discord.Colour.teal(),
    )
    for entry in view.entries[:25]:
        ingame = f"`{entry.ingame_id}`" if entry.ingame_id else words(msg("not set"))
        embed.add_field(
            name=entry.game_name,
            value=f"{entry.ingame_id_label}: {ingame}\n{words(_standing(entry))}",
            inline=True,
        )
    if not view.entries:
        embed.description = words(
            msg(
                "No in-game ids yet. Add one with {profile_set}.",
                profile_set=Command("profile set"),
            )
        )
    if badges:
        # Several awards of one badge (a champion twice) show once, with a count.
        counts = Counter(b.badge.name for b in badges)
        emoji = {b.badge.name: b.badge.emoji for b in badges}
        shown = [f"{emoji[n]} {n}" + (f" ×{c}" if c > 1 else "") for n, c in counts.items()]
        embed.add_field(name=words(msg("Badges")), value=" · ".join(shown)[:1024], inline=False)
    if next_badges := progress_lines(list(progress)):
        embed.add_field(name=words(msg("Next badges")), value=next_badges[:1024], inline=False)
    embed.set_footer(
        text=words(msg("{register} fills in your in-game id from here.", register="/register"))
    )
    return embed


@app_commands.guild_only()
class ProfileCog(
    commands.GroupCog,
    group_name="profile",
    group_description=locale_str("Your in-game ids and standings."),
):
    def __init__(self, services: Services) -> None:
        self.services = services
        super().__init__()

    @app_commands.command(name="set", description=locale_str("Save your in-game id for a game."))
    @app_commands.describe(
        game=locale_str("The game."), ingame_id="Your id in that game, e.g. Name#TAG."
    )
    async def set_id(
        self,
        interaction: discord.Interaction,
        game: GameId,
        ingame_id: app_commands.Range[str, 1, 64],
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)  # before the write
        entry = await self.services.profiles.set_ingame_id(actor_of(interaction), game, ingame_id)
        await reply(
            interaction,
            msg(
                "Saved: your {label} for {game} is `{ingame_id}`. Registrations for this game "
                "will use it.",
                label=entry.ingame_id_label,
                game=entry.game_name,
                ingame_id=Message.literal(entry.ingame_id or ""),
            ),
        )

    @app_commands.command(
        name="language",
        description=locale_str("Choose the language DeltaCrown answers you in."),
    )
    @app_commands.describe(
        language=locale_str(
            "Your language in every server; leave empty to follow the server's again."
        )
    )
    @app_commands.choices(language=LANGUAGE_CHOICES)
    async def language(
        self, interaction: discord.Interaction, language: app_commands.Choice[str] | None = None
    ) -> None:
        chosen = await self.services.languages.set_personal_language(
            interaction.user.id, language.value if language else None
        )
        if chosen is None:
            text = msg("Saved: DeltaCrown answers you in this server's language again.")
        else:
            text = msg(
                "Saved: DeltaCrown now answers you in {language}.", language=LANGUAGES[chosen]
            )
        await reply(interaction, text)

    @app_commands.command(name="show", description=locale_str("Show in-game ids and standings."))
    @app_commands.describe(member="Whose profile to show (you if empty).")
    async def show(
        self, interaction: discord.Interaction, member: ServerMember | None = None
    ) -> None:
        assert interaction.guild_id is not None  # guild_only
        who = member or interaction.user
        view = await self.services.profiles.show(interaction.guild_id, who.id)
        badges = await self.services.badges.badges_of(interaction.guild_id, who.id)
        progress = await self.services.stats.badge_progress(interaction.guild_id, who.id)
        words = await reader_words(interaction)
        await interaction.response.send_message(
            embed=profile_embed(view, who.display_name, badges, progress, words), ephemeral=True
        )

    @app_commands.command(
        name="rank",
        description=locale_str("Set a player's organizer rank in a game (organizers)."),
        extras={ORGANIZER_EXTRA: True},
    )
    @app_commands.describe(
        member=locale_str("The player to rank."),
        game=locale_str("The game the rank is for."),
        rank=locale_str("1 is the best; leave empty to clear the rank."),
    )
    async def rank(
        self,
        interaction: discord.Interaction,
        member: ServerMember,
        game: GameId,
        rank: app_commands.Range[int, 1, 10_000] | None = None,
    ) -> None:
        view = await self.services.registration.set_manual_rank(
            actor_of(interaction), game, "player", member.id, rank
        )
        await reply(interaction, rank_text(view))


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(ProfileCog(cog_host(bot).services))
