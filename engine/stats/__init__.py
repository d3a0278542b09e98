"""Stats: leaderboards, player/team/tournament records, badge progress, exports and the
public results feed. It only reads the domains below it (and audits its exports)."""

from engine.stats._common import (
    PROVISIONAL_MATCHES,
)
from engine.stats.exports import (
    ExportFile,
    ExportKind,
    ExportService,
)
from engine.stats.leaderboard import (
    MAX_ROWS,
    MIN_ROWS,
    Board,
    Leaderboard,
    LeaderboardRow,
    LeaderboardService,
    SeasonView,
)
from engine.stats.pictures import (
    StatsPictures,
    board_picture,
    player_picture,
    team_picture,
)
from engine.stats.players import (
    BadgeProgress,
    HeadToHead,
    PlayerStats,
    PlayerStatsService,
    Record,
    TeamStats,
)
from engine.stats.tournaments import (
    Funnel,
    TournamentStats,
    TournamentStatsService,
)

__all__ = [
    "MAX_ROWS",
    "MIN_ROWS",
    "PROVISIONAL_MATCHES",
    "BadgeProgress",
    "Board",
    "ExportFile",
    "ExportKind",
    "ExportService",
    "Funnel",
    "HeadToHead",
    "Leaderboard",
    "LeaderboardRow",
    "LeaderboardService",
    "PlayerStats",
    "PlayerStatsService",
    "Record",
    "SeasonView",
    "StatsPictures",
    "TeamStats",
    "TournamentStats",
    "TournamentStatsService",
    "board_picture",
    "player_picture",
    "team_picture",
]
