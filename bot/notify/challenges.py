"""Challenges: a new challenge and each winner are announced in the server's language
(only the winner is mentioned); claims waiting for review reach the organizer who set the
challenge, and a rejection reaches the member, by DM."""

from __future__ import annotations

from datetime import datetime

from bot.notifier import Notifier, on
from cogs._safe import pings
from engine.challenges import (
    ChallengeClaimRejected,
    ChallengeClaimSubmitted,
    ChallengeCreated,
    ChallengeWon,
    judge_text,
)
from engine.kernel.text import Command, Timestamp, User, msg


@on(ChallengeCreated)
async def challenge_created(notifier: Notifier, event: ChallengeCreated) -> None:
    await notifier.announce(
        event.guild_id,
        msg(
            "🎯 New challenge: **{title}**. {prize} {coins} for each of up to {winners} "
            "winners, until {deadline}. {judged}. See the rules with {list}.",
            title=event.title,
            prize=event.prize,
            coins=event.coin_name,
            winners=event.max_winners,
            deadline=Timestamp(datetime.fromisoformat(event.deadline), "f"),
            judged=judge_text(event.judge, event.target),
            list=Command("challenge list"),
        ),
    )


@on(ChallengeWon)
async def challenge_won(notifier: Notifier, event: ChallengeWon) -> None:
    await notifier.announce(
        event.guild_id,
        msg(
            "🏆 {winner} completed the challenge **{title}** and wins {prize} {coins}!",
            winner=User(event.user_id),
            title=event.title,
            prize=event.prize,
            coins=event.coin_name,
        ),
        allowed_mentions=pings(users=[event.user_id]),
    )
    await notifier.dm(
        event.user_id,
        await notifier.private_text(
            event.user_id,
            event.guild_id,
            msg(
                "🏆 You completed the challenge **{title}**: {prize} {coins} were added to "
                "your wallet. Your balance is now {balance} {coins}.",
                title=event.title,
                prize=event.prize,
                coins=event.coin_name,
                balance=event.balance_after,
            ),
        ),
    )


@on(ChallengeClaimSubmitted)
async def claim_submitted(notifier: Notifier, event: ChallengeClaimSubmitted) -> None:
    if event.automatic:
        text = msg(
            "🏆 {member} won the challenge **{title}** from a match result (claim #{id}), "
            "but the challenge pool is too low to pay it. Add coins with {fund}, then pay "
            "it with {verify}.",
            member=User(event.user_id),
            title=event.title,
            id=event.claim_id,
            fund=Command("challenge fund"),
            verify=Command("challenge verify"),
        )
    else:
        text = msg(
            "📨 {member} claimed the challenge **{title}** (claim #{id}). Review it with "
            "{verify} or {reject}.",
            member=User(event.user_id),
            title=event.title,
            id=event.claim_id,
            verify=Command("challenge verify"),
            reject=Command("challenge reject"),
        )
    await notifier.dm(
        event.organizer_id,
        await notifier.private_text(event.organizer_id, event.guild_id, text),
    )


@on(ChallengeClaimRejected)
async def claim_rejected(notifier: Notifier, event: ChallengeClaimRejected) -> None:
    await notifier.dm(
        event.user_id,
        await notifier.private_text(
            event.user_id,
            event.guild_id,
            msg(
                "Your claim to the challenge **{title}** was rejected. Reason: {reason}",
                title=event.title,
                reason=event.reason,
            ),
        ),
    )
