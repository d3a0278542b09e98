"""Public pages: the tournament list and page, bracket images, verification, sponsors, ops."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp.test_utils import TestClient
from sqlalchemy import update

from dashboard.hooks import CertificateRecord, ResultLine
from dashboard.state import STATE
from engine.kernel.metrics import METRICS
from engine.services import Services
from storage.models import Tournament
from storage.models.enums import RegistrationStatus, TournamentStatus
from testkit.dashboard_fakes import Fakes, round_robin_snapshot
from testkit.payment_helpers import make_guild, make_registration, make_tournament


async def _tournament(services: Services, new_id, **values: object) -> Tournament:
    guild = await make_guild(services, new_id)
    tid = await make_tournament(services, guild, name=f"Cup {new_id() % 10_000}")
    async with services.db.transaction() as session:
        if values:
            await session.execute(update(Tournament).where(Tournament.id == tid).values(**values))
        row = await session.get(Tournament, tid)
    assert row is not None
    return row


async def test_front_page_lists_public_tournaments_only(
    client: TestClient, services: Services, new_id
) -> None:
    shown = await _tournament(services, new_id)
    private = await _tournament(services, new_id, is_public=False)
    draft = await _tournament(services, new_id, status=TournamentStatus.DRAFT)
    response = await client.get("/")
    html = await response.text()
    assert response.status == 200
    assert f"/t/{shown.slug}" in html and shown.name in html
    assert private.slug not in html and draft.slug not in html


async def test_tournament_page_shows_overview_and_participants(
    client: TestClient, services: Services, new_id
) -> None:
    tournament = await _tournament(
        services, new_id, prize_pool_minor=500_000, entry_fee_minor=15_000, rules="Be nice."
    )
    guild = await make_guild(services, new_id)  # any guild object works for the helper
    await make_registration(
        services, guild, tournament.id, new_id(), status=RegistrationStatus.CONFIRMED
    )
    response = await client.get(f"/t/{tournament.slug}")
    html = await response.text()
    assert response.status == 200
    for text in (tournament.name, "Open for registration", "5,000 BDT", "150 BDT", "Be nice."):
        assert text in html
    assert "Confirmed" in html
    assert "The bracket is drawn when the tournament starts" in html
    assert 'data-events="/t/' in html and "/static/live.js" in html


async def test_private_draft_and_unknown_tournaments_are_not_found(
    client: TestClient, services: Services, new_id
) -> None:
    private = await _tournament(services, new_id, is_public=False)
    draft = await _tournament(services, new_id, status=TournamentStatus.DRAFT)
    for path in (f"/t/{private.slug}", f"/t/{draft.slug}", "/t/no-such-cup", "/t/x/bracket.png"):
        response = await client.get(path)
        assert response.status == 404, path
    assert "There is nothing at this address" in await response.text()


async def test_bracket_and_standings_come_from_the_provider(
    client: TestClient, services: Services, fakes: Fakes, new_id
) -> None:
    tournament = await _tournament(services, new_id, status=TournamentStatus.LIVE)
    result = ResultLine("Round 1 · M1", "NovaQueen", "Echo", "13 – 11", "NovaQueen")
    fakes.brackets.show(tournament.id, round_robin_snapshot(), version=3, results=(result,))
    html = await (await client.get(f"/t/{tournament.slug}")).text()
    assert f"/t/{tournament.slug}/bracket-1.png?v=3" in html
    assert "Recent results" in html and "13 – 11" in html
    assert "<th>Name</th>" in html  # the round robin's standings table


async def test_bracket_png_is_cached_with_etag_and_last_modified(
    client: TestClient, services: Services, fakes: Fakes, new_id
) -> None:
    tournament = await _tournament(services, new_id, status=TournamentStatus.LIVE)
    snapshot = fakes.brackets.show(tournament.id, version=1)
    url = f"/t/{tournament.slug}/bracket.png"
    first = await client.get(url)
    body = await first.read()
    assert first.status == 200 and first.content_type == "image/png"
    assert body.startswith(b"\x89PNG")
    etag = first.headers["ETag"]
    assert first.headers["Last-Modified"] == "Thu, 01 Jan 2026 12:01:00 GMT"
    assert first.headers["Cache-Control"] == "public, no-cache"

    again = await client.get(url, headers={"If-None-Match": etag})
    assert again.status == 304 and await again.read() == b""
    since = await client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status == 304
    assert (await client.get(f"/t/{tournament.slug}/bracket-1.png")).headers["ETag"] == etag
    assert (await client.get(f"/t/{tournament.slug}/bracket-9.png")).status == 404

    fakes.brackets.show(tournament.id, version=2)
    # What delivering the change's outbox event does (dashboard/reads.py).
    client.app[STATE].reads.forget(tournament_id=tournament.id)
    changed = await client.get(url, headers={"If-None-Match": etag})
    assert changed.status == 200 and changed.headers["ETag"] != etag
    assert snapshot.version == 1


async def test_unknown_certificate_code_gets_a_clear_page(client: TestClient) -> None:
    response = await client.get("/verify/DC-0000-UNKNOWN")
    assert response.status == 404
    html = await response.text()
    assert "Unknown certificate code" in html and "DC-0000-UNKNOWN" in html
    weird = await client.get("/verify/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert "<script>alert" not in await weird.text()


async def test_known_certificates_show_holder_and_revocation(
    client: TestClient, fakes: Fakes
) -> None:
    issued = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)
    fakes.certificates.records["DC-GOOD-1"] = CertificateRecord(
        "DC-GOOD-1", "NovaQueen", "1st place", "Winter Cup", issued
    )
    fakes.certificates.records["DC-BAD-2"] = CertificateRecord(
        "DC-BAD-2",
        "Echo",
        "2nd place",
        "Winter Cup",
        issued,
        revoked=True,
        revoked_reason="Result overturned after a dispute.",
    )
    good = await (await client.get("/verify/DC-GOOD-1")).text()
    assert "Certificate is valid" in good and "NovaQueen" in good and "1st place" in good
    bad = await (await client.get("/verify/DC-BAD-2")).text()
    assert "Certificate revoked" in bad and "Result overturned" in bad


async def test_verification_is_rate_limited(client: TestClient) -> None:
    statuses = [(await client.get(f"/verify/CODE-{i:04d}")).status for i in range(31)]
    assert statuses[:30] == [404] * 30
    assert statuses[30] == 429


async def test_sponsor_click_is_recorded_and_redirected(client: TestClient, fakes: Fakes) -> None:
    fakes.sponsors.targets["acme"] = "https://acme.example/gaming?ref=deltacrown"
    response = await client.get("/s/acme?t=winter-cup", allow_redirects=False)
    assert response.status == 302
    assert response.headers["Location"] == "https://acme.example/gaming?ref=deltacrown"
    assert fakes.sponsors.clicks == [("acme", "winter-cup")]


async def test_sponsor_links_never_redirect_elsewhere(client: TestClient, fakes: Fakes) -> None:
    fakes.sponsors.targets["acme"] = "https://acme.example/"
    # Only the registered URL is used; whatever the request asks for is ignored.
    steered = await client.get(
        "/s/acme?t=x&url=https://evil.example&next=//evil.example", allow_redirects=False
    )
    assert steered.headers["Location"] == "https://acme.example/"
    assert (await client.get("/s/evil.example", allow_redirects=False)).status == 404
    assert (await client.get("/s/unknown", allow_redirects=False)).status == 404
    for bad in ("javascript:alert(1)", "//evil.example/", "https:/\\evil.example", "/local"):
        fakes.sponsors.targets["bad"] = bad
        response = await client.get("/s/bad", allow_redirects=False)
        assert response.status == 404, bad
        assert "Location" not in response.headers


async def test_static_files_refuse_path_traversal(client: TestClient) -> None:
    assert (await client.get("/static/style.css")).status == 200
    for path in ("/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2fapp.py"):
        response = await client.get(path)
        assert response.status in (403, 404), path
        assert "create_app" not in await response.text()


async def test_security_headers_on_every_response(client: TestClient) -> None:
    for path in ("/", "/t/missing", "/healthz", "/static/style.css"):
        headers = (await client.get(path)).headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], path
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"


async def test_healthz_and_metrics(client: TestClient) -> None:
    assert (await (await client.get("/healthz")).json())["database"] is True
    before = METRICS.http_requests.count(route="/healthz", method="GET", status="2xx")
    await client.get("/healthz")
    assert METRICS.http_requests.count(route="/healthz", method="GET", status="2xx") == before + 1
    response = await client.get("/metrics")
    text = await response.text()
    assert response.status == 200 and response.content_type == "text/plain"
    for name in (
        "deltacrown_commands_total",
        "deltacrown_command_errors_total",
        "deltacrown_outbox_lag_seconds",
        "deltacrown_outbox_pending_events",
        "deltacrown_timers_pending",
        'deltacrown_http_request_duration_seconds_bucket{route="/healthz",method="GET",'
        'status="2xx",le="+Inf"}',
    ):
        assert name in text, name
