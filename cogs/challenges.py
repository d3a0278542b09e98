"""/challenge — organizers set challenges with a coin prize from the server's challenge
pool; members list and claim them; organizers verify or reject claims. Automatic
challenges are judged from match results by the engine, with no command at all."""

from __future__ import annotations

import io
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import locale_str
from discord.ext import commands

from cogs._autocomplete import TournamentId
from cogs._interactions import ORGANIZER_EXTRA, actor_of, cog_host, read_upload, reply
from cogs._safe import user_text
from cogs._text import discord_text, reader_language
from engine.challenges import (
    JUDGE_LABELS,
    ChallengeDraft,
    ChallengePool,
    ChallengeView,
    Judge,
    judge_text,
)
from engine.kernel.errors import DomainError
from engine.kernel.text import Command, Message, Timestamp, User, msg, nmsg
from engine.services import Services

_CLAIMS_SHOWN = 5
_LIST_SHOWN = 8
_RULES_SHOWN = 200
JUDGE_CHOICES = [
    app_commands.Choice(name=locale_str(label), value=str(judge))
    for judge, label in JUDGE_LABELS.items()
]
SOURCE_CHOICES = [
    app_commands.Choice(name=locale_str("From my wallet"), value="wallet"),
    app_commands.Choice(name=locale_str("As a server grant (new coins)"), value="grant"),
]


def _services(interaction: discord.Interaction) -> Services:
    return cog_host(interaction.client).services


async def _challenge_choices(
    interaction: discord.Interaction, current: str, *, review_only: bool
) -> list[app_commands.Choice[int]]:
    if interaction.guild_id is None:
        return []
    views = await _services(interaction).challenges.list_challenges(interaction.guild_id)
    typed = current.strip().lower()
    return [
        app_commands.Choice(name=f"#{v.id} {v.title}"[:100], value=v.id)
        for v in views
        if (not review_only or v.judge == Judge.REVIEW)
        and (not typed or typed in f"#{v.id} {v.title}".lower())
    ][:25]


async def claimable_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[int]]:
    return await _challenge_choices(interaction, current, review_only=True)


async def open_challenge_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[int]]:
    return await _challenge_choices(interaction, current, review_only=False)


async def pending_claim_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[int]]:
    if interaction.guild_id is None:
        return []
    try:  # only the claims this organizer decides; nothing for anyone else
        claims = await _services(interaction).challenges.review_queue(
            actor_of(interaction), interaction.guild_id
        )
    except DomainError:
        return []
    guild, typed = interaction.guild, current.strip().lower()
    choices = []
    for claim in claims:
        member = guild.get_member(claim.user_id) if guild is not None else None
        who = member.display_name if member is not None else str(claim.user_id)
        label = f"#{claim.id} {claim.challenge_title} — {who}"
        if not typed or typed in label.lower():
            choices.append(app_commands.Choice(name=label[:100], value=claim.id))
    return choices[:25]


def _challenge_line(view: ChallengeView) -> Message:
    return msg(
        "{prize} {coins} each · {won} of {winners} won · ends {deadline}\n{judged}",
        prize=view.prize,
        coins=view.coin_name,
        won=view.winners,
        winners=view.max_winners,
        deadline=Timestamp(view.deadline, "R"),
        judged=judge_text(view.judge, view.target),
    )


def challenges_embed(
    views: list[ChallengeView], pool: ChallengePool, client: discord.Client, language: str
) -> discord.Embed:
    def text(message: Message) -> str:
        return discord_text(message, client, language)

    embed = discord.Embed(title=text(msg("🎯 Challenges")), colour=discord.Colour.gold())
    if not views:
        embed.description = text(msg("No open challenges right now."))
    elif len(views) > _LIST_SHOWN:
        embed.description = text(
            msg(
                "The {shown} ending soonest of {total} open challenges.",
                shown=_LIST_SHOWN,
                total=len(views),
            )
        )
    for view in views[:_LIST_SHOWN]:  # an embed holds 6,000 characters in all
        where = f" ({user_text(view.tournament_name)})" if view.tournament_name else ""
        rules = view.rules if len(view.rules) <= _RULES_SHOWN else view.rules[:_RULES_SHOWN] + "…"
        value = text(_challenge_line(view)) + "\n" + user_text(rules)
        embed.add_field(
            name=f"#{view.id} {user_text(view.title)}{where}"[:256],
            value=value[:1024],
            inline=False,
        )
    embed.set_footer(
        text=text(
            msg(
                "Challenge pool: {balance} {coins} ({free} not promised yet).",
                balance=pool.balance,
                coins=pool.coin_name,
                free=pool.free,
            )
        )
    )
    return embed


@app_commands.guild_only()
class ChallengesCog(
    commands.GroupCog,
    group_name="challenge",
    group_description=locale_str("Challenges with coin prizes: list, claim, set and review."),
):
    def __init__(self, services: Services) -> None:
        self.services = services
        super().__init__()

    @app_commands.command(
        name="list", description=locale_str("See the open challenges and their prizes.")
    )
    async def list_challenges(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None  # guild_only
        views = await self.services.challenges.list_challenges(interaction.guild_id)
        pool = await self.services.challenges.pool(interaction.guild_id)
        language = await reader_language(interaction)
        await reply(interaction, embed=challenges_embed(views, pool, interaction.client, language))

    @app_commands.command(
        name="claim", description=locale_str("Claim a challenge's prize, with your evidence.")
    )
    @app_commands.describe(
        challenge=locale_str("The challenge you completed."),
        evidence=locale_str("A screenshot (PNG or JPEG) that shows it."),
        note=locale_str("A note or a link to a clip or match page."),
    )
    @app_commands.autocomplete(challenge=claimable_autocomplete)
    async def claim(
        self,
        interaction: discord.Interaction,
        challenge: int,
        evidence: discord.Attachment | None = None,
        note: app_commands.Range[str, 1, 500] | None = None,
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)  # download + check
        data = await read_upload(self.services.uploads, evidence, "evidence")
        view = await self.services.challenges.claim(
            actor_of(interaction),
            challenge,
            note=note,
            evidence=data,
            evidence_name=evidence.filename if evidence else None,
        )
        await reply(
            interaction,
            msg(
                "📨 Your claim to {title} is in (claim #{id}). The organizers will review "
                "it and tell you by DM.",
                title=view.challenge_title,
                id=view.id,
            ),
        )

    @app_commands.command(
        name="create",
        description=locale_str("Set a challenge with a coin prize (organizers)."),
        extras={ORGANIZER_EXTRA: True},
    )
    @app_commands.describe(
        title=locale_str("A short name, e.g. Ace clutch."),
        rules=locale_str("What counts, in a sentence or two."),
        prize=locale_str("Coins for each winner, paid from the challenge pool."),
        winners=locale_str("How many members can win it."),
        deadline=locale_str(
            "Last moment to win, in this server's time zone, e.g. 2026-12-20 22:00."
        ),
        judged=locale_str("How the challenge is judged."),
        wins=locale_str("For “first to N wins”: the number of wins."),
        tournament=locale_str("Only this tournament (empty: anywhere in the server)."),
    )
    @app_commands.choices(judged=JUDGE_CHOICES)
    async def create(
        self,
        interaction: discord.Interaction,
        title: app_commands.Range[str, 3, 100],
        rules: app_commands.Range[str, 1, 1000],
        prize: app_commands.Range[int, 1, 1_000_000],
        winners: app_commands.Range[int, 1, 100],
        deadline: str,
        judged: app_commands.Choice[str],
        wins: app_commands.Range[int, 1, 50] | None = None,
        tournament: TournamentId | None = None,
    ) -> None:
        assert interaction.guild_id is not None  # guild_only
        view = await self.services.challenges.create(
            actor_of(interaction),
            interaction.guild_id,
            ChallengeDraft(
                title=title,
                rules=rules,
                prize=prize,
                max_winners=winners,
                deadline=deadline,
                judge=judged.value,
                target=wins,
                tournament_id=tournament,
            ),
        )
        await reply(
            interaction,
            msg(
                "🎯 Challenge #{id} {title} is set: {prize} {coins} for each of up to "
                "{winners} winners, until {deadline}. {judged}.",
                id=view.id,
                title=view.title,
                prize=view.prize,
                coins=view.coin_name,
                winners=view.max_winners,
                deadline=Timestamp(view.deadline, "f"),
                judged=judge_text(view.judge, view.target),
            ),
        )

    @app_commands.command(
        name="claims",
        description=locale_str("See the claims waiting for your review (organizers)."),
        extras={ORGANIZER_EXTRA: True},
    )
    async def claims(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None  # guild_only
        actor = actor_of(interaction)
        queue = await self.services.challenges.review_queue(actor, interaction.guild_id)
        if not queue:
            await reply(interaction, msg("No claims are waiting for review. 🎉"))
            return
        await interaction.response.defer(ephemeral=True, thinking=True)  # files to read
        language = await reader_language(interaction)
        await reply(
            interaction,
            nmsg(
                "{n} claim is waiting for review. Decide with {verify} or {reject}.",
                "{n} claims are waiting for review. Decide with {verify} or {reject}.",
                len(queue),
                verify=Command("challenge verify"),
                reject=Command("challenge reject"),
            ),
        )
        for view in queue[:_CLAIMS_SHOWN]:
            evidence = await self.services.challenges.evidence(actor, view.id)
            embed = discord.Embed(
                title=f"#{view.id} {user_text(view.challenge_title)}"[:256],
                description=discord_text(
                    msg(
                        "Claimed by {member} {when}.",
                        member=User(view.user_id),
                        when=Timestamp(view.created_at, "R"),
                    ),
                    interaction.client,
                    language,
                )
                + (f"\n> {user_text(view.note)}" if view.note else ""),
                colour=discord.Colour.gold(),
            )
            kwargs: dict[str, Any] = {}
            if evidence is not None:
                data, content_type = evidence
                name = f"claim-{view.id}.{'jpg' if content_type == 'image/jpeg' else 'png'}"
                embed.set_image(url=f"attachment://{name}")
                kwargs["file"] = discord.File(io.BytesIO(data), filename=name)
            await interaction.followup.send(embed=embed, ephemeral=True, **kwargs)

    @app_commands.command(
        name="verify",
        description=locale_str("Accept a claim and pay its prize (organizers)."),
        extras={ORGANIZER_EXTRA: True},
    )
    @app_commands.describe(claim=locale_str("The pending claim."))
    @app_commands.autocomplete(claim=pending_claim_autocomplete)
    async def verify(self, interaction: discord.Interaction, claim: int) -> None:
        view = await self.services.challenges.verify(actor_of(interaction), claim)
        if view.replayed:
            text = msg(
                "Claim #{id} was already verified and paid; nothing was paid again.", id=view.id
            )
        else:
            text = msg(
                "✅ Claim #{id} verified: {member} won {title} and {prize} {coins}.",
                id=view.id,
                member=User(view.user_id),
                title=view.challenge_title,
                prize=view.prize,
                coins=view.coin_name,
            )
        await reply(interaction, text)

    @app_commands.command(
        name="reject",
        description=locale_str("Turn down a claim and tell the member why (organizers)."),
        extras={ORGANIZER_EXTRA: True},
    )
    @app_commands.describe(
        claim=locale_str("The pending claim."),
        reason=locale_str("Why, in a sentence the member will read."),
    )
    @app_commands.autocomplete(claim=pending_claim_autocomplete)
    async def reject(
        self, interaction: discord.Interaction, claim: int, reason: app_commands.Range[str, 1, 300]
    ) -> None:
        view = await self.services.challenges.reject(actor_of(interaction), claim, reason)
        await reply(
            interaction,
            msg(
                "Claim #{id} rejected; {member} is told why by DM.",
                id=view.id,
                member=User(view.user_id),
            ),
        )

    @app_commands.command(
        name="fund",
        description=locale_str("Add coins to the server's challenge pool (organizers)."),
        extras={ORGANIZER_EXTRA: True},
    )
    @app_commands.describe(
        amount=locale_str("How many coins to add."),
        source=locale_str("Your own wallet, or new coins granted by the server."),
    )
    @app_commands.choices(source=SOURCE_CHOICES)
    async def fund(
        self,
        interaction: discord.Interaction,
        amount: app_commands.Range[int, 1, 1_000_000],
        source: app_commands.Choice[str],
    ) -> None:
        assert interaction.guild_id is not None  # guild_only
        from_wallet = source.value == "wallet"
        pool = await self.services.challenges.fund(
            actor_of(interaction), interaction.guild_id, amount, from_wallet=from_wallet
        )
        if from_wallet:
            text = msg(
                "🪙 Added {amount} {coins} from your wallet to the challenge pool. It now "
                "holds {balance} {coins}.",
                amount=amount,
                coins=pool.coin_name,
                balance=pool.balance,
            )
        else:
            text = msg(
                "🪙 Granted {amount} {coins} to the challenge pool. It now holds {balance} "
                "{coins}.",
                amount=amount,
                coins=pool.coin_name,
                balance=pool.balance,
            )
        await reply(interaction, text)

    @app_commands.command(
        name="close",
        description=locale_str("End a challenge before its deadline (organizers)."),
        extras={ORGANIZER_EXTRA: True},
    )
    @app_commands.describe(challenge=locale_str("The challenge to end."))
    @app_commands.autocomplete(challenge=open_challenge_autocomplete)
    async def close(self, interaction: discord.Interaction, challenge: int) -> None:
        view = await self.services.challenges.close(actor_of(interaction), challenge)
        await reply(
            interaction,
            msg(
                "🔒 {title} is closed: {won} of {winners} prizes were won, and the rest stays "
                "in the challenge pool for the next challenge.",
                title=view.title,
                won=view.winners,
                winners=view.max_winners,
            ),
        )

    @app_commands.command(
        name="withdraw",
        description=locale_str("Take the unpromised coins back out of the pool (organizers)."),
        extras={ORGANIZER_EXTRA: True},
    )
    async def withdraw(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None  # guild_only
        done = await self.services.challenges.empty_pool(
            actor_of(interaction), interaction.guild_id
        )
        pool = await self.services.challenges.pool(interaction.guild_id)
        if not done.emptied:
            await reply(interaction, msg("The challenge pool is already empty."))
            return
        await reply(
            interaction,
            msg(
                "💼 The challenge pool is empty: {returned} {coins} went back to the wallets "
                "they came from, and {retired} granted {coins} were retired.",
                returned=sum(entry.amount for entry in done.returned),
                retired=done.retired_grant,
                coins=pool.coin_name,
            ),
        )


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(ChallengesCog(cog_host(bot).services))
