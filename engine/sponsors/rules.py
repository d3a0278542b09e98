"""Pure rules of sponsors: tiers, what a name and a link may be, and which visits count."""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from engine.kernel.errors import InvalidInput
from engine.kernel.text import N_, msg

# Tiers in the order they are shown: the biggest logo first.
TIERS = ("title", "gold", "silver", "community")
TIER_NAMES = {
    "title": N_("Title"),
    "gold": N_("Gold"),
    "silver": N_("Silver"),
    "community": N_("Community"),
}
MAX_NAME = 64
MAX_URL = 512
MAX_BLURB = 200
MAX_POSITION = 999
MAX_SPONSORS_PER_GUILD = 50

# User agents of crawlers and link unfurlers: redirected, never counted.
_BOTS = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|preview|facebookexternalhit|embedly|curl/|wget/|"
    r"python-requests|aiohttp|httpx|go-http-client|headless|lighthouse|pingdom|uptime|"
    r"monitor|discordbot|whatsapp|telegram|skypeuripreview|bingpreview",
    re.IGNORECASE,
)


def tier_rank(tier: str) -> int:
    return TIERS.index(tier) if tier in TIERS else len(TIERS) - 1


def clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not 1 <= len(cleaned) <= MAX_NAME:
        raise InvalidInput(
            msg(
                "A sponsor's name must be 1 to {max} characters long, for example “Nova Energy”.",
                max=MAX_NAME,
            )
        )
    return cleaned


def clean_tier(tier: str) -> str:
    cleaned = tier.strip().lower()
    if cleaned not in TIERS:
        raise InvalidInput(
            msg(
                "“{tier}” is not a sponsor tier. Pick one of: {tiers}.",
                tier=tier,
                tiers=", ".join(TIERS),
            )
        )
    return cleaned


def clean_url(url: str) -> str:
    """An absolute http(s) link with a host, no spaces, no credentials, at most 512
    characters: the only place a click is ever sent."""
    cleaned = url.strip()
    parts = urlsplit(cleaned) if len(cleaned) <= MAX_URL else None
    if (
        parts is None
        or any(ch.isspace() or ord(ch) < 32 or ch == "\\" for ch in cleaned)
        or parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or "." not in parts.hostname.strip(".")
        or parts.username is not None
        or parts.password is not None
    ):
        raise InvalidInput(
            msg(
                "The sponsor's link must be a web address starting with https:// (or "
                "http://), at most {max} characters, for example https://nova.example/gaming.",
                max=MAX_URL,
            )
        )
    return cleaned


def clean_blurb(blurb: str | None) -> str | None:
    if blurb is None:
        return None
    cleaned = " ".join(blurb.split())
    if len(cleaned) > MAX_BLURB:
        raise InvalidInput(
            msg(
                "The sponsor's text is {length} characters long; keep it to {max}.",
                length=len(cleaned),
                max=MAX_BLURB,
            )
        )
    return cleaned or None


def clean_position(position: int) -> int:
    if not 0 <= position <= MAX_POSITION:
        raise InvalidInput(
            msg(
                "The order must be a number from 0 to {max} (smaller comes first).",
                max=MAX_POSITION,
            )
        )
    return position


def key_base(name: str) -> str:
    """The public key of a sponsor's link, from its name: ``Nova Energy`` → ``nova-energy``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-")
    return slug or "sponsor"


@dataclass(frozen=True)
class Visit:
    """One request for ``/s/{sponsor}``, as the web surface saw it. The address is only
    ever hashed (with the server's secret and the day), never stored."""

    address: str
    user_agent: str = ""
    method: str = "GET"
    purpose: str = ""  # the Purpose / Sec-Purpose header
    secret: bytes = b""


def is_counted(visit: Visit) -> bool:
    """A person following the link: not a HEAD, not a prefetch, not a known bot."""
    if visit.method.upper() != "GET":
        return False
    if "prefetch" in visit.purpose.lower() or "prerender" in visit.purpose.lower():
        return False
    agent = visit.user_agent.strip()
    return bool(agent) and _BOTS.search(agent) is None


def visitor_hash(visit: Visit, day: date) -> str:
    """A keyed hash of address and browser for one day: the same visitor matches itself
    that day only, and nobody without the secret can test an address against it."""
    key = hmac.new(visit.secret or b"deltacrown", day.isoformat().encode(), hashlib.sha256)
    key.update(b"\0" + visit.address.encode() + b"\0" + visit.user_agent[:300].encode())
    return key.hexdigest()[:40]
