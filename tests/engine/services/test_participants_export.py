"""The participants CSV (engine.money.roster through engine.kernel.exports), opened with
Python's csv module: every entry and every custom field present, formula-like values
neutralised, payment status and check-in filled in."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import update

from engine.kernel.clock import FrozenClock
from engine.kernel.errors import PermissionDenied
from engine.services import Services
from engine.tournaments import FieldSpec
from storage.db import Database
from storage.models import Registration
from storage.models.enums import RegistrationStatus
from testkit.payment_helpers import make_guild, make_registration, make_tournament, png_bytes


@pytest.fixture
def services(db: Database, clock: FrozenClock, tmp_path: Path) -> Services:
    return Services(db, clock, data_dir=tmp_path)


async def test_the_csv_has_every_entry_and_field_and_neutralises_formulas(
    services: Services, new_id, clock: FrozenClock
) -> None:
    guild = await make_guild(services, new_id)
    tid = await make_tournament(services, guild, name="CSV Cup", fee_coins=10, fee_minor=5000)
    for spec in (
        FieldSpec(label="Discord tag", kind="text", required=False),
        FieldSpec(label="Region", kind="dropdown", required=False, choices=("EU", "Asia")),
        FieldSpec(label="Age", kind="number", required=False),
    ):
        await services.tournaments.add_field(guild.owner, tid, spec)
    answers = {
        "coin": {"discord_tag": '=HYPERLINK("http://evil")', "region": "EU", "age": 19},
        "proof": {"discord_tag": "+8801711", "region": "Asia"},
        "unpaid": {"discord_tag": "@SUM(A1:A9)"},
        "waiting": {"discord_tag": "-rf", "region": "EU"},
    }
    names = {"coin": "-Nova", "proof": 'রাকিব, "RK"', "unpaid": "Plain", "waiting": "Tab"}
    ids: dict[str, int] = {}
    users: dict[str, int] = {}
    for key, status in (
        ("coin", RegistrationStatus.AWAITING_PAYMENT),
        ("proof", RegistrationStatus.AWAITING_PAYMENT),
        ("unpaid", RegistrationStatus.AWAITING_PAYMENT),
        ("waiting", RegistrationStatus.WAITLISTED),
    ):
        users[key] = new_id()
        ids[key] = await make_registration(services, guild, tid, users[key], status)
        async with services.db.transaction() as session:
            await session.execute(
                update(Registration)
                .where(Registration.id == ids[key])
                .values(field_values=answers[key], display_name=names[key])
            )
    await services.ledger.grant(guild.owner, guild.id, users["coin"], 50, "Seed", f"s{new_id()}")
    await services.payments.pay(guild.member(users["coin"]), tid, "coins")
    await services.payments.pay(
        guild.member(users["proof"]), tid, "bkash", reference="TRX9911", proof=png_bytes()
    )
    async with services.db.transaction() as session:
        await session.execute(
            update(Registration)
            .where(Registration.id == ids["coin"])
            .values(checked_in_at=clock.now())
        )

    with pytest.raises(PermissionDenied):
        await services.roster.participants_csv(guild.organizer(new_id()), tid)
    filename, data = await services.roster.participants_csv(guild.owner, tid)

    assert filename.startswith("participants-") and filename.endswith(".csv")
    assert data.startswith("\ufeff".encode()) and b"\r\n" in data
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    by_id = {int(r["entry_id"]): r for r in rows}
    assert set(by_id) == set(ids.values()), "every entry present"
    for label in ("Discord tag", "Region", "Age"):
        assert label in rows[0], "every custom field present"

    coin, proof = by_id[ids["coin"]], by_id[ids["proof"]]
    unpaid, waiting = by_id[ids["unpaid"]], by_id[ids["waiting"]]
    assert coin["name"] == "'-Nova" and coin["Discord tag"] == '\'=HYPERLINK("http://evil")'
    assert coin["Region"] == "EU" and coin["Age"] == "19"
    assert (coin["status"], coin["payment_state"], coin["payment_amount"]) == (
        "confirmed",
        "approved",
        "10 Crowns",
    )
    assert coin["checked_in"] == "yes" and unpaid["checked_in"] == "no"
    assert proof["name"] == 'রাকিব, "RK"' and proof["Discord tag"] == "'+8801711"
    assert (proof["status"], proof["payment_state"]) == ("payment_review", "submitted")
    assert proof["payment_reference"] == "TRX9911" and proof["payment_method"] == "bKash"
    assert unpaid["Discord tag"] == "'@SUM(A1:A9)" and unpaid["payment_state"] == "unpaid"
    assert unpaid["Region"] == "" and unpaid["Age"] == ""
    assert waiting["status"] == "waitlisted" and waiting["waitlist_position"] == "1"
    assert waiting["Discord tag"] == "'-rf"
    assert coin["registered_by_user_id"] == str(users["coin"])  # ids kept as text
