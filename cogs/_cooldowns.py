"""Per-user cooldowns on the commands a player can spam (register, pay, report, dispute).

Each limit is "N uses per window" per member and command, set in ``[bot] cooldowns``
(``register = "10/1h"``: the seed's ten registrations an hour). Counted per bot process:
a member's interactions in one server reach the one process running its shard. Over the
limit, the command is refused before it reaches the engine and the member is told, in
private, when to try again.
"""

from __future__ import annotations

import time
import weakref
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import discord
from discord import app_commands

from cogs._interactions import cog_host
from engine.kernel.text import Command, Message, Timestamp, msg

T = TypeVar("T")

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    count: int
    per_seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate | None:
        """``"10/1h"``, ``"5/600"`` or ``"3/10m"``; ``"off"`` (or a count of 0) is no limit."""
        text = text.strip().lower()
        if text in ("off", "none", "0", ""):
            return None
        count_text, _, window = text.partition("/")
        if not count_text.strip().isdigit() or not window:
            raise ValueError(f"{text!r} is not a limit like 10/1h, 5/600 or off")
        window = window.strip()
        unit = _UNITS.get(window[-1])
        number = window[:-1] if unit else window
        if not number.isdigit() or int(number) <= 0:
            raise ValueError(f"{text!r} is not a limit like 10/1h, 5/600 or off")
        count = int(count_text)
        return cls(count, int(number) * (unit or 1)) if count > 0 else None

    def describe(self) -> str:
        for unit, name in ((86400, "day"), (3600, "hour"), (60, "minute")):
            if self.per_seconds % unit == 0:
                n = self.per_seconds // unit
                return f"{self.count} per {name}" if n == 1 else f"{self.count} per {n} {name}s"
        return f"{self.count} per {self.per_seconds} seconds"


class OnCooldown(app_commands.CheckFailure):
    """Refused before the engine: the member used the command too often."""

    def __init__(self, command: str, rate: Rate, retry_at: float) -> None:
        super().__init__(f"/{command} is on cooldown")
        self.command = command
        self.rate = rate
        self.retry_at = retry_at  # a Unix timestamp

    def user_message(self) -> Message:
        return msg(
            "You are using {command} a lot: it is limited to {rate}. Try again {when}; "
            "nothing was changed.",
            command=Command(self.command),
            rate=self.rate.describe(),
            when=Timestamp(datetime.fromtimestamp(int(self.retry_at) + 1, UTC)),
        )


class Cooldowns:
    """Sliding windows of recent uses per (command, member)."""

    def __init__(
        self, rates: Mapping[str, Rate | None], clock: Callable[[], float] = time.time
    ) -> None:
        self.rates = dict(rates)
        self._clock = clock
        self._uses: dict[tuple[str, int], deque[float]] = {}

    def hit(self, key: str, user_id: int) -> float | None:
        """Record a use; or, over the limit, record nothing and return when to retry."""
        rate = self.rates.get(key)
        if rate is None:
            return None
        now = self._clock()
        uses = self._uses.setdefault((key, user_id), deque())
        while uses and uses[0] <= now - rate.per_seconds:
            uses.popleft()
        if len(uses) >= rate.count:
            return uses[0] + rate.per_seconds
        uses.append(now)
        return None

    def forget(self) -> None:
        self._uses.clear()


_limiters: weakref.WeakKeyDictionary[discord.Client, Cooldowns] = weakref.WeakKeyDictionary()


def limiter_for(client: discord.Client) -> Cooldowns:
    """The bot's cooldowns, built once from ``[bot] cooldowns``."""
    limiter = _limiters.get(client)
    if limiter is None:
        configured = getattr(getattr(cog_host(client).settings, "bot", None), "cooldowns", {})
        limiter = Cooldowns({k: Rate.parse(v) for k, v in dict(configured).items()})
        _limiters[client] = limiter
    return limiter


def cooldown(key: str) -> Callable[[T], T]:
    """A check for a player command: ``@cooldown("register")``."""

    async def predicate(interaction: discord.Interaction[Any]) -> bool:
        limiter = limiter_for(interaction.client)
        retry_at = limiter.hit(key, interaction.user.id)
        if retry_at is not None:
            rate = limiter.rates[key]
            assert rate is not None
            raise OnCooldown(key.replace("_", " "), rate, retry_at)
        return True

    return app_commands.check(predicate)
