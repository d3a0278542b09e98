"""The public "who wins?" post of a match in a tournament with predictions, and its lock.

When a match is ready, the announcement channel gets one post naming both sides with a
button for each (``dc:predict:<match id>:<0|1>``, answered by ``cogs/predictions.py``);
the post is recorded (``PredictionService.record_post``) so a re-delivered MatchReady
posts nothing. When the match goes LIVE, gets its first report or a result, the post is
edited: buttons gone, the picks counted. Edits are idempotent, so re-deliveries are too.
"""

from __future__ import annotations

import logging

import discord

from bot.notifier import Notifier, on
from bot.notify.matches import rendered_buttons
from engine.brackets import MatchCompleted, MatchLive, MatchReady, MatchReset
from engine.kernel.i18n import SOURCE_LANGUAGE, catalogue
from engine.kernel.text import REFERENCE, Command, Message, User, msg, nmsg, render
from engine.matchday import ScoreReported
from engine.predictions import PredictionRewardsPaid, PredictionTally

log = logging.getLogger(__name__)


@on(MatchReady)
async def post_prediction(notifier: Notifier, event: MatchReady) -> None:
    predictions = notifier.services.predictions
    if not await predictions.enabled_for(event.match_id):
        return
    tally = await predictions.tally(event.match_id)
    if not tally.enabled or tally.locked or event.guild_id is None:
        return
    if tally.message_id is not None:
        return  # re-delivered: the post is there
    content = msg(
        "🔮 **Who wins?** {round_title} · match {code}: **{first}** vs **{second}**. Pick "
        "with a button or {predict_match}; picks lock when the match goes live. Players of "
        "the match cannot predict it.",
        round_title=tally.round_title,
        code=tally.code,
        first=tally.names[0],
        second=tally.names[1],
        predict_match=Command("predict match"),
    )
    language = await notifier.services.languages.server_language(event.guild_id)
    labels = [button_label(language, msg("{name} wins", name=name)) for name in tally.names]
    message = await notifier.announce(
        event.guild_id,
        content,
        view=rendered_buttons(
            (labels[0], f"dc:predict:{tally.match_id}:0", discord.ButtonStyle.primary),
            (labels[1], f"dc:predict:{tally.match_id}:1", discord.ButtonStyle.danger),
        ),
        allowed_mentions=discord.AllowedMentions.none(),
    )
    if message is not None:
        await predictions.record_post(tally.match_id, message.channel.id, message.id)


def button_label(language: str, text: Message) -> str:
    """A button label in the server's language. Labels show no markdown and ping nobody,
    so names go in as they are (escaping would print the backslashes)."""
    book = None if language == SOURCE_LANGUAGE else catalogue(language)
    return render(text, REFERENCE, book)[:80]


def locked_text(tally: PredictionTally) -> Message:
    picks = nmsg("{n} pick", "{n} picks", tally.total, n=tally.total)
    return msg(
        "🔒 Predictions for {round_title} · match {code} are locked ({picks}): **{first}** "
        "{first_picks} · **{second}** {second_picks}. See {predict_leaderboard} for the "
        "standings.",
        round_title=tally.round_title,
        code=tally.code,
        picks=picks,
        first=tally.names[0],
        first_picks=tally.picks[0],
        second=tally.names[1],
        second_picks=tally.picks[1],
        predict_leaderboard=Command("predict leaderboard"),
    )


async def lock_post(notifier: Notifier, match_id: int) -> None:
    if not await notifier.services.predictions.has_post(match_id):
        return  # no predictions for this match: nothing to lock
    tally = await notifier.services.predictions.tally(match_id)
    if tally.message_id is None or tally.channel_id is None or not tally.locked:
        return
    try:
        channel = await notifier.channel(tally.channel_id)
    except (discord.NotFound, discord.Forbidden):
        log.info("the prediction post's channel %s is gone; not locking it", tally.channel_id)
        return
    if not isinstance(channel, discord.TextChannel | discord.Thread):
        return
    content = await notifier.public_text(tally.guild_id, locked_text(tally))
    try:
        await channel.get_partial_message(tally.message_id).edit(
            content=content, view=None, allowed_mentions=discord.AllowedMentions.none()
        )
    except discord.NotFound:
        log.info("the prediction post %s was deleted; nothing to lock", tally.message_id)


@on(MatchLive)
async def lock_when_live(notifier: Notifier, event: MatchLive) -> None:
    await lock_post(notifier, event.match_id)


@on(ScoreReported)
async def lock_when_reported(notifier: Notifier, event: ScoreReported) -> None:
    await lock_post(notifier, event.match_id)


@on(MatchCompleted)
async def lock_when_decided(notifier: Notifier, event: MatchCompleted) -> None:
    await lock_post(notifier, event.match_id)


@on(MatchReset)
async def lock_when_reset(notifier: Notifier, event: MatchReset) -> None:
    if await notifier.services.predictions.has_post(event.match_id):
        await lock_post(notifier, event.match_id)
        await notifier.services.predictions.forget_post(event.match_id)


@on(PredictionRewardsPaid)
async def rewards_paid(notifier: Notifier, event: PredictionRewardsPaid) -> None:
    """The server hears who was paid; the tournament's owner hears what the pool could
    not pay, with what it holds."""
    tally_name = (await notifier.services.tournaments.get(event.tournament_id)).name
    settings = await notifier.services.guilds.get_settings(event.guild_id or 0)
    coin_name = settings.coin_name if settings else "coins"
    if event.paid:
        winners = [
            msg(
                "place {place}: {user} (+{coins:,} {coin_name})",
                place=line["place"],
                user=User(line["user_id"]),
                coins=line["coins"],
                coin_name=coin_name,
            )
            for line in event.paid
        ]
        await notifier.announce(
            event.guild_id,
            msg(
                "🔮 The predictions of **{name}** are final. Best predictors: {winners}. "
                "See {predict_leaderboard}.",
                name=tally_name,
                winners=winners,
                predict_leaderboard=Command("predict leaderboard"),
            ),
            allowed_mentions=discord.AllowedMentions.none(),
        )
    if event.unpaid:
        missing = sum(line["coins"] for line in event.unpaid)
        text = msg(
            "🔮 The predictions pool of {name} was short: {places} could not be paid "
            "({missing:,} {coin_name} missing; {left:,} left in the pool). Add coins with "
            "{predict_fund}, then pay them with {predict_payout}.",
            name=tally_name,
            places=[User(line["user_id"]) for line in event.unpaid],
            missing=missing,
            coin_name=coin_name,
            left=event.pool_left,
            predict_fund=Command("predict fund"),
            predict_payout=Command("predict payout"),
        )
        await notifier.dm(
            event.owner_id,
            await notifier.private_text(event.owner_id, event.guild_id, text),
            allowed_mentions=discord.AllowedMentions.none(),
        )
