"""Pure rendering: view models in, PNG and PDF bytes out.

Imports nothing from storage, discord, aiohttp or engine.formats; an adapter turns a
bracket into a ``TournamentView``.
"""

from engine.render.bracket import bracket_image_count, render_bracket, render_standings
from engine.render.cache import BracketImageCache, bracket_image_cache
from engine.render.certificate import (
    CERTIFICATE_DESIGNS,
    DEFAULT_CERTIFICATE_DESIGN,
    CertificateBrand,
    CertificateData,
    CertificateWords,
    Placement,
    certificate_canonical_content,
    certificate_content_hash,
    render_certificate,
)
from engine.render.model import (
    EliminationSection,
    GridCell,
    GroupStageSection,
    MatchStatus,
    MatchView,
    RenderedImage,
    RoundRobinSection,
    RoundView,
    Section,
    Slot,
    StandingsRow,
    StandingsSection,
    StandingsTable,
    SwissPairing,
    SwissRound,
    SwissSection,
    TournamentView,
)
from engine.render.stats import (
    BoardLine,
    BoardPicture,
    ResultChip,
    StatsPicture,
    StatTile,
    render_leaderboard,
    render_stats_card,
)
from engine.render.words import PictureWords

__all__ = [
    "CERTIFICATE_DESIGNS",
    "DEFAULT_CERTIFICATE_DESIGN",
    "BoardLine",
    "BoardPicture",
    "BracketImageCache",
    "CertificateBrand",
    "CertificateData",
    "CertificateWords",
    "EliminationSection",
    "GridCell",
    "GroupStageSection",
    "MatchStatus",
    "MatchView",
    "PictureWords",
    "Placement",
    "RenderedImage",
    "ResultChip",
    "RoundRobinSection",
    "RoundView",
    "Section",
    "Slot",
    "StandingsRow",
    "StandingsSection",
    "StandingsTable",
    "StatTile",
    "StatsPicture",
    "SwissPairing",
    "SwissRound",
    "SwissSection",
    "TournamentView",
    "bracket_image_cache",
    "bracket_image_count",
    "certificate_canonical_content",
    "certificate_content_hash",
    "render_bracket",
    "render_certificate",
    "render_leaderboard",
    "render_standings",
    "render_stats_card",
]
