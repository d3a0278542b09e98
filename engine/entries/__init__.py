from engine.entries._entry import (
    PLAYING_OR_OVER,
    refuse_after_start,
)
from engine.entries.checkin import (
    TournamentCheckInView,
    check_in_tournament,
    close_tournament_checkin,
    register_timers,
)
from engine.entries.events import (
    RegistrationCheckedIn,
    RegistrationConfirmed,
    RegistrationCreated,
    RegistrationExpired,
    RegistrationRemoved,
    RegistrationWithdrawn,
    TeamInviteAnswered,
    TeamInviteSent,
    TeamMemberKicked,
    TournamentCheckInClosed,
    TournamentCheckInOpened,
    TournamentFull,
    WaitlistPromoted,
)
from engine.entries.profiles import (
    ProfileEntry,
    ProfileService,
    ProfileView,
    RankingView,
)
from engine.entries.ratings import (
    START_RATING,
)
from engine.entries.registration import (
    RegistrationService,
)
from engine.entries.slots import (
    EntryReleased,
    confirm_paid,
    confirm_unpaid_entries,
    expire_unconfirmed,
    fill_added_slots,
    mark_payment_review,
    payment_rejected,
    refuse_unreviewed_entries,
    release_slot,
)
from engine.entries.team_views import (
    InviteView,
    TeamView,
)
from engine.entries.teams import (
    TeamService,
)
from engine.entries.views import (
    RegistrationForm,
    RegistrationView,
    Released,
    load_view,
    views_of,
)

__all__ = [
    "PLAYING_OR_OVER",
    "START_RATING",
    "EntryReleased",
    "InviteView",
    "ProfileEntry",
    "ProfileService",
    "ProfileView",
    "RankingView",
    "RegistrationCheckedIn",
    "RegistrationConfirmed",
    "RegistrationCreated",
    "RegistrationExpired",
    "RegistrationForm",
    "RegistrationRemoved",
    "RegistrationService",
    "RegistrationView",
    "RegistrationWithdrawn",
    "Released",
    "TeamInviteAnswered",
    "TeamInviteSent",
    "TeamMemberKicked",
    "TeamService",
    "TeamView",
    "TournamentCheckInClosed",
    "TournamentCheckInOpened",
    "TournamentCheckInView",
    "TournamentFull",
    "WaitlistPromoted",
    "check_in_tournament",
    "close_tournament_checkin",
    "confirm_paid",
    "confirm_unpaid_entries",
    "expire_unconfirmed",
    "fill_added_slots",
    "load_view",
    "mark_payment_review",
    "payment_rejected",
    "refuse_after_start",
    "refuse_unreviewed_entries",
    "register_timers",
    "release_slot",
    "views_of",
]
