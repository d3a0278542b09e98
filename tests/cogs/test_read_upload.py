"""Attachments are checked by their declared size before any byte is downloaded, and
downloaded as a stream cut off at the upload limit (issue 13, item 4): Discord's size is a
claim, so a file that turns out bigger is never read whole into memory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import discord
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from cogs._interactions import read_upload
from engine.kernel.errors import InvalidInput
from engine.kernel.uploads import Uploads
from storage.files import FileStore

LIMIT = 64 * 1024
CHUNK = 16 * 1024


@dataclass
class Cdn:
    """A CDN that serves ``size`` bytes, as a stream, and counts what it sent."""

    size: int
    requests: int = 0
    sent: int = 0
    log: list[str] = field(default_factory=list)

    async def serve(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        response = web.StreamResponse()
        await response.prepare(request)
        try:
            while self.sent < self.size:
                piece = min(CHUNK, self.size - self.sent)
                await response.write(b"\x89" * piece)
                self.sent += piece
        except (ConnectionResetError, RuntimeError):
            self.log.append("client went away")
        return response


@pytest.fixture
async def cdn() -> AsyncIterator[tuple[Cdn, str]]:
    state = Cdn(size=0)
    app = web.Application()
    app.router.add_get("/file.png", state.serve)
    server = TestServer(app)
    await server.start_server()
    try:
        yield state, str(server.make_url("/file.png"))
    finally:
        await server.close()


def attachment(url: str, declared: int, actual: int) -> discord.Attachment:
    """An attachment whose declared size may lie; ``read()`` is the whole-file download."""

    class Lying:
        size = declared

        def __init__(self) -> None:
            self.url = url

        async def read(self) -> bytes:
            return b"\x89" * actual

    return cast(discord.Attachment, Lying())


@pytest.fixture
def uploads(tmp_path: Path) -> Uploads:
    return Uploads(FileStore(tmp_path), max_bytes=LIMIT)


async def test_declared_size_over_the_limit_downloads_nothing(
    uploads: Uploads, cdn: tuple[Cdn, str]
) -> None:
    state, url = cdn
    state.size = LIMIT + 1
    with pytest.raises(InvalidInput, match="the limit is 64 KB"):
        await read_upload(uploads, attachment(url, LIMIT + 1, LIMIT + 1), "evidence")
    assert state.requests == 0


async def test_a_file_bigger_than_declared_is_cut_off_at_the_limit(
    uploads: Uploads, cdn: tuple[Cdn, str]
) -> None:
    state, url = cdn
    state.size = 1000 * LIMIT  # 64 MB behind a declared 1 KB
    with pytest.raises(InvalidInput, match="the limit is 64 KB"):
        await read_upload(uploads, attachment(url, 1024, 2 * LIMIT))
    assert state.requests == 1
    # The reader hung up at the limit: the CDN got rid of no more than what socket
    # buffers swallowed, far from the whole file.
    assert state.sent < state.size // 4


async def test_a_file_within_the_limit_arrives_whole(
    uploads: Uploads, cdn: tuple[Cdn, str]
) -> None:
    state, url = cdn
    state.size = LIMIT
    data = await read_upload(uploads, attachment(url, LIMIT, LIMIT))
    assert data == b"\x89" * LIMIT
    assert await read_upload(uploads, None) is None
