from engine.awards.badges import (
    BadgeService,
    BadgeView,
    Condition,
    EarnedBadge,
)
from engine.awards.certificate_branding import (
    CertificateBrandingService,
    CertificateBrandingView,
    copy_certificate_settings,
    parse_accent,
)
from engine.awards.certificate_views import (
    CertificateView,
    PlannedCertificate,
    VerificationStatus,
    VerificationView,
    normalize_code,
)
from engine.awards.certificates import (
    DEFAULT_PUBLIC_URL,
    CertificateService,
)
from engine.awards.completion import (
    complete_finished_bracket,
)
from engine.awards.events import (
    BadgeAwarded,
    CertificateGenerationRequested,
    CertificateRevoked,
    PrizePaid,
)
from engine.awards.prizes import (
    PrizeService,
    PrizeView,
)

__all__ = [
    "DEFAULT_PUBLIC_URL",
    "BadgeAwarded",
    "BadgeService",
    "BadgeView",
    "CertificateBrandingService",
    "CertificateBrandingView",
    "CertificateGenerationRequested",
    "CertificateRevoked",
    "CertificateService",
    "CertificateView",
    "Condition",
    "EarnedBadge",
    "PlannedCertificate",
    "PrizePaid",
    "PrizeService",
    "PrizeView",
    "VerificationStatus",
    "VerificationView",
    "complete_finished_bracket",
    "copy_certificate_settings",
    "normalize_code",
    "parse_accent",
]
