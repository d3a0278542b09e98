"""Uploaded images: the one place that checks them and stores them.

Payment proofs, score screenshots and dispute evidence all arrive as bytes from a user.
:class:`Uploads` refuses what is not a readable PNG/JPEG or is over the configured size
(``storage.max_upload_bytes``, threaded from the bot's settings through
:class:`engine.services.Services` onto the :class:`~engine.kernel.uow.ServiceContext`),
and writes what passed as a content-addressed file with its ``StoredFile`` row.

Decoding and re-encoding run in a worker thread, after a pixel cap read from the header:
the event loop keeps serving while an image is checked.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PIL import Image, ImageOps

from engine.kernel.errors import InvalidInput
from engine.kernel.sql import insert_ignoring_conflicts
from engine.kernel.text import msg
from storage.files import FileStore
from storage.models import StoredFile

if TYPE_CHECKING:
    from engine.kernel.uow import UnitOfWork

DEFAULT_MAX_UPLOAD_BYTES = 2 * 1024 * 1024
# A phone screenshot is under 4 MP and a 4K desktop 8.3 MP; a bigger canvas is a
# decompression bomb (a 6300x6300 PNG of ~150 KB decodes to ~120 MB), not a receipt.
MAX_IMAGE_PIXELS = 25_000_000
_MAGIC = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}
_CONTENT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
_MIB = 1024 * 1024
_ORIENTATION = 0x0112


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
        pixel count and a full decode; anything else is refused with a sentence. What is
        returned (and later stored) is the image re-encoded without its metadata.

        Callers check the uploader's right first: decoding is the expensive part, and a
        stranger's upload should cost nothing but a refusal."""
        if not data:
            raise InvalidInput(msg("The {what} is empty. Attach the image again.", what=what))
        self.refuse_oversize(len(data), what)
        content_type, clean = await asyncio.to_thread(_clean_image, data, what)
        return CheckedImage(clean, content_type, name)

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


def _clean_image(data: bytes, what: str) -> tuple[str, bytes]:
    """The image's content type and its re-encoded bytes. Runs in a worker thread: a full
    decode of a large screenshot takes long enough to stall every other user's command.

    The pixel count is read from the header and refused before any pixel is decoded. What
    is stored is a fresh encoding of the decoded pixels, upright as EXIF said, without the
    metadata (EXIF with GPS, text chunks, comments) that organizers would otherwise see."""
    image_format = next((f for magic, f in _MAGIC.items() if data.startswith(magic)), None)
    if image_format is None:
        raise InvalidInput(
            msg("The {what} is not a PNG or JPEG image. Attach a screenshot.", what=what)
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != image_format:
                raise _damaged(what)
            _refuse_pixels(image.size, what)
            image.load()
            return _CONTENT_TYPES[image_format], _encoded(_upright(image), image_format)
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(what) from None
    except Exception:  # Pillow raises many types for hostile input; all mean "unreadable"
        raise _damaged(what) from None


def _upright(image: Image.Image) -> Image.Image:
    """Turned the way the camera's EXIF orientation says (the tag is dropped on storing);
    an image without one is used as it is, sparing a copy of every pixel."""
    if image.getexif().get(_ORIENTATION, 1) == 1:
        return image
    return ImageOps.exif_transpose(image) or image


def _refuse_pixels(size: tuple[int, int], what: str) -> None:
    width, height = size
    if width * height > MAX_IMAGE_PIXELS:
        raise _too_many_pixels(what)


def _encoded(image: Image.Image, image_format: str) -> bytes:
    """Only the pixels (and what draws them: transparency, the colour profile) survive."""
    options: dict[str, Any] = {
        key: value
        for key in ("transparency", "icc_profile")
        if (value := image.info.get(key)) is not None
    }
    image.info = {}
    if image_format == "JPEG":
        options["quality"] = 90
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def _too_many_pixels(what: str) -> InvalidInput:
    return InvalidInput(
        msg(
            "The {what} has too many pixels (the limit is {megapixels} megapixels). Send "
            "a normal phone or desktop screenshot.",
            what=what,
            megapixels=MAX_IMAGE_PIXELS // 1_000_000,
        )
    )


def _damaged(what: str) -> InvalidInput:
    return InvalidInput(
        msg(
            "The {what} could not be read: the image is damaged or incomplete. Take it "
            "again and attach it.",
            what=what,
        )
    )
