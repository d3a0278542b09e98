from engine.tournaments.events import (
    RegistrationClosingSoon,
    TournamentAutoStartFailed,
    TournamentStatusChanged,
)
from engine.tournaments.fields import (
    FieldSpec,
    FieldView,
    field_key,
    field_options,
    validate_field_values,
)
from engine.tournaments.lifecycle import (
    TournamentService,
)
from engine.tournaments.moments import (
    EntryFeeWaived,
    MatchScheduleChanged,
    SlotsAdded,
    TournamentCancelling,
)
from engine.tournaments.parsing import (
    EDITABLE_FIELDS,
    format_money,
    parse_local_time,
    parse_methods,
    parse_money,
)
from engine.tournaments.rules import (
    FORMAT_NAMES,
    SEEDING_METHODS,
    STATUS_NAMES,
    TRANSITIONS,
    TournamentConfig,
    check_transition,
    offer_payment_method,
    payment_method_keys,
    validate_config,
    withdraw_payment_method,
)
from engine.tournaments.schedule import (
    CHECKIN_CLOSE,
    CHECKIN_OPEN,
    PRE_START,
    START,
    checkin_window,
    schedule_tournament_timers,
    tournament_timer_key,
)
from engine.tournaments.status import (
    apply_status_change,
    lock_tournament,
)
from engine.tournaments.timers import (
    lock_tournament_of_timer,
    register_timers,
    require_status,
)
from engine.tournaments.views import (
    TournamentChange,
    TournamentDraft,
    TournamentSummary,
    TournamentView,
    VersionView,
    view_of,
)

__all__ = [
    "CHECKIN_CLOSE",
    "CHECKIN_OPEN",
    "EDITABLE_FIELDS",
    "FORMAT_NAMES",
    "PRE_START",
    "SEEDING_METHODS",
    "START",
    "STATUS_NAMES",
    "TRANSITIONS",
    "EntryFeeWaived",
    "FieldSpec",
    "FieldView",
    "MatchScheduleChanged",
    "RegistrationClosingSoon",
    "SlotsAdded",
    "TournamentAutoStartFailed",
    "TournamentCancelling",
    "TournamentChange",
    "TournamentConfig",
    "TournamentDraft",
    "TournamentService",
    "TournamentStatusChanged",
    "TournamentSummary",
    "TournamentView",
    "VersionView",
    "apply_status_change",
    "check_transition",
    "checkin_window",
    "field_key",
    "field_options",
    "format_money",
    "lock_tournament",
    "lock_tournament_of_timer",
    "offer_payment_method",
    "parse_local_time",
    "parse_methods",
    "parse_money",
    "payment_method_keys",
    "register_timers",
    "require_status",
    "schedule_tournament_timers",
    "tournament_timer_key",
    "validate_config",
    "validate_field_values",
    "view_of",
    "withdraw_payment_method",
]
