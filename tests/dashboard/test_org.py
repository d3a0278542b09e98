"""Organizer pages: login by link, the payment queue, proofs, disputes, audit; and refusals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from aiohttp.test_utils import TestClient, TestServer

from dashboard.app import create_app
from dashboard.config import DashboardConfig
from dashboard.hooks import DisputeSummary
from engine.guilds import GuildSetup
from engine.kernel.actors import Actor
from engine.kernel.clock import FrozenClock
from engine.money import PaymentView
from engine.services import Services
from engine.site import DashboardAuthService
from storage.models.enums import PaymentStatus, RegistrationStatus
from testkit.dashboard_fakes import Fakes
from testkit.payment_helpers import (
    Guild,
    add_co_organizer,
    make_guild,
    make_registration,
    make_tournament,
    png_bytes,
    registration_status,
)
from tests.dashboard.conftest import SECRET, csrf_of, log_in


@dataclass
class Queue:
    guild: Guild
    organizer: Actor
    payment: PaymentView
    proof: bytes
    tournament_id: int = 0


async def _queue(services: Services, new_id, *, player_name: str = "") -> Queue:
    guild = await make_guild(services, new_id)
    tid = await make_tournament(services, guild, fee_minor=15_000, methods=("bkash",))
    player = guild.member(new_id())
    await make_registration(services, guild, tid, player.user_id)
    proof = png_bytes(colour=(new_id() % 255, 40, 90))
    payment = await services.payments.pay(
        player, tid, "bkash", reference="9BD7K2LQ1X", proof=proof, proof_name="proof.png"
    )
    # The reviewer co-organizes the tournament (the organizer role alone runs nothing).
    organizer = await add_co_organizer(services, guild, tid, new_id())
    return Queue(guild, organizer, payment, proof, tid)


async def _page(client: TestClient, path: str) -> tuple[int, str]:
    response = await client.get(path, allow_redirects=False)
    return response.status, await response.text()


# -- no session ---------------------------------------------------------------------------


async def test_organizer_pages_need_a_session(client: TestClient) -> None:
    for path in (
        "/org",
        "/org/payments",
        "/org/disputes",
        "/org/audit",
        "/org/payments/1/proof",
        "/org/events",
        "/org/payments/live.html",
    ):
        status, html = await _page(client, path)
        assert status == 401, path
        assert "Run /dashboard in Discord" in html
    response = await client.post("/org/payments/1/approve", data={"csrf": "x"})
    assert response.status == 401
    forged = await client.get("/org/payments", cookies={"dc_session": "abc.def"})
    assert forged.status == 401


# -- login --------------------------------------------------------------------------------


async def test_login_link_asks_first_then_opens_a_session(
    client: TestClient, auth: DashboardAuthService, services: Services, new_id
) -> None:
    guild = await make_guild(services, new_id)
    organizer = guild.organizer(new_id())
    link = await auth.issue_link(organizer, {guild.id: "Crown League"})
    status, html = await _page(client, f"/org/login/{link.token}")
    # Fetching the link (a preview bot, a scanner) spends nothing.
    assert status == 200 and "Crown League" in html and "Log in" in html
    assert (await _page(client, f"/org/login/{link.token}"))[0] == 200

    response = await client.post(f"/org/login/{link.token}", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/org/payments"
    cookie = response.headers["Set-Cookie"]
    assert "dc_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie and "Max-Age=7200" in cookie
    status, html = await _page(client, "/org/payments")
    assert status == 200 and "Payment review" in html
    assert (await client.get("/org/payments")).headers["Cache-Control"] == "no-store"


async def test_reused_expired_and_forged_links_are_refused(
    client: TestClient, auth: DashboardAuthService, services: Services, clock: FrozenClock, new_id
) -> None:
    guild = await make_guild(services, new_id)
    used = await auth.issue_link(guild.owner, {})
    assert (await client.post(f"/org/login/{used.token}", allow_redirects=False)).status == 303
    client.session.cookie_jar.clear()
    again = await client.post(f"/org/login/{used.token}", allow_redirects=False)
    assert again.status == 403 and "already used" in await again.text()
    assert "Set-Cookie" not in again.headers
    assert (await _page(client, f"/org/login/{used.token}"))[0] == 403

    late = await auth.issue_link(guild.owner, {})
    clock.advance(minutes=11)
    expired = await client.post(f"/org/login/{late.token}", allow_redirects=False)
    assert expired.status == 403 and "expired" in await expired.text()
    forged = await client.post("/org/login/123.abc.def", allow_redirects=False)
    assert forged.status == 403 and "not valid" in await forged.text()
    assert (await _page(client, "/org/payments"))[0] == 401


async def test_login_attempts_are_rate_limited(client: TestClient) -> None:
    statuses = [(await client.get(f"/org/login/1.nonce{i}.sig")).status for i in range(11)]
    assert statuses[:10] == [403] * 10 and statuses[10] == 429


async def test_session_cookie_is_secure_behind_https(
    services: Services, fakes: Fakes, auth: DashboardAuthService, new_id
) -> None:
    config = DashboardConfig(public_url="https://crown.example", secret_key=SECRET)
    guild = await make_guild(services, new_id)
    link = await auth.issue_link(guild.owner, {})
    app = create_app(services, config, fakes.hooks())
    async with TestClient(TestServer(app)) as client:
        response = await client.post(f"/org/login/{link.token}", allow_redirects=False)
        assert "Secure" in response.headers["Set-Cookie"]


async def test_logout_needs_csrf_and_ends_the_session(
    client: TestClient, auth: DashboardAuthService, services: Services, new_id
) -> None:
    guild = await make_guild(services, new_id)
    await log_in(client, auth, guild.owner)
    _, html = await _page(client, "/org/payments")
    assert (await client.post("/org/logout", allow_redirects=False)).status == 403
    response = await client.post("/org/logout", data={"csrf": csrf_of(html)}, allow_redirects=False)
    assert response.status == 303
    assert (await _page(client, "/org/payments"))[0] == 401


# -- payment review -----------------------------------------------------------------------


async def test_queue_shows_proof_reference_amount_method_and_player(
    client: TestClient, auth: DashboardAuthService, services: Services, new_id
) -> None:
    queue = await _queue(services, new_id)
    await log_in(client, auth, queue.organizer)
    status, html = await _page(client, f"/org/payments?g={queue.guild.id}")
    assert status == 200
    p = queue.payment
    for text in (f"#{p.id}", "9BD7K2LQ1X", p.amount_text, "bKash", p.display_name):
        assert text in html, text
    proof = await client.get(f"/org/payments/{p.id}/proof?g={queue.guild.id}")
    assert proof.status == 200 and proof.content_type == "image/png"
    assert await proof.read() == queue.proof
    assert "sandbox" in proof.headers["Content-Security-Policy"]


async def test_approve_goes_through_the_payment_service(
    client: TestClient, auth: DashboardAuthService, services: Services, new_id
) -> None:
    queue = await _queue(services, new_id)
    await log_in(client, auth, queue.organizer)
    _, html = await _page(client, f"/org/payments?g={queue.guild.id}")
    response = await client.post(
        f"/org/payments/{queue.payment.id}/approve?g={queue.guild.id}",
        data={"csrf": csrf_of(html)},
    )
    page = await response.text()
    assert response.status == 200 and "was approved" in page
    assert "No payments are waiting" in page
    assert await registration_status(services, queue.payment.registration_id) == (
        RegistrationStatus.CONFIRMED
    )
    [entry] = await services.audit.recent(queue.guild.id, action_prefix="payment.approve")
    assert entry.actor_id == queue.organizer.user_id  # same audit entry as the Discord button


async def test_reject_needs_a_reason_and_refund_follows_approval(
    client: TestClient, auth: DashboardAuthService, services: Services, new_id
) -> None:
    queue = await _queue(services, new_id)
    await log_in(client, auth, queue.organizer)
    _, html = await _page(client, f"/org/payments?g={queue.guild.id}")
    base = f"/org/payments/{queue.payment.id}"
    short = await client.post(f"{base}/reject?g={queue.guild.id}", data={"csrf": csrf_of(html)})
    assert short.status == 400 and "reason of 3 to 300" in await short.text()

    refund_early = await client.post(
        f"{base}/refund?g={queue.guild.id}", data={"csrf": csrf_of(html), "reason": "Oops"}
    )
    assert refund_early.status == 409 and "never approved" in await refund_early.text()

    await services.payments.approve(queue.organizer, queue.payment.id)  # the Discord button
    _, html = await _page(client, f"/org/payments?g={queue.guild.id}")
    assert f'id="decided-{queue.payment.id}"' in html and "approved" in html
    refund = await client.post(
        f"{base}/refund?g={queue.guild.id}",
        data={"csrf": csrf_of(html), "reason": "Event moved"},
    )
    assert refund.status == 200 and "Refund of payment" in await refund.text()
    view = await services.payments.get(queue.organizer, queue.payment.id)
    assert view.status == PaymentStatus.REFUND_PENDING

    # The pending money refund offers "Mark sent", a separate action from refunding again.
    _, html = await _page(client, f"/org/payments?g={queue.guild.id}")
    assert f"{base}/refund-sent?g={queue.guild.id}" in html
    again = await client.post(
        f"{base}/refund?g={queue.guild.id}", data={"csrf": csrf_of(html), "reason": "Again"}
    )
    assert again.status == 409
    sent = await client.post(
        f"{base}/refund-sent?g={queue.guild.id}",
        data={"csrf": csrf_of(html), "reason": "bKash TrxID 8N7A"},
    )
    assert sent.status == 200 and "marked as sent" in await sent.text()
    view = await services.payments.get(queue.organizer, queue.payment.id)
    assert view.status == PaymentStatus.REFUNDED


async def test_decision_in_discord_is_reported_when_the_page_acts_late(
    client: TestClient, auth: DashboardAuthService, services: Services, new_id
) -> None:
    queue = await _queue(services, new_id)
    await log_in(client, auth, queue.organizer)
    _, html = await _page(client, f"/org/payments?g={queue.guild.id}")
    await services.payments.reject(queue.organizer, queue.payment.id, "Reference not found")
    response = await client.post(
        f"/org/payments/{queue.payment.id}/approve?g={queue.guild.id}",
        data={"csrf": csrf_of(html)},
    )
    text = await response.text()
    assert response.status == 409 and "already rejected" in text
    # The service's sentence names the reviewer with a Discord mention; the page says who.
    assert f"by user {queue.organizer.user_id}" in text and "&lt;@" not in text


async def test_missing_or_foreign_csrf_token_changes_nothing(
    client: TestClient, auth: DashboardAuthService, services: Services, new_id
) -> None:
    queue = await _queue(services, new_id)
    other = DashboardAuthService(services.ctx, SECRET)
    stolen = (await other.redeem((await other.issue_link(queue.guild.owner, {})).token)).session
    await log_in(client, auth, queue.organizer)
    url = f"/org/payments/{queue.payment.id}/approve?g={queue.guild.id}"
    for data in ({}, {"csrf": ""}, {"csrf": stolen.csrf_token}):
        response = await client.post(url, data=data)
        assert response.status == 403
        assert "nothing was changed" in await response.text()
    view = await services.payments.get(queue.organizer, queue.payment.id)
    assert view.status == PaymentStatus.SUBMITTED


async def test_organizer_of_another_guild_sees_nothing(
    client: TestClient, auth: DashboardAuthService, services: Services, new_id
) -> None:
    mine = await _queue(services, new_id)
    theirs = await _queue(services, new_id)
    await log_in(client, auth, mine.organizer)
    _, html = await _page(client, f"/org/payments?g={mine.guild.id}")
    csrf = csrf_of(html)
    for path in (
        f"/org/payments?g={theirs.guild.id}",
        f"/org/audit?g={theirs.guild.id}",
        f"/org/disputes?g={theirs.guild.id}",
        f"/org/events?g={theirs.guild.id}",
        f"/org/payments/{theirs.payment.id}/proof?g={theirs.guild.id}",
        "/org/audit?g=x",
    ):
        status, text = await _page(client, path)
        assert status == 403, path
        assert "You do not organize that server" in text
    # Their payment, asked for under my server, does not exist as far as I can tell.
    status, _ = await _page(client, f"/org/payments/{theirs.payment.id}/proof?g={mine.guild.id}")
    assert status == 404
    approve = await client.post(
        f"/org/payments/{theirs.payment.id}/approve?g={mine.guild.id}", data={"csrf": csrf}
    )
    assert approve.status == 404
    assert (await services.payments.get(theirs.organizer, theirs.payment.id)).status == "submitted"


async def test_losing_the_organizer_role_closes_the_dashboard(
    client: TestClient, auth: DashboardAuthService, services: Services, new_id
) -> None:
    queue = await _queue(services, new_id)
    role_holder = queue.guild.organizer(new_id())  # runs no tournament: the role is all
    await log_in(client, auth, role_holder)
    assert (await _page(client, f"/org/payments?g={queue.guild.id}"))[0] == 200
    await services.guilds.configure(
        queue.guild.owner, queue.guild.id, GuildSetup(organizer_role_id=new_id())
    )
    status, html = await _page(client, f"/org/payments?g={queue.guild.id}")
    assert status == 403 and "You do not organize that server" in html


async def test_losing_the_co_organizer_place_closes_the_dashboard(
    client: TestClient, auth: DashboardAuthService, services: Services, new_id
) -> None:
    queue = await _queue(services, new_id)
    staff = queue.guild.member(new_id())  # no organizer role: the staff place is all
    await services.tournaments.add_co_organizer(
        queue.guild.owner, queue.tournament_id, staff.user_id
    )
    await log_in(client, auth, staff)
    status, html = await _page(client, f"/org/payments?g={queue.guild.id}")
    assert status == 200 and "9BD7K2LQ1X" in html
    await services.tournaments.remove_co_organizer(
        queue.guild.owner, queue.tournament_id, staff.user_id
    )
    status, html = await _page(client, f"/org/payments?g={queue.guild.id}")
    assert status == 403 and "You do not organize that server" in html


@pytest.mark.parametrize(
    "path",
    [
        "/org/payments/..%2F..%2Fetc%2Fpasswd/proof",
        "/org/payments/../../etc/passwd/proof",
        "/org/payments/1%2F..%2F..%2Fdashboard-secret.key/proof",
        "/org/payments/-1/proof",
        "/org/payments/99999999999999999999/proof",
    ],
)
async def test_proof_paths_cannot_traverse(
    client: TestClient, auth: DashboardAuthService, services: Services, new_id, path: str
) -> None:
    queue = await _queue(services, new_id)
    await log_in(client, auth, queue.organizer)
    status, text = await _page(client, path)
    assert status == 404
    assert "root:" not in text


async def test_disputes_show_an_empty_state_or_the_feed(
    client: TestClient, auth: DashboardAuthService, services: Services, fakes: Fakes, new_id
) -> None:
    guild = await make_guild(services, new_id)
    await log_in(client, auth, guild.owner)
    status, html = await _page(client, "/org/disputes")
    assert status == 200 and "No open disputes" in html
    fakes.disputes.disputes.append(
        DisputeSummary(
            7,
            "Winter Cup",
            "W1-3",
            "NovaQueen",
            "Score mismatch",
            "open",
            datetime(2026, 1, 2, tzinfo=UTC),
            "https://discord.com/channels/1/2",
        )
    )
    html = await (await client.get("/org/disputes")).text()
    assert "Score mismatch" in html and 'href="https://discord.com/channels/1/2"' in html


async def test_audit_log_filters_by_area_and_limit(
    client: TestClient, auth: DashboardAuthService, services: Services, new_id
) -> None:
    queue = await _queue(services, new_id)
    await services.payments.approve(queue.organizer, queue.payment.id)
    await log_in(client, auth, queue.organizer)
    g = queue.guild.id
    everything = await (await client.get(f"/org/audit?g={g}")).text()
    assert "guild.setup" in everything and "payment.approve" in everything
    payments = await (await client.get(f"/org/audit?g={g}&action=payment.&limit=20")).text()
    assert "payment.approve" in payments and "guild.setup" not in payments
    odd = await client.get(f"/org/audit?g={g}&action=%27%3B--&limit=9999")
    assert odd.status == 200 and "guild.setup" in await odd.text()


async def test_hostile_input_is_refused_not_crashed(
    client: TestClient, auth: DashboardAuthService, services: Services, new_id
) -> None:
    guild = await make_guild(services, new_id)
    organizer = guild.organizer(new_id())
    link = await auth.issue_link(organizer, {guild.id: "Crown League"})
    # Another site posting the link (login CSRF) is refused and spends nothing.
    cross = await client.post(
        f"/org/login/{link.token}",
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
        allow_redirects=False,
    )
    assert cross.status == 403
    assert (await client.get(f"/org/login/{link.token}")).status == 200  # still usable
    await log_in(client, auth, organizer)
    for path in (
        "/org/payments?g=%C2%B2",
        f"/org/payments?g={'9' * 5000}",
        f"/org/audit?g={guild.id}&limit=%C2%B2",
        "/org/login/1795674516.abc.%C3%A9",
    ):
        response = await client.get(path)
        assert response.status < 500, (path, response.status)
    client.session.cookie_jar.clear()
    client.session.cookie_jar.update_cookies({"dc_session": "abc.\u00e9"})
    assert (await client.get("/org/payments")).status == 401
