"""Downloads for organizers (results, standings, placings, payments and refunds as CSV,
through engine/kernel/exports.py) and the public JSON results feed of a tournament.

Every CSV export is itself audited: who downloaded what, and how many rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.brackets import PictureService, standings_table
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, NotFound
from engine.kernel.exports import Cell, csv_bytes
from engine.kernel.text import msg
from engine.kernel.uow import ServiceContext
from engine.stats._common import require_server_organizer
from storage.models import (
    BracketState,
    Game,
    MatchRow,
    Payment,
    Placing,
    Registration,
    Tournament,
)

FEED_VERSION = 1


class ExportKind(StrEnum):
    RESULTS = "results"
    STANDINGS = "standings"
    PLACINGS = "placings"
    PAYMENTS = "payments"


@dataclass(frozen=True)
class ExportFile:
    filename: str
    data: bytes
    rows: int


RESULT_HEADER = (
    "match",
    "stage",
    "side",
    "group",
    "round",
    "round_title",
    "best_of",
    "side_a",
    "side_b",
    "score_a",
    "score_b",
    "winner",
    "state",
    "outcome",
    "ready_at",
    "completed_at",
)
PLACING_HEADER = (
    "place",
    "entrant",
    "registration_id",
    "captain_user_id",
    "team_id",
    "prize_coins",
    "prize_minor",
    "prize_paid_at",
)
PAYMENT_HEADER = (
    "payment_id",
    "registration_id",
    "entrant",
    "user_id",
    "method",
    "amount_minor",
    "currency",
    "coins",
    "reference",
    "status",
    "reviewed_at",
    "refunded_at",
    "created_at",
)


class ExportService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._pictures = PictureService(ctx)

    async def check(self, actor: Actor, guild_id: int, tournament_id: int, kind: str) -> ExportKind:
        """Refuse a bad request before any slow work: organizers only, a known export."""
        async with self._ctx.read() as session:
            chosen, _ = await _checked(session, actor, guild_id, tournament_id, kind)
        return chosen

    async def export(
        self, actor: Actor, guild_id: int, tournament_id: int, kind: str
    ) -> ExportFile:
        async with self._ctx.read() as session:
            chosen, t = await _checked(session, actor, guild_id, tournament_id, kind)
            slug = t.slug
            if chosen is ExportKind.STANDINGS:
                header, rows = await self._standings(tournament_id, guild_id)
            else:
                header, rows = await _READERS[chosen](session, tournament_id)
        data = csv_bytes(header, rows)
        async with self._ctx.unit_of_work() as uow:
            uow.audit(
                guild_id=guild_id,
                actor_id=actor.user_id,
                action=f"export.{chosen.value}",
                target_type="tournament",
                target_id=tournament_id,
                after={"rows": len(rows), "bytes": len(data)},
            )
        return ExportFile(f"{slug}-{chosen.value}.csv", data, len(rows))

    async def _standings(
        self, tournament_id: int, guild_id: int
    ) -> tuple[tuple[str, ...], list[list[Cell]]]:
        snapshot = await self._pictures.snapshot(tournament_id, guild_id)
        table = standings_table(snapshot.bracket(), names=snapshot.names)
        header = (
            "rank",
            "place",
            "entrant",
            "wins",
            "draws",
            "losses",
            table.points_label,
            *table.extra_columns,
        )
        rows: list[list[Cell]] = [
            [
                r.rank,
                r.placement or str(r.rank),
                r.name,
                r.wins,
                r.draws,
                r.losses,
                r.points,
                *r.extras,
            ]
            for r in table.rows
        ]
        return header, rows

    async def results_feed(self, slug: str) -> dict[str, Any]:
        """The public JSON feed of a public tournament (docs/results-feed.md)."""
        async with self._ctx.read() as session:
            t = await session.scalar(select(Tournament).where(Tournament.slug == slug))
            if t is None or not t.is_public or t.status == "draft":
                raise NotFound(msg("There is no public tournament at that address."))
            game = await session.get(Game, t.game_id)
            state = await session.scalar(
                select(BracketState.completed_at).where(BracketState.tournament_id == t.id)
            )
            names = await _entrant_names(session, t.id)
            matches = await _matches(session, t.id)
            placings = (
                await session.execute(
                    select(Placing.place, Placing.registration_id)
                    .where(Placing.tournament_id == t.id)
                    .order_by(Placing.place, Placing.registration_id)
                )
            ).all()
        return {
            "version": FEED_VERSION,
            "tournament": {
                "slug": t.slug,
                "name": t.name,
                "game": game.name if game else None,
                "format": t.format,
                "participant_type": t.participant_type,
                "status": t.status,
                "starts_at": _iso(t.starts_at),
                "completed_at": _iso(state),
                "updated_at": _iso(t.updated_at),
            },
            "entrants": [{"id": rid, "name": name} for rid, name in names.items()],
            "matches": [
                {
                    "code": m.code,
                    "stage": m.stage,
                    "side": m.side,
                    "group": m.group_name,
                    "round": m.round,
                    "round_title": m.round_title,
                    "best_of": m.best_of,
                    "entrant_a": m.registration_a_id,
                    "entrant_b": m.registration_b_id,
                    "score_a": m.score_a,
                    "score_b": m.score_b,
                    "winner": m.winner_registration_id,
                    "state": m.status,
                    "outcome": m.outcome,
                    "completed_at": _iso(m.completed_at),
                }
                for m in matches
            ],
            "placings": [{"place": place, "entrant": rid} for place, rid in placings],
        }


async def _checked(
    session: AsyncSession, actor: Actor, guild_id: int, tournament_id: int, kind: str
) -> tuple[ExportKind, Tournament]:
    try:
        chosen = ExportKind(kind)
    except ValueError:
        raise InvalidInput(
            msg(
                "“{kind}” is not an export. Use results, standings, placings or payments.",
                kind=kind,
            )
        ) from None
    await require_server_organizer(session, actor, guild_id)
    t = await session.get(Tournament, tournament_id)
    if t is None or t.guild_id != guild_id:
        raise NotFound(msg("That tournament does not exist. Pick one from the list."))
    return chosen, t


def _iso(value: Any) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


async def _entrant_names(session: AsyncSession, tournament_id: int) -> dict[int, str]:
    rows = await session.execute(
        select(Registration.id, Registration.display_name)
        .where(Registration.tournament_id == tournament_id)
        .order_by(Registration.id)
    )
    return dict(rows.all())


async def _matches(session: AsyncSession, tournament_id: int) -> list[MatchRow]:
    return list(
        await session.scalars(
            select(MatchRow)
            .where(MatchRow.tournament_id == tournament_id)
            .order_by(MatchRow.stage, MatchRow.side, MatchRow.round, MatchRow.position)
        )
    )


async def _results(
    session: AsyncSession, tournament_id: int
) -> tuple[tuple[str, ...], list[list[Cell]]]:
    names = await _entrant_names(session, tournament_id)
    matches = await _matches(session, tournament_id)
    if not matches:
        raise Conflict(
            msg("This tournament has no matches yet; export its results once it starts.")
        )

    def name(rid: int | None) -> str:
        return names.get(rid, "") if rid is not None else ""

    rows: list[list[Cell]] = [
        [
            m.code,
            m.stage,
            m.side,
            m.group_name,
            m.round,
            m.round_title,
            m.best_of,
            name(m.registration_a_id),
            name(m.registration_b_id),
            m.score_a,
            m.score_b,
            name(m.winner_registration_id),
            m.status,
            m.outcome,
            m.ready_at,
            m.completed_at,
        ]
        for m in matches
    ]
    return RESULT_HEADER, rows


async def _placings(
    session: AsyncSession, tournament_id: int
) -> tuple[tuple[str, ...], list[list[Cell]]]:
    rows = await session.execute(
        select(Placing, Registration)
        .join(Registration, Registration.id == Placing.registration_id)
        .where(Placing.tournament_id == tournament_id)
        .order_by(Placing.place, Placing.registration_id)
    )
    out: list[list[Cell]] = [
        [
            p.place,
            r.display_name,
            r.id,
            r.user_id,
            r.team_id,
            p.prize_coins,
            p.prize_minor,
            p.prize_paid_at,
        ]
        for p, r in rows
    ]
    if not out:
        raise Conflict(msg("This tournament has no final placings yet; export them once it ends."))
    return PLACING_HEADER, out


async def _payments(
    session: AsyncSession, tournament_id: int
) -> tuple[tuple[str, ...], list[list[Cell]]]:
    rows = await session.execute(
        select(Payment, Registration.display_name)
        .join(Registration, Registration.id == Payment.registration_id)
        .where(Payment.tournament_id == tournament_id)
        .order_by(Payment.id)
    )
    out: list[list[Cell]] = [
        [
            p.id,
            p.registration_id,
            name,
            p.user_id,
            p.method,
            p.amount_minor,
            p.currency,
            p.coins,
            p.reference,
            p.status,
            p.reviewed_at,
            p.refunded_at,
            p.created_at,
        ]
        for p, name in rows
    ]
    return PAYMENT_HEADER, out


_READERS = {
    ExportKind.RESULTS: _results,
    ExportKind.PLACINGS: _placings,
    ExportKind.PAYMENTS: _payments,
}
