"""/wallet — a member's coins; /coins grant — an organizer adds or removes coins."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import locale_str
from discord.ext import commands

from cogs._interactions import ORGANIZER_EXTRA, actor_of, cog_host, reply
from cogs._members import ServerMember
from cogs._safe import user_text
from cogs._text import ENGLISH, Words, reader_words
from engine.kernel.text import N_, Message, User, msg
from engine.money import MAX_GRANT, LedgerEntryView, WalletView
from engine.services import Services

_KIND_LABELS = {
    "grant": N_("Organizer"),
    "entry_fee": N_("Entry fee"),
    "refund": N_("Refund"),
    "prize": N_("Prize"),
    "challenge": N_("Challenge"),
}


def _entry_line(entry: LedgerEntryView, words: Words = ENGLISH) -> str:
    sign = "+" if entry.amount > 0 else "−"
    when = int(entry.created_at.timestamp())
    english = _KIND_LABELS.get(entry.kind, entry.kind)
    label = words(Message(english)) if entry.kind in _KIND_LABELS else user_text(english)
    reason = user_text(entry.reason)
    # Engine reasons often name their kind already ("Prize: Crown Cup"): say it once.
    said = reason if entry.reason.startswith(f"{english}:") else f"{label}: {reason}"
    return f"`{sign}{abs(entry.amount)}` {said} · <t:{when}:R>"


def wallet_embed(view: WalletView, owner: str, words: Words = ENGLISH) -> discord.Embed:
    embed = discord.Embed(
        title=words(msg("{owner}'s wallet", owner=Message.literal(owner)))[:256],
        description=words(
            msg("Balance: **{balance} {coin}**", balance=view.balance, coin=view.coin_name)
        ),
        colour=discord.Colour.gold(),
    )
    lines = [_entry_line(e, words) for e in view.recent]
    embed.add_field(
        name=words(msg("Recent movements")),
        value="\n".join(lines)[:1024]
        if lines
        else words(msg("No {coin} yet.", coin=view.coin_name)),
        inline=False,
    )
    embed.set_footer(
        text=words(
            msg(
                "{coin} pay entry fees with {pay}.",
                coin=Message.literal(view.coin_name.capitalize()),
                pay="/pay",
            )
        )
    )
    return embed


class WalletCog(commands.Cog):
    coins = app_commands.Group(
        name="coins",
        description=locale_str("Manage members' coins (organizers)."),
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, services: Services) -> None:
        self.services = services

    @app_commands.command(
        name="wallet", description=locale_str("Show your coin balance and recent movements.")
    )
    @app_commands.guild_only()
    async def wallet(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None  # guild_only
        view = await self.services.ledger.wallet(interaction.guild_id, interaction.user.id)
        words = await reader_words(interaction)
        await interaction.response.send_message(
            embed=wallet_embed(view, interaction.user.display_name, words), ephemeral=True
        )

    @coins.command(
        name="grant",
        description=locale_str("Add coins to a member, or remove some with a negative amount."),
        extras={ORGANIZER_EXTRA: True},
    )
    @app_commands.describe(
        member=locale_str("Who receives (or loses) the coins."),
        amount=locale_str("How many coins; negative to remove (never below zero)."),
        reason=locale_str("Why, shown to the member and kept in the audit log."),
    )
    async def grant(
        self,
        interaction: discord.Interaction,
        member: ServerMember,
        amount: app_commands.Range[int, -MAX_GRANT, MAX_GRANT],
        reason: app_commands.Range[str, 1, 200],
    ) -> None:
        assert interaction.guild_id is not None  # guild_only
        entry = await self.services.ledger.grant(
            actor_of(interaction),
            interaction.guild_id,
            member.id,
            amount,
            reason,
            # A retried interaction carries the same id, so it never grants twice.
            idempotency_key=f"grant:{interaction.id}",
        )
        settings = await self.services.guilds.get_settings(interaction.guild_id)
        coin_name = settings.coin_name if settings else "coins"
        said = {
            "amount": abs(entry.amount),
            "coin": coin_name,
            "member": User(member.id),
            "balance": entry.balance_after,
        }
        await reply(
            interaction,
            msg(
                "Added {amount} {coin} to {member}. Their balance is now {balance} {coin}; "
                "they will get a DM.",
                **said,
            )
            if entry.amount > 0
            else msg(
                "Removed {amount} {coin} from {member}. Their balance is now {balance} {coin}; "
                "they will get a DM.",
                **said,
            ),
            allowed_mentions=discord.AllowedMentions.none(),
        )


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(WalletCog(cog_host(bot).services))
