"""A user option that must be a member of this server.

Discord lets anyone pick or paste *any* user in a user option; discord.py then fails to
make a ``discord.Member`` of someone outside the server and raises a bare
``TransformerError``, which the tree can only answer as a bug with an incident id. This
transformer refuses such a user with a plain sentence instead.
"""

from __future__ import annotations

import discord
from discord import app_commands

from engine.kernel.errors import InvalidInput
from engine.kernel.text import msg


class MemberInServer(app_commands.Transformer):
    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.user

    async def transform(
        self, interaction: discord.Interaction, value: discord.Member | discord.User
    ) -> discord.Member:
        if not isinstance(value, discord.Member):
            raise InvalidInput(msg("That user is not a member of this server: pick a member."))
        return value


ServerMember = app_commands.Transform[discord.Member, MemberInServer]
