"""Async use cases — the only code that changes state.

``Services`` bundles one instance of each service around a shared context; ``main()``
builds it once and hands it to the bot, the dashboard and the scheduler.
"""

from __future__ import annotations

from pathlib import Path

from engine.clock import Clock
from engine.services.audit import AuditService
from engine.services.badges import BadgeService
from engine.services.bracket_service import BracketService
from engine.services.certificates import DEFAULT_PUBLIC_URL, CertificateService
from engine.services.checkin import CheckInService
from engine.services.context import ServiceContext
from engine.services.disputes import DisputeService
from engine.services.games import GameService
from engine.services.guilds import GuildService
from engine.services.ledger import LedgerService
from engine.services.outbox import OutboxDispatcher
from engine.services.payments import PaymentService
from engine.services.pictures import PictureService
from engine.services.profiles import ProfileService
from engine.services.registration import RegistrationService
from engine.services.schedule import register_timer_handlers
from engine.services.scores import ScoreService
from engine.services.seeding_admin import BracketAdminService
from engine.services.teams import TeamService
from engine.services.timers import TimerService
from engine.services.tournaments import TournamentService
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
    ) -> None:
        self.ctx = ServiceContext(db, clock, files=FileStore(data_dir / "files"))
        self.db = db
        self.clock = self.ctx.clock
        self.outbox = OutboxDispatcher(db, self.clock)
        self.ctx.on_commit_with_events(self.outbox.wake)
        self.timers = TimerService(self.ctx)
        self.audit = AuditService(self.ctx)
        self.guilds = GuildService(self.ctx, default_timezone=default_timezone)
        self.games = GameService(self.ctx)
        self.tournaments = TournamentService(self.ctx)
        self.profiles = ProfileService(self.ctx)
        self.teams = TeamService(self.ctx)
        self.registration = RegistrationService(self.ctx)
        self.ledger = LedgerService(self.ctx)
        self.payments = PaymentService(self.ctx)
        self.brackets = BracketService(self.ctx)
        self.checkin = CheckInService(self.ctx)
        self.pictures = PictureService(self.ctx)
        self.bracket_admin = BracketAdminService(self.ctx)
        self.certificates = CertificateService(self.ctx, public_url=public_url)
        self.badges = BadgeService(self.ctx)
        self.scores = ScoreService(self.ctx)
        self.disputes = DisputeService(self.ctx)
        register_timer_handlers(self)
