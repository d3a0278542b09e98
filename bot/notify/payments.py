"""Direct messages about coins and entry-fee payments.

Delivery is at-least-once; ``notifier.dm`` is keyed per delivery, so a retry does not
repeat a DM. The server's name comes from the cache, else over REST.
"""

from __future__ import annotations

from bot.notifier import Notifier, on
from cogs._safe import user_text
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
    where = await notifier.where(event.guild_id)
    coins = f"**{abs(event.amount)} {event.coin_name}**"
    if event.amount > 0:
        head = f"🪙 An organizer added {coins} to your wallet{where}."
    else:
        head = f"🪙 An organizer removed {coins} from your wallet{where}."
    await notifier.dm(
        event.user_id,
        f"{head}\nReason: {user_text(event.reason)}\nYour balance is now {event.balance_after} "
        f"{event.coin_name}. Use /wallet to see your history.",
    )


@on(PaymentApproved)
async def payment_approved(notifier: Notifier, event: PaymentApproved) -> None:
    if event.reviewer_id is None:
        return  # paid with coins: the player already saw the confirmation in /pay
    await notifier.dm(
        event.user_id,
        f"✅ Your {method_label(event.method)} payment of **{event.amount_text}** for "
        f"**{user_text(event.tournament_name)}**{await notifier.where(event.guild_id)} was "
        "approved. "
        "Your entry is confirmed — see you in the bracket!",
    )


@on(PaymentRejected)
async def payment_rejected(notifier: Notifier, event: PaymentRejected) -> None:
    await notifier.dm(
        event.user_id,
        f"❌ Your {method_label(event.method)} payment of **{event.amount_text}** for "
        f"**{user_text(event.tournament_name)}**{await notifier.where(event.guild_id)} was not "
        "approved.\n"
        f"Reason: {user_text(event.reason)}\nYour spot is still held: pay again with /pay, "
        "with the correct transaction reference and screenshot.",
    )


@on(PaymentRefunded)
async def payment_refunded(notifier: Notifier, event: PaymentRefunded) -> None:
    method = PAYMENT_METHODS.get(event.method)
    if method is not None and method.paid_at_once:
        what = f"**{event.amount_text}** are back in your wallet"
    else:
        what = (
            f"the organizer sent your **{event.amount_text}** back by {method_label(event.method)}"
        )
    where = await notifier.where(event.guild_id)
    await notifier.dm(
        event.user_id,
        f"↩️ Refund for **{user_text(event.tournament_name)}**{where}: {what}.\n"
        f"Note: {user_text(event.reason)}",
    )


@on(RefundPending)
async def refund_pending(notifier: Notifier, event: RefundPending) -> None:
    await notifier.dm(
        event.user_id,
        f"↩️ Your entry fee of **{event.amount_text}** for "
        f"**{user_text(event.tournament_name)}**"
        f"{await notifier.where(event.guild_id)} will be refunded by "
        f"{method_label(event.method)}. Reason: {user_text(event.reason)}\nAn organizer "
        "sends it by hand; you will get another message when it is sent.",
    )
