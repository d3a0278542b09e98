"""A faithful fake of Discord's REST API and gateway for driving the real discord.py client.

async with FakeDiscord.start() as fake:
    guild = await fake.create_guild()
    async with fake.run_bot(bot):
        reply = await (await fake.slash(user, "ping", guild=guild)).response()
        choices = await fake.autocomplete(user, "join", {"team": "Ni"}, "team", guild=guild)
"""

from .http_util import Upload
from .interactions import AutocompleteRejected, InteractionExpired, InteractionRecord, Rejection
from .options import AttachmentInput, CommandInputError
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
    "Member",
    "Message",
    "Rejection",
    "Role",
    "StoredFile",
    "Upload",
    "User",
    "shard_of",
]
