"""Events: Tournament lifecycle, games, versions and custom fields."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.kernel.events import DomainEvent, domain_event


@domain_event("tournament.created")
@dataclass(frozen=True, kw_only=True)
class TournamentCreated(DomainEvent):
    tournament_id: int
    name: str
    slug: str
    actor_id: int


@domain_event("tournament.edited")
@dataclass(frozen=True, kw_only=True)
class TournamentEdited(DomainEvent):
    """A configuration change, recorded as ``version``. ``restored_version`` is set when
    the change was a rollback to that earlier version."""

    tournament_id: int
    version: int
    summary: str
    changed: list[str] = field(default_factory=list)
    actor_id: int
    restored_version: int | None = None


@domain_event("tournament.status_changed")
@dataclass(frozen=True, kw_only=True)
class TournamentStatusChanged(DomainEvent):
    tournament_id: int
    name: str
    old_status: str
    new_status: str
    actor_id: int | None
    reason: str | None = None
    # Filled when the tournament is cancelled: what the cancellation undid.
    cancelled_registrations: int = 0
    refunded_payments: int = 0


@domain_event("tournament.field_added")
@dataclass(frozen=True, kw_only=True)
class RegistrationFieldAdded(DomainEvent):
    tournament_id: int
    field_id: int
    key: str
    label: str
    kind: str
    actor_id: int


@domain_event("tournament.registration_closing_soon")
@dataclass(frozen=True, kw_only=True)
class RegistrationClosingSoon(DomainEvent):
    tournament_id: int
    name: str
    closes_at: str
    slots_left: int
    # Entries that still have to pay before the close (they get a DM).
    unpaid_user_ids: list[int] = field(default_factory=list)


@domain_event("tournament.autostart_failed")
@dataclass(frozen=True, kw_only=True)
class TournamentAutoStartFailed(DomainEvent):
    """The start time came but the tournament could not start; organizers must act."""

    tournament_id: int
    name: str
    reason: str


@domain_event("tournament.staff_changed")
@dataclass(frozen=True, kw_only=True)
class TournamentStaffChanged(DomainEvent):
    """A co-organizer was added to (or removed from) one tournament."""

    tournament_id: int
    name: str
    user_id: int
    added: bool
    actor_id: int


@domain_event("tournament.cloned")
@dataclass(frozen=True, kw_only=True)
class TournamentCloned(DomainEvent):
    """A new draft copied from another tournament (``source_tournament_id``) or from a
    saved template (``template_id``; the tournament it was saved from, when it still
    exists, is the source)."""

    source_tournament_id: int | None
    tournament_id: int
    template_id: int | None = None
    actor_id: int | None = None
