"""Server setup: the organizer role, channels, timezone, coin name and language of a guild."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from engine.guilds.access import is_guild_organizer, require_guild_organizer
from engine.guilds.events import GuildConfigured
from engine.kernel.actors import Actor
from engine.kernel.errors import InvalidInput, NotConfigured
from engine.kernel.i18n import LANGUAGES, known_language
from engine.kernel.text import Command, msg
from engine.kernel.uow import ServiceContext
from storage.models import GuildSettings

# Letters with their combining marks: Bangla (টাকা, কয়েন) and other Indic scripts write
# vowel signs that are not \w on their own.
_COIN_NAME = re.compile(r"^[\w][\w\u0900-\u0DFF \-']{0,31}$", re.UNICODE)


@dataclass(frozen=True)
class GuildSetup:
    """Values given to ``/setup``; ``None`` leaves a value as it is."""

    organizer_role_id: int | None = None
    announcement_channel_id: int | None = None
    match_channel_id: int | None = None
    dispute_channel_id: int | None = None
    timezone: str | None = None
    coin_name: str | None = None
    language: str | None = None

    def given(self) -> dict[str, Any]:
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}


@dataclass(frozen=True)
class GuildSettingsView:
    guild_id: int
    organizer_role_id: int | None
    announcement_channel_id: int | None
    match_channel_id: int | None
    dispute_channel_id: int | None
    timezone: str
    coin_name: str
    language: str

    @classmethod
    def of(cls, row: GuildSettings) -> GuildSettingsView:
        return cls(**{f.name: getattr(row, f.name) for f in dataclasses.fields(cls)})

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _validate(setup: GuildSetup) -> None:
    if setup.timezone is not None:
        try:
            ZoneInfo(setup.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput(
                msg(
                    "“{timezone}” is not a time zone I know. Use a name such as "
                    "Asia/Dhaka, Europe/Berlin or America/New_York.",
                    timezone=setup.timezone,
                )
            ) from None
    if setup.coin_name is not None and not _COIN_NAME.match(setup.coin_name.strip()):
        raise InvalidInput(
            msg(
                "The coin name must be 1 to 32 letters, digits, spaces or dashes, for "
                "example “Crowns”."
            )
        )
    if setup.language is not None and not known_language(setup.language):
        raise InvalidInput(
            msg(
                "“{language}” is not a language DeltaCrown speaks; choose one of: {languages}.",
                language=setup.language,
                languages=", ".join(LANGUAGES),
            )
        )


def timezone_suggestions(prefix: str, limit: int = 25) -> list[str]:
    prefix = prefix.strip().lower()
    zones = sorted(z for z in available_timezones() if "/" in z or z == "UTC")
    return [z for z in zones if prefix in z.lower()][:limit]


class GuildService:
    def __init__(self, ctx: ServiceContext, default_timezone: str = "UTC") -> None:
        self._ctx = ctx
        self._default_timezone = default_timezone

    async def get_settings(self, guild_id: int) -> GuildSettingsView | None:
        async with self._ctx.read() as session:
            row = await session.get(GuildSettings, guild_id)
            return GuildSettingsView.of(row) if row else None

    async def require_settings(self, guild_id: int) -> GuildSettingsView:
        settings = await self.get_settings(guild_id)
        if settings is None:
            raise NotConfigured(
                msg(
                    "This server is not set up yet. An organizer needs to run {setup} first.",
                    setup=Command("setup"),
                )
            )
        return settings

    async def is_guild_organizer(self, actor: Actor, guild_id: int) -> bool:
        """A server admin or a holder of the organizer role (``engine.guilds.access``)."""
        async with self._ctx.read() as session:
            return await is_guild_organizer(session, actor, guild_id)

    async def organizer_role_id(self, guild_id: int) -> int | None:
        settings = await self.get_settings(guild_id)
        return settings.organizer_role_id if settings else None

    async def configure(self, actor: Actor, guild_id: int, setup: GuildSetup) -> GuildSettingsView:
        """Store the given settings, audit the change and announce it; all in one transaction."""
        _validate(setup)
        async with self._ctx.unit_of_work() as uow:
            row = await uow.session.get(GuildSettings, guild_id, with_for_update=True)
            await require_guild_organizer(uow.session, actor, guild_id)
            before = GuildSettingsView.of(row).as_dict() if row else None
            now = uow.clock.now()
            if row is None:
                row = GuildSettings(
                    guild_id=guild_id,
                    timezone=self._default_timezone,
                    coin_name="coins",
                    language="en",
                    created_at=now,
                )
                uow.session.add(row)
            changes = setup.given()
            if "coin_name" in changes:
                changes["coin_name"] = changes["coin_name"].strip()
            for key, value in changes.items():
                setattr(row, key, value)
            row.updated_at = now
            await uow.session.flush()
            after = GuildSettingsView.of(row)
            uow.audit(
                guild_id=guild_id,
                actor_id=actor.user_id,
                action="guild.setup",
                target_type="guild",
                target_id=guild_id,
                before=before,
                after=after.as_dict(),
            )
            changed = sorted(k for k, v in after.as_dict().items() if (before or {}).get(k) != v)
            uow.emit(
                GuildConfigured(
                    guild_id=guild_id,
                    actor_id=actor.user_id,
                    changed=changed,
                    announcement_channel_id=after.announcement_channel_id,
                )
            )
        return after
