"""Live updates: outbox events fanned out to browsers as server-sent events.

The hub is an outbox subscriber (``dashboard.live``). Each event becomes a short message
on one or more topics — ``t:<tournament id>`` for the public page, ``g:<guild id>`` for
organizers of that server — and is pushed to every stream open on the topic. Messages
carry ids ``<boot>-<seq>``; the last few hundred stay in memory so a browser that
reconnects with ``Last-Event-ID`` gets what it missed. A reconnect the buffer cannot
serve (another process start, or too long away) is told to ``resync``: reload the parts.

The handler never blocks the dispatcher: a stream that stops reading fills its bounded
queue, is told to resync and is dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from engine.kernel.events import DomainEvent, registered_event_types

SUBSCRIBER_NAME = "dashboard.live"
_AREAS = ("match.", "tournament.", "registration.", "payment.", "dispute.")
_ORGANIZER_ONLY = ("payment.", "dispute.")
RESYNC = "resync"
CLOSE = "close"


@dataclass(frozen=True)
class LiveMessage:
    seq: int
    id: str
    topic: str
    data: dict[str, Any]

    def encode(self) -> bytes:
        return f"id: {self.id}\nevent: update\ndata: {json.dumps(self.data)}\n\n".encode()


@dataclass(eq=False)  # compared and hashed by identity: streams live in a set
class Stream:
    topics: frozenset[str]
    queue: asyncio.Queue[LiveMessage | str]
    backlog: list[LiveMessage] = field(default_factory=list)
    resync: bool = False


def live_event_types() -> list[str]:
    return sorted(name for name in registered_event_types() if name.startswith(_AREAS))


def describe(event: DomainEvent) -> str:
    """One sentence a spectator reads in the "updated" notice."""
    payload = event.to_payload()
    kind = event.event_type
    code, title = payload.get("code"), payload.get("round_title")
    where = f"Match {code}" + (f" ({title})" if title else "")
    sentences = {
        "match.completed": f"{where} is over.",
        "match.ready": f"{where} is ready to play.",
        "match.reset": f"{where} was reset after a result was corrected.",
        "tournament.started": "The tournament has started.",
        "tournament.completed": "The tournament is over. Congratulations to the winners!",
    }
    if kind in sentences:
        return sentences[kind]
    if kind.startswith("payment."):
        verb = kind.split(".", 1)[1].replace("_", " ")
        return f"Payment #{payload.get('payment_id')} was {verb}."
    if kind.startswith("registration."):
        return "The list of participants changed."
    if kind == "tournament.status":
        return f"The tournament is now {str(payload.get('new_status', '')).replace('_', ' ')}."
    return "There is new information on this page."


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
        self, *, buffer_size: int = 512, queue_size: int = 64, max_streams: int = 1000
    ) -> None:
        self.boot = secrets.token_hex(4)
        # Each stream holds a connection, a task and a queue; past this, new ones wait.
        self.max_streams = max_streams
        self._seq = 0
        self._recent: deque[LiveMessage] = deque(maxlen=buffer_size)
        self._queue_size = queue_size
        self._streams: set[Stream] = set()

    @property
    def stream_count(self) -> int:
        return len(self._streams)

    async def handle(self, event: DomainEvent) -> None:
        """The outbox subscriber: publish the event to whoever watches its topics."""
        data = {"type": event.event_type, "text": describe(event)}
        for topic in topics_of(event):
            self.publish(topic, data)

    def publish(self, topic: str, data: dict[str, Any]) -> None:
        self._seq += 1
        message = LiveMessage(self._seq, f"{self.boot}-{self._seq}", topic, data)
        self._recent.append(message)
        for stream in list(self._streams):
            if topic not in stream.topics:
                continue
            try:
                stream.queue.put_nowait(message)
            except asyncio.QueueFull:
                self._drop(stream)

    def _drop(self, stream: Stream) -> None:
        self._streams.discard(stream)
        with contextlib.suppress(asyncio.QueueEmpty):
            stream.queue.get_nowait()  # make room for the goodbye
        stream.queue.put_nowait(RESYNC)

    def open(self, topics: set[str], last_event_id: str | None) -> Stream:
        stream = Stream(frozenset(topics), asyncio.Queue(self._queue_size))
        if last_event_id:
            stream.backlog, stream.resync = self._missed(stream.topics, last_event_id)
        self._streams.add(stream)
        return stream

    def close(self, stream: Stream) -> None:
        self._streams.discard(stream)

    def _missed(self, topics: frozenset[str], last_event_id: str) -> tuple[list[LiveMessage], bool]:
        boot, _, seq_text = last_event_id.partition("-")
        if boot != self.boot or not (seq_text.isascii() and seq_text.isdigit()):
            return [], True
        if len(seq_text) > 18:
            return [], True
        seq = int(seq_text)
        oldest = self._recent[0].seq if self._recent else self._seq + 1
        if seq + 1 < oldest:
            return [], True  # some messages fell out of the buffer
        return [m for m in self._recent if m.seq > seq and m.topic in topics], False

    async def shutdown(self, _app: web.Application | None = None) -> None:
        """End every stream so the server can stop without waiting for idle browsers."""
        for stream in list(self._streams):
            self._streams.discard(stream)
            with contextlib.suppress(asyncio.QueueFull):
                stream.queue.put_nowait(CLOSE)


def _resync_frame() -> bytes:
    return b'event: resync\ndata: {"type": "resync"}\n\n'


async def serve_stream(
    request: web.Request, hub: LiveHub, topics: set[str], heartbeat: float
) -> web.StreamResponse:
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream; charset=utf-8",
            "Cache-Control": "no-cache, no-transform",
            # nginx and friends buffer responses by default; SSE must pass through at once.
            "X-Accel-Buffering": "no",
        }
    )
    if hub.stream_count >= hub.max_streams:
        raise web.HTTPServiceUnavailable(
            text="Too many live viewers right now; the page still works, reload it later.",
            headers={"Retry-After": "30"},
        )
    await response.prepare(request)
    stream = hub.open(topics, request.headers.get("Last-Event-ID"))
    try:
        await response.write(b"retry: 3000\n\n")
        if stream.resync:
            await response.write(_resync_frame())
        for message in stream.backlog:
            await response.write(message.encode())
        await _pump(response, stream, heartbeat)
    except ConnectionResetError:
        pass  # the browser went away; nothing to tell it
    finally:
        hub.close(stream)
    return response


async def _pump(response: web.StreamResponse, stream: Stream, heartbeat: float) -> None:
    while True:
        try:
            item = await asyncio.wait_for(stream.queue.get(), heartbeat)
        except TimeoutError:
            await response.write(b": ping\n\n")
            continue
        if item == CLOSE:
            return
        if item == RESYNC:
            await response.write(_resync_frame())
            return
        assert isinstance(item, LiveMessage)
        await response.write(item.encode())
