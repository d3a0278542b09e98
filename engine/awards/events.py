"""Events: awards — certificates issued and revoked, badges earned, certificate runs."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.kernel.events import DomainEvent, domain_event


@domain_event("certificate.issued")
@dataclass(frozen=True, kw_only=True)
class CertificateIssued(DomainEvent):
    certificate_id: int
    tournament_id: int
    registration_id: int
    kind: str
    code: str
    recipient_name: str
    # Everyone the certificate is DMed to (a team's whole roster).
    user_ids: list[int] = field(default_factory=list)


@domain_event("certificate.revoked")
@dataclass(frozen=True, kw_only=True)
class CertificateRevoked(DomainEvent):
    certificate_id: int
    tournament_id: int
    code: str
    recipient_name: str
    reason: str
    actor_id: int | None
    user_ids: list[int] = field(default_factory=list)


@domain_event("certificate.generation_requested")
@dataclass(frozen=True, kw_only=True)
class CertificateGenerationRequested(DomainEvent):
    """An organizer asked for the certificates of a completed tournament to be
    (re)generated; the notifier runs the same job as on completion."""

    tournament_id: int
    organizer_name: str
    actor_id: int


@domain_event("badge.awarded")
@dataclass(frozen=True, kw_only=True)
class BadgeAwarded(DomainEvent):
    badge_id: int
    badge_key: str
    name: str
    emoji: str
    user_id: int
    tournament_id: int


@domain_event("prize.paid")
@dataclass(frozen=True, kw_only=True)
class PrizePaid(DomainEvent):
    """An organizer sent a money prize and marked it paid; the winners are told."""

    tournament_id: int
    tournament_name: str
    registration_id: int
    display_name: str
    place: int
    amount_text: str
    method: str
    reference: str
    actor_id: int
    user_ids: list[int] = field(default_factory=list)
