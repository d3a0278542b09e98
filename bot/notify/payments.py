"""Direct messages about coins and entry-fee payments.

Delivery is at-least-once; ``notifier.dm`` is keyed per delivery, so a retry does not
repeat a DM. The server's name comes from the cache, else over REST.
"""

from __future__ import annotations

from bot.notifier import Notifier, on
from engine.kernel.text import Command, msg
from engine.money import (
    PAYMENT_METHODS,
    CoinsGranted,
    PaymentApproved,
    PaymentRefunded,
    PaymentRejected,
    RefundPending,
    method_label,
)


@on(CoinsGranted)
async def coins_granted(notifier: Notifier, event: CoinsGranted) -> None:
    where = await notifier.where_clause(event.guild_id)
    coins = {"amount": abs(event.amount), "coin": event.coin_name, "where": where}
    if event.amount > 0:
        head = msg("🪙 An organizer added **{amount} {coin}** to your wallet{where}.", **coins)
    else:
        head = msg("🪙 An organizer removed **{amount} {coin}** from your wallet{where}.", **coins)
    await notifier.dm(
        event.user_id,
        msg(
            "{head}\nReason: {reason}\nYour balance is now {balance} {coin}. Use {wallet} to "
            "see your history.",
            head=head,
            reason=event.reason,
            balance=event.balance_after,
            coin=event.coin_name,
            wallet=Command("wallet"),
        ),
        guild_id=event.guild_id,
    )


@on(PaymentApproved)
async def payment_approved(notifier: Notifier, event: PaymentApproved) -> None:
    if event.reviewer_id is None:
        return  # paid with coins: the player already saw the confirmation in /pay
    await notifier.dm(
        event.user_id,
        msg(
            "✅ Your {method} payment of **{amount}** for **{tournament}**{where} was approved. "
            "Your entry is confirmed — see you in the bracket!",
            method=method_label(event.method),
            amount=event.amount_text,
            tournament=event.tournament_name,
            where=await notifier.where_clause(event.guild_id),
        ),
        guild_id=event.guild_id,
    )


@on(PaymentRejected)
async def payment_rejected(notifier: Notifier, event: PaymentRejected) -> None:
    await notifier.dm(
        event.user_id,
        msg(
            "❌ Your {method} payment of **{amount}** for **{tournament}**{where} was not "
            "approved.\nReason: {reason}\nYour spot is still held: pay again with {pay}, with "
            "the correct transaction reference and screenshot.",
            method=method_label(event.method),
            amount=event.amount_text,
            tournament=event.tournament_name,
            where=await notifier.where_clause(event.guild_id),
            reason=event.reason,
            pay=Command("pay"),
        ),
        guild_id=event.guild_id,
    )


@on(PaymentRefunded)
async def payment_refunded(notifier: Notifier, event: PaymentRefunded) -> None:
    method = PAYMENT_METHODS.get(event.method)
    if method is not None and method.paid_at_once:
        what = msg("**{amount}** are back in your wallet", amount=event.amount_text)
    else:
        what = msg(
            "the organizer sent your **{amount}** back by {method}",
            amount=event.amount_text,
            method=method_label(event.method),
        )
    await notifier.dm(
        event.user_id,
        msg(
            "↩️ Refund for **{tournament}**{where}: {what}.\nNote: {reason}",
            tournament=event.tournament_name,
            where=await notifier.where_clause(event.guild_id),
            what=what,
            reason=event.reason,
        ),
        guild_id=event.guild_id,
    )


@on(RefundPending)
async def refund_pending(notifier: Notifier, event: RefundPending) -> None:
    await notifier.dm(
        event.user_id,
        msg(
            "↩️ Your entry fee of **{amount}** for **{tournament}**{where} will be refunded by "
            "{method}. Reason: {reason}\nAn organizer sends it by hand; you will get another "
            "message when it is sent.",
            amount=event.amount_text,
            tournament=event.tournament_name,
            where=await notifier.where_clause(event.guild_id),
            method=method_label(event.method),
            reason=event.reason,
        ),
        guild_id=event.guild_id,
    )
