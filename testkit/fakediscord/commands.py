"""Application-command storage: bulk overwrite, upsert, fetch — with Discord's validation."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .http_util import DiscordError, invalid_form, json_response, no_content, read_json_list

if TYPE_CHECKING:
    from .server import FakeDiscord

NAME_RE = re.compile(r"^[-_\w]{1,32}$", re.UNICODE)
SUBCOMMAND, SUBCOMMAND_GROUP = 1, 2


def _validate_options(options: list[dict[str, Any]], path: str) -> None:
    if len(options) > 25:
        raise invalid_form(f"{path}.options: Must be 25 or fewer in length.")
    seen_optional = False
    names: set[str] = set()
    for option in options:
        name = option.get("name", "")
        if not NAME_RE.match(name) or name != name.lower():
            raise invalid_form(f"{path}.options.name: invalid option name {name!r}")
        if name in names:
            raise invalid_form(f"{path}.options: duplicate option name {name!r}")
        names.add(name)
        if not 1 <= len(option.get("description", "")) <= 100:
            raise invalid_form(f"{path}.{name}.description: Must be between 1 and 100 in length.")
        if len(option.get("choices") or []) > 25:
            raise invalid_form(f"{path}.{name}.choices: Must be 25 or fewer in length.")
        if option.get("type") in (SUBCOMMAND, SUBCOMMAND_GROUP):
            _validate_options(option.get("options") or [], f"{path}.{name}")
            continue
        if option.get("required"):
            if seen_optional:
                raise invalid_form(
                    f"{path}.{name}: Required options must be placed before non-required options"
                )
        else:
            seen_optional = True


def validate_command(command: dict[str, Any]) -> None:
    name = command.get("name", "")
    command_type = command.get("type", 1)
    if not NAME_RE.match(name) or (command_type == 1 and name != name.lower()):
        raise invalid_form(f"name: invalid command name {name!r}")
    if command_type == 1 and not 1 <= len(command.get("description", "")) <= 100:
        raise invalid_form(f"{name}.description: Must be between 1 and 100 in length.")
    _validate_options(command.get("options") or [], name)


class CommandStore:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.state = fake.state

    def _list(self, guild_id: int | None) -> list[dict[str, Any]]:
        if guild_id is None:
            return self.state.global_commands
        return self.state.guild_commands.setdefault(guild_id, [])

    def _stored(
        self, raw: dict[str, Any], guild_id: int | None, existing: list[dict[str, Any]]
    ) -> dict[str, Any]:
        validate_command(raw)
        command_type = raw.get("type", 1)
        # Discord keeps a command's id across overwrites when name and type are unchanged.
        previous = next(
            (c for c in existing if c["name"] == raw["name"] and c["type"] == command_type), None
        )
        stored: dict[str, Any] = {
            "description": "",
            "options": [],
            "default_member_permissions": None,
            "dm_permission": True,
            "nsfw": False,
            "contexts": None,
            "integration_types": [0],
            **raw,
            "id": previous["id"] if previous else str(self.state.snowflake()),
            "application_id": str(self.fake.application_id),
            "type": command_type,
            "version": str(self.state.snowflake()),
        }
        if guild_id is not None:
            stored["guild_id"] = str(guild_id)
        return stored

    def find(self, name: str, guild_id: int | None, command_type: int = 1) -> dict[str, Any] | None:
        """The command a user would see: guild commands shadow global ones of the same name."""
        pools = [self._list(guild_id)] if guild_id is not None else []
        pools.append(self.state.global_commands)
        for pool in pools:
            for command in pool:
                if command["name"] == name and command["type"] == command_type:
                    return command
        return None

    # ----- routes ---------------------------------------------------------------------
    def routes(self) -> list[web.RouteDef]:
        base = "/applications/{app_id}"
        guild = base + "/guilds/{guild_id}"
        return [
            web.get(base + "/commands", self.get_all),
            web.put(base + "/commands", self.bulk_overwrite),
            web.post(base + "/commands", self.upsert),
            web.get(base + "/commands/{command_id}", self.get_one),
            web.patch(base + "/commands/{command_id}", self.edit),
            web.delete(base + "/commands/{command_id}", self.delete),
            web.get(guild + "/commands", self.get_all),
            web.put(guild + "/commands", self.bulk_overwrite),
            web.post(guild + "/commands", self.upsert),
            web.get(guild + "/commands/{command_id}", self.get_one),
            web.patch(guild + "/commands/{command_id}", self.edit),
            web.delete(guild + "/commands/{command_id}", self.delete),
        ]

    def _scope(self, request: web.Request) -> int | None:
        if int(request.match_info["app_id"]) != self.fake.application_id:
            raise DiscordError(
                403, 20012, "You are not authorized to perform this action on this application"
            )
        raw = request.match_info.get("guild_id")
        if raw is None:
            return None
        guild_id = int(raw)
        if guild_id not in self.state.guilds:
            raise DiscordError(403, 50001, "Missing Access")
        return guild_id

    def _command(self, request: web.Request, guild_id: int | None) -> dict[str, Any]:
        command_id = request.match_info["command_id"]
        for command in self._list(guild_id):
            if command["id"] == command_id:
                return command
        raise DiscordError(404, 10063, "Unknown application command")

    async def get_all(self, request: web.Request) -> web.Response:
        return json_response(self._list(self._scope(request)))

    async def bulk_overwrite(self, request: web.Request) -> web.Response:
        guild_id = self._scope(request)
        existing = self._list(guild_id)
        commands = [self._stored(c, guild_id, existing) for c in await read_json_list(request)]
        if len(commands) > 100:
            raise invalid_form("Must be 100 or fewer in length.")
        existing[:] = commands
        await self.state.notify()
        return json_response(commands)

    async def upsert(self, request: web.Request) -> web.Response:
        guild_id = self._scope(request)
        existing = self._list(guild_id)
        stored = self._stored(await request.json(), guild_id, existing)
        existing[:] = [c for c in existing if c["id"] != stored["id"]] + [stored]
        await self.state.notify()
        return json_response(stored, status=201)

    async def get_one(self, request: web.Request) -> web.Response:
        return json_response(self._command(request, self._scope(request)))

    async def edit(self, request: web.Request) -> web.Response:
        guild_id = self._scope(request)
        command = self._command(request, guild_id)
        merged = {**command, **(await request.json())}
        validate_command(merged)
        command.update(merged)
        await self.state.notify()
        return json_response(command)

    async def delete(self, request: web.Request) -> web.Response:
        guild_id = self._scope(request)
        command = self._command(request, guild_id)
        self._list(guild_id).remove(command)
        await self.state.notify()
        return no_content()
