"""The composition root of the engine: every domain's service around one shared context.

``main()`` builds ``Services`` once and hands it to the bot, the dashboard and the
scheduler. This is also where the domains are wired to each other against the domain
order (docs/architecture.md): each domain's timer handlers are registered with the
kernel's timer service, and the in-transaction reactions by which a lower domain lets a
higher one act (a cancelled tournament refunded by money, a finished bracket completed by
awards) are registered on the context's reaction registry.
"""

from __future__ import annotations

import random
from concurrent.futures import Executor
from pathlib import Path

from engine import (
    audit,
    awards,
    brackets,
    challenges,
    entries,
    matchday,
    money,
    predictions,
    sponsors,
    tournaments,
)
from engine.audit import AuditService
from engine.awards import (
    DEFAULT_PUBLIC_URL,
    BadgeService,
    CertificateBrandingService,
    CertificateService,
    PrizeService,
)
from engine.brackets import BracketAdminService, BracketService, PictureService
from engine.challenges import ChallengeService
from engine.entries import ProfileService, RegistrationService, TeamService
from engine.guilds import GameService, GuildService, LanguageService
from engine.kernel.clock import Clock
from engine.kernel.events import Reactions
from engine.kernel.offload import RenderExecutor
from engine.kernel.outbox import OutboxDispatcher
from engine.kernel.timers import TimerService
from engine.kernel.uow import ServiceContext
from engine.kernel.uploads import DEFAULT_MAX_UPLOAD_BYTES
from engine.matchday import (
    CheckInService,
    DisputeService,
    LobbyService,
    MatchScheduleService,
    RescheduleService,
    ScoreService,
)
from engine.money import LedgerService, PaymentService, PoolService, RosterService
from engine.predictions import PredictionPictures, PredictionPool, PredictionService
from engine.sponsors import SponsorService
from engine.stats import (
    ExportService,
    LeaderboardService,
    PlayerStatsService,
    StatsPictures,
    TournamentStatsService,
)
from engine.tournaments import TournamentService, TournamentTemplateService
from storage.db import Database
from storage.files import FileStore


class Services:
    def __init__(
        self,
        db: Database,
        clock: Clock | None = None,
        *,
        default_timezone: str = "UTC",
        data_dir: Path = Path("data"),
        public_url: str = DEFAULT_PUBLIC_URL,
        randomness: random.Random | None = None,
        max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
        render_executor: Executor | None = None,
    ) -> None:
        self.ctx = ServiceContext(
            db,
            clock,
            files=FileStore(data_dir / "files"),
            randomness=randomness,
            max_upload_bytes=max_upload_bytes,
            render=RenderExecutor(render_executor),
        )
        self.db = db
        self.clock = self.ctx.clock
        self.uploads = self.ctx.uploads
        self.outbox = OutboxDispatcher(db, self.clock)
        self.ctx.on_commit_with_events(self.outbox.wake)
        self.timers = TimerService(self.ctx)
        self.audit = AuditService(self.ctx)
        self.guilds = GuildService(self.ctx, default_timezone=default_timezone)
        self.languages = LanguageService(self.ctx)
        self.games = GameService(self.ctx)
        self.tournaments = TournamentService(self.ctx)
        self.templates = TournamentTemplateService(self.ctx)
        self.profiles = ProfileService(self.ctx)
        self.teams = TeamService(self.ctx)
        self.registration = RegistrationService(self.ctx)
        self.ledger = LedgerService(self.ctx)
        self.payments = PaymentService(self.ctx)
        self.roster = RosterService(self.ctx)
        self.pools = PoolService(self.ctx)
        self.challenges = ChallengeService(self.ctx)
        self.brackets = BracketService(self.ctx)
        self.checkin = CheckInService(self.ctx)
        self.pictures = PictureService(self.ctx)
        self.bracket_admin = BracketAdminService(self.ctx)
        self.certificates = CertificateService(self.ctx, public_url=public_url)
        self.certificate_branding = CertificateBrandingService(self.ctx)
        self.badges = BadgeService(self.ctx)
        self.prizes = PrizeService(self.ctx)
        self.scores = ScoreService(self.ctx)
        self.disputes = DisputeService(self.ctx)
        self.schedule = MatchScheduleService(self.ctx)
        self.reschedules = RescheduleService(self.ctx)
        self.lobbies = LobbyService(self.ctx)
        self.leaderboards = LeaderboardService(self.ctx)
        self.stats = PlayerStatsService(self.ctx)
        self.tournament_stats = TournamentStatsService(self.ctx)
        self.stats_pictures = StatsPictures(self.ctx)
        self.exports = ExportService(self.ctx)
        self.sponsors = SponsorService(self.ctx, public_url=public_url)
        self.predictions = PredictionService(self.ctx)
        self.prediction_pictures = PredictionPictures(self.ctx)
        self.prediction_pool = PredictionPool(self.ctx)
        _register_timers(self.timers)
        _register_reactions(self.ctx.reactions)


def _register_timers(timers: TimerService) -> None:
    tournaments.register_timers(timers)
    entries.register_timers(timers)
    brackets.register_timers(timers)
    matchday.register_timers(timers)
    matchday.register_schedule_timers(timers)
    matchday.register_reschedule_timers(timers)
    audit.register_timers(timers)


def _register_reactions(reactions: Reactions) -> None:
    # Registration order is the order they run in: entries before money on a release.
    reactions.on(tournaments.SlotsAdded, entries.fill_added_slots)
    reactions.on(tournaments.EntryFeeWaived, entries.confirm_unpaid_entries)
    reactions.on(tournaments.TournamentCancelling, money.refund_cancelled_tournament)
    reactions.on(entries.EntryReleased, money.refund_released_entry)
    reactions.on(brackets.MatchClosedByBracket, matchday.close_disputes_of_settled_match)
    reactions.on(brackets.BracketFinished, awards.complete_finished_bracket)
    # After the completion: the top predictors are paid from the tournament's pool.
    reactions.on(brackets.BracketFinished, predictions.pay_prediction_rewards)
    reactions.on(tournaments.MatchScheduleChanged, brackets.retime_matches)
    # A clone copies what the domains above own: certificate settings and sponsors.
    reactions.on(tournaments.TournamentCloning, awards.copy_certificate_settings)
    reactions.on(tournaments.TournamentCloning, sponsors.copy_sponsors_of_clone)
    reactions.on(brackets.MatchesCompleted, challenges.judge_completed_matches)
