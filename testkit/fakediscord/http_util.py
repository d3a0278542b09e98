"""Response helpers and request-body parsing shared by the REST and interaction routes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web


class DiscordError(Exception):
    """Raised by handlers to answer with one of Discord's JSON error bodies."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def response(self) -> web.Response:
        return json_response({"message": self.message, "code": self.code}, status=self.status)


def json_response(data: Any, status: int = 200) -> web.Response:
    # discord.py only decodes JSON when Content-Type is exactly "application/json";
    # aiohttp's json_response would append "; charset=utf-8" and the client would get a str.
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"}
    )


def no_content() -> web.Response:
    return web.Response(status=204)


def not_found(what: str, code: int) -> DiscordError:
    return DiscordError(404, code, f"Unknown {what}")


def invalid_form(message: str) -> DiscordError:
    return DiscordError(400, 50035, f"Invalid Form Body: {message}")


@dataclass
class Upload:
    index: int
    filename: str
    data: bytes
    content_type: str | None


async def read_body(request: web.Request) -> tuple[dict[str, Any], dict[int, Upload]]:
    """Return the JSON payload and the uploaded files (keyed by their ``files[n]`` index)."""
    if request.content_type.startswith("multipart/"):
        payload: dict[str, Any] = {}
        uploads: dict[int, Upload] = {}
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            name = getattr(part, "name", None) or ""
            if name == "payload_json":
                payload = json.loads(await part.text())  # type: ignore[union-attr]
            elif name.startswith("files[") and name.endswith("]"):
                index = int(name[len("files[") : -1])
                declared = part.headers.get("Content-Type")
                # discord.py labels every file application/octet-stream; Discord sniffs the
                # real type from the filename, so only keep a declared type if it is specific.
                content_type = None if declared in (None, "application/octet-stream") else declared
                uploads[index] = Upload(
                    index=index,
                    filename=getattr(part, "filename", None) or f"file{index}",
                    data=bytes(await part.read()),  # type: ignore[union-attr]
                    content_type=content_type,
                )
        return payload, uploads
    if not request.can_read_body:
        return {}, {}
    text = await request.text()
    if not text:
        return {}, {}
    body = json.loads(text)
    if not isinstance(body, dict):
        raise invalid_form("expected an object")
    return body, {}


async def read_json_list(request: web.Request) -> list[Any]:
    text = await request.text()
    data = json.loads(text) if text else []
    if not isinstance(data, list):
        raise invalid_form("expected an array")
    return data
