from engine.guilds.events import (
    GuildConfigured,
)
from engine.guilds.games import (
    RESULT_TYPE_NAMES,
    GameService,
    GameSpec,
    GameView,
    parse_team_size,
)
from engine.guilds.languages import LanguageService
from engine.guilds.setup import (
    GuildService,
    GuildSettingsView,
    GuildSetup,
    timezone_suggestions,
)

__all__ = [
    "RESULT_TYPE_NAMES",
    "GameService",
    "GameSpec",
    "GameView",
    "GuildConfigured",
    "GuildService",
    "GuildSettingsView",
    "GuildSetup",
    "LanguageService",
    "parse_team_size",
    "timezone_suggestions",
]
