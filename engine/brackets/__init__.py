from engine.brackets._cache import (
    BracketCache,
    cache_of,
)
from engine.brackets._view_parts import (
    clean_name,
)
from engine.brackets.admin import (
    BracketAdminService,
    SeedEntry,
)
from engine.brackets.events import (
    MatchCompleted,
    MatchReady,
    MatchReset,
    TournamentCompleted,
    TournamentStarted,
)
from engine.brackets.pictures import (
    PictureService,
    Snapshot,
    view_of,
)
from engine.brackets.start import (
    BracketService,
    register_timers,
)
from engine.brackets.states import (
    OPEN_STATES,
    REPORTABLE_STATES,
    MatchState,
    transition,
)
from engine.brackets.store import (
    MATCH_CHECKIN_TIMER,
    MATCH_REMINDER_TIMER,
    Applied,
    BracketFinished,
    MatchClosedByBracket,
    MatchView,
    apply_action,
    correct_result,
    load_for_update,
    match_view,
    peek_bracket,
    schedule_match_checkin_reminder,
)
from engine.brackets.views import (
    standings_table,
    tournament_view,
)

__all__ = [
    "MATCH_CHECKIN_TIMER",
    "MATCH_REMINDER_TIMER",
    "OPEN_STATES",
    "REPORTABLE_STATES",
    "Applied",
    "BracketAdminService",
    "BracketCache",
    "BracketFinished",
    "BracketService",
    "MatchClosedByBracket",
    "MatchCompleted",
    "MatchReady",
    "MatchReset",
    "MatchState",
    "MatchView",
    "PictureService",
    "SeedEntry",
    "Snapshot",
    "TournamentCompleted",
    "TournamentStarted",
    "apply_action",
    "cache_of",
    "clean_name",
    "correct_result",
    "load_for_update",
    "match_view",
    "peek_bracket",
    "register_timers",
    "schedule_match_checkin_reminder",
    "standings_table",
    "tournament_view",
    "transition",
    "view_of",
]
