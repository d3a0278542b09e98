"""Certificates: issued for a completed tournament, verified by code, revoked, tamper-proof."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import func, select, update

from engine.awards import CertificateService, VerificationStatus, normalize_code
from engine.brackets import MatchState
from engine.formats import Result
from engine.guilds import GuildSetup
from engine.kernel.actors import Actor
from engine.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from engine.kernel.uow import ServiceContext
from engine.services import Services
from storage.files import FileStore
from storage.models import AuditEntry, Certificate, CertificateDelivery, OutboxEvent, StoredFile
from testkit.factories import Event, make_event

URL = "https://cups.example.org"
CODE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


async def play_chalk(services: Services, event: Event, *, loses_once: int | None = None) -> None:
    """Play every match, the better seed winning — except that registration
    ``loses_once`` loses its first winners-bracket match and wins everything after."""
    seed = {r: i for i, r in enumerate(event.registrations)}
    lost = False
    while True:
        ready = await services.brackets.matches(
            event.tournament_id, statuses=[MatchState.READY, MatchState.CHECKIN]
        )
        if not ready:
            return
        for match in ready:
            a, b = match.registration_a_id, match.registration_b_id
            a_wins = seed[a] < seed[b]
            if loses_once in (a, b):
                if not lost and match.side == "winners":
                    lost, a_wins = True, b == loses_once
                else:
                    a_wins = a == loses_once
            wins = match.best_of // 2 + 1
            scores = (wins, 0) if a_wins else (0, wins)
            await services.brackets.apply(
                event.organizer, event.tournament_id, Result(match.code, scores)
            )


async def finished_event(  # type: ignore[no-untyped-def]
    services: Services, new_id, players: int = 4, loses_once: int | None = None, **kwargs
) -> Event:
    """A tournament played to the end; ``loses_once`` is a player index (see play_chalk)."""
    event = await make_event(services, new_id, players=players, **kwargs)
    await services.brackets.start(event.organizer, event.tournament_id, seed=3)
    loser = None if loses_once is None else event.registrations[loses_once]
    await play_chalk(services, event, loses_once=loser)
    return event


@pytest.fixture
def certificates(services: Services, tmp_path: Path) -> CertificateService:
    ctx = ServiceContext(services.db, services.clock, files=FileStore(tmp_path / "files"))
    return CertificateService(ctx, public_url=URL + "/")


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def decode_qr(data: bytes, tmp_path: Path) -> list[str]:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm missing: apt-get install poppler-utils")
    try:
        from pyzbar.pyzbar import decode
    except (ImportError, OSError) as error:
        pytest.skip(f"zbar decoder unavailable ({error})")
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(pdf), str(tmp_path / "page")], check=True)
    return [s.data.decode() for s in decode(Image.open(next(tmp_path.glob("page*.png"))))]


async def count(services: Services, model, *where) -> int:  # type: ignore[no-untyped-def]
    async with services.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)))


async def test_podium_certificates_render_and_verify(
    services: Services, certificates: CertificateService, new_id, tmp_path: Path
) -> None:
    event = await finished_event(services, new_id, players=4)
    issued = await certificates.generate_all(event.tournament_id, organizer_name="Dhaka Esports")
    kinds = sorted((i.certificate.kind, i.certificate.recipient_name) for i in issued)
    # Without a third-place match both semi-final losers share third place.
    assert kinds == [
        ("champion", "Player 1"),
        ("runner_up", "Player 2"),
        ("third_place", "Player 3"),
        ("third_place", "Player 4"),
    ]
    assert all(i.created for i in issued)
    codes = {i.certificate.code for i in issued}
    assert len(codes) == 4 and all(CODE.match(c) for c in codes)

    champion = next(i.certificate for i in issued if i.certificate.kind == "champion")
    file = await certificates.certificate_file(champion.id)
    text = pdf_text(file.data)
    for expected in ("Player 1", "CHAMPION", f"Cup {event.guild_id % 1000}", champion.code):
        assert expected in text
    assert decode_qr(file.data, tmp_path) == [f"{URL}/verify/{champion.code}"]

    verified = await certificates.verify(champion.code.lower().replace("-", ""))
    assert verified is not None and verified.status is VerificationStatus.VALID
    assert (verified.recipient_name, verified.placement) == ("Player 1", "Champion")
    assert verified.organizer_name == "Dhaka Esports"
    assert await certificates.verify("ZZZZ-ZZZZ-ZZZZ") is None
    assert await certificates.verify("not a code") is None
    assert await count(services, StoredFile, StoredFile.sha256 == champion.file_sha256) == 1
    issued_events = await count(
        services,
        OutboxEvent,
        OutboxEvent.event_type == "certificate.issued",
        OutboxEvent.payload["tournament_id"].as_integer() == event.tournament_id,
    )
    assert issued_events == 4


async def test_generating_again_keeps_codes_and_only_rerenders_changes(
    services: Services, certificates: CertificateService, new_id
) -> None:
    event = await finished_event(services, new_id, players=4)
    first = await certificates.generate_all(event.tournament_id, organizer_name="Org")
    again = await certificates.generate_all(event.tournament_id, organizer_name="Org")
    assert [i.certificate.code for i in again] == [i.certificate.code for i in first]
    assert not any(i.created or i.changed for i in again)

    renamed = await certificates.generate_all(event.tournament_id, organizer_name="New Org")
    assert all(i.changed and not i.created for i in renamed)
    assert [i.certificate.code for i in renamed] == [i.certificate.code for i in first]
    assert renamed[0].certificate.content_hash != first[0].certificate.content_hash
    verified = await certificates.verify(renamed[0].certificate.code)
    assert verified is not None and verified.valid and verified.organizer_name == "New Org"
    assert await count(services, Certificate, Certificate.tournament_id == event.tournament_id) == 4


async def test_revoked_and_altered_certificates_fail_verification(
    services: Services, certificates: CertificateService, new_id
) -> None:
    event = await finished_event(services, new_id, players=4)
    issued = await certificates.generate_all(event.tournament_id, organizer_name="Org")
    champion, runner_up = issued[0].certificate, issued[1].certificate
    stranger = Actor(user_id=new_id(), guild_id=event.guild_id)

    with pytest.raises(PermissionDenied):
        await certificates.revoke(stranger, champion.code, "Cheating was proven.")
    with pytest.raises(InvalidInput):
        await certificates.revoke(event.organizer, champion.code, "")
    still = await certificates.verify(champion.code)
    assert still is not None and still.valid
    assert (
        await count(
            services,
            AuditEntry,
            AuditEntry.guild_id == event.guild_id,
            AuditEntry.action == "certificate.revoke",
        )
        == 0
    )

    revoked = await certificates.revoke(event.organizer, champion.code, "Cheating was proven.")
    assert revoked.status is VerificationStatus.REVOKED
    assert revoked.revoke_reason == "Cheating was proven."
    with pytest.raises(Conflict):
        await certificates.revoke(event.organizer, champion.code, "Again.")
    # A regeneration leaves a revoked certificate revoked.
    await certificates.generate_all(event.tournament_id, organizer_name="Org")
    after = await certificates.verify(champion.code)
    assert after is not None and after.status is VerificationStatus.REVOKED

    async with services.db.transaction() as session:
        await session.execute(
            update(Certificate)
            .where(Certificate.id == runner_up.id)
            .values(recipient_name="Mallory")
        )
    altered = await certificates.verify(runner_up.code)
    assert altered is not None and altered.status is VerificationStatus.ALTERED
    assert not altered.valid


async def test_participants_and_mvp_certificates(
    services: Services, certificates: CertificateService, new_id
) -> None:
    event = await make_event(services, new_id, players=4)
    org = event.organizer
    with pytest.raises(Conflict):
        await certificates.planned(event.tournament_id)  # not started, let alone finished
    settings = await certificates.set_participants(
        org, event.tournament_id, True, organizer_name="Org"
    )
    assert settings.participants and not settings.generation_requested
    with pytest.raises(InvalidInput):
        await certificates.set_mvp(
            org, event.tournament_id, new_id(), "Nobody", organizer_name="Org"
        )
    await services.brackets.start(org, event.tournament_id, seed=3)
    await play_chalk(services, event)

    mvp = await certificates.set_mvp(
        org, event.tournament_id, event.users[2], "Mvp Three", organizer_name="Org"
    )
    assert mvp.generation_requested and mvp.mvp_user_id == event.users[2]
    issued = await certificates.generate_all(event.tournament_id, organizer_name="Org")
    kinds = sorted(i.certificate.kind for i in issued)
    # The podium has no participation certificate on top; 4 players, no one left over.
    assert kinds == ["champion", "mvp", "runner_up", "third_place", "third_place"]
    first_mvp = next(i.certificate for i in issued if i.certificate.kind == "mvp")
    assert first_mvp.recipient_name == "Mvp Three"

    await certificates.set_mvp(
        org, event.tournament_id, event.users[0], "Mvp One", organizer_name="Org"
    )
    replaced = await certificates.verify(first_mvp.code)
    assert replaced is not None and replaced.status is VerificationStatus.REVOKED
    issued = await certificates.generate_all(event.tournament_id, organizer_name="Org")
    mvps = [i.certificate for i in issued if i.certificate.kind == "mvp"]
    assert [m.recipient_name for m in mvps] == ["Mvp One"]
    assert (await certificates.mine(event.users[0], event.tournament_id))[0].certificate.kind in {
        "champion",
        "mvp",
    }


async def test_participation_certificates_for_everyone_else(
    services: Services, certificates: CertificateService, new_id
) -> None:
    event = await finished_event(services, new_id, players=8)
    await certificates.set_participants(
        event.organizer, event.tournament_id, True, organizer_name="Org"
    )
    issued = await certificates.generate_all(event.tournament_id, organizer_name="Org")
    assert sorted(i.certificate.kind for i in issued).count("participant") == 4
    assert len(issued) == 8


async def test_deliveries_are_claimed_once_and_recorded(
    services: Services, certificates: CertificateService, new_id
) -> None:
    event = await finished_event(services, new_id, players=4)
    issued = await certificates.generate_all(event.tournament_id, organizer_name="Org")
    champion = issued[0].certificate
    assert await certificates.pending_deliveries(champion.id) == [event.users[0]]
    assert await certificates.claim_delivery(champion.id, event.users[0])
    assert not await certificates.claim_delivery(champion.id, event.users[0])
    assert await certificates.pending_deliveries(champion.id) == []
    await certificates.finish_delivery(champion.id, event.users[0], delivered=False, error="closed")
    assert await certificates.pending_deliveries(champion.id) == [event.users[0]]
    assert await certificates.claim_delivery(champion.id, event.users[0])
    await certificates.finish_delivery(champion.id, event.users[0], delivered=True)
    assert not await certificates.claim_delivery(champion.id, event.users[0])
    await certificates.generate_all(event.tournament_id, organizer_name="Org")
    assert await certificates.pending_deliveries(champion.id) == []
    delivered = await count(
        services,
        CertificateDelivery,
        CertificateDelivery.certificate_id == champion.id,
        CertificateDelivery.delivered_at.is_not(None),
    )
    assert delivered == 1


async def test_players_fetch_their_own_certificates(
    services: Services, certificates: CertificateService, new_id
) -> None:
    event = await finished_event(services, new_id, players=8)
    await certificates.generate_all(event.tournament_id, organizer_name="Org")
    mine = await certificates.mine(event.users[0], event.tournament_id)
    assert [f.certificate.kind for f in mine] == ["champion"]
    assert mine[0].data.startswith(b"%PDF")
    with pytest.raises(NotFound, match="no certificate"):
        await certificates.mine(event.users[7], event.tournament_id)


async def test_organizer_requests_a_regeneration(
    services: Services, certificates: CertificateService, new_id
) -> None:
    event = await finished_event(services, new_id, players=4)
    with pytest.raises(PermissionDenied):
        await certificates.request_generation(
            Actor(user_id=new_id(), guild_id=event.guild_id),
            event.tournament_id,
            organizer_name="x",
        )
    assert (
        await certificates.request_generation(
            event.organizer, event.tournament_id, organizer_name="Org"
        )
        == 4
    )
    requested = await count(
        services,
        OutboxEvent,
        OutboxEvent.event_type == "certificate.generation_requested",
        OutboxEvent.payload["tournament_id"].as_integer() == event.tournament_id,
    )
    assert requested == 1


def test_codes_are_normalised_from_what_people_type() -> None:
    assert normalize_code("abcd-efgh-jkmn") == "ABCD-EFGH-JKMN"
    assert normalize_code(" ABCDEFGHJKMN ") == "ABCD-EFGH-JKMN"
    assert normalize_code("https://x.org/verify/ABCD-EFGH-JKMO") == "ABCD-EFGH-JKM0"
    assert normalize_code("ABCD-EFGH-JKM") is None
    assert normalize_code("ABCD-EFGH-JK!N") is None


async def test_a_bangla_server_issues_bangla_certificates_that_verify_the_same(
    services: Services, certificates: CertificateService, new_id, tmp_path: Path
) -> None:
    event = await finished_event(services, new_id, players=4)
    await services.guilds.configure(event.organizer, event.guild_id, GuildSetup(language="bn"))
    issued = await certificates.generate_all(event.tournament_id, organizer_name="Dhaka Esports")
    champion = next(i.certificate for i in issued if i.certificate.kind == "champion")
    file = await certificates.certificate_file(champion.id)
    text = pdf_text(file.data)
    assert "যাচাই: " in text and champion.code in text and "Player 1" in text
    assert "CHAMPION" not in text and "Verify:" not in text
    assert decode_qr(file.data, tmp_path) == [f"{URL}/verify/{champion.code}"]
    verified = await certificates.verify(champion.code)
    assert verified is not None and verified.status is VerificationStatus.VALID
