"""The payment-method registry is the only list of methods: a new one shows up everywhere."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from cogs.payments import method_choices
from engine.guilds import GameView
from engine.kernel.clock import FrozenClock
from engine.kernel.errors import InvalidInput
from engine.money import (
    PAYMENT_METHODS,
    method_label,
    methods_text,
    payment_method,
    register_payment_method,
    unregister_payment_method,
)
from engine.services import Services
from engine.tournaments import (
    EDITABLE_FIELDS,
    TournamentConfig,
    parse_methods,
    payment_method_keys,
    validate_config,
)
from storage.db import Database
from storage.models.enums import PaymentStatus, RegistrationStatus
from testkit.payment_helpers import (
    make_guild,
    make_registration,
    make_tournament,
    registration_status,
)
from tests.engine.money.toy_method import TOY_METHOD

BUILT_IN = ("coins", "bkash", "nagad", "rocket", "bank")
GAME = GameView(1, 1, "Chess", 1, 1, "games", False, "Lichess name")


@pytest.fixture
def toy() -> Iterator[str]:
    register_payment_method(TOY_METHOD)
    try:
        yield TOY_METHOD.key
    finally:
        unregister_payment_method(TOY_METHOD.key)


@pytest.fixture
def services(db: Database, clock: FrozenClock, tmp_path: Path) -> Services:
    return Services(db, clock, data_dir=tmp_path)


def test_built_in_methods_in_their_order() -> None:
    assert tuple(PAYMENT_METHODS) == BUILT_IN == payment_method_keys()
    assert methods_text() == "coins, bKash, Nagad, Rocket or bank transfer"
    assert method_label("coins", "Crowns") == "Crowns" and method_label("bank") == "bank transfer"
    assert [m.paid_at_once for m in PAYMENT_METHODS.values()] == [True] + [False] * 4


def test_a_method_is_registered_once() -> None:
    with pytest.raises(ValueError, match="twice"):
        register_payment_method(PAYMENT_METHODS["bkash"])


def test_slash_choices_and_messages_pick_up_a_new_method(toy: str) -> None:
    assert [(c.name, c.value) for c in method_choices()][-1] == ("Cash at the venue", toy)
    assert methods_text().endswith("bank transfer or cash at the venue")
    assert EDITABLE_FIELDS["payment_methods"].description.endswith("bank, cash")
    with pytest.raises(InvalidInput, match="or cash at the venue"):
        payment_method("cheque")


def test_tournament_rules_pick_up_a_new_method(toy: str) -> None:
    assert parse_methods("coins, cash") == ("coins", toy)
    config = TournamentConfig("Toy cup", 1, "single_elim", "solo", 8)
    money = dataclasses.replace(config, entry_fee_minor=5000, currency="BDT")
    assert validate_config(dataclasses.replace(money, payment_methods=(toy,)), GAME)
    with pytest.raises(InvalidInput, match="bkash, nagad, rocket, bank or cash"):
        validate_config(money, GAME)
    with pytest.raises(InvalidInput, match="needs an entry fee in money"):
        validate_config(dataclasses.replace(config, payment_methods=(toy,)), GAME)


async def test_paying_and_refunding_with_a_new_method(toy: str, services: Services, new_id) -> None:
    guild = await make_guild(services, new_id)
    tid = await make_tournament(services, guild, fee_minor=5000, methods=(toy,))
    player = guild.member(new_id())
    reg = await make_registration(services, guild, tid, player.user_id)

    view = await services.payments.pay(player, tid, toy)
    assert (view.status, view.reference, view.proof_sha256) == ("submitted", None, None)
    assert (view.method_label, view.amount_text) == ("cash at the venue", "৳50.00")
    assert await registration_status(services, reg) == RegistrationStatus.PAYMENT_REVIEW

    await services.payments.approve(guild.owner, view.id)
    assert await registration_status(services, reg) == RegistrationStatus.CONFIRMED
    refunded = await services.payments.refund(guild.owner, view.id, "Event moved")
    assert refunded.status == PaymentStatus.REFUND_PENDING  # handed back by hand


def test_the_toy_leaves_no_trace() -> None:
    assert TOY_METHOD.key not in PAYMENT_METHODS
    assert TOY_METHOD.key not in payment_method_keys()
