"""String enums stored as plain strings (portable; checked by the services, not the DB)."""

from __future__ import annotations

from enum import StrEnum


class TournamentStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    REGISTRATION_OPEN = "registration_open"
    REGISTRATION_CLOSED = "registration_closed"
    LIVE = "live"
    COMPLETED = "completed"
    ARCHIVED = "archived"
    CANCELLED = "cancelled"


class ParticipantType(StrEnum):
    SOLO = "solo"
    TEAM = "team"


class ResultType(StrEnum):
    MAP_SCORE = "map_score"  # e.g. 13–11 rounds in one map
    BEST_OF = "best_of"  # games won in a best-of series, e.g. 2–1 in a Bo3
    POINTS = "points"  # free points, higher wins


class FieldKind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    TOGGLE = "toggle"
    DATE = "date"
    URL = "url"
    DROPDOWN = "dropdown"


class RegistrationStatus(StrEnum):
    """Life of one entry. Slot-holding states: AWAITING_PAYMENT, PAYMENT_REVIEW, CONFIRMED.

    AWAITING_PAYMENT -> PAYMENT_REVIEW (proof submitted) -> CONFIRMED (approved)
    AWAITING_PAYMENT -> CONFIRMED (paid with coins, or fee waived / free)
    PAYMENT_REVIEW -> AWAITING_PAYMENT (proof rejected: pay again)
    WAITLISTED -> AWAITING_PAYMENT | CONFIRMED (promoted when a slot frees)
    any active -> WITHDRAWN (/unregister) | DISQUALIFIED (organizer) | CANCELLED (event cancelled
                  or removed by an organizer) | REJECTED (organizer refused the registration)
    AWAITING_PAYMENT | WAITLISTED -> EXPIRED (the tournament started: never paid, or no slot;
                  nothing is charged)
    """

    AWAITING_PAYMENT = "awaiting_payment"
    PAYMENT_REVIEW = "payment_review"
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    WITHDRAWN = "withdrawn"
    DISQUALIFIED = "disqualified"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    EXPIRED = "expired"


SLOT_HOLDING = frozenset(
    {
        RegistrationStatus.AWAITING_PAYMENT,
        RegistrationStatus.PAYMENT_REVIEW,
        RegistrationStatus.CONFIRMED,
    }
)


class TeamRole(StrEnum):
    CAPTAIN = "captain"
    MEMBER = "member"


class InviteStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CANCELLED = "cancelled"


class PaymentMethod(StrEnum):
    COINS = "coins"
    BKASH = "bkash"
    NAGAD = "nagad"
    ROCKET = "rocket"
    BANK = "bank"


class PaymentStatus(StrEnum):
    SUBMITTED = "submitted"  # proof waiting for an organizer
    APPROVED = "approved"  # money verified, or coins debited
    REJECTED = "rejected"
    REFUNDED = "refunded"  # coins back in the ledger, or money refund sent
    REFUND_PENDING = "refund_pending"  # money refund recorded, organizer still has to send it


class LedgerKind(StrEnum):
    GRANT = "grant"
    ENTRY_FEE = "entry_fee"
    REFUND = "refund"
    PRIZE = "prize"
    CHALLENGE = "challenge"
    POOL = "pool"  # an organizer's coins moved into a coin pool, or returned from one
