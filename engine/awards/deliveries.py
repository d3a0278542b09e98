"""Certificate DMs: who still needs one, claiming and recording each DM, and the edited
progress message, so that a crashed or repeated run never DMs anybody twice.

:class:`engine.awards.certificates.CertificateService` builds on this class.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select, update

from engine.awards.certificate_views import settings_row
from engine.kernel.sql import insert_ignoring_conflicts
from engine.kernel.uow import ServiceContext, UnitOfWork
from storage.models import CertificateDelivery, CertificateSettings

# A delivery claimed this long ago without finishing was cut short (a crash): retry it.
STALE_CLAIM = timedelta(minutes=10)


class CertificateDeliveries:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    @staticmethod
    async def _add_deliveries(uow: UnitOfWork, certificate_id: int, users: tuple[int, ...]) -> None:
        for user_id in users:
            stmt = (
                insert_ignoring_conflicts(uow.session, CertificateDelivery)
                .values(certificate_id=certificate_id, user_id=user_id)
                .on_conflict_do_nothing(index_elements=["certificate_id", "user_id"])
            )
            await uow.session.execute(stmt)

    async def _ensure_deliveries(self, certificate_id: int, users: tuple[int, ...]) -> None:
        async with self._ctx.read() as session:
            known = set(
                await session.scalars(
                    select(CertificateDelivery.user_id).where(
                        CertificateDelivery.certificate_id == certificate_id
                    )
                )
            )
        if set(users) - known:  # a roster grew since the first run
            async with self._ctx.unit_of_work() as uow:
                await self._add_deliveries(uow, certificate_id, users)

    async def pending_deliveries(self, certificate_id: int) -> list[int]:
        """Who still needs the certificate by DM (never delivered, not being delivered)."""
        stale = self._ctx.clock.now() - STALE_CLAIM
        async with self._ctx.read() as session:
            rows = await session.scalars(
                select(CertificateDelivery.user_id)
                .where(
                    CertificateDelivery.certificate_id == certificate_id,
                    CertificateDelivery.delivered_at.is_(None),
                    or_(
                        CertificateDelivery.claimed_at.is_(None),
                        CertificateDelivery.claimed_at < stale,
                    ),
                )
                .order_by(CertificateDelivery.id)
            )
            return list(rows)

    async def claim_delivery(self, certificate_id: int, user_id: int) -> bool:
        """Take the right to DM this person; False when another run has it or it is done."""
        now = self._ctx.clock.now()
        async with self._ctx.unit_of_work() as uow:
            result = await uow.session.execute(
                update(CertificateDelivery)
                .where(
                    CertificateDelivery.certificate_id == certificate_id,
                    CertificateDelivery.user_id == user_id,
                    CertificateDelivery.delivered_at.is_(None),
                    or_(
                        CertificateDelivery.claimed_at.is_(None),
                        CertificateDelivery.claimed_at < now - STALE_CLAIM,
                    ),
                )
                .values(claimed_at=now)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def finish_delivery(
        self, certificate_id: int, user_id: int, *, delivered: bool, error: str | None = None
    ) -> None:
        """Record the DM; a failed one is released so a later run tries again."""
        now = self._ctx.clock.now()
        async with self._ctx.unit_of_work() as uow:
            await uow.session.execute(
                update(CertificateDelivery)
                .where(
                    CertificateDelivery.certificate_id == certificate_id,
                    CertificateDelivery.user_id == user_id,
                )
                .values(
                    delivered_at=now if delivered else None,
                    claimed_at=now if delivered else None,
                    last_error=None if delivered else (error or "not delivered")[:200],
                )
            )

    async def progress_message(self, tournament_id: int) -> tuple[int, int] | None:
        async with self._ctx.read() as session:
            row = await session.get(CertificateSettings, tournament_id)
        if row is None or row.progress_channel_id is None or row.progress_message_id is None:
            return None
        return row.progress_channel_id, row.progress_message_id

    async def record_progress_message(
        self, tournament_id: int, channel_id: int, message_id: int
    ) -> None:
        async with self._ctx.unit_of_work() as uow:
            row = await settings_row(uow, tournament_id)
            row.progress_channel_id, row.progress_message_id = channel_id, message_id
            row.updated_at = uow.clock.now()
