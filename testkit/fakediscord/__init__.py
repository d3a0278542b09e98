"""A faithful fake of Discord's REST API and gateway for driving the real discord.py client.

async with FakeDiscord.start() as fake:
    guild = await fake.create_guild()
    async with fake.run_bot(bot):
        reply = await (await fake.slash(user, "ping", guild=guild)).response()
        choices = await fake.autocomplete(user, "join", {"team": "Ni"}, "team", guild=guild)

Sharding: ``FakeDiscord.start(shard_count=2)`` makes ``GET /gateway/bot`` recommend 2;
``create_guild(shard=1)`` / ``guild_id_on_shard(1)`` place a guild on shard 1; each
IDENTIFY with ``shard`` gets READY/GUILD_CREATE and guild events for its shard only, DMs
on shard 0 (``fake.gateway.sessions_for_shard(k)[0].events("INTERACTION_CREATE")``).

Rate limits (off by default): ``FakeDiscord.start(rate_limits=True)`` or
``rate_limits=RateLimitConfig(routes={...}, global_limit=Limit(50, 1.0))``, or
``with fake.ratelimits.enabled_for(config):`` on a running fake; read
``fake.ratelimits.rejected`` / ``global_rejected`` / ``requests`` (Counters per route).
"""

from .http_util import Upload
from .interactions import AutocompleteRejected, InteractionExpired, InteractionRecord, Rejection
from .messages import Pings, pings_of
from .options import AttachmentInput, CommandInputError
from .ratelimits import Limit, RateLimitConfig, RateLimiter
from .server import FakeDiscord
from .state import Channel, Guild, Member, Message, Role, StoredFile, User, shard_of

__all__ = [
    "AttachmentInput",
    "AutocompleteRejected",
    "Channel",
    "CommandInputError",
    "FakeDiscord",
    "Guild",
    "InteractionExpired",
    "InteractionRecord",
    "Limit",
    "Member",
    "Message",
    "Pings",
    "RateLimitConfig",
    "RateLimiter",
    "Rejection",
    "Role",
    "StoredFile",
    "Upload",
    "User",
    "pings_of",
    "shard_of",
]
