"""/predict — fans pick match winners and see the predictions leaderboard; the buttons.

The buttons under a match's public "who wins?" post (``dc:predict:<match id>:<0|1>``,
posted by ``bot/notify/predictions.py``) are ``DynamicItem``s, so they answer after a
restart; a click and ``/predict match`` both go through ``PredictionService.predict``,
which refuses a locked match, a player of the match, or a tournament without predictions.
"""

from __future__ import annotations

import io
import re
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import locale_str
from discord.ext import commands

from cogs._autocomplete import AnyTournamentId
from cogs._errors import answer_error
from cogs._interactions import (
    ORGANIZER_EXTRA,
    actor_of,
    cog_host,
    organizer_command,
    reply,
    services_of,
)
from engine.kernel.errors import InvalidInput, NotFound
from engine.kernel.text import Command, Message, msg
from engine.predictions import (
    CORRECT_POINTS,
    UPSET_BONUS_CAP,
    UPSET_POINTS_PER_SEED,
    PickResult,
    PredictionBoard,
)
from engine.services import Services

RULE = msg(
    "Pick the winner of any match you do not play in, until it goes live or its first "
    "score is reported; you may change your pick until then. A correct pick scores "
    "{correct} points, and an upset (the lower seed wins) {per_seed} more per seed "
    "between them, at most {cap} more. Draws, byes, walkovers and forfeits score nothing.",
    correct=CORRECT_POINTS,
    per_seed=UPSET_POINTS_PER_SEED,
    cap=UPSET_BONUS_CAP,
)


def pick_text(result: PickResult) -> Message:
    if result.changed:
        return msg(
            "🔮 Changed: you now pick **{picked}** to beat {against} in match {code}. You can "
            "change it until the match goes live.",
            picked=result.picked,
            against=result.against,
            code=result.code,
        )
    return msg(
        "🔮 Saved: you pick **{picked}** to beat {against} in match {code}. You can change "
        "it until the match goes live.",
        picked=result.picked,
        against=result.against,
        code=result.code,
    )


def board_text(board: PredictionBoard) -> Message:
    if board.yours is None:
        return msg(
            "🔮 Predictions leaderboard of **{name}**. You have no predictions here yet.",
            name=board.tournament_name,
        )
    return msg(
        "🔮 Predictions leaderboard of **{name}**. You are #{rank} with {points} points "
        "({correct} of {scored} correct).",
        name=board.tournament_name,
        rank=board.yours.rank,
        points=board.yours.points,
        correct=board.yours.correct,
        scored=board.yours.scored,
    )


class PredictButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"dc:predict:(?P<match_id>\d+):(?P<slot>[01])",
):
    def __init__(self, match_id: int, slot: int, label: str = "") -> None:
        super().__init__(
            discord.ui.Button(
                label=(label or str(slot + 1))[:80],
                style=discord.ButtonStyle.primary if slot == 0 else discord.ButtonStyle.danger,
                custom_id=f"dc:predict:{match_id}:{slot}",
            )
        )
        self.match_id = match_id
        self.slot = slot

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> PredictButton:
        return cls(int(match["match_id"]), int(match["slot"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        # A dynamic item's view is built by discord.py, so errors are answered here.
        try:
            result = await services_of(interaction).predictions.predict(
                actor_of(interaction), self.match_id, self.slot
            )
            await reply(interaction, pick_text(result))
        except Exception as error:  # answered, and logged with an incident id when a bug
            await answer_error(interaction, error)


class MatchPicker(app_commands.Transformer):
    """Matches of this server open for predictions; hands the command the match id."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.string

    async def transform(self, interaction: discord.Interaction, value: str) -> int:
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage()
        text = value.strip()
        if text.isascii() and text.isdigit():
            return int(text)
        found = await services_of(interaction).predictions.predictable(
            interaction.guild_id, text=text, limit=2
        )
        if len(found) != 1:
            raise NotFound(
                msg(
                    "No open match matches “{text}”; pick one from the list as you type.",
                    text=text,
                )
            )
        return found[0].match_id

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction, value: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        found = await services_of(interaction).predictions.predictable(
            interaction.guild_id, interaction.user.id, value
        )
        return [
            app_commands.Choice(
                name=f"{m.code} · {m.names[0]} vs {m.names[1]} · {m.tournament_name}"[:100],
                value=str(m.match_id),
            )
            for m in found
        ]


PredictableMatchId = app_commands.Transform[int, MatchPicker]


@app_commands.guild_only()
class PredictionsCog(
    commands.GroupCog,
    group_name="predict",
    group_description=locale_str("Predict match winners and see who predicts best."),
):
    def __init__(self, services: Services) -> None:
        self.services = services
        super().__init__()

    @app_commands.command(
        name="match",
        description=locale_str("Pick who wins a match, until it goes live."),
    )
    @app_commands.describe(
        match=locale_str("The match; only matches not yet live are listed."),
        winner=locale_str("The side you think wins."),
    )
    async def match(
        self, interaction: discord.Interaction, match: PredictableMatchId, winner: str
    ) -> None:
        tally = await self.services.predictions.tally(match, interaction.guild_id)
        wanted = winner.strip()
        slot = (
            int(wanted)
            if wanted in ("0", "1")
            else next(
                (i for i, n in enumerate(tally.names) if n.casefold() == wanted.casefold()), None
            )
        )
        if slot is None:
            raise InvalidInput(
                msg(
                    "“{winner}” does not play in match {code}; pick {first} or {second}.",
                    winner=wanted,
                    code=tally.code,
                    first=tally.names[0],
                    second=tally.names[1],
                )
            )
        result = await self.services.predictions.predict(actor_of(interaction), match, slot)
        await reply(interaction, pick_text(result))

    @match.autocomplete("winner")
    async def _winner_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        raw = getattr(interaction.namespace, "match", None)
        if raw is None or not str(raw).isdigit():
            return []
        try:
            tally = await self.services.predictions.tally(int(raw), interaction.guild_id)
        except NotFound:
            return []
        return [
            app_commands.Choice(name=name[:100], value=str(slot))
            for slot, name in enumerate(tally.names)
            if current.casefold() in name.casefold()
        ]

    @app_commands.command(
        name="leaderboard", description=locale_str("Show a tournament's predictions leaderboard.")
    )
    @app_commands.describe(tournament=locale_str("The tournament."))
    async def leaderboard(
        self, interaction: discord.Interaction, tournament: AnyTournamentId
    ) -> None:
        board = await self.services.predictions.leaderboard(tournament, user_id=interaction.user.id)
        await interaction.response.defer(thinking=True)
        language = await self.services.languages.server_language(interaction.guild_id)
        png = await self.services.prediction_pictures.leaderboard(board, language)
        await reply(
            interaction,
            board_text(board),
            ephemeral=False,
            file=discord.File(io.BytesIO(png), filename="predictions.png"),
        )

    @app_commands.command(
        name="fund",
        description=locale_str("Add coins to a tournament's predictions reward pool (organizers)."),
        extras={ORGANIZER_EXTRA: True},
    )
    @app_commands.describe(
        tournament=locale_str("The tournament."),
        coins=locale_str("How many coins to add."),
        from_wallet=locale_str(
            "Take them from your wallet (yes), or grant them as the server (no)."
        ),
    )
    @organizer_command
    async def fund(
        self,
        interaction: discord.Interaction,
        tournament: AnyTournamentId,
        coins: app_commands.Range[int, 1, 1_000_000],
        from_wallet: bool = True,
    ) -> None:
        pool = await self.services.prediction_pool.fund(
            actor_of(interaction), tournament, coins, from_wallet=from_wallet
        )
        view = await self.services.tournaments.get(tournament)
        await reply(
            interaction,
            msg(
                "🔮 The predictions pool of **{name}** now holds {balance:,} {coin_name}. Its "
                "top predictors are paid when the tournament ends: {rewards}.",
                name=view.name,
                balance=pool.balance,
                coin_name=pool.coin_name,
                rewards="/".join(str(c) for c in view.prediction_rewards)
                or msg(
                    "none yet; set them with {tournament_edit} (prediction_rewards)",
                    tournament_edit=Command("tournament edit"),
                ),
            ),
        )

    @app_commands.command(
        name="payout",
        description=locale_str(
            "Pay the predictions rewards a short pool left unpaid (organizers)."
        ),
        extras={ORGANIZER_EXTRA: True},
    )
    @app_commands.describe(tournament=locale_str("The tournament."))
    @organizer_command
    async def payout(self, interaction: discord.Interaction, tournament: AnyTournamentId) -> None:
        outcome = await self.services.prediction_pool.payout(actor_of(interaction), tournament)
        if outcome.unpaid:
            text = msg(
                "🔮 Predictions rewards paid now: {paid}; still waiting: {unpaid}. The pool "
                "holds {left:,} coins; add coins with {predict_fund} and try again.",
                paid=len(outcome.paid),
                unpaid=len(outcome.unpaid),
                left=outcome.pool_left,
                predict_fund=Command("predict fund"),
            )
        else:
            text = msg(
                "🔮 Predictions rewards paid now: {paid}. Every predictions reward is paid.",
                paid=len(outcome.paid),
            )
        await reply(interaction, text)

    @app_commands.command(name="rules", description=locale_str("How predictions score points."))
    async def rules(self, interaction: discord.Interaction) -> None:
        await reply(interaction, RULE)


async def setup(bot: commands.Bot) -> None:
    bot.add_dynamic_items(PredictButton)
    await bot.add_cog(PredictionsCog(cog_host(bot).services))
