from engine.brackets._cache import (
    BracketCache,
    cache_of,
)
from engine.brackets._sync import (
    MATCH_CHECKIN_TIMER,
    MATCH_REMINDER_TIMER,
    Applied,
    MatchClosedByBracket,
    schedule_checkin_timers,
    schedule_match_checkin_reminder,
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
    MatchLive,
    MatchReady,
    MatchReset,
    TournamentCompleted,
    TournamentStarted,
)
from engine.brackets.match_times import (
    MATCH_DUE_REMINDER_TIMER,
    MATCH_OVERDUE_TIMER,
    MATCH_START_TIMER,
    UNDECIDED,
    WAITING,
    checkin_deadline,
    go_live,
    plan_match_timers,
    reminder_minutes,
    round_time,
    schedule_round,
)
from engine.brackets.picture_words import PictureLanguage
from engine.brackets.pictures import (
    PictureService,
    Snapshot,
    view_of,
)
from engine.brackets.retime import (
    retime_matches,
)
from engine.brackets.round_titles import round_title_text
from engine.brackets.start import (
    BracketService,
    register_timers,
)
from engine.brackets.states import (
    OPEN_STATES,
    REPORTABLE_STATES,
    STATE_WORDS,
    MatchState,
    transition,
)
from engine.brackets.store import (
    BracketFinished,
    MatchesCompleted,
    MatchView,
    apply_action,
    bracket_row_options,
    correct_result,
    keep_bracket_row,
    load_for_update,
    match_view,
    peek_bracket,
)
from engine.brackets.views import (
    standings_table,
    tournament_view,
)

__all__ = [
    "MATCH_CHECKIN_TIMER",
    "MATCH_DUE_REMINDER_TIMER",
    "MATCH_OVERDUE_TIMER",
    "MATCH_REMINDER_TIMER",
    "MATCH_START_TIMER",
    "OPEN_STATES",
    "REPORTABLE_STATES",
    "STATE_WORDS",
    "UNDECIDED",
    "WAITING",
    "Applied",
    "BracketAdminService",
    "BracketCache",
    "BracketFinished",
    "BracketService",
    "MatchClosedByBracket",
    "MatchCompleted",
    "MatchLive",
    "MatchReady",
    "MatchReset",
    "MatchState",
    "MatchView",
    "MatchesCompleted",
    "PictureLanguage",
    "PictureService",
    "SeedEntry",
    "Snapshot",
    "TournamentCompleted",
    "TournamentStarted",
    "apply_action",
    "bracket_row_options",
    "cache_of",
    "checkin_deadline",
    "clean_name",
    "correct_result",
    "go_live",
    "keep_bracket_row",
    "load_for_update",
    "match_view",
    "peek_bracket",
    "plan_match_timers",
    "register_timers",
    "reminder_minutes",
    "retime_matches",
    "round_time",
    "round_title_text",
    "schedule_checkin_timers",
    "schedule_match_checkin_reminder",
    "schedule_round",
    "standings_table",
    "tournament_view",
    "transition",
    "view_of",
]
