"""Events: Profiles, teams, invites, registrations and the waitlist."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.kernel.events import DomainEvent, domain_event

# --- profiles and rankings ---------------------------------------------------------


@domain_event("profile.updated")
@dataclass(frozen=True, kw_only=True)
class ProfileUpdated(DomainEvent):
    user_id: int
    game_id: int
    game_name: str
    ingame_id: str


@domain_event("ranking.manual_rank_set")
@dataclass(frozen=True, kw_only=True)
class ManualRankSet(DomainEvent):
    actor_id: int
    game_id: int
    subject_type: str  # "player" | "team"
    subject_id: int
    manual_rank: int | None


# --- teams ---------------------------------------------------------------------------


@domain_event("team.created")
@dataclass(frozen=True, kw_only=True)
class TeamCreated(DomainEvent):
    team_id: int
    name: str
    tag: str
    captain_id: int


@domain_event("team.invite_sent")
@dataclass(frozen=True, kw_only=True)
class TeamInviteSent(DomainEvent):
    invite_id: int
    team_id: int
    team_name: str
    team_tag: str
    user_id: int
    inviter_id: int
    # Where /team invite was used: the invite falls back to it when DMs are closed.
    channel_id: int | None = None


@domain_event("team.invite_answered")
@dataclass(frozen=True, kw_only=True)
class TeamInviteAnswered(DomainEvent):
    invite_id: int
    team_id: int
    team_name: str
    user_id: int
    inviter_id: int
    accepted: bool


@domain_event("team.member_left")
@dataclass(frozen=True, kw_only=True)
class TeamMemberLeft(DomainEvent):
    team_id: int
    team_name: str
    user_id: int
    captain_id: int


@domain_event("team.member_kicked")
@dataclass(frozen=True, kw_only=True)
class TeamMemberKicked(DomainEvent):
    team_id: int
    team_name: str
    user_id: int
    actor_id: int


@domain_event("team.captain_changed")
@dataclass(frozen=True, kw_only=True)
class TeamCaptainChanged(DomainEvent):
    team_id: int
    team_name: str
    old_captain_id: int
    new_captain_id: int


@domain_event("team.disbanded")
@dataclass(frozen=True, kw_only=True)
class TeamDisbanded(DomainEvent):
    team_id: int
    team_name: str
    captain_id: int
    member_ids: list[int] = field(default_factory=list)


# --- registrations -------------------------------------------------------------------


@domain_event("registration.created")
@dataclass(frozen=True, kw_only=True)
class RegistrationCreated(DomainEvent):
    registration_id: int
    tournament_id: int
    tournament_name: str
    user_id: int
    team_id: int | None
    display_name: str
    status: str  # RegistrationStatus
    waitlist_position: int | None = None
    fee_waived_reason: str | None = None
    member_ids: list[int] = field(default_factory=list)


@domain_event("registration.withdrawn")
@dataclass(frozen=True, kw_only=True)
class RegistrationWithdrawn(DomainEvent):
    registration_id: int
    tournament_id: int
    tournament_name: str
    user_id: int
    team_id: int | None
    display_name: str
    previous_status: str
    refunded_payments: int = 0


@domain_event("registration.removed")
@dataclass(frozen=True, kw_only=True)
class RegistrationRemoved(DomainEvent):
    """An organizer disqualified or cancelled one entry."""

    registration_id: int
    tournament_id: int
    tournament_name: str
    user_id: int
    team_id: int | None
    display_name: str
    status: str  # DISQUALIFIED | CANCELLED | REJECTED
    actor_id: int
    reason: str
    refunded_payments: int = 0
    member_ids: list[int] = field(default_factory=list)


@domain_event("registration.expired")
@dataclass(frozen=True, kw_only=True)
class RegistrationExpired(DomainEvent):
    """The tournament started and this entry could not play: it never paid
    (``awaiting_payment``), it had no slot (``waitlisted``), or it did not check in
    (``confirmed``). Nothing was charged; every member is told."""

    registration_id: int
    tournament_id: int
    tournament_name: str
    user_id: int
    team_id: int | None
    display_name: str
    previous_status: str
    member_ids: list[int] = field(default_factory=list)


@domain_event("registration.confirmed")
@dataclass(frozen=True, kw_only=True)
class RegistrationConfirmed(DomainEvent):
    """A paying entry became CONFIRMED (payment approved or paid with coins)."""

    registration_id: int
    tournament_id: int
    user_id: int
    team_id: int | None
    display_name: str


@domain_event("registration.waitlist_promoted")
@dataclass(frozen=True, kw_only=True)
class WaitlistPromoted(DomainEvent):
    registration_id: int
    tournament_id: int
    tournament_name: str
    user_id: int
    team_id: int | None
    display_name: str
    status: str  # CONFIRMED | AWAITING_PAYMENT
    member_ids: list[int] = field(default_factory=list)


@domain_event("registration.tournament_full")
@dataclass(frozen=True, kw_only=True)
class TournamentFull(DomainEvent):
    tournament_id: int
    tournament_name: str
    max_participants: int


@domain_event("checkin.opened")
@dataclass(frozen=True, kw_only=True)
class TournamentCheckInOpened(DomainEvent):
    tournament_id: int
    name: str
    closes_at: str
    participant_count: int


@domain_event("checkin.registration_checked_in")
@dataclass(frozen=True, kw_only=True)
class RegistrationCheckedIn(DomainEvent):
    tournament_id: int
    registration_id: int
    display_name: str
    actor_id: int


@domain_event("checkin.closed")
@dataclass(frozen=True, kw_only=True)
class TournamentCheckInClosed(DomainEvent):
    tournament_id: int
    name: str
    checked_in: int
    # Entries withdrawn for not checking in: [{"registration_id": 7, "name": "..."}]
    removed: list[dict] = field(default_factory=list)
    # Waitlisted entries confirmed into the freed slots, counted as present.
    promoted: list[dict] = field(default_factory=list)
