"""The configured upload limit (storage.max_upload_bytes) is the one every upload obeys:
payment proofs, score screenshots and dispute evidence over it are refused with the
limit named, and nothing is stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.kernel.clock import FrozenClock
from engine.kernel.errors import InvalidInput
from engine.kernel.uploads import DEFAULT_MAX_UPLOAD_BYTES, Uploads, size_text
from engine.matchday import EvidenceFile
from engine.services import Services
from storage.db import Database
from storage.files import FileStore
from storage.models import Dispute, DisputeEvidence, MatchReport, StoredFile
from testkit.payment_helpers import (
    make_guild,
    make_registration,
    make_tournament,
    noise_png,
    payments_of,
)
from tests.engine.services.test_scores import make_arena

LIMIT = 16 * 1024


@pytest.fixture
def services(db: Database, clock: FrozenClock, tmp_path: Path) -> Services:
    return Services(db, clock, data_dir=tmp_path, max_upload_bytes=LIMIT)


def _blobs(services: Services) -> list[Path]:
    root = services.ctx.files.root
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


async def _stored(services: Services, guild_id: int) -> int:
    async with services.db.read() as session:
        query = select(func.count()).select_from(StoredFile).where(StoredFile.guild_id == guild_id)
        return await session.scalar(query) or 0


def test_the_limit_reads_as_users_read_it(tmp_path: Path) -> None:
    assert size_text(DEFAULT_MAX_UPLOAD_BYTES) == "2,048 KB (2 MB)"
    assert size_text(LIMIT) == "16 KB"
    assert size_text(500) == "500 bytes"
    assert Services.__init__.__kwdefaults__["max_upload_bytes"] == DEFAULT_MAX_UPLOAD_BYTES
    uploads = Uploads(FileStore(tmp_path), max_bytes=LIMIT)
    uploads.refuse_oversize(LIMIT)
    with pytest.raises(InvalidInput, match="the limit is 16 KB"):
        uploads.refuse_oversize(LIMIT + 1, "evidence")
    with pytest.raises(ValueError):
        Uploads(FileStore(tmp_path), max_bytes=0)


async def test_services_take_the_configured_limit(services: Services) -> None:
    assert services.uploads is services.ctx.uploads
    assert services.uploads.max_bytes == LIMIT


async def test_proof_over_the_configured_limit_is_refused(services: Services, new_id) -> None:
    guild = await make_guild(services, new_id)
    tid = await make_tournament(services, guild, fee_minor=15000)
    player = guild.member(new_id())
    reg = await make_registration(services, guild, tid, player.user_id)
    big = noise_png(100)  # about 30 KB: fine under the default, too big under 16 KB
    assert LIMIT < len(big) < DEFAULT_MAX_UPLOAD_BYTES
    with pytest.raises(InvalidInput, match=r"the limit is 16 KB\. Crop it") as caught:
        await services.payments.pay(
            player, tid, "bkash", reference="9BD7K2LQ1X", proof=big, proof_name="proof.png"
        )
    assert caught.value.message.startswith("The screenshot is ")
    assert await payments_of(services, reg) == []
    assert await _stored(services, guild.id) == 0 and _blobs(services) == []
    # A small screenshot (its own bytes: files are shared by content) goes through.
    small = noise_png(24)
    assert len(small) <= LIMIT
    view = await services.payments.pay(
        player, tid, "bkash", reference="9BD7K2LQ1X", proof=small, proof_name="proof.png"
    )
    assert view.status == "submitted"
    assert await _stored(services, guild.id) == 1 and len(_blobs(services)) == 1


async def test_screenshot_and_evidence_over_the_limit_are_refused(
    services: Services, new_id
) -> None:
    arena = await make_arena(services, new_id, best_of=3)
    match = (await arena.ready())[0]
    side_a, _ = arena.sides(match)
    big = noise_png(100)
    with pytest.raises(InvalidInput, match="the limit is 16 KB"):
        await arena.scores.report_score(side_a, mine=2, theirs=1, match_id=match.id, screenshot=big)
    with pytest.raises(InvalidInput, match=r"The evidence is .* the limit is 16 KB"):
        await arena.disputes.open_dispute(
            side_a,
            reason="no_show",
            description="They never joined the lobby.",
            match_id=match.id,
            evidence=big,
        )
    assert await arena.count(MatchReport, MatchReport.match_id == match.id) == 0
    assert await arena.count(Dispute, Dispute.match_id == match.id) == 0
    assert await _stored(services, arena.event.guild_id) == 0 and _blobs(services) == []

    view = await arena.disputes.open_dispute(
        side_a, reason="no_show", description="They never joined the lobby.", match_id=match.id
    )
    await arena.disputes.record_thread(view.id, 7100 + view.id)
    with pytest.raises(InvalidInput, match="the limit is 16 KB"):
        await arena.disputes.add_evidence(
            side_a,
            thread_id=7100 + view.id,
            message_id=new_id(),
            note="Here is the lobby.",
            files=[EvidenceFile("lobby.png", "https://cdn.example/lobby.png", big)],
        )
    assert await arena.count(DisputeEvidence, DisputeEvidence.dispute_id == view.id) == 0
    assert await _stored(services, arena.event.guild_id) == 0 and _blobs(services) == []
