"""Turn a test's ``options={...}`` into the ``data`` of an APPLICATION_COMMAND interaction.

Values are converted and validated against the command definition the bot synced, the
way Discord's client would: unknown or missing required options, wrong types, values
outside choices/min/max are rejected before the bot ever sees them.

For an APPLICATION_COMMAND_AUTOCOMPLETE interaction (``focused=`` set) the command is
still being typed: required options may be missing, and the focused option carries the
raw text typed so far — always a string, whatever the option's type — marked
``"focused": true``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import payloads
from .state import Channel, Member, Role, User

if TYPE_CHECKING:
    from .server import FakeDiscord

SUBCOMMAND, SUBCOMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = range(3, 12)


@dataclass
class AttachmentInput:
    """A file a test user attaches to a slash command option."""

    filename: str
    data: bytes
    content_type: str | None = None


class CommandInputError(ValueError):
    """The Discord client would not let a user submit this command invocation."""


@dataclass
class _Resolver:
    fake: FakeDiscord
    guild_id: int | None
    channel: Channel

    def __post_init__(self) -> None:
        self.resolved: dict[str, dict[str, Any]] = {}

    def _put(self, kind: str, key: int, value: dict[str, Any]) -> None:
        self.resolved.setdefault(kind, {})[str(key)] = value

    def user(self, value: Any) -> int:
        user_id = value.id if isinstance(value, User | Member) else int(value)
        user = self.fake.state.users.get(user_id)
        if user is None:
            raise CommandInputError(f"unknown user {user_id}")
        self._put("users", user_id, payloads.user_payload(user))
        member = self.fake.state.member(self.guild_id, user_id) if self.guild_id else None
        if member is not None:
            guild = self.fake.state.guilds[member.guild_id]
            perms = self.fake.state.base_permissions(guild, user_id)
            self._put(
                "members",
                user_id,
                payloads.member_payload(member, with_user=False, permissions=perms),
            )
        return user_id

    def role(self, value: Any) -> int:
        role_id = value.id if isinstance(value, Role) else int(value)
        guild = self.fake.state.guilds.get(self.guild_id or 0)
        role = guild.roles.get(role_id) if guild else None
        if role is None:
            raise CommandInputError(f"unknown role {role_id} in this guild")
        self._put("roles", role_id, payloads.role_payload(role))
        return role_id

    def channel_option(self, value: Any, allowed_types: list[int] | None) -> int:
        channel_id = value.id if isinstance(value, Channel) else int(value)
        channel = self.fake.state.channels.get(channel_id)
        if channel is None or channel.guild_id != self.guild_id:
            raise CommandInputError(f"unknown channel {channel_id} in this guild")
        if allowed_types and channel.type not in allowed_types:
            raise CommandInputError(f"channel type {channel.type} not in {allowed_types}")
        payload = payloads.channel_payload(self.fake.state, channel)
        payload["permissions"] = str(self.fake.all_permissions_in(channel, self.fake.bot_user.id))
        self._put("channels", channel_id, payload)
        return channel_id

    def attachment(self, value: Any) -> int:
        if isinstance(value, tuple):
            value = AttachmentInput(*value)
        if not isinstance(value, AttachmentInput):
            raise CommandInputError("attachment options take AttachmentInput or (filename, bytes)")
        stored = self.fake.state.store_file(
            self.fake.base_url,
            self.channel.id,
            value.filename,
            value.data,
            value.content_type,
            ephemeral=True,
        )
        self._put("attachments", stored.id, payloads.attachment_payload(stored))
        return stored.id


def _check_range(name: str, definition: dict[str, Any], value: Any) -> None:
    choices = definition.get("choices")
    if choices and value not in [c["value"] for c in choices]:
        raise CommandInputError(f"{name}: {value!r} is not one of the choices")
    if isinstance(value, str):
        if len(value) < definition.get("min_length", 0) or len(value) > definition.get(
            "max_length", 6000
        ):
            raise CommandInputError(f"{name}: length outside min_length/max_length")
        return
    if "min_value" in definition and value < definition["min_value"]:
        raise CommandInputError(f"{name}: below min_value")
    if "max_value" in definition and value > definition["max_value"]:
        raise CommandInputError(f"{name}: above max_value")


def _convert(resolver: _Resolver, definition: dict[str, Any], value: Any) -> Any:
    name, kind = definition["name"], definition["type"]
    if kind == STRING:
        if not isinstance(value, str):
            raise CommandInputError(f"{name}: expected a string")
        _check_range(name, definition, value)
        return value
    if kind in (INTEGER, NUMBER):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise CommandInputError(f"{name}: expected a number")
        if kind == INTEGER and int(value) != value:
            raise CommandInputError(f"{name}: expected an integer")
        converted = int(value) if kind == INTEGER else value
        _check_range(name, definition, converted)
        return converted
    if kind == BOOLEAN:
        if not isinstance(value, bool):
            raise CommandInputError(f"{name}: expected a boolean")
        return value
    if kind == USER:
        return str(resolver.user(value))
    if kind == ROLE:
        return str(resolver.role(value))
    if kind == MENTIONABLE:
        return str(resolver.role(value) if isinstance(value, Role) else resolver.user(value))
    if kind == CHANNEL:
        return str(resolver.channel_option(value, definition.get("channel_types")))
    if kind == ATTACHMENT:
        return str(resolver.attachment(value))
    raise CommandInputError(f"{name}: unsupported option type {kind}")


def _focused_option(definition: dict[str, Any], typed: Any) -> dict[str, Any]:
    name = definition["name"]
    if not definition.get("autocomplete"):
        # Discord only sends autocomplete interactions for options declared with it.
        raise CommandInputError(f"option {name!r} does not autocomplete")
    if typed is None:
        typed = ""
    if isinstance(typed, bool) or not isinstance(typed, str | int | float):
        raise CommandInputError(f"{name}: the focused option takes the text typed so far")
    # Discord forwards the partial input verbatim as a string, even for number options.
    return {"name": name, "type": definition["type"], "value": str(typed), "focused": True}


def _leaf_options(
    resolver: _Resolver,
    definitions: list[dict[str, Any]],
    values: dict[str, Any],
    focused: str | None = None,
) -> list[dict[str, Any]]:
    by_name = {d["name"]: d for d in definitions}
    unknown = set(values) - set(by_name)
    if unknown:
        raise CommandInputError(f"unknown options {sorted(unknown)}; command has {sorted(by_name)}")
    if focused is not None and focused not in by_name:
        raise CommandInputError(f"no option {focused!r} to focus; command has {sorted(by_name)}")
    result: list[dict[str, Any]] = []
    for definition in definitions:
        if definition["name"] == focused:
            result.append(_focused_option(definition, values.get(definition["name"])))
            continue
        if definition["name"] not in values or values[definition["name"]] is None:
            # While autocompleting, the user has not filled every required option yet.
            if definition.get("required") and focused is None:
                raise CommandInputError(f"missing required option {definition['name']!r}")
            continue
        result.append(
            {
                "name": definition["name"],
                "type": definition["type"],
                "value": _convert(resolver, definition, values[definition["name"]]),
            }
        )
    return result


def build_command_data(
    fake: FakeDiscord,
    command: dict[str, Any],
    path: list[str],
    values: dict[str, Any],
    *,
    guild_id: int | None,
    channel: Channel,
    focused: str | None = None,
) -> dict[str, Any]:
    """``path`` is the command name followed by any group / subcommand names.

    ``focused`` names the option being autocompleted (its value is the partial text).
    """
    resolver = _Resolver(fake, guild_id, channel)
    definitions: list[dict[str, Any]] = command.get("options") or []
    top: list[dict[str, Any]] = []
    target = top
    for part in path[1:]:
        node_def = next(
            (
                d
                for d in definitions
                if d["name"] == part and d["type"] in (SUBCOMMAND, SUBCOMMAND_GROUP)
            ),
            None,
        )
        if node_def is None:
            raise CommandInputError(f"{' '.join(path)}: no subcommand or group named {part!r}")
        node: dict[str, Any] = {"name": part, "type": node_def["type"], "options": []}
        target.append(node)
        target = node["options"]
        definitions = node_def.get("options") or []
    if any(d["type"] in (SUBCOMMAND, SUBCOMMAND_GROUP) for d in definitions):
        choices = [d["name"] for d in definitions]
        raise CommandInputError(f"{' '.join(path)} needs a subcommand: one of {choices}")
    target.extend(_leaf_options(resolver, definitions, values, focused))
    data: dict[str, Any] = {"id": command["id"], "name": command["name"], "type": command["type"]}
    if top:
        data["options"] = top
    if "guild_id" in command:
        data["guild_id"] = command["guild_id"]
    if resolver.resolved:
        data["resolved"] = resolver.resolved
    return data


def find_option(command: dict[str, Any], path: list[str], name: str) -> dict[str, Any]:
    """The definition of option ``name`` of the (sub)command at ``path``."""
    definitions: list[dict[str, Any]] = command.get("options") or []
    for part in path[1:]:
        node = next(d for d in definitions if d["name"] == part)
        definitions = node.get("options") or []
    return next(d for d in definitions if d["name"] == name)
