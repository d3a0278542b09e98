"""The organizer dashboard for one tournament: the participants page (status, payment,
check-in, answers, actions), its CSV download, the bulk review checkboxes (CSRF), and the
per-tournament rule (a co-organizer of one tournament sees only that one)."""

from __future__ import annotations

import csv
import io

from aiohttp.test_utils import TestClient
from sqlalchemy import update

from engine.formats import Result
from engine.services import Services
from engine.site import DashboardAuthService
from engine.tournaments import FieldSpec
from storage.models import Registration, Tournament
from storage.models.enums import PaymentStatus, RegistrationStatus
from testkit.factories import make_event
from testkit.payment_helpers import (
    make_guild,
    make_registration,
    make_tournament,
    payments_of,
    png_bytes,
    registration_status,
)
from tests.dashboard.conftest import csrf_of, log_in


async def _page(client: TestClient, path: str) -> tuple[int, str]:
    response = await client.get(path, allow_redirects=False)
    return response.status, await response.text()


async def _cup(services: Services, new_id):  # type: ignore[no-untyped-def]
    guild = await make_guild(services, new_id)
    tid = await make_tournament(services, guild, name="Page Cup", fee_minor=5000)
    await services.tournaments.add_field(
        guild.owner, tid, FieldSpec(label="Discord tag", kind="text", required=False)
    )
    co_id = new_id()
    await services.tournaments.add_co_organizer(guild.owner, tid, co_id)
    confirmed = await make_registration(
        services, guild, tid, new_id(), RegistrationStatus.CONFIRMED
    )
    async with services.db.transaction() as session:
        await session.execute(
            update(Registration)
            .where(Registration.id == confirmed)
            .values(field_values={"discord_tag": '=HYPERLINK("x")'}, display_name="Nova")
        )
    waiting = await make_registration(services, guild, tid, new_id(), RegistrationStatus.WAITLISTED)
    return guild, tid, guild.member(co_id), confirmed, waiting


async def test_participants_page_shows_entries_and_acts_on_them(
    client: TestClient, auth: DashboardAuthService, services: Services, new_id
) -> None:
    guild, tid, co, confirmed, waiting = await _cup(services, new_id)
    await log_in(client, auth, co)

    status, html = await _page(client, f"/org/tournaments?g={guild.id}")
    assert status == 200 and "Page Cup" in html and f"/org/t/{tid}/participants" in html
    status, html = await _page(client, f"/org/t/{tid}/participants?g={guild.id}")
    assert status == 200
    assert "Nova" in html and "Discord tag" in html and "=HYPERLINK" in html  # escaped text
    assert f"entry-{confirmed}" in html and f"entry-{waiting}" in html
    assert "waitlisted" in html and "unpaid" in html
    csrf = csrf_of(html)

    # Without the session's CSRF token nothing happens.
    forged = await client.post(
        f"/org/t/{tid}/entries/{confirmed}/remove?g={guild.id}",
        data={"csrf": "forged", "reason": "No show"},
        allow_redirects=False,
    )
    assert forged.status == 403
    assert await registration_status(services, confirmed) == RegistrationStatus.CONFIRMED

    promoted = await client.post(
        f"/org/t/{tid}/entries/{waiting}/promote?g={guild.id}",
        data={"csrf": csrf},
        allow_redirects=False,
    )
    assert promoted.status == 303
    assert await registration_status(services, waiting) == RegistrationStatus.AWAITING_PAYMENT

    removed = await client.post(
        f"/org/t/{tid}/entries/{confirmed}/remove?g={guild.id}",
        data={"csrf": csrf, "reason": "Missed the briefing"},
        allow_redirects=False,
    )
    assert removed.status == 303
    assert await registration_status(services, confirmed) == RegistrationStatus.CANCELLED
    status, html = await _page(client, removed.headers["Location"])
    assert "was removed" in html and "Nova" in html

    # A refusal of the game's rules is shown on the page and changes nothing.
    again = await client.post(
        f"/org/t/{tid}/entries/{confirmed}/remove?g={guild.id}",
        data={"csrf": csrf, "reason": "Twice"},
    )
    assert again.status == 409 and "already" in await again.text()


async def test_participants_csv_download_opens_with_the_csv_module(
    client: TestClient, auth: DashboardAuthService, services: Services, new_id
) -> None:
    guild, tid, co, confirmed, waiting = await _cup(services, new_id)
    await log_in(client, auth, co)
    response = await client.get(f"/org/t/{tid}/participants.csv?g={guild.id}")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO((await response.read()).decode("utf-8-sig"))))
    by_id = {int(r["entry_id"]): r for r in rows}
    assert set(by_id) == {confirmed, waiting}
    assert by_id[confirmed]["Discord tag"] == '\'=HYPERLINK("x")'
    assert by_id[confirmed]["payment_state"] == "unpaid"
    assert by_id[waiting]["status"] == "waitlisted"


async def test_a_co_organizer_sees_only_their_tournament(
    client: TestClient, auth: DashboardAuthService, services: Services, new_id
) -> None:
    guild, tid, co, confirmed, _ = await _cup(services, new_id)
    other = await make_tournament(services, guild, name="Someone Else Cup")
    await log_in(client, auth, co)
    _, html = await _page(client, f"/org/tournaments?g={guild.id}")
    assert "Page Cup" in html and "Someone Else Cup" not in html
    for path in (
        f"/org/t/{other}/participants?g={guild.id}",
        f"/org/t/{other}/participants.csv?g={guild.id}",
    ):
        status, text = await _page(client, path)
        assert status == 403 and "Only the organizers of Someone Else Cup" in text
    _, html = await _page(client, f"/org/t/{tid}/participants?g={guild.id}")
    other_entry = await make_registration(
        services, guild, other, new_id(), RegistrationStatus.CONFIRMED
    )
    refused = await client.post(
        f"/org/t/{other}/entries/{other_entry}/remove?g={guild.id}",
        data={"csrf": csrf_of(html), "reason": "Not mine"},
    )
    assert refused.status == 403
    assert await registration_status(services, other_entry) == RegistrationStatus.CONFIRMED
    assert await registration_status(services, confirmed) == RegistrationStatus.CONFIRMED


async def test_bulk_checkboxes_approve_each_ticked_proof_once(
    client: TestClient, auth: DashboardAuthService, services: Services, new_id
) -> None:
    guild, tid, co, _, _ = await _cup(services, new_id)
    made = []
    for index in range(3):
        payer = guild.member(new_id())
        reg = await make_registration(services, guild, tid, payer.user_id)
        view = await services.payments.pay(
            payer, tid, "bkash", reference=f"BULK{index}X", proof=png_bytes(colour=(index, 1, 2))
        )
        made.append((reg, view.id))
    await log_in(client, auth, co)
    _, html = await _page(client, f"/org/payments?g={guild.id}")
    assert html.count('form="bulk-review"') == 3
    csrf = csrf_of(html)
    ticked = [made[0][1], made[1][1]]

    forged = await client.post(
        f"/org/payments/bulk?g={guild.id}",
        data=[("csrf", "nope"), ("decision", "approve")] + [("payment", str(p)) for p in ticked],
    )
    assert forged.status == 403
    for reg, _ in made:
        assert (await payments_of(services, reg))[0].status == PaymentStatus.SUBMITTED

    form = [("csrf", csrf), ("decision", "approve")] + [("payment", str(p)) for p in ticked]
    done = await client.post(f"/org/payments/bulk?g={guild.id}", data=form)
    assert done.status == 200 and "2 payment(s) approved" in await done.text()
    again = await client.post(f"/org/payments/bulk?g={guild.id}", data=form)
    text = await again.text()
    assert "0 payment(s) approved" in text and "already approved" in text
    for reg, _ in made[:2]:
        assert await registration_status(services, reg) == RegistrationStatus.CONFIRMED
    assert await registration_status(services, made[2][0]) == RegistrationStatus.PAYMENT_REVIEW
    approvals = [
        e for e in await services.audit.recent(guild.id, limit=50) if e.action == "payment.approve"
    ]
    assert sorted(int(e.target_id or 0) for e in approvals) == sorted(ticked)

    rejected = await client.post(
        f"/org/payments/bulk?g={guild.id}",
        data=[
            ("csrf", csrf),
            ("decision", "reject"),
            ("reason", "x"),
            ("payment", str(made[2][1])),
        ],
    )
    assert rejected.status == 400
    assert await registration_status(services, made[2][0]) == RegistrationStatus.PAYMENT_REVIEW


async def test_money_prizes_show_paid_or_unpaid_and_are_marked_paid(
    client: TestClient, auth: DashboardAuthService, services: Services, new_id
) -> None:
    guild = await make_guild(services, new_id)
    event = await make_event(services, new_id, organizer=guild.owner, players=2)
    tid = event.tournament_id
    async with services.db.transaction() as session:
        await session.execute(
            update(Tournament)
            .where(Tournament.id == tid)
            .values(prize_pool_minor=50_000, prize_distribution=[100], currency="BDT")
        )
    await services.brackets.start(guild.owner, tid, seed=1)
    [final] = await services.brackets.matches(tid, statuses=["ready"])
    await services.brackets.apply(guild.owner, tid, Result(final.code, (1, 0)))
    [prize] = await services.prizes.prizes(tid)
    co = guild.member(new_id())
    await services.tournaments.add_co_organizer(guild.owner, tid, co.user_id)
    await log_in(client, auth, co)

    _, html = await _page(client, f"/org/t/{tid}/participants?g={guild.id}")
    assert "Money prizes (1 unpaid)" in html and "৳500.00" in html
    marked = await client.post(
        f"/org/t/{tid}/prizes/{prize.registration_id}/paid?g={guild.id}",
        data={"csrf": csrf_of(html), "method": "Nagad", "reference": "NG12345"},
        allow_redirects=False,
    )
    assert marked.status == 303
    _, html = await _page(client, marked.headers["Location"])
    assert "marked paid" in html and "Money prizes (0 unpaid)" in html and "NG12345" in html
    [paid] = await services.prizes.prizes(tid)
    assert paid.is_paid and paid.paid_method == "Nagad"


async def test_the_audit_log_is_for_the_servers_organizers(
    client: TestClient, auth: DashboardAuthService, services: Services, new_id
) -> None:
    guild, _, co, _, _ = await _cup(services, new_id)
    await log_in(client, auth, co)
    status, html = await _page(client, f"/org/audit?g={guild.id}")
    assert status == 403 and "not to co-organizers of one tournament" in html
    _, html = await _page(client, f"/org/payments?g={guild.id}")
    assert "/org/audit" not in html  # not offered in the menu either
    await log_in(client, auth, guild.organizer(new_id()))
    status, html = await _page(client, f"/org/payments?g={guild.id}")
    assert status == 200 and "/org/audit" in html
