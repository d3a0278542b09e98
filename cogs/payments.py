"""/pay — a player pays an entry fee; /payments — organizers review, approve, reject, refund.

The Approve / Reject buttons under a pending proof are ``DynamicItem``s whose custom_id
carries the payment id, so they keep working after a restart; every click goes through
the payment service, which decides (and explains) whether anything changes.
"""

from __future__ import annotations

import io
import re
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import locale_str
from discord.ext import commands

from cogs._autocomplete import TournamentId
from cogs._cooldowns import cooldown
from cogs._errors import DomainModal, DomainView, answer_error
from cogs._interactions import ORGANIZER_EXTRA, actor_of, cog_host, read_upload, reply, services_of
from cogs._safe import user_text
from cogs._text import ENGLISH, Words, reader_words
from engine.kernel.text import N_, Command, Message, User, msg, nmsg
from engine.money import BULK_LIMIT, PAYMENT_METHODS, BulkReview, PaymentView
from engine.services import Services

_PENDING_SHOWN = 10
_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg"}


def method_choices() -> list[app_commands.Choice[str]]:
    """The /pay choices, one per registered payment method, in registry order."""
    return [app_commands.Choice(name=m.title, value=m.key) for m in PAYMENT_METHODS.values()]


METHOD_CHOICES = method_choices()


PAYMENT_STATUS = {
    "submitted": N_("submitted"),
    "approved": N_("approved"),
    "rejected": N_("rejected"),
    "refunded": N_("refunded"),
    "refund_pending": N_("refund pending"),
}


def payment_status(status: str) -> Message:
    label = PAYMENT_STATUS.get(status)
    return Message(label) if label is not None else Message.literal(status.replace("_", " "))


def payment_embed(
    view: PaymentView, *, image_name: str | None = None, words: Words = ENGLISH
) -> discord.Embed:
    embed = discord.Embed(
        title=words(
            msg(
                "Payment #{payment} · {tournament}",
                payment=view.id,
                tournament=view.tournament_name,
            )
        )[:256],
        colour=discord.Colour.blurple(),
    )
    embed.add_field(
        name=words(msg("Player")), value=f"<@{view.user_id}> ({user_text(view.display_name)})"
    )
    embed.add_field(name=words(msg("Method")), value=view.method_label)
    embed.add_field(name=words(msg("Amount")), value=view.amount_text)
    embed.add_field(
        name=words(msg("Reference")), value=f"`{view.reference}`" if view.reference else "—"
    )
    embed.add_field(name=words(msg("Status")), value=words(payment_status(view.status)))
    embed.add_field(name=words(msg("Sent")), value=f"<t:{int(view.created_at.timestamp())}:R>")
    if view.review_note:
        embed.add_field(name=words(msg("Note")), value=view.review_note[:1024], inline=False)
    if image_name:
        embed.set_image(url=f"attachment://{image_name}")
    return embed


class PaymentDecision(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"dc:pay:(?P<payment_id>\d+):(?P<decision>approve|reject)",
):
    """Approve / Reject under a pending proof."""

    def __init__(self, payment_id: int, decision: str, words: Words = ENGLISH) -> None:
        approve = decision == "approve"
        super().__init__(
            discord.ui.Button(
                label=words(msg("Approve") if approve else msg("Reject")),
                style=discord.ButtonStyle.success if approve else discord.ButtonStyle.danger,
                custom_id=f"dc:pay:{payment_id}:{decision}",
            )
        )
        self.payment_id = payment_id
        self.decision = decision

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> PaymentDecision:
        return cls(int(match["payment_id"]), match["decision"])

    async def callback(self, interaction: discord.Interaction) -> None:
        # A dynamic item's view is built by discord.py, so errors are answered here.
        try:
            services, actor = services_of(interaction), actor_of(interaction)
            if self.decision == "reject":
                await services.payments.reviewable(actor, self.payment_id)
                words = await reader_words(interaction)
                await interaction.response.send_modal(RejectPaymentModal(self.payment_id, words))
                return
            view = await services.payments.approve(actor, self.payment_id)
            await reply(
                interaction,
                msg(
                    "✅ Approved payment #{payment} ({amount}) of {player} for {tournament}. "
                    "Their entry is confirmed and they will get a DM.",
                    payment=view.id,
                    amount=view.amount_text,
                    player=User(view.user_id),
                    tournament=view.tournament_name,
                ),
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except Exception as error:  # answered, and logged with an incident id when a bug
            await answer_error(interaction, error)


def _reason_input(label: Message, words: Words) -> discord.ui.TextInput[Any]:
    return discord.ui.TextInput(
        label=words(label)[:45],
        custom_id="reason",
        style=discord.TextStyle.paragraph,
        placeholder=words(msg("e.g. The reference does not match any bKash transaction."))[:100],
        min_length=3,
        max_length=300,
    )


class RejectPaymentModal(DomainModal):
    def __init__(self, payment_id: int, words: Words = ENGLISH) -> None:
        super().__init__(
            title=words(msg("Reject payment #{payment}", payment=payment_id))[:45],
            custom_id=f"dc:pay-reject:{payment_id}",
        )
        self.payment_id = payment_id
        self.reason = _reason_input(msg("Reason (the player reads it)"), words)
        self.add_item(self.reason)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        view = await services_of(interaction).payments.reject(
            actor_of(interaction), self.payment_id, self.reason.value
        )
        await reply(
            interaction,
            msg(
                "❌ Rejected payment #{payment} of {player}. They will get a DM with your "
                "reason and can pay again.",
                payment=view.id,
                player=User(view.user_id),
            ),
            allowed_mentions=discord.AllowedMentions.none(),
        )


def bulk_summary(outcome: BulkReview, words: Words = ENGLISH) -> str:
    n = len(outcome.decided)
    if not outcome.decided:
        head = msg("Nothing changed.")
    elif outcome.decision == "approve":
        head = nmsg(
            "✅ Approved {n} payment; each player gets a DM.",
            "✅ Approved {n} payments; each player gets a DM.",
            n,
        )
    else:
        head = nmsg(
            "❌ Rejected {n} payment; each player gets a DM.",
            "❌ Rejected {n} payments; each player gets a DM.",
            n,
        )
    lines = [words(head)]
    lines += [
        f"• #{v.id} {user_text(v.display_name)} · {v.amount_text} · {user_text(v.tournament_name)}"
        for v in outcome.decided
    ]
    if outcome.refused:
        lines.append(words(msg("Left alone ({n}):", n=len(outcome.refused))))
        lines += [f"• #{pid}: {words(text)}" for pid, text in outcome.refused]
    return "\n".join(lines)[:1900]


class BulkRejectModal(DomainModal):
    def __init__(self, payment_ids: list[int], words: Words = ENGLISH) -> None:
        n = len(payment_ids)
        super().__init__(title=words(nmsg("Reject {n} payment", "Reject {n} payments", n))[:45])
        self.payment_ids = payment_ids
        self.words = words
        self.reason = _reason_input(msg("Reason (every player reads it)"), words)
        self.add_item(self.reason)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        outcome = await services_of(interaction).payments.review_many(
            actor_of(interaction), self.payment_ids, "reject", self.reason.value
        )
        await interaction.response.send_message(
            bulk_summary(outcome, self.words),
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )


class BulkReviewView(DomainView):
    """Two select menus over the pending proofs: pick several to approve at once, or to
    reject with one reason. Each pick goes through the payment service one by one."""

    def __init__(self, queue: list[PaymentView], words: Words = ENGLISH) -> None:
        super().__init__(timeout=900)
        self.words = words
        options = [
            discord.SelectOption(
                label=f"#{v.id} · {v.display_name}"[:100],
                description=f"{v.amount_text} · {v.method_label} · {v.tournament_name}"[:100],
                value=str(v.id),
            )
            for v in queue[:BULK_LIMIT]
        ]
        self.approve_select: discord.ui.Select[BulkReviewView] = discord.ui.Select(
            custom_id="dc:pay-bulk:approve",
            placeholder=words(msg("Approve these payments…"))[:150],
            min_values=1,
            max_values=len(options),
            options=options,
        )
        self.reject_select: discord.ui.Select[BulkReviewView] = discord.ui.Select(
            custom_id="dc:pay-bulk:reject",
            placeholder=words(msg("Reject these payments…"))[:150],
            min_values=1,
            max_values=len(options),
            options=options,
        )
        self.approve_select.callback = self._approve  # type: ignore[method-assign]
        self.reject_select.callback = self._reject  # type: ignore[method-assign]
        self.add_item(self.approve_select)
        self.add_item(self.reject_select)

    async def _approve(self, interaction: discord.Interaction) -> None:
        ids = [int(v) for v in self.approve_select.values]
        await interaction.response.defer(ephemeral=True, thinking=True)
        outcome = await services_of(interaction).payments.review_many(
            actor_of(interaction), ids, "approve"
        )
        await interaction.followup.send(
            bulk_summary(outcome, self.words),
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )

    async def _reject(self, interaction: discord.Interaction) -> None:
        ids = [int(v) for v in self.reject_select.values]
        await interaction.response.send_modal(BulkRejectModal(ids, self.words))


def decision_buttons(payment_id: int, words: Words = ENGLISH) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(PaymentDecision(payment_id, "approve", words))
    view.add_item(PaymentDecision(payment_id, "reject", words))
    return view


def _paid_message(view: PaymentView) -> Message:
    method = PAYMENT_METHODS.get(view.method)
    if method is not None and method.paid_at_once:
        return msg(
            "✅ Paid **{amount}** for **{tournament}**. Your entry is confirmed. Check your "
            "balance with {wallet}.",
            amount=view.amount_text,
            tournament=view.tournament_name,
            wallet=Command("wallet"),
        )
    return msg(
        "📨 Your {method} payment of **{amount}** (reference `{reference}`) for "
        "**{tournament}** is waiting for review as payment #{payment}. You will get a DM when "
        "an organizer checks it.",
        method=view.method_label,
        amount=view.amount_text,
        reference=view.reference,
        tournament=view.tournament_name,
        payment=view.id,
    )


class PaymentsCog(commands.Cog):
    payments = app_commands.Group(
        name="payments",
        description=locale_str("Review entry-fee payments (organizers)."),
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, services: Services) -> None:
        self.services = services

    @app_commands.command(
        name="pay", description=locale_str("Pay the entry fee of your registration.")
    )
    @cooldown("pay")
    @app_commands.describe(
        tournament=locale_str("The tournament you registered for."),
        method=locale_str("Coins, or the service you sent money with."),
        reference=locale_str("The transaction id (TrxID) of your money transfer."),
        proof=locale_str("A screenshot of the transfer (PNG or JPEG)."),
    )
    @app_commands.choices(method=METHOD_CHOICES)
    @app_commands.guild_only()
    async def pay(
        self,
        interaction: discord.Interaction,
        tournament: TournamentId,
        method: app_commands.Choice[str],
        reference: app_commands.Range[str, 1, 64] | None = None,
        proof: discord.Attachment | None = None,
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        view = await self.services.payments.pay(
            actor_of(interaction),
            tournament,
            method.value,
            reference=reference,
            proof=await read_upload(self.services.uploads, proof),
            proof_name=proof.filename if proof else None,
        )
        await reply(interaction, _paid_message(view))

    @payments.command(
        name="review",
        description=locale_str("Approve or reject several payment proofs at once from a list."),
        extras={ORGANIZER_EXTRA: True},
    )
    async def review(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None  # guild_only
        queue = await self.services.payments.pending(actor_of(interaction), interaction.guild_id)
        if not queue:
            await reply(interaction, msg("No payments are waiting for review. 🎉"))
            return
        lines = [
            f"#{v.id} · {user_text(v.display_name)} · {v.amount_text} · {v.method_label} · "
            f"`{v.reference or '—'}` · {user_text(v.tournament_name)}"
            for v in queue[:BULK_LIMIT]
        ]
        words = await reader_words(interaction)
        text = words(
            nmsg(
                "{n} payment waiting for review. Check the proofs with {pending}, then pick "
                "the ones to approve or to reject:",
                "{n} payments waiting for review. Check the proofs with {pending}, then pick "
                "the ones to approve or to reject:",
                len(queue),
                pending=Command("payments pending"),
            )
        )
        for line in lines:
            if len(text) + len(line) > 1900:
                text += "\n…"
                break
            text += "\n" + line
        await reply(
            interaction,
            text,
            view=BulkReviewView(queue, words),
            allowed_mentions=discord.AllowedMentions.none(),
        )

    @payments.command(
        name="pending",
        description=locale_str(
            "Show payment proofs waiting for review, with Approve and Reject buttons."
        ),
        extras={ORGANIZER_EXTRA: True},
    )
    async def pending(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None  # guild_only
        actor = actor_of(interaction)
        queue = await self.services.payments.pending(actor, interaction.guild_id)
        if not queue:
            await reply(interaction, msg("No payments are waiting for review. 🎉"))
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        more = len(queue) - _PENDING_SHOWN
        words = await reader_words(interaction)
        await reply(
            interaction,
            nmsg(
                "{n} payment waiting for review{shown}",
                "{n} payments waiting for review{shown}",
                len(queue),
                shown=msg("; the oldest {shown} are shown.", shown=_PENDING_SHOWN)
                if more > 0
                else ":",
            ),
        )
        for view in queue[:_PENDING_SHOWN]:
            data, content_type = await self.services.payments.proof(actor, view.id)
            name = f"payment-{view.id}.{_EXTENSIONS.get(content_type, 'bin')}"
            await interaction.followup.send(
                embed=payment_embed(view, image_name=name, words=words),
                file=discord.File(io.BytesIO(data), filename=name),
                view=decision_buttons(view.id, words),
                ephemeral=True,
            )

    @payments.command(
        name="verify",
        description=locale_str("Approve a payment by its number and confirm the entry."),
        extras={ORGANIZER_EXTRA: True},
    )
    @app_commands.describe(payment_id="The payment number shown in /payments pending.")
    async def verify(self, interaction: discord.Interaction, payment_id: int) -> None:
        view = await self.services.payments.approve(actor_of(interaction), payment_id)
        await reply(
            interaction,
            msg(
                "✅ Approved payment #{payment}; the entry of {player} is confirmed.",
                payment=view.id,
                player=User(view.user_id),
            ),
            embed=payment_embed(view, words=await reader_words(interaction)),
        )

    @payments.command(
        name="reject",
        description=locale_str("Reject a payment proof; the player is told why and can pay again."),
        extras={ORGANIZER_EXTRA: True},
    )
    @app_commands.describe(
        payment_id=locale_str("The payment number shown in /payments pending."),
        reason=locale_str("Why, shown to the player (e.g. reference not found)."),
    )
    async def reject(
        self,
        interaction: discord.Interaction,
        payment_id: int,
        reason: app_commands.Range[str, 3, 300],
    ) -> None:
        view = await self.services.payments.reject(actor_of(interaction), payment_id, reason)
        await reply(
            interaction,
            msg("❌ Rejected payment #{payment}.", payment=view.id),
            embed=payment_embed(view, words=await reader_words(interaction)),
        )

    @payments.command(
        name="refund",
        description=locale_str(
            "Refund a payment: coins go back at once, money is marked to send back."
        ),
        extras={ORGANIZER_EXTRA: True},
    )
    @app_commands.describe(
        payment_id=locale_str("The payment number."),
        reason=locale_str("Why, shown to the player."),
    )
    async def refund(
        self,
        interaction: discord.Interaction,
        payment_id: int,
        reason: app_commands.Range[str, 3, 300],
    ) -> None:
        view = await self.services.payments.refund(actor_of(interaction), payment_id, reason)
        if view.status == "refund_pending":
            text = msg(
                "↩️ Refund of {amount} recorded for payment #{payment}. Send the money back by "
                "{method}, then mark it with {refund_sent} {payment}.",
                amount=view.amount_text,
                payment=view.id,
                method=view.method_label,
                refund_sent=Command("payments refund-sent"),
            )
        else:
            text = msg(
                "↩️ Payment #{payment} is refunded ({amount}).",
                payment=view.id,
                amount=view.amount_text,
            )
        await reply(
            interaction, text, embed=payment_embed(view, words=await reader_words(interaction))
        )

    @payments.command(
        name="refund-sent",
        description=locale_str("Mark a money refund as sent back to the player."),
        extras={ORGANIZER_EXTRA: True},
    )
    @app_commands.describe(
        payment_id=locale_str("The payment number."),
        note=locale_str("How it was sent, e.g. the bKash TrxID (shown to the player)."),
    )
    async def refund_sent(
        self,
        interaction: discord.Interaction,
        payment_id: int,
        note: app_commands.Range[str, 1, 300] | None = None,
    ) -> None:
        view = await self.services.payments.mark_refund_sent(
            actor_of(interaction), payment_id, note or ""
        )
        await reply(
            interaction,
            msg("✅ Payment #{payment}: the refund is marked as sent.", payment=view.id),
            embed=payment_embed(view, words=await reader_words(interaction)),
        )


async def setup(bot: commands.Bot) -> None:
    bot.add_dynamic_items(PaymentDecision)
    await bot.add_cog(PaymentsCog(cog_host(bot).services))
