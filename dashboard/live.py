"""Live updates: outbox events fanned out to browsers as server-sent events.

Every process that serves the dashboard reads every event: the hub is fed by an
:class:`~engine.kernel.feed.OutboxFeed` that tails the outbox table (a broadcast, not a
claim, so viewers on any process, and on a separate ``python -m dashboard``, see every
update). Each event becomes one short message for the topics it concerns —
``t:<tournament id>`` for the public page, ``g:<guild id>`` for organizers of that
server — pushed once to every stream open on any of them. A message's id is
``<boot>-<outbox id>``, and the boot of a fed hub is the same in every process, so a
browser that reconnects with ``Last-Event-ID`` to any process gets what it missed from
the last few hundred messages kept in memory (read back from the outbox at start). A
reconnect the buffer cannot serve (too long away, an id from elsewhere) is told to
``resync``: reload the parts.

The handler never blocks the feed: a stream that stops reading fills its bounded queue,
is told to resync and is dropped.

Streams hold a connection each, so they are budgeted: a small number per client address
(one address cannot take every slot), a public pool and a separate organizer pool (the
public cannot starve ``/org/events``), and an idle limit after which a stream ends and
the browser reconnects with ``Last-Event-ID`` (a forgotten tab does not hold a slot for
ever). A write the client does not take within ``write_timeout`` ends the stream too.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from dashboard.clients import client_address
from dashboard.language import page_language
from dashboard.text import web_text
from engine.kernel.events import DomainEvent, registered_event_types
from engine.kernel.i18n import SOURCE_LANGUAGE
from engine.kernel.text import REFERENCE, Message, msg, render

# The boot of hubs fed by the outbox: their sequence is the outbox id, shared by every
# process, so a message id means the same event on any of them.
OUTBOX_BOOT = "o"
_AREAS = ("match.", "tournament.", "registration.", "payment.", "dispute.")
_ORGANIZER_ONLY = ("payment.", "dispute.")
RESYNC = "resync"
CLOSE = "close"


@dataclass(frozen=True)
class LiveMessage:
    seq: int
    id: str
    topics: frozenset[str]
    data: dict[str, Any]
    # The notice as a message, so each stream reads it in its page's language
    # (``data["text"]`` is its English form).
    notice: Message | None = None

    def encode(self, language: str = SOURCE_LANGUAGE) -> bytes:
        data = self.data
        if self.notice is not None and language != SOURCE_LANGUAGE:
            data = {**data, "text": web_text(self.notice, language=language)}
        return f"id: {self.id}\nevent: update\ndata: {json.dumps(data)}\n\n".encode()


@dataclass(eq=False)  # compared and hashed by identity: streams live in a set
class Stream:
    topics: frozenset[str]
    queue: asyncio.Queue[LiveMessage | str]
    backlog: list[LiveMessage] = field(default_factory=list)
    resync: bool = False
    address: str = "unknown"
    organizer: bool = False
    after: int = 0  # resumed from this sequence: older messages are not sent again
    language: str = SOURCE_LANGUAGE  # of the page that opened the stream


class StreamRefused(Exception):
    """No slot for this stream; ``status`` and ``message`` are what the client is told."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


TOO_MANY_FROM_YOU = (
    "Too many live-update streams from your address; close some tabs of this page, "
    "the page itself still works."
)
TOO_MANY_VIEWERS = "Too many live viewers right now; the page still works, reload it later."


def live_event_types() -> list[str]:
    return sorted(name for name in registered_event_types() if name.startswith(_AREAS))


def describe(event: DomainEvent) -> str:
    """One sentence a spectator reads in the "updated" notice (English)."""
    return render(notice_of(event), REFERENCE)


def notice_of(event: DomainEvent) -> Message:
    """The notice as a message: each stream writes it in its reader's language. State words
    and round titles are looked up as they are (the catalogue has the common ones)."""
    payload = event.to_payload()
    kind = event.event_type
    code, title = payload.get("code"), payload.get("round_title")
    where = (
        msg("Match {code} ({title})", code=code, title=Message(str(title)))
        if title
        else msg("Match {code}", code=code)
    )
    sentences = {
        "match.completed": msg("{where} is over.", where=where),
        "match.ready": msg("{where} is ready to play.", where=where),
        "match.reset": msg("{where} was reset after a result was corrected.", where=where),
        "tournament.started": msg("The tournament has started."),
        "tournament.completed": msg("The tournament is over. Congratulations to the winners!"),
    }
    if kind in sentences:
        return sentences[kind]
    if kind.startswith("payment."):
        verb = kind.split(".", 1)[1].replace("_", " ")
        return msg("Payment #{id} was {verb}.", id=payload.get("payment_id"), verb=Message(verb))
    if kind.startswith("registration."):
        return msg("The list of participants changed.")
    if kind == "tournament.status":
        status = str(payload.get("new_status", "")).replace("_", " ")
        return msg("The tournament is now {status}.", status=Message(status))
    return msg("There is new information on this page.")


def topics_of(event: DomainEvent) -> list[str]:
    payload = event.to_payload()
    topics = []
    if not event.event_type.startswith(_ORGANIZER_ONLY) and payload.get("tournament_id"):
        topics.append(f"t:{payload['tournament_id']}")
    if event.guild_id is not None:
        topics.append(f"g:{event.guild_id}")
    return topics


class LiveHub:
    def __init__(
        self,
        *,
        buffer_size: int = 512,
        queue_size: int = 64,
        max_streams: int = 1000,
        max_organizer_streams: int = 200,
        max_per_address: int = 8,
        idle_seconds: float = 900.0,
        write_timeout: float = 30.0,
        boot: str | None = None,
    ) -> None:
        self.boot = boot or secrets.token_hex(4)
        # Each stream holds a connection, a task and a queue; past these, new ones wait.
        self.max_streams = max_streams  # public pages
        self.max_organizer_streams = max_organizer_streams  # /org/events, kept apart
        self.max_per_address = max_per_address  # per pool and client address
        self.idle_seconds = idle_seconds
        self.write_timeout = write_timeout
        self._seq = 0
        # Every message with a higher sequence is in ``_recent`` (or was for none of
        # these topics); a resume from below it cannot be served.
        self.horizon = 0
        self._recent: deque[LiveMessage] = deque(maxlen=buffer_size)
        self._queue_size = queue_size
        self._streams: set[Stream] = set()
        self._per_address: Counter[tuple[bool, str]] = Counter()
        self._organizer_count = 0

    @property
    def stream_count(self) -> int:
        return len(self._streams)

    def admit(self, address: str, *, organizer: bool = False) -> None:
        """Raise :class:`StreamRefused` when the pool or the address has no slot left."""
        if self._per_address[(organizer, address)] >= self.max_per_address:
            raise StreamRefused(429, TOO_MANY_FROM_YOU)
        used = self._organizer_count if organizer else self.stream_count - self._organizer_count
        if used >= (self.max_organizer_streams if organizer else self.max_streams):
            raise StreamRefused(503, TOO_MANY_VIEWERS)

    async def handle(self, event: DomainEvent) -> None:
        """Publish the event under the hub's own sequence (a hub not fed by the outbox)."""
        self.handle_at(self._seq + 1, event)

    def handle_at(self, seq: int, event: DomainEvent) -> None:
        """The outbox feed's reader: publish event ``seq`` to whoever watches its topics."""
        topics = topics_of(event)
        if topics:
            notice = notice_of(event)
            data = {"type": event.event_type, "text": render(notice, REFERENCE)}
            self._publish(seq, frozenset(topics), data, notice)

    def publish(self, topic: str, data: dict[str, Any]) -> None:
        self._publish(self._seq + 1, frozenset({topic}), data)

    def _publish(
        self,
        seq: int,
        topics: frozenset[str],
        data: dict[str, Any],
        notice: Message | None = None,
    ) -> None:
        self._seq = max(self._seq, seq)
        message = LiveMessage(seq, f"{self.boot}-{seq}", topics, data, notice)
        if len(self._recent) == self._recent.maxlen:
            self.horizon = max(self.horizon, self._recent[0].seq)
        self._recent.append(message)
        for stream in list(self._streams):
            if seq <= stream.after or not topics & stream.topics:
                continue
            try:
                stream.queue.put_nowait(message)
            except asyncio.QueueFull:
                self._drop(stream)

    def _drop(self, stream: Stream) -> None:
        self.close(stream)
        with contextlib.suppress(asyncio.QueueEmpty):
            stream.queue.get_nowait()  # make room for the goodbye
        stream.queue.put_nowait(RESYNC)

    def open(
        self,
        topics: set[str],
        last_event_id: str | None,
        *,
        address: str = "unknown",
        organizer: bool = False,
    ) -> Stream:
        """Register a stream; callers that must respect the budget call :meth:`admit` first."""
        stream = Stream(frozenset(topics), asyncio.Queue(self._queue_size))
        stream.address, stream.organizer = address, organizer
        if last_event_id:
            stream.backlog, stream.resync = self._missed(stream.topics, last_event_id)
            if not stream.resync:
                stream.after = int(last_event_id.partition("-")[2])
        self._streams.add(stream)
        self._per_address[(organizer, address)] += 1
        self._organizer_count += organizer
        return stream

    def close(self, stream: Stream) -> None:
        if stream not in self._streams:
            return
        self._streams.discard(stream)
        key = (stream.organizer, stream.address)
        self._per_address[key] -= 1
        if self._per_address[key] <= 0:
            del self._per_address[key]
        self._organizer_count -= stream.organizer

    def _missed(self, topics: frozenset[str], last_event_id: str) -> tuple[list[LiveMessage], bool]:
        boot, _, seq_text = last_event_id.partition("-")
        if boot != self.boot or not (seq_text.isascii() and seq_text.isdigit()):
            return [], True
        if len(seq_text) > 18:
            return [], True
        seq = int(seq_text)
        if seq < self.horizon:
            return [], True  # some messages fell out of the buffer
        missed = [m for m in self._recent if m.seq > seq and m.topics & topics]
        return sorted(missed, key=lambda m: m.seq), False

    async def shutdown(self, _app: web.Application | None = None) -> None:
        """End every stream so the server can stop without waiting for idle browsers."""
        for stream in list(self._streams):
            self.close(stream)
            with contextlib.suppress(asyncio.QueueFull):
                stream.queue.put_nowait(CLOSE)


def _resync_frame() -> bytes:
    return b'event: resync\ndata: {"type": "resync"}\n\n'


async def serve_stream(
    request: web.Request,
    hub: LiveHub,
    topics: set[str],
    heartbeat: float,
    *,
    address: str | None = None,
    organizer: bool = False,
) -> web.StreamResponse:
    """Stream ``topics`` to the client, within the hub's budget for its address and pool."""
    address = address or client_address(request)
    try:
        hub.admit(address, organizer=organizer)
    except StreamRefused as refused:
        raise _refusal(refused) from None
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream; charset=utf-8",
            "Cache-Control": "no-cache, no-transform",
            # nginx and friends buffer responses by default; SSE must pass through at once.
            "X-Accel-Buffering": "no",
        }
    )
    stream = hub.open(
        topics, request.headers.get("Last-Event-ID"), address=address, organizer=organizer
    )
    stream.language = page_language()
    try:
        await response.prepare(request)
        write = _timed_writer(response, hub.write_timeout)
        await write(b"retry: 3000\n\n")
        if stream.resync:
            await write(_resync_frame())
        for message in stream.backlog:
            await write(message.encode(stream.language))
        await _pump(write, stream, heartbeat, hub.idle_seconds)
    except (ConnectionResetError, TimeoutError):
        pass  # the browser went away or stopped reading; nothing to tell it
    finally:
        hub.close(stream)
    return response


def _refusal(refused: StreamRefused) -> web.HTTPException:
    kind = web.HTTPTooManyRequests if refused.status == 429 else web.HTTPServiceUnavailable
    return kind(text=refused.message, headers={"Retry-After": "30"})


def _timed_writer(
    response: web.StreamResponse, timeout: float
) -> Callable[[bytes], Awaitable[None]]:
    """A write the client does not take in time ends the stream (it frees the slot)."""

    async def write(data: bytes) -> None:
        async with asyncio.timeout(timeout):
            await response.write(data)

    return write


async def _pump(
    write: Callable[[bytes], Awaitable[None]], stream: Stream, heartbeat: float, idle: float
) -> None:
    """Forward messages, ping when quiet, end after ``idle`` seconds without an update."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + idle
    while True:
        remaining = deadline - loop.time()
        if remaining <= 0:
            return  # the browser reconnects with Last-Event-ID and misses nothing
        try:
            item = await asyncio.wait_for(stream.queue.get(), min(heartbeat, remaining))
        except TimeoutError:
            await write(b": ping\n\n")
            continue
        if item == CLOSE:
            return
        if item == RESYNC:
            await write(_resync_frame())
            return
        assert isinstance(item, LiveMessage)
        await write(item.encode(stream.language))
        deadline = loop.time() + idle
