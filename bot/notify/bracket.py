"""The live bracket message in the announcement channel, and the final podium.

When a tournament starts one message is posted (a summary and the first bracket image)
and its id is recorded on the bracket; results edit that same message with a new image.
Repaints are coalesced per tournament (:class:`Repaints`): at most one every
``REPAINT_EVERY`` seconds, always drawn from the state read when it runs, so a burst of
results costs one picture and the last result is never left undrawn. Delivery is
at-least-once, so a re-delivered start edits the recorded message instead of posting a
second one. When the tournament ends the podium (🥇🥈🥉 with prizes) is posted with the
final bracket and becomes the recorded message, so a re-delivered completion edits it
rather than announcing twice.
"""

from __future__ import annotations

import asyncio
import io
import logging
import weakref
from collections.abc import Awaitable, Callable

import discord

from bot.notifier import Notifier, on
from cogs._safe import pings, user_text
from cogs._text import ENGLISH, Words
from engine.brackets import (
    MatchCompleted,
    MatchReset,
    PictureService,
    Snapshot,
    TournamentCompleted,
    TournamentStarted,
)
from engine.kernel.text import N_, Command, Message, msg, nmsg
from engine.render import RenderedImage
from engine.tournaments import FORMAT_NAMES, format_money

log = logging.getLogger(__name__)

PODIUM_MARK = "🏆"
# The formats' labels (engine/formats/kinds, which has no catalogue of its own).
FORMAT_WORDS = {
    "Single elimination": N_("Single elimination"),
    "Double elimination": N_("Double elimination"),
    "Groups and playoff": N_("Groups and playoff"),
    "Round robin": N_("Round robin"),
    "Swiss": N_("Swiss"),
}
MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}
# Last bracket version drawn into each live message by this process: a burst of results
# (or the byes settled at the start) is drawn once, at the newest version.
_shown: dict[int, int] = {}


def _file(image: RenderedImage) -> discord.File:
    return discord.File(io.BytesIO(image.png_bytes), filename=image.name)


def _more(count: int) -> Message | str:
    if count <= 1:
        return ""
    return msg(
        "\nShowing part 1 of {count}: use {bracket} for every part.",
        count=count,
        bracket=Command("bracket"),
    )


async def _publish(
    notifier: Notifier, snapshot: Snapshot, content: str, image: RenderedImage
) -> None:
    """Edit the recorded message, or post one (and record it) when there is none."""
    pictures = notifier.services.pictures
    live = await pictures.live_message(snapshot.tournament_id)
    if live is not None:
        channel = await notifier.channel(live.channel_id)
        message = channel.get_partial_message(live.message_id)  # type: ignore[attr-defined]
        try:
            await message.edit(content=content, attachments=[_file(image)])
            return
        except discord.NotFound:
            log.info(
                "live bracket message of %s was deleted; posting a new one", snapshot.tournament_id
            )
    posted = await notifier.announce(snapshot.guild_id, content, file=_file(image))
    if posted is not None:
        await pictures.record_live_message(snapshot.tournament_id, posted.channel.id, posted.id)


@on(TournamentStarted)
async def post_live_bracket(notifier: Notifier, event: TournamentStarted) -> None:
    pictures = notifier.services.pictures
    snapshot = await pictures.snapshot(event.tournament_id)
    first, count = await pictures.live_image(snapshot)
    label = FORMAT_NAMES.get(event.format)
    text = nmsg(
        "🏁 **{name}** has started: {n} entry, {format}. This message follows the bracket "
        "as results come in.",
        "🏁 **{name}** has started: {n} entries, {format}. This message follows the "
        "bracket as results come in.",
        event.participant_count,
        name=event.name,
        format=Message(FORMAT_WORDS.get(label, label)) if label else Message.literal(event.format),
    )
    content = await notifier.public_text(snapshot.guild_id, text + _more(count))
    await _publish(notifier, snapshot, content, first)
    _shown[event.tournament_id] = snapshot.version


REPAINT_EVERY = 3.0  # seconds between two repaints of one tournament's live message
REPAINTS_AT_ONCE = 2  # live messages repainted at the same time, across tournaments

Paint = Callable[[int, Message | str], Awaitable[None]]


class Repaints:
    """Coalesces repaints of live bracket messages, one background task per tournament.

    A result asks for a repaint and returns at once, so the outbox moves on. The first
    request after a quiet spell paints at once; requests within ``every`` seconds of a
    paint wait for the next one, which reads the state as it is then: the latest, so the
    newest request is always drawn. ``at_once`` bounds how many paints run together, so
    a busy day cannot crowd out the interactions the event loop is answering. A paint
    lost to a crash is redrawn by the next result; the final bracket is drawn by the
    podium handler, which is delivered durably."""

    def __init__(
        self, paint: Paint, *, every: float = REPAINT_EVERY, at_once: int = REPAINTS_AT_ONCE
    ) -> None:
        self._paint = paint
        self._every = every
        self._gate = asyncio.Semaphore(at_once)
        self._wanted: dict[int, Message | str] = {}
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._last: dict[int, float] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    def request(self, tournament_id: int, what: Message | str) -> None:
        self._wanted[tournament_id] = what
        if tournament_id not in self._tasks:
            self._tasks[tournament_id] = asyncio.create_task(
                self._run(tournament_id), name=f"repaint-{tournament_id}"
            )

    def lock(self, tournament_id: int) -> asyncio.Lock:
        """Held while a tournament's live message is painted (the podium takes it too)."""
        return self._locks.setdefault(tournament_id, asyncio.Lock())

    async def idle(self) -> None:
        """Wait until every requested repaint has been painted (tests, the demo)."""
        while self._tasks:
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    async def _run(self, tournament_id: int) -> None:
        loop = asyncio.get_running_loop()
        try:
            while tournament_id in self._wanted:
                due = self._last.get(tournament_id, float("-inf")) + self._every
                if due > loop.time():
                    await asyncio.sleep(due - loop.time())
                what = self._wanted.pop(tournament_id)
                async with self._gate, self.lock(tournament_id):
                    self._last[tournament_id] = loop.time()
                    try:
                        await self._paint(tournament_id, what)
                    except Exception:  # the next result repaints; never kill the loop
                        log.exception("repainting the live bracket of %s failed", tournament_id)
        finally:
            # No await since the loop's last check: a request made now starts a new task.
            del self._tasks[tournament_id]


_repaints: weakref.WeakKeyDictionary[Notifier, Repaints] = weakref.WeakKeyDictionary()


def repaints(notifier: Notifier) -> Repaints:
    """The notifier's repaint coalescer (made on first use)."""
    found = _repaints.get(notifier)
    if found is None:

        async def paint(tournament_id: int, what: Message | str) -> None:
            await _refresh(notifier, tournament_id, what)

        found = _repaints[notifier] = Repaints(paint)
    return found


async def _refresh(notifier: Notifier, tournament_id: int, what: Message | str) -> None:
    pictures = notifier.services.pictures
    snapshot = await pictures.snapshot(tournament_id)
    if snapshot.status == "Completed":
        return  # the podium handler draws the final state
    if _shown.get(tournament_id, 0) >= snapshot.version:
        return
    if await pictures.live_message(tournament_id) is None:
        return  # nothing was posted (no announcement channel): nothing to keep up to date
    first, count = await pictures.live_image(snapshot)
    text = msg(
        "📊 **{name}** · live bracket, updated after {what}.", name=snapshot.title, what=what
    )
    content = await notifier.public_text(snapshot.guild_id, text + _more(count))
    await _publish(notifier, snapshot, content, first)
    _shown[tournament_id] = snapshot.version


@on(MatchCompleted)
async def refresh_after_result(notifier: Notifier, event: MatchCompleted) -> None:
    repaints(notifier).request(event.tournament_id, msg("match {code}", code=event.code))


@on(MatchReset)
async def refresh_after_reset(notifier: Notifier, event: MatchReset) -> None:
    repaints(notifier).request(
        event.tournament_id, msg("a correction (match {code} reset)", code=event.code)
    )


def podium_text(
    name: str, placings: list[dict], coin_name: str, currency: str, words: Words = ENGLISH
) -> str:
    # The mark leads the text in every language: a re-delivery recognises the podium by it.
    head = words(msg("**{name}** is over! Congratulations to the winners:", name=name))
    lines = [f"{PODIUM_MARK} {head}"]
    for placing in sorted(placings, key=lambda p: p["place"]):
        place = int(placing["place"])
        if place > 3:
            continue
        who = (
            f"<@{placing['user_id']}>"
            if placing.get("team_id") is None and placing.get("user_id")
            else f"**{user_text(placing['name'])}**"
        )
        prizes = []
        if placing.get("prize_coins"):
            prizes.append(f"{placing['prize_coins']:,} {coin_name}")
        if placing.get("prize_minor"):
            prizes.append(format_money(int(placing["prize_minor"]), currency))
        prize = f" · {' + '.join(prizes)}" if prizes else ""
        label = user_text(placing["name"]) if who.startswith("<@") else ""
        suffix = f" ({label})" if label else ""
        lines.append(f"{MEDALS[place]} {who}{suffix}{prize}")
    return "\n".join(lines)


def _winners(placings: list[dict]) -> discord.AllowedMentions:
    """The podium pings the solo players it names, and nobody else."""
    return pings(
        users=[
            int(p["user_id"])
            for p in placings
            if int(p["place"]) <= 3 and p.get("team_id") is None and p.get("user_id")
        ]
    )


@on(TournamentCompleted)
async def announce_podium(notifier: Notifier, event: TournamentCompleted) -> None:
    # A repaint running now read the state before the end; it must not paint over us.
    async with repaints(notifier).lock(event.tournament_id):
        await _podium(notifier, event)


async def _podium(notifier: Notifier, event: TournamentCompleted) -> None:
    services = notifier.services
    pictures: PictureService = services.pictures
    snapshot = await pictures.snapshot(event.tournament_id)
    first, count = await pictures.live_image(snapshot)
    settings = await services.guilds.get_settings(snapshot.guild_id)
    coin_name = settings.coin_name if settings else "coins"
    tournament = await services.tournaments.get(event.tournament_id)
    words = await notifier.public_words(snapshot.guild_id)
    content = podium_text(event.name, event.placings, coin_name, tournament.currency, words)
    content += words(_more(count))
    live = await pictures.live_message(event.tournament_id)
    if live is not None:
        channel = await notifier.channel(live.channel_id)
        try:
            message = await channel.fetch_message(live.message_id)
        except discord.NotFound:
            message = None
        if message is not None and message.content.startswith(PODIUM_MARK):
            await message.edit(content=content, attachments=[_file(first)])
            return
        if message is not None:
            # The live message keeps the final bracket; the podium is a new post so that
            # the winners get a notification.
            await message.edit(
                content=words(
                    msg("📊 **{name}** · final bracket (results below).", name=snapshot.title)
                ),
                attachments=[_file(first)],
            )
    posted = await notifier.announce(
        snapshot.guild_id, content, file=_file(first), allowed_mentions=_winners(event.placings)
    )
    if posted is not None:
        await pictures.record_live_message(event.tournament_id, posted.channel.id, posted.id)
    _shown[event.tournament_id] = snapshot.version
