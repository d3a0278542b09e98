"""Uploaded images: the one place that checks them and stores them.

Payment proofs, score screenshots and dispute evidence all arrive as bytes from a user.
:class:`Uploads` refuses what is not a readable PNG/JPEG or is over the configured size
(``storage.max_upload_bytes``, threaded from the bot's settings through
:class:`engine.services.Services` onto the :class:`~engine.kernel.uow.ServiceContext`),
and writes what passed as a content-addressed file with its ``StoredFile`` row.

Checking is ``async`` on purpose: the decoding can move off the event loop (and gain
configurable pixel caps) without changing a caller.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PIL import Image

from engine.kernel.errors import InvalidInput
from engine.kernel.sql import insert_ignoring_conflicts
from engine.kernel.text import msg
from storage.files import FileStore
from storage.models import StoredFile

if TYPE_CHECKING:
    from engine.kernel.uow import UnitOfWork

DEFAULT_MAX_UPLOAD_BYTES = 2 * 1024 * 1024
# A screenshot never needs more; a bigger canvas is a decompression bomb, not a receipt.
MAX_IMAGE_PIXELS = 40_000_000
_MAGIC = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}
_CONTENT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
_MIB = 1024 * 1024


@dataclass(frozen=True)
class CheckedImage:
    """Bytes that passed :meth:`Uploads.check_image`; only these can be stored."""

    data: bytes
    content_type: str
    name: str | None = None


def size_text(size: int) -> str:
    """``2097152`` → ``"2,048 KB (2 MB)"``; small or odd sizes in KB or bytes."""
    if size < 1024:
        return f"{size:,} bytes"
    text = f"{size // 1024:,} KB"
    if size % _MIB == 0:
        text += f" ({size // _MIB:,} MB)"
    return text


class Uploads:
    """Checks uploaded images against one size limit and stores those that pass."""

    def __init__(self, files: FileStore, *, max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES) -> None:
        if max_bytes <= 0:
            raise ValueError("max_bytes must be positive")
        self.files = files
        self.max_bytes = max_bytes

    @property
    def limit_text(self) -> str:
        """The limit as users read it, e.g. ``"2,048 KB (2 MB)"``."""
        return size_text(self.max_bytes)

    def refuse_oversize(self, size: int, what: str = "screenshot") -> None:
        """Refuse a file of ``size`` bytes over the limit (before downloading it)."""
        if size > self.max_bytes:
            raise InvalidInput(
                msg(
                    "The {what} is {size_text}; the limit is {limit_text}. Crop it or "
                    "save it as JPEG, then send it again.",
                    what=what,
                    size_text=size_text(size),
                    limit_text=self.limit_text,
                )
            )

    async def check_image(
        self, data: bytes, *, what: str = "screenshot", name: str | None = None
    ) -> CheckedImage:
        """A valid PNG/JPEG, checked by content (never by file name): size, magic bytes,
        pixel count and a full decode; anything else is refused with a sentence."""
        if not data:
            raise InvalidInput(msg("The {what} is empty. Attach the image again.", what=what))
        self.refuse_oversize(len(data), what)
        return CheckedImage(data, _decoded_content_type(data, what), name)

    async def store(
        self, uow: UnitOfWork, image: CheckedImage, *, guild_id: int, user_id: int
    ) -> str:
        """Write the bytes (content-addressed) and their StoredFile row; returns the sha256.

        Call it after every other check passed: if the commit still fails, the file is an
        unreferenced blob, harmless and reused by an identical upload."""
        sha256 = await asyncio.to_thread(self.files.put, image.data)
        name = image.name
        stmt = (
            insert_ignoring_conflicts(uow.session, StoredFile)
            .values(
                sha256=sha256,
                guild_id=guild_id,
                content_type=image.content_type,
                size=len(image.data),
                original_name=(name or None) and name[:200],
                uploaded_by=user_id,
                created_at=uow.clock.now(),
            )
            .on_conflict_do_nothing(index_elements=["sha256"])
        )
        await uow.session.execute(stmt)
        return sha256


def _decoded_content_type(data: bytes, what: str) -> str:
    image_format = next((f for magic, f in _MAGIC.items() if data.startswith(magic)), None)
    if image_format is None:
        raise InvalidInput(
            msg("The {what} is not a PNG or JPEG image. Attach a screenshot.", what=what)
        )
    damaged = InvalidInput(
        msg(
            "The {what} could not be read: the image is damaged or incomplete. Take it "
            "again and attach it.",
            what=what,
        )
    )
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != image_format:
                raise damaged
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise InvalidInput(
                    msg(
                        "The {what} is far too large in pixels. Send a normal phone or "
                        "desktop screenshot.",
                        what=what,
                    )
                )
            image.verify()
        # verify() checks structure only; decoding every pixel catches truncated data.
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except InvalidInput:
        raise
    except Exception:  # Pillow raises many types for hostile input; all mean "unreadable"
        raise damaged from None
    return _CONTENT_TYPES[image_format]
