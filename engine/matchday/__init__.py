from engine.matchday._access import (
    DISPUTE_REASONS,
    MatchLobby,
    OverrideOutcome,
    ReportOutcome,
    score_text,
)
from engine.matchday._dispute_closing import (
    close_disputes_of_settled_match,
)
from engine.matchday.checkin import (
    CheckInResult,
    CheckInService,
    MatchCheckInView,
    register_timers,
)
from engine.matchday.dispute_views import (
    DisputeDetail,
    DisputeListItem,
    DisputeView,
    EvidenceFile,
)
from engine.matchday.disputes import (
    DisputeService,
)
from engine.matchday.events import (
    DisputeEscalated,
    DisputeEvidenceAdded,
    DisputeOpened,
    DisputeResolved,
    MatchCheckInComplete,
    MatchCheckInMissed,
    MatchCheckInReminder,
    MatchNoShow,
    MatchSideCheckedIn,
    ScoreMismatch,
    ScoreReported,
)
from engine.matchday.lobby import (
    LobbyAccess,
    LobbyDetails,
    LobbyService,
)
from engine.matchday.reports import (
    ScoreService,
)
from engine.matchday.reschedule import (
    RescheduleService,
    RescheduleView,
    register_reschedule_timers,
)
from engine.matchday.schedule import (
    MatchScheduleService,
    register_schedule_timers,
)
from engine.matchday.schedule_events import (
    MatchLobbyPosted,
    MatchRescheduleDecided,
    MatchRescheduleProposed,
    MatchResultOverdue,
    MatchStartingSoon,
)

__all__ = [
    "DISPUTE_REASONS",
    "CheckInResult",
    "CheckInService",
    "DisputeDetail",
    "DisputeEscalated",
    "DisputeEvidenceAdded",
    "DisputeListItem",
    "DisputeOpened",
    "DisputeResolved",
    "DisputeService",
    "DisputeView",
    "EvidenceFile",
    "LobbyAccess",
    "LobbyDetails",
    "LobbyService",
    "MatchCheckInComplete",
    "MatchCheckInMissed",
    "MatchCheckInReminder",
    "MatchCheckInView",
    "MatchLobby",
    "MatchLobbyPosted",
    "MatchNoShow",
    "MatchRescheduleDecided",
    "MatchRescheduleProposed",
    "MatchResultOverdue",
    "MatchScheduleService",
    "MatchSideCheckedIn",
    "MatchStartingSoon",
    "OverrideOutcome",
    "ReportOutcome",
    "RescheduleService",
    "RescheduleView",
    "ScoreMismatch",
    "ScoreReported",
    "ScoreService",
    "close_disputes_of_settled_match",
    "register_reschedule_timers",
    "register_schedule_timers",
    "register_timers",
    "score_text",
]
