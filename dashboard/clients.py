"""Which client a request comes from, for per-address budgets and rate limits."""

from __future__ import annotations

import ipaddress

from aiohttp import web

# An address longer than this is not an address; it is not used as a budget key.
_MAX_ADDRESS = 64


def client_address(request: web.Request) -> str:
    """The peer address, or behind a local reverse proxy the address it forwarded.

    Only a proxy on this machine (a loopback peer) is trusted with ``X-Forwarded-For``,
    and only its own, last entry: anything earlier in the header is what the client
    claimed. Without this, every visitor behind nginx would share one budget.
    """
    peer = request.remote or "unknown"
    forwarded = request.headers.get("X-Forwarded-For")
    if forwarded and _is_loopback(peer):
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last and len(last) <= _MAX_ADDRESS and _is_ip(last):
            return last
    return peer


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
