"""A faithful fake of Discord's REST API and gateway for driving the real discord.py client.

async with FakeDiscord.start() as fake:
    guild = await fake.create_guild()
    async with fake.run_bot(bot):
        reply = await (await fake.slash(user, "ping", guild=guild)).response()
"""

from .http_util import Upload
from .interactions import InteractionExpired, InteractionRecord, Rejection
from .options import AttachmentInput, CommandInputError
from .server import FakeDiscord
from .state import Channel, Guild, Member, Message, Role, StoredFile, User

__all__ = [
    "AttachmentInput",
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
]
