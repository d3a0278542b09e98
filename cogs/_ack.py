"""The watchdog that acknowledges every interaction within Discord's 3 s window
(docs/architecture.md, "Data flow of one command"): a property of the command layer, not
a habit of each cog. ``bot.app`` starts it for every command, button and form."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord

from engine.kernel.errors import Conflict
from engine.kernel.text import msg

log = logging.getLogger(__name__)


# --- acknowledging in time ----------------------------------------------------------------

# Discord forgets an interaction not acknowledged within 3 s. A handler that has not
# answered after this long is deferred for it, leaving two seconds for a busy event loop.
ACK_AFTER = 1.0
WATCHED = frozenset(
    {
        discord.InteractionType.application_command,
        discord.InteractionType.component,
        discord.InteractionType.modal_submit,
    }
)
# A few Interaction.response keyword arguments that followups and edits do not take.
_NOT_FOR_FOLLOWUPS = ("delete_after",)
_NOT_FOR_EDITS = ("delete_after", "suppress_embeds")
_pending: set[asyncio.Task[None]] = set()


class AnsweredTooLate(Conflict):
    """A modal can only be the first answer; the watchdog had already deferred."""


class GuardedResponse(discord.InteractionResponse):
    """The interaction's response, shared safely by its handler and the watchdog.

    Every first answer goes through one lock, so the watchdog never defers while the
    handler's own answer is on its way (``is_done()`` only turns true once Discord
    replied). Once the watchdog has deferred, the handler's ``send_message`` becomes a
    followup, ``edit_message`` an edit of the original response and ``defer`` a no-op:
    cogs answer the same way whether or not the watchdog stepped in.
    """

    __slots__ = ("_by_watchdog", "_lock")

    def __init__(self, parent: discord.Interaction) -> None:
        super().__init__(parent)
        self._lock = asyncio.Lock()
        self._by_watchdog = False

    async def acknowledge(self) -> None:
        """Defer unless the handler answered (or is answering) already."""
        async with self._lock:
            if self.is_done():
                return
            try:
                await super().defer(**_defer_style(self._parent))
            except discord.HTTPException as error:  # expired, or answered some other way
                log.warning("could not defer interaction %s: %s", self._parent.id, error)
                return
            self._by_watchdog = True

    async def defer(self, **kwargs: Any) -> Any:
        async with self._lock:
            if self._by_watchdog:
                return None
            return await super().defer(**kwargs)

    async def send_message(self, *args: Any, **kwargs: Any) -> Any:
        async with self._lock:
            if self._by_watchdog:
                for name in _NOT_FOR_FOLLOWUPS:
                    kwargs.pop(name, None)
                return await self._parent.followup.send(*args, **kwargs)
            return await super().send_message(*args, **kwargs)

    async def edit_message(self, **kwargs: Any) -> Any:
        async with self._lock:
            if self._by_watchdog:
                for name in _NOT_FOR_EDITS:
                    kwargs.pop(name, None)
                return await self._parent.edit_original_response(**kwargs)
            return await super().edit_message(**kwargs)

    async def send_modal(self, modal: discord.ui.Modal, /) -> Any:
        async with self._lock:
            if self._by_watchdog:
                raise AnsweredTooLate(
                    msg(
                        "The bot was busy and could not open the form in time. Please try "
                        "again: it opens at once when you do."
                    )
                )
            return await super().send_modal(modal)


def _defer_style(interaction: discord.Interaction) -> dict[str, bool]:
    """How to defer as the handler would have answered.

    Buttons and forms sent from a message defer as an update: a later ``send_message``
    becomes a followup that keeps its own visibility, and ``edit_message`` still edits
    the message the button is on. Slash commands (and forms opened by one) can only
    defer as "thinking"; their answers are private unless the command says otherwise
    (``extras={"public": True}``)."""
    if interaction.type is not discord.InteractionType.application_command:
        if interaction.message is not None:
            return {"thinking": False}
        return {"thinking": True, "ephemeral": True}
    command = interaction.command
    public = bool(command is not None and command.extras.get("public"))
    return {"thinking": True, "ephemeral": not public}


def acknowledge_in_time(interaction: discord.Interaction, after: float = ACK_AFTER) -> None:
    """Make sure ``interaction`` is acknowledged within Discord's window.

    Called for every interaction as it arrives, before any handler ran (see
    ``DeltaCrownBot.dispatch``). Fast handlers answer themselves as before; a handler
    slowed by the database or a busy process is deferred for after ``after`` seconds,
    and its answer then arrives as the followup. A blanket defer-first would be wrong:
    a modal must be the first answer, and handlers that may open one cannot defer."""
    if interaction.type not in WATCHED:
        return
    response = GuardedResponse(interaction)
    # discord.py caches Interaction.response in this slot; filling it first makes the
    # handler use the guarded response.
    interaction._cs_response = response  # type: ignore[attr-defined]

    def fire() -> None:
        if response.is_done():
            return
        task = asyncio.get_running_loop().create_task(response.acknowledge())
        _pending.add(task)
        task.add_done_callback(_pending.discard)

    asyncio.get_running_loop().call_later(after, fire)
