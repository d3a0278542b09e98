"""Every mapped table; importing this package registers them all on ``Base.metadata``."""

from storage.models.audit import AuditEntry
from storage.models.awards import (
    BadgeAward,
    BadgeDefinition,
    Certificate,
    CertificateBranding,
    CertificateDelivery,
    CertificateSettings,
)
from storage.models.base import Base
from storage.models.challenge import Challenge, ChallengeClaim
from storage.models.dashboard import DashboardLogin
from storage.models.guild import GuildSettings, UserSettings
from storage.models.ledger import LedgerEntry, Payment, StoredFile, Wallet
from storage.models.match import (
    BracketAction,
    BracketState,
    Dispute,
    DisputeEvidence,
    MatchReminderOptIn,
    MatchReport,
    MatchReschedule,
    MatchRow,
    Placing,
)
from storage.models.outbox import DeliveryEffect, OutboxDelivery, OutboxEvent
from storage.models.pool import CoinPool, CoinPoolFunding
from storage.models.prediction import Prediction, PredictionPost, PredictionReward
from storage.models.registration import (
    PlayerProfile,
    Ranking,
    Registration,
    RegistrationMember,
    Team,
    TeamInvite,
    TeamMember,
)
from storage.models.sponsor import Sponsor, SponsorDailyStats, SponsorVisitor, TournamentSponsor
from storage.models.stats import Season
from storage.models.timer import Timer
from storage.models.tournament import (
    Game,
    RegistrationField,
    Tournament,
    TournamentStaff,
    TournamentTemplate,
    TournamentVersion,
)

__all__ = [
    "AuditEntry",
    "BadgeAward",
    "BadgeDefinition",
    "Base",
    "BracketAction",
    "BracketState",
    "Certificate",
    "CertificateBranding",
    "CertificateDelivery",
    "CertificateSettings",
    "Challenge",
    "ChallengeClaim",
    "CoinPool",
    "CoinPoolFunding",
    "DashboardLogin",
    "DeliveryEffect",
    "Dispute",
    "DisputeEvidence",
    "Game",
    "GuildSettings",
    "LedgerEntry",
    "MatchReminderOptIn",
    "MatchReport",
    "MatchReschedule",
    "MatchRow",
    "OutboxDelivery",
    "OutboxEvent",
    "Payment",
    "Placing",
    "PlayerProfile",
    "Prediction",
    "PredictionPost",
    "PredictionReward",
    "Ranking",
    "Registration",
    "RegistrationField",
    "RegistrationMember",
    "Season",
    "Sponsor",
    "SponsorDailyStats",
    "SponsorVisitor",
    "StoredFile",
    "Team",
    "TeamInvite",
    "TeamMember",
    "Timer",
    "Tournament",
    "TournamentSponsor",
    "TournamentStaff",
    "TournamentTemplate",
    "TournamentVersion",
    "UserSettings",
    "Wallet",
]
