"""The predictions leaderboard as a picture, its words in the reader's language."""

from __future__ import annotations

from engine.kernel.i18n import SOURCE_LANGUAGE, babel_locale, catalogue
from engine.kernel.text import REFERENCE, Message, msg, nmsg, render
from engine.kernel.uow import ServiceContext
from engine.predictions.scoring import CORRECT_POINTS, UPSET_BONUS_CAP, UPSET_POINTS_PER_SEED
from engine.predictions.views import PredictionBoard, PredictorRow
from engine.render.predictions import PredictionsPicture, PredictorLine, render_predictions


def _words(language: str) -> tuple[object, str | None]:
    if language == SOURCE_LANGUAGE:
        return None, None
    return catalogue(language), babel_locale(language)


def _say(text: Message, language: str) -> str:
    book, locale = _words(language)
    return render(text, REFERENCE, book, locale)  # type: ignore[arg-type]


def _line(row: PredictorRow, language: str, highlight: bool, coin_name: str) -> PredictorLine:
    # Digits and the server's own name for its coins: nothing to translate.
    reward = f"+{row.reward_coins} {coin_name}" if row.reward_coins else ""
    return PredictorLine(
        rank=row.rank,
        name=row.name,
        points=str(row.points),
        correct=f"{row.correct}/{row.scored}",
        upsets=str(row.upsets),
        reward=reward,
        highlight=highlight,
    )


def predictions_picture(
    board: PredictionBoard, language: str = SOURCE_LANGUAGE, viewer: int | None = None
) -> PredictionsPicture:
    mine = board.yours.user_id if board.yours else None
    lines = tuple(_line(r, language, r.user_id == mine, board.coin_name) for r in board.rows)
    shown = any(r.user_id == mine for r in board.rows)
    rewarded = bool(board.rewards) or any(r.reward_coins for r in board.rows)
    subtitle = "{} · {}".format(
        _say(
            nmsg("{n} predictor", "{n} predictors", board.predictors, n=board.predictors), language
        ),
        _say(
            nmsg(
                "{n} match scored",
                "{n} matches scored",
                board.matches_scored,
                n=board.matches_scored,
            ),
            language,
        ),
    )
    return PredictionsPicture(
        title=_say(msg("Predictions · {name}", name=board.tournament_name), language),
        subtitle=subtitle,
        headings=(
            _say(msg("Predictor"), language),
            _say(msg("Correct"), language),
            _say(msg("Upsets"), language),
            _say(msg("Points"), language),
            _say(msg("Reward"), language) if rewarded else "",
        ),
        lines=lines,
        yours=None
        if shown or board.yours is None
        else _line(board.yours, language, True, board.coin_name),
        empty=_say(msg("No predictions yet."), language),
        footnote=_say(
            msg(
                "{correct} points per correct pick, plus {per_seed} per seed of an upset (at "
                "most {cap} more). Draws, byes and forfeits do not count.",
                correct=CORRECT_POINTS,
                per_seed=UPSET_POINTS_PER_SEED,
                cap=UPSET_BONUS_CAP,
            ),
            language,
        ),
    )


class PredictionPictures:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def leaderboard(self, board: PredictionBoard, language: str = SOURCE_LANGUAGE) -> bytes:
        return await self._ctx.render.run(render_predictions, predictions_picture(board, language))
