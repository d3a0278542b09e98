"""What a test's simulated users do: slash commands, autocomplete, clicks, modals, messages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    InteractionRecord,
)
from .options import AttachmentInput, CommandInputError, build_command_data, find_option
from .state import Channel, Guild, Member, Message, User

if TYPE_CHECKING:
    from .server import FakeDiscord

TEXT_INPUT, LABEL, ACTION_ROW = 4, 18, 1
SELECT_TYPES = (3, 5, 6, 7, 8)


def _user(value: User | Member) -> User:
    return value.user if isinstance(value, Member) else value


class UserActions:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.state = fake.state

    def _default_channel(self, guild: Guild | None, channel: Channel | None, user: User) -> Channel:
        if channel is not None:
            return channel
        if guild is None:
            raise ValueError("pass guild= or channel= (use fake.dm_channel(user) for DMs)")
        text = [
            self.state.channels[c] for c in guild.channel_ids if self.state.channels[c].type == 0
        ]
        if not text:
            raise ValueError(f"guild {guild.name} has no text channel")
        return text[0]

    def _command(self, path: list[str], guild_id: int | None) -> dict[str, Any]:
        definition = self.fake.commands.find(path[0], guild_id)
        if definition is None:
            raise CommandInputError(f"/{path[0]} is not synced for guild {guild_id} nor globally")
        if guild_id is None and definition.get("dm_permission") is False:
            raise CommandInputError(f"/{path[0]} is not available in DMs")
        return definition

    async def slash(
        self,
        user: User | Member,
        command: str,
        options: dict[str, Any] | None = None,
        *,
        guild: Guild | None = None,
        channel: Channel | None = None,
    ) -> InteractionRecord:
        """Invoke ``/command`` — ``command`` may be "group sub" or "cmd group sub"."""
        author = _user(user)
        target = self._default_channel(guild, channel, author)
        guild_id = target.guild_id
        path = command.lstrip("/").split()
        definition = self._command(path, guild_id)
        data = build_command_data(
            self.fake, definition, path, options or {}, guild_id=guild_id, channel=target
        )
        return await self.fake.interactions.fire(
            type=APPLICATION_COMMAND,
            user=author,
            channel=target,
            data=data,
            metadata_extra={"name": " ".join(path), "command_type": definition["type"]},
        )

    async def send_autocomplete(
        self,
        user: User | Member,
        command: str,
        options: dict[str, Any] | None,
        focused: str,
        *,
        guild: Guild | None = None,
        channel: Channel | None = None,
    ) -> InteractionRecord:
        """The user is typing ``options[focused]`` in ``/command``; the bot is asked for
        choices. ``options`` holds what is filled in so far (the focused one's text may be
        missing: the user just moved into it). Returns the interaction, not yet answered."""
        author = _user(user)
        target = self._default_channel(guild, channel, author)
        guild_id = target.guild_id
        path = command.lstrip("/").split()
        definition = self._command(path, guild_id)
        data = build_command_data(
            self.fake,
            definition,
            path,
            options or {},
            guild_id=guild_id,
            channel=target,
            focused=focused,
        )
        return await self.fake.interactions.fire(
            type=AUTOCOMPLETE,
            user=author,
            channel=target,
            data=data,
            metadata_extra={"name": " ".join(path), "command_type": definition["type"]},
            focused_option=find_option(definition, path, focused),
        )

    async def autocomplete(
        self,
        user: User | Member,
        command: str,
        options: dict[str, Any] | None,
        focused: str,
        *,
        guild: Guild | None = None,
        channel: Channel | None = None,
    ) -> list[dict[str, Any]]:
        """Like :meth:`send_autocomplete`, then wait for and return the bot's choices."""
        record = await self.send_autocomplete(
            user, command, options, focused, guild=guild, channel=channel
        )
        return await record.wait_for_choices()

    async def click(
        self,
        user: User | Member,
        message: Message | int,
        custom_id: str,
        *,
        values: Sequence[str] | None = None,
    ) -> InteractionRecord:
        """Click a button (or pick ``values`` in a select menu) on a message the bot sent."""
        target = message if isinstance(message, Message) else self.state.messages[message]
        component = target.find_component(custom_id)
        if component is None:
            raise CommandInputError(
                f"message {target.id} has no component {custom_id!r}: {target.custom_ids()}"
            )
        if component.get("disabled"):
            raise CommandInputError(f"component {custom_id!r} is disabled")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component["type"]}
        if "id" in component:
            data["id"] = component["id"]
        if component["type"] in SELECT_TYPES:
            if values is None:
                raise CommandInputError(f"select {custom_id!r} needs values=")
            data["values"] = list(values)
        return await self.fake.interactions.fire(
            type=MESSAGE_COMPONENT,
            user=_user(user),
            channel=self.state.channels[target.channel_id],
            data=data,
            source_message=target,
            metadata_extra={"interacted_message_id": str(target.id)},
        )

    async def submit_modal(
        self,
        user: User | Member,
        source: InteractionRecord | str,
        values: dict[str, Any],
    ) -> InteractionRecord:
        """Fill in and submit a modal the bot opened (by its interaction or custom_id)."""
        record = (
            source
            if isinstance(source, InteractionRecord)
            else self.fake.interactions.latest_modal(source)
        )
        if record.modal is None:
            raise CommandInputError(f"interaction {record.id} did not open a modal")
        remaining = dict(values)
        components = [self._submitted(c, remaining) for c in record.modal["components"]]
        if remaining:
            raise CommandInputError(f"modal has no inputs {sorted(remaining)}")
        return await self.fake.interactions.fire(
            type=MODAL_SUBMIT,
            user=_user(user),
            channel=record.channel,
            data={"custom_id": record.modal["custom_id"], "components": components},
            source_message=record.source_message,
            metadata_extra={"triggering_interaction_metadata": record.metadata},
        )

    def _submitted(self, component: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
        kind = component["type"]
        submitted: dict[str, Any] = {"type": kind}
        if "id" in component:
            submitted["id"] = component["id"]
        if kind == ACTION_ROW:
            submitted["components"] = [self._submitted(c, values) for c in component["components"]]
        elif kind == LABEL:
            submitted["component"] = self._submitted(component["component"], values)
        elif "custom_id" in component:
            submitted["custom_id"] = component["custom_id"]
            value = values.pop(component["custom_id"], None)
            if kind == TEXT_INPUT:
                text = "" if value is None else str(value)
                if component.get("required", True) and not text:
                    raise CommandInputError(f"modal input {component['custom_id']!r} is required")
                in_range = (
                    component.get("min_length", 0) <= len(text) <= component.get("max_length", 4000)
                )
                if text and not in_range:
                    raise CommandInputError(
                        f"modal input {component['custom_id']!r} length out of range"
                    )
                submitted["value"] = text
            elif kind in SELECT_TYPES:
                submitted["values"] = list(value or [])
            elif isinstance(value, bool):
                submitted["value"] = value
            elif isinstance(value, list):
                submitted["values"] = value
            elif value is not None:
                submitted["value"] = value
        return submitted

    async def post_message(
        self,
        user: User | Member,
        channel: Channel,
        content: str = "",
        *,
        attachments: Sequence[AttachmentInput | tuple[str, bytes]] = (),
        reply_to: Message | None = None,
    ) -> Message:
        """A user posts in a channel/thread/DM; the bot receives MESSAGE_CREATE."""
        author = _user(user)
        if channel.guild_id is not None and self.state.member(channel.guild_id, author.id) is None:
            raise ValueError(f"{author.username} is not a member of that guild")
        message = Message(
            id=self.state.snowflake(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author=author,
            content=content,
            mention_ids=self.fake.messages.mentions(channel, content),
        )
        if reply_to is not None:
            message.type = 19
            message.message_reference = {
                "type": 0,
                "message_id": str(reply_to.id),
                "channel_id": str(reply_to.channel_id),
                **({"guild_id": str(channel.guild_id)} if channel.guild_id else {}),
            }
        for item in attachments:
            attachment = item if isinstance(item, AttachmentInput) else AttachmentInput(*item)
            message.attachments.append(
                self.state.store_file(
                    self.fake.base_url,
                    channel.id,
                    attachment.filename,
                    attachment.data,
                    attachment.content_type,
                )
            )
        self.state.messages[message.id] = message
        channel.last_message_id = message.id
        if channel.is_thread:
            channel.message_count += 1
        await self.fake.messages.dispatch_create(message)
        await self.state.notify()
        return message
