"""Typed settings: ``config.toml`` plus ``DELTACROWN_<SECTION>_<KEY>`` environment overrides.

Validated once at start. A bad value becomes one clear line naming the key
(:class:`ConfigError`), never a traceback.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from dashboard.config import served_url

DEFAULT_CONFIG_PATH = Path("config.toml")
CONFIG_PATH_ENV = "DELTACROWN_CONFIG"


class ConfigError(Exception):
    """A configuration problem, phrased as the one line an operator needs to read."""


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelled key is an error, not a no-op


SHARD_FORMS = "write shard_ids as 0,1 or 0-3 or 0-1,4 or [0, 1]"
_SHARD_PART = re.compile(r"^\s*(\d{1,6})\s*(?:-\s*(\d{1,6})\s*)?$")
# A shard process runs a handful of shards; this only stops a typo from allocating millions.
MAX_SHARDS = 100_000


def parse_shard_ids(value: Any) -> Any:
    """Accept the forms operators write (``0,1``, ``0-3``, ``0-1,4``, JSON ``[0, 1]``).

    Environment variables and TOML strings arrive as text; lists and ints pass through to
    the ordinary ``list[int]`` validation.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return [value]
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text in ("", "[]"):
        return None
    if text.startswith("["):
        try:
            return json.loads(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a JSON list; {SHARD_FORMS}") from None
    ids: list[int] = []
    for part in text.split(","):
        match = _SHARD_PART.match(part)
        if match is None:
            raise ValueError(f"{text!r} is not a shard list; {SHARD_FORMS}")
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if last < first or last >= MAX_SHARDS:
            raise ValueError(f"{part.strip()!r} is not an ascending range; {SHARD_FORMS}")
        ids.extend(range(first, last + 1))
    return ids


class DiscordSettings(Section):
    token: SecretStr | None = None
    application_id: int | None = None
    development_guild_id: int | None = None
    api_base_url: str | None = None
    gateway_url: str | None = None
    # shard_count first: the shard_ids check reads it.
    shard_count: int | None = Field(default=None, ge=1)
    shard_ids: list[int] | None = None

    @field_validator("token", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: Any) -> Any:
        return None if value in ("", None) else value

    @field_validator("api_base_url", "gateway_url")
    @classmethod
    def _must_be_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https", "ws", "wss") or not parts.netloc:
            raise ValueError("must be an absolute http(s):// or ws(s):// URL")
        return value.rstrip("/")

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _shard_forms(cls, value: Any) -> Any:
        return parse_shard_ids(value)

    @field_validator("shard_ids")
    @classmethod
    def _shards_in_range(cls, value: list[int] | None, info: ValidationInfo) -> list[int] | None:
        if not value:
            return None
        if min(value) < 0:
            raise ValueError(f"shard ids cannot be negative; {SHARD_FORMS}")
        count = info.data.get("shard_count")
        if count is None:
            raise ValueError("shard_ids needs shard_count to be set as well")
        if max(value) >= count:
            raise ValueError(
                f"shard id {max(value)} is not below shard_count {count} (ids count from 0)"
            )
        return sorted(set(value))


class DatabaseSettings(Section):
    url: str = "sqlite+aiosqlite:///data/deltacrown.db"
    echo: bool = False

    @field_validator("url")
    @classmethod
    def _supported_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "must start with sqlite+aiosqlite:// (embedded) or postgresql+asyncpg://"
            )
        return value


class StorageSettings(Section):
    data_dir: Path = Path("data")
    max_upload_bytes: int = Field(default=2 * 1024 * 1024, gt=0)


class DashboardSettings(Section):
    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    # Unset: the address actually served (host and port), filled in after validation.
    public_url: str = ""
    secret_key: SecretStr | None = None
    metrics_token: SecretStr | None = None
    _public_url_explicit: bool = PrivateAttr(default=False)

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value == "":
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an absolute http:// or https:// URL")
        return value.rstrip("/")

    @field_validator("secret_key", "metrics_token", mode="before")
    @classmethod
    def _empty_secret_is_none(cls, value: Any) -> Any:
        return None if value in ("", None) else value

    @model_validator(mode="after")
    def _default_public_url(self) -> DashboardSettings:
        """Links and QR codes must point where the dashboard listens, not a fixed :8080."""
        self._public_url_explicit = bool(self.public_url)
        if not self.public_url:
            self.public_url = served_url(self.host, self.port)
        return self

    @property
    def public_url_is_set(self) -> bool:
        """False when ``public_url`` is the local default (certificates then point here)."""
        return self._public_url_explicit


class LoggingSettings(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


DEFAULT_COOLDOWNS = {"register": "10/1h", "pay": "10/10m", "report": "10/10m", "dispute": "5/10m"}


class BotSettings(Section):
    default_timezone: str = "UTC"
    # Per-member limits on the commands a player can spam: "N/window" (s, m, h, d) or "off".
    cooldowns: dict[str, str] = dict(DEFAULT_COOLDOWNS)

    @field_validator("cooldowns")
    @classmethod
    def _known_limits(cls, value: dict[str, str]) -> dict[str, str]:
        from cogs._cooldowns import Rate  # the command layer owns what a limit means

        unknown = sorted(set(value) - set(DEFAULT_COOLDOWNS))
        if unknown:
            raise ValueError(
                f"no cooldown for {', '.join(unknown)}; known: {', '.join(DEFAULT_COOLDOWNS)}"
            )
        for limit in value.values():
            Rate.parse(limit)
        return {**DEFAULT_COOLDOWNS, **value}

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone such as Asia/Dhaka") from None
        return value


class TournamentDefaults(Section):
    """What a new tournament starts with (organizers change each with /tournament edit)."""

    # Minutes both sides have to check in to a match (from its time); 0 = no check-in.
    match_checkin_minutes: int = Field(default=15, ge=0, le=120)
    # Minutes before a match when its players are reminded.
    reminder_minutes: list[int] = Field(default=[60, 15], max_length=4)
    # Minutes after a match's time before organizers hear its result is overdue; 0 = never.
    result_deadline_minutes: int = Field(default=60, ge=0, le=1440)
    # How far players may move a match by agreement, in minutes; 0 = only organizers.
    player_reschedule_minutes: int = Field(default=120, ge=0, le=10080)

    @field_validator("reminder_minutes")
    @classmethod
    def _reminders(cls, value: list[int]) -> list[int]:
        if any(not 1 <= m <= 1440 for m in value) or len(set(value)) != len(value):
            raise ValueError("reminders are different minute counts from 1 to 1440")
        return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="DELTACROWN_",
        env_nested_delimiter="_",
        env_nested_max_split=1,
        extra="forbid",
        case_sensitive=False,
    )

    discord: DiscordSettings = DiscordSettings()
    database: DatabaseSettings = DatabaseSettings()
    storage: StorageSettings = StorageSettings()
    dashboard: DashboardSettings = DashboardSettings()
    logging: LoggingSettings = LoggingSettings()
    bot: BotSettings = BotSettings()
    tournaments: TournamentDefaults = TournamentDefaults()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_path = _config_path()
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_path))
        return tuple(sources)


_explicit_path: Path | None = None


def _config_path() -> Path | None:
    path = _explicit_path or (
        Path(os.environ[CONFIG_PATH_ENV]) if CONFIG_PATH_ENV in os.environ else DEFAULT_CONFIG_PATH
    )
    return path if path.is_file() else None


def load_settings(path: Path | None = None, **overrides: Any) -> Settings:
    """Read and validate the settings once; raise :class:`ConfigError` with one clear line."""
    global _explicit_path
    if path is not None and not path.is_file():
        raise ConfigError(f"config error: the file {path} does not exist")
    _explicit_path = path
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None
    except (ValueError, OSError) as exc:  # unreadable or malformed TOML
        raise ConfigError(f"config error: {exc}") from None
    finally:
        _explicit_path = None


def _describe(exc: ValidationError) -> str:
    first = exc.errors()[0]
    loc = [str(part) for part in first["loc"] if not isinstance(part, int)]  # no list index
    key = ".".join(loc)
    env = "DELTACROWN_" + "_".join(loc).upper()
    message = first["msg"].removeprefix("Value error, ")
    extra = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    if first["type"] == "extra_forbidden":
        return f"config error: {key} is not a known setting; see config.example.toml{extra}"
    return f"config error: {key}: {message} (set it in config.toml or {env}){extra}"
