from engine.sponsors.impressions import flush_impressions, record_impressions
from engine.sponsors.logos import (
    SponsorLogo,
    add_impressions,
    copy_sponsors,
    copy_sponsors_of_clone,
    tournament_sponsor_logos,
)
from engine.sponsors.report import ReportLine, SponsorReport
from engine.sponsors.rules import (
    TIER_NAMES,
    TIERS,
    Visit,
    is_counted,
    tier_rank,
    visitor_hash,
)
from engine.sponsors.service import (
    ClickTarget,
    SponsorChanges,
    SponsorService,
    SponsorSpec,
    SponsorView,
)

__all__ = [
    "TIERS",
    "TIER_NAMES",
    "ClickTarget",
    "ReportLine",
    "SponsorChanges",
    "SponsorLogo",
    "SponsorReport",
    "SponsorService",
    "SponsorSpec",
    "SponsorView",
    "Visit",
    "add_impressions",
    "copy_sponsors",
    "copy_sponsors_of_clone",
    "flush_impressions",
    "is_counted",
    "record_impressions",
    "tier_rank",
    "tournament_sponsor_logos",
    "visitor_hash",
]
