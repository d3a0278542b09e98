from engine.guilds.access import (
    acts_in,
    is_guild_organizer,
    is_server_admin,
    organizer_role_of,
    refuse_other_server,
    require_guild_organizer,
    require_server_admin,
)
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
    "acts_in",
    "is_guild_organizer",
    "is_server_admin",
    "organizer_role_of",
    "parse_team_size",
    "refuse_other_server",
    "require_guild_organizer",
    "require_server_admin",
    "timezone_suggestions",
]
