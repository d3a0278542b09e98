"""Acknowledge first: a handler whose service is slow is still acknowledged within
Discord's window (the fake enforces it), for a slash command, a button and a form, and
its real answer arrives afterwards.

The service is held on an ``asyncio.Event`` until the acknowledgement was seen, so the
test proves the order (acknowledged while the work was still running) without timing
anything; the watchdog's delay is shortened so the test does not idle for a second.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

from testkit.fakediscord import InteractionRecord
from tests.cogs.conftest import Arena
from tests.cogs.test_tournaments import _configured, _create, _game


class Held:
    """Wraps a service method so that each call waits until ``release()``."""

    def __init__(self, method: Callable[..., Awaitable[Any]]) -> None:
        self.method = method
        self.entered = asyncio.Event()
        self.gate = asyncio.Event()

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.entered.set()
        await self.gate.wait()
        return await self.method(*args, **kwargs)

    def release(self) -> None:
        self.gate.set()


_HELD: list[Held] = []


@pytest.fixture(autouse=True)
def _release_every_hold() -> Iterator[None]:
    """A failed test still lets its held handler finish: a handler left waiting would keep
    its transaction open on the shared bot and stall every test after it."""
    yield
    while _HELD:
        _HELD.pop().release()


@pytest.fixture
def quick_watchdog(arena: Arena, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(arena.env.bot, "ack_after", 0.05)


def hold(monkeypatch: pytest.MonkeyPatch, service: object, name: str) -> Held:
    held = Held(getattr(service, name))
    monkeypatch.setattr(service, name, held)
    _HELD.append(held)
    return held


async def acknowledged_while_held(record: InteractionRecord, held: Held) -> InteractionRecord:
    """The interaction was acknowledged (deferred) while its service was still held."""
    await held.entered.wait()
    acked = await record.response()  # raises InteractionExpired past the 3 s window
    assert acked.deferred and not held.gate.is_set()
    held.release()
    return acked


@pytest.mark.usefixtures("quick_watchdog")
async def test_slow_slash_command_is_deferred_and_answered(
    arena: Arena, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _configured(arena)
    tid = await _create(arena, await _game(arena))
    held = hold(monkeypatch, arena.env.services.tournaments, "edit")
    record = await arena.env.fake.slash(
        arena.organizer,
        "tournament edit",
        {"tournament": str(tid), "field": "max_participants", "value": "32"},
        guild=arena.guild,
        channel=arena.announcements,
    )
    acked = await acknowledged_while_held(record, held)
    assert acked.ephemeral  # deferred the way the command answers: privately
    answer = await acked.wait_for_followup()
    assert answer.ephemeral and "max_participants: 16 → 32" in answer.content


@pytest.mark.usefixtures("quick_watchdog")
async def test_slow_button_is_deferred_and_still_edits_its_message(
    arena: Arena, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _configured(arena)
    fake, services = arena.env.fake, arena.env.services
    tid = await _create(arena, await _game(arena))
    asked = await arena.slash(arena.organizer, "tournament cancel", {"tournament": str(tid)})
    assert asked.message is not None
    held = hold(monkeypatch, services.tournaments, "cancel")
    click = await fake.click(arena.organizer, asked.message, "dc:tournament-cancel:confirm")
    await acknowledged_while_held(click, held)
    message = asked.message
    await fake.wait_until(lambda: "Winter Cup** is cancelled" in message.content)
    assert message.components == []
    assert (await services.tournaments.get(tid)).status == "cancelled"


@pytest.mark.usefixtures("quick_watchdog")
async def test_slow_form_submission_is_deferred_and_answered(
    arena: Arena, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _configured(arena)
    fake, services = arena.env.fake, arena.env.services
    tid = await _create(arena, await _game(arena))
    form = await arena.slash(
        arena.organizer, "tournament edit", {"tournament": str(tid), "field": "rules"}
    )
    assert form.modal is not None  # opening the form itself is not delayed
    held = hold(monkeypatch, services.tournaments, "edit")
    submitted = await fake.submit_modal(arena.organizer, form, {"value": "Be on time."})
    acked = await acknowledged_while_held(submitted, held)
    answer = await acked.wait_for_followup()
    assert answer.ephemeral and "version 2" in answer.content
    assert (await services.tournaments.get(tid)).rules == "Be on time."


async def test_fast_handlers_answer_themselves(arena: Arena) -> None:
    """With the default delay a quick command is answered directly, not deferred."""
    await _configured(arena)
    tid = await _create(arena, await _game(arena))
    edited = await arena.slash(
        arena.organizer,
        "tournament edit",
        {"tournament": str(tid), "field": "max_participants", "value": "24"},
    )
    assert not edited.deferred and "16 → 24" in edited.content


@pytest.mark.usefixtures("quick_watchdog")
async def test_a_form_too_late_to_open_says_so(
    arena: Arena, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A modal must be the first answer: once deferred, the user is told to try again."""
    await _configured(arena)
    tid = await _create(arena, await _game(arena))
    held = hold(monkeypatch, arena.env.services.tournaments, "editable_text")
    record = await arena.env.fake.slash(
        arena.organizer,
        "tournament edit",
        {"tournament": str(tid), "field": "rules"},
        guild=arena.guild,
        channel=arena.announcements,
    )
    acked = await acknowledged_while_held(record, held)
    answer = await acked.wait_for_followup()
    assert answer.ephemeral and "could not open the form in time" in answer.content
    assert acked.modal is None
