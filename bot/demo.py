"""``deltacrown demo``: a whole tournament offline, through the real services.

Simulated players set their in-game ids, register, pay (coins, or a bKash screenshot an
organizer approves — one is rejected first and pays again), check in, report scores and
confirm each other's reports; one match ends in a no-show forfeit when the check-in
deadline passes, and one in a score mismatch that an organizer resolves. The rounds run
on a schedule: one pair moves its match by an accepted reschedule, and one result goes
overdue until an organizer sets it. Time is a simulated clock moved forward by the demo,
so the scheduled timers (check-in window, automatic start, reminders, match starts,
check-in deadlines, the overdue notice) fire exactly as they would in production.
Spectators predict the winners of the matches before they go live (one player trying to
predict their own match is refused), and the summary lists the predictions leaderboard. The
bracket images, standings image, certificates and a summary are written to the output
directory; ``--serve`` then serves the dashboard on the demo database.

``--lang bn`` runs it on a Bangla server: the server's language is Bangla, so the
pictures, certificates and the summary are Bangla, and what the organizer and players
type (the tournament's name and rules, reasons, notes) is typed in Bangla too.
"""

from __future__ import annotations

import asyncio
import io
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy.ext.asyncio import create_async_engine

from engine.brackets import MATCH_DUE_REMINDER_TIMER, MatchState, MatchView
from engine.challenges import ChallengeDraft, Judge
from engine.formats import FORMAT_LABELS, format_spec
from engine.guilds import GameSpec, GuildSetup
from engine.kernel.actors import Actor
from engine.kernel.clock import FrozenClock
from engine.kernel.errors import PermissionDenied
from engine.kernel.i18n import SOURCE_LANGUAGE, babel_locale, catalogue
from engine.kernel.text import N_, REFERENCE, Message, msg, render
from engine.services import Services
from engine.sponsors import SponsorSpec, Visit
from engine.tournaments import TournamentDraft
from storage.db import Database
from storage.migrate import upgrade_connection
from storage.models.enums import ResultType

GUILD_ID = 1
ORGANIZER_ID = 100
FIRST_PLAYER_ID = 1000
CHECKIN_MINUTES = 10
ROUND_MINUTES = 45  # a new round every 45 minutes
RESULT_DEADLINE_MINUTES = 30
STEP_MINUTES = 5  # the simulated clock moves this much between two looks at the matches
TIMEZONE = "Asia/Dhaka"
ORGANIZER_NAME = N_("DeltaCrown Demo Server")
# What the organizer and the players type, in the server's language.
TOURNAMENT_NAME = N_("DeltaCrown Demo Cup")
COIN_NAME = N_("Crowns")
RULES = N_("Best of three. Report your score in the match thread; screenshots help.")
WELCOME_BONUS = N_("Welcome bonus")
WRONG_REFERENCE = N_("The transaction id does not match our records.")
LATE_PLAYER = N_("Our third player is still on the bus.")
OVERDUE_NOTE = N_("Result overdue; set from the lobby screenshot the winner sent.")
DISPUTE_NOTES = N_("The stream VOD shows the first side winning the deciding map.")
SWEEP_TITLE = N_("Clean sweep")
SWEEP_RULES = N_("Win a match without dropping a map.")
ACE_TITLE = N_("Ace clutch")
ACE_RULES = N_("Win a round alone against five; post the screenshot.")
ACE_NOTE = N_("Round 11, 1v5 on Haven.")


def format_options(fmt: str, players: int) -> dict[str, object]:
    """Sensible shapes for a demo field: groups of about four with two advancing, and a
    third-place match so a single elimination podium has one bronze (each format's
    ``FormatSpec.demo_options``)."""
    return dict(format_spec(fmt).demo_options(players))


NAMES = [
    "Shadowstrike",
    "NovaQueen",
    "সাকিব আল হাসান",
    "विराट कोहली",
    "محمد صلاح",
    "Zoë Ångström",
    "xX_Destroyer_Xx",
    "李小龙",
    "Blaze",
    "Kaiju",
    "Mirage",
    "Tahsin",
    "Rafi",
    "Nusrat",
    "Valkyrie",
    "Echo",
    "Phantom",
    "Orbit",
    "Raven",
    "Jinx",
    "Hydra",
    "Tempest",
    "Nyx",
    "Onyx",
    "Cobalt",
    "Pixel",
    "Ronin",
    "Sable",
    "Vortex",
    "Wraith",
    "Zephyr",
    "Quasar",
]
# Spectators who predict the matches (pick'em); none of them plays.
FIRST_SPECTATOR_ID = 5000
SPECTATORS = [
    "রাকিব হাসান",
    "Alice",
    "সুমাইয়া আক্তার চৌধুরী",
    "Marco",
    "নাফিস",
    "Predictor Supreme of the Northern Esports Fan Club",
    "Lina",
    "তানভীর",
    "Kenji",
    "Farhana",
]
FAVOURITE_PICKED = 0.65  # how often a spectator backs the better seed
PREDICTION_REWARDS = (100, 50, 25)  # Crowns for the three best predictors, from the pool


@dataclass
class _Plan:
    """The special matches of the demo, picked as they come."""

    moved: int | None = None  # rescheduled by agreement
    overdue: int | None = None  # its result is forgotten until the organizer sets it
    overdue_done: bool = False
    no_show: int | None = None  # only one side turns up
    no_show_done: bool = False
    mismatch_done: bool = False


@dataclass
class DemoReport:
    out_dir: Path
    tournament_id: int
    tournament_name: str
    format: str
    files: list[Path] = field(default_factory=list)
    language: str = SOURCE_LANGUAGE
    coin_name: str = "Crowns"
    matches_played: int = 0
    forfeits: int = 0
    disputes: int = 0
    payments_approved: int = 0
    payments_rejected: int = 0
    placings: list[tuple[int, str, int]] = field(default_factory=list)  # place, name, coins
    first_round_at: datetime | None = None
    round_minutes: int = ROUND_MINUTES
    reschedules: list[tuple[str, datetime, datetime]] = field(default_factory=list)
    overdue: list[str] = field(default_factory=list)
    reminders: int = 0
    # Challenge winners: (challenge title, player, coins, how it was judged).
    challenge_winners: list[tuple[str, str, int, str]] = field(default_factory=list)
    # name, tier, impressions, clicks, unique clicks
    sponsors: list[tuple[str, str, int, int, int]] = field(default_factory=list)
    predictions: int = 0
    prediction_refusals: int = 0
    # rank, name, points, correct picks, scored picks, coins paid
    predictors: list[tuple[int, str, int, int, int, int]] = field(default_factory=list)


class Progress:
    """A one-line progress bar on stderr (plain lines when stderr is not a terminal)."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.tty = sys.stderr.isatty()

    def step(self, label: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        width = 28
        filled = int(width * done / max(total, 1))
        bar = "█" * filled + "░" * (width - filled)
        line = f"{label:<22} [{bar}] {done}/{total}"
        if self.tty:
            end = "\n" if done >= total else ""
            print(f"\r{line}", end=end, file=sys.stderr, flush=True)
        elif done in (0, total) or done % max(total // 4, 1) == 0:
            print(line, file=sys.stderr, flush=True)


def receipt_png(name: str, reference: str, amount: str) -> bytes:
    """A small, real PNG that looks like a mobile-money receipt screenshot."""
    image = Image.new("RGB", (360, 200), "#e2136e")
    draw = ImageDraw.Draw(image)
    draw.rectangle((12, 12, 348, 188), fill="white")
    for y, text in (
        (30, "bKash · Send Money"),
        (70, f"To: DeltaCrown ({amount})"),
        (110, f"TrxID: {reference}"),
        (150, f"From: {name[:24]}"),
    ):
        draw.text((28, y), text, fill="#222222")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


# Two sponsors of the demo cup: name, tier, link, text, logo colours.
DEMO_SPONSORS = (
    (
        "Nova Energy",
        "title",
        "https://nova-energy.example/esports",
        "The official energy drink of the Demo Cup.",
        ("#1b1f3b", "#f2b232"),
    ),
    (
        "Dhaka Gaming Café",
        "community",
        "https://dhaka-gaming-cafe.example/",
        "Practice rooms for every team, open late.",
        ("#0f7b5f", "#ffffff"),
    ),
)
# Who follows the sponsors' links in the demo: (sponsor index, visitor, user agent, purpose).
DEMO_BROWSER = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile Safari"
DEMO_CLICKS = (
    *((0, f"198.51.100.{i}", DEMO_BROWSER, "") for i in range(1, 6)),
    (0, "198.51.100.1", DEMO_BROWSER, ""),  # the same visitor again: not unique
    (1, "198.51.100.7", DEMO_BROWSER, ""),
    (1, "198.51.100.8", DEMO_BROWSER, ""),
    (0, "203.0.113.9", "Mozilla/5.0 (compatible; Discordbot/2.0)", ""),  # a link preview
    (1, "198.51.100.9", DEMO_BROWSER, "prefetch"),  # a browser prefetch
)


def sponsor_logo_png(name: str, colours: tuple[str, str]) -> bytes:
    """A sponsor's logo for the demo: a badge with its initials and its name."""
    background, ink = colours
    fonts = Path(__file__).resolve().parent.parent / "engine" / "render" / "fonts"
    bold = ImageFont.truetype(str(fonts / "NotoSans-Bold.ttf"), 54)
    initials = "".join(word[0] for word in name.split()[:2]).upper()
    label = ImageFont.truetype(str(fonts / "NotoSans-Bold.ttf"), 40)
    width = 150 + int(label.getlength(name)) + 12
    image = Image.new("RGBA", (width, 140), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((4, 4, 132, 132), radius=28, fill=background)
    draw.text((68, 70), initials, font=bold, fill=ink, anchor="mm")
    draw.text((150, 70), name, font=label, fill=background, anchor="lm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


async def _fresh_database(out_dir: Path) -> Database:
    path = out_dir / "demo.db"
    for leftover in (path, path.with_name("demo.db-wal"), path.with_name("demo.db-shm")):
        leftover.unlink(missing_ok=True)
    url = f"sqlite+aiosqlite:///{path}"
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        await conn.run_sync(upgrade_connection)
        await conn.commit()
    await engine.dispose()
    return Database(url)


class Demo:
    def __init__(
        self,
        services: Services,
        clock: FrozenClock,
        players: int,
        fmt: str,
        progress: Progress,
        seed: int,
        language: str = SOURCE_LANGUAGE,
    ) -> None:
        self.services = services
        self.language = language
        self.typed = catalogue(language).gettext  # what people type, in their language
        self.clock = clock
        self.players = players
        self.format = fmt
        self.progress = progress
        self.rng = random.Random(seed)
        self.organizer = Actor(user_id=ORGANIZER_ID, guild_id=GUILD_ID, can_manage_guild=True)
        self.actors = [
            Actor(user_id=FIRST_PLAYER_ID + i, guild_id=GUILD_ID, display_name=_name(i))
            for i in range(players)
        ]
        self.names = {a.user_id: _name(i) for i, a in enumerate(self.actors)}
        self.tournament_id = 0
        self.report: DemoReport | None = None
        self.spectators = [
            Actor(user_id=FIRST_SPECTATOR_ID + i, guild_id=GUILD_ID, display_name=name)
            for i, name in enumerate(SPECTATORS)
        ]
        self.predicted: set[int] = set()

    # ------------------------------------------------------------------ set-up
    async def set_up(self, out_dir: Path) -> DemoReport:
        services, organizer = self.services, self.organizer
        coin_name = self.typed(COIN_NAME)
        await services.guilds.configure(
            organizer,
            GUILD_ID,
            GuildSetup(timezone=TIMEZONE, coin_name=coin_name, language=self.language),
        )
        game = await services.games.add(
            organizer,
            GUILD_ID,
            GameSpec(name="Valorant", result_type=ResultType.BEST_OF, ingame_id_label="Riot ID"),
        )
        starts = self.clock.now() + timedelta(hours=2)
        draft = TournamentDraft(
            name=self.typed(TOURNAMENT_NAME),
            game_id=game.id,
            format=self.format,
            participant_type="solo",
            max_participants=self.players,
            starts_at=starts,
            registration_closes_at=starts - timedelta(hours=1),
            best_of=3,
            entry_fee_coins=50,
            entry_fee_minor=15_000,
            currency="BDT",
            payment_methods=("coins", "bkash"),
            prize_pool_coins=50 * self.players,
            prize_distribution=(50, 30, 20),
            checkin_enabled=True,
            checkin_window_minutes=30,
            match_checkin_minutes=CHECKIN_MINUTES,
            predictions=True,
            prediction_rewards=PREDICTION_REWARDS,
            # Round 1 half an hour after the start (time for the reminders), then one
            # round every 45 minutes.
            round_times=(starts + timedelta(minutes=30),),
            round_interval_minutes=ROUND_MINUTES,
            result_deadline_minutes=RESULT_DEADLINE_MINUTES,
            seeding="ranked",
            format_options=format_options(self.format, self.players),
            rules=self.typed(RULES),
        )
        tournament = await services.tournaments.create(organizer, GUILD_ID, draft)
        self.tournament_id = tournament.id
        for name, tier, link, text, colours in DEMO_SPONSORS:
            await services.sponsors.add(
                organizer,
                GUILD_ID,
                SponsorSpec(name, link, tier, text),
                logo=sponsor_logo_png(name, colours),
                logo_name="logo.png",
                tournament_id=tournament.id,
            )
        await services.tournaments.publish(organizer, tournament.id)
        await services.tournaments.open_registration(organizer, tournament.id)
        await services.prediction_pool.fund(
            organizer, tournament.id, sum(PREDICTION_REWARDS), from_wallet=False
        )
        self.report = DemoReport(
            out_dir,
            tournament.id,
            tournament.name,
            self.format,
            language=self.language,
            coin_name=coin_name,
        )
        self.report.first_round_at = starts + timedelta(minutes=30)
        await self._set_challenges(starts)
        return self.report

    async def _set_challenges(self, starts: datetime) -> None:
        """One challenge judged from the results, one an organizer reviews."""
        services, organizer = self.services, self.organizer
        await services.challenges.fund(organizer, GUILD_ID, 200, from_wallet=False)
        deadline = starts + timedelta(days=7)
        await services.challenges.create(
            organizer,
            GUILD_ID,
            ChallengeDraft(
                title=self.typed(SWEEP_TITLE),
                rules=self.typed(SWEEP_RULES),
                prize=30,
                max_winners=3,
                deadline=deadline,
                judge=Judge.CLEAN_SWEEP,
                tournament_id=self.tournament_id,
            ),
        )
        await services.challenges.create(
            organizer,
            GUILD_ID,
            ChallengeDraft(
                title=self.typed(ACE_TITLE),
                rules=self.typed(ACE_RULES),
                prize=100,
                max_winners=1,
                deadline=deadline,
                judge=Judge.REVIEW,
                tournament_id=self.tournament_id,
            ),
        )

    async def claim_challenge(self) -> None:
        """A player claims the reviewed challenge with a screenshot; the organizer pays."""
        assert self.report is not None
        services = self.services
        [review] = [
            c
            for c in await services.challenges.list_challenges(GUILD_ID)
            if c.judge == Judge.REVIEW
        ]
        claimer = self.actors[1]
        claim = await services.challenges.claim(
            claimer,
            review.id,
            note=self.typed(ACE_NOTE),
            evidence=receipt_png(self.names[claimer.user_id], "ACE-1V5", "Round 11"),
            evidence_name="ace.png",
        )
        await services.challenges.verify(self.organizer, claim.id)
        judged = {
            c.id: c.judge
            for c in await services.challenges.list_challenges(GUILD_ID, include_closed=True)
        }
        for won in await services.challenges.winners(GUILD_ID):
            how = "reviewed" if judged.get(won.challenge_id) == Judge.REVIEW else "automatic"
            self.report.challenge_winners.append(
                (won.challenge_title, self.names.get(won.user_id, str(won.user_id)), won.prize, how)
            )

    async def register_and_pay(self) -> None:
        services, tid = self.services, self.tournament_id
        proofs = []
        for index, actor in enumerate(self.actors):
            await services.profiles.set_ingame_id(
                actor, "Valorant", f"{_ascii(self.names[actor.user_id])}#{1000 + index}"
            )
            await services.ledger.grant(
                self.organizer,
                GUILD_ID,
                actor.user_id,
                100,
                self.typed(WELCOME_BONUS),
                f"demo:{index}",
            )
            await services.registration.register(actor, tid)
            if index % 2 == 0:
                await services.payments.pay_with_coins(actor, tid)
            else:
                reference = f"8N7A{index:04d}XQ"
                proof = receipt_png(self.names[actor.user_id], reference, "৳150.00")
                proofs.append(
                    await services.payments.submit_proof(
                        actor,
                        tid,
                        "bkash",
                        reference=reference,
                        proof=proof,
                        proof_name="bkash.png",
                    )
                )
            self.progress.step(self.typed(N_("Registering")), index + 1, len(self.actors))
        await self._review(proofs)
        await services.tournaments.close_registration(self.organizer, tid)

    async def _review(self, proofs: list) -> None:
        assert self.report is not None
        for number, payment in enumerate(proofs):
            if number == 0:
                await self.services.payments.reject(
                    self.organizer, payment.id, self.typed(WRONG_REFERENCE)
                )
                self.report.payments_rejected += 1
                payer = next(a for a in self.actors if a.user_id == payment.user_id)
                await self.services.payments.pay_with_coins(payer, self.tournament_id)
            else:
                await self.services.payments.approve(self.organizer, payment.id)
                self.report.payments_approved += 1

    async def check_in_and_start(self) -> None:
        """Move the clock into the check-in window; the scheduled start does the rest."""
        tournament = await self.services.tournaments.get(self.tournament_id)
        assert tournament.starts_at is not None
        self.clock.set(tournament.starts_at - timedelta(minutes=20))
        await self.services.timers.fire_due()
        # Everybody but the last player checks in; the check-in close removes them.
        for index, actor in enumerate(self.actors[:-1]):
            await self.services.checkin.check_in_tournament(actor, self.tournament_id)
            self.progress.step(self.typed(N_("Checking in")), index + 1, len(self.actors) - 1)
        self.clock.set(tournament.starts_at)
        await self.services.timers.fire_due()  # check-in closes, then the tournament starts

    # ------------------------------------------------------------------ playing
    async def play(self) -> None:
        """Play on the schedule: the clock moves in steps of a few minutes, the timers fire
        (reminders, check-in deadlines, starts, the overdue notice) and the players check
        in when their match's time comes. Along the way one match is moved by an accepted
        reschedule, one result goes overdue and an organizer sets it, one side does not
        turn up, and one score is disputed."""
        assert self.report is not None
        total = _expected_matches(self.format, len(self.actors) - 1)
        plan = _Plan()
        deadline = self.clock.now() + timedelta(days=2)
        while (await self.services.tournaments.get(self.tournament_id)).status == "live":
            if self.clock.now() > deadline:
                raise RuntimeError("the demo tournament stalled with no playable match")
            await self.services.timers.fire_due()
            await self._predict()
            if await self._settle_overdue(plan):
                self._played(total)
            for match in await self.services.brackets.matches(
                self.tournament_id, statuses=[MatchState.CHECKIN]
            ):
                await self._arrive(match, plan)
            for match in await self.services.brackets.matches(
                self.tournament_id, statuses=[MatchState.LIVE]
            ):
                if match.id == plan.overdue:
                    continue  # nobody reports it: the deadline tells the organizers
                if plan.overdue is None and match.round == 1 and match.id != plan.moved:
                    plan.overdue = match.id
                    continue
                if not plan.mismatch_done and match.round >= 2 and match.id != plan.no_show:
                    await self._mismatch_then_resolve(match)
                    plan.mismatch_done = True
                else:
                    await self._play(match)
                self._played(total)
            forfeits = await self._forfeits(plan)
            for _ in range(forfeits):
                self._played(total)
            self.clock.advance(minutes=STEP_MINUTES)

    async def _predict(self) -> None:
        """Spectators pick the winners of the matches still open for predictions, mostly
        backing the better seed; the first time, a player tries to predict their own match
        and is refused."""
        assert self.report is not None
        open_matches = await self.services.predictions.predictable(GUILD_ID)
        seeds = await self._seeds() if open_matches else {}
        for item in open_matches:
            if item.match_id in self.predicted:
                continue
            self.predicted.add(item.match_id)
            match = await self.services.brackets.get_match(item.match_id)
            if not self.report.prediction_refusals:
                player = await self._actor_of(match.registration_a_id)
                try:
                    await self.services.predictions.predict(player, match.id, 1)
                except PermissionDenied:
                    self.report.prediction_refusals += 1
            seed_a = seeds.get(match.registration_a_id or 0, 99)
            seed_b = seeds.get(match.registration_b_id or 0, 99)
            favourite = 0 if seed_a <= seed_b else 1
            for spectator in self.spectators:
                if self.rng.random() < 0.2:
                    continue  # not everyone predicts every match
                slot = favourite if self.rng.random() < FAVOURITE_PICKED else 1 - favourite
                await self.services.predictions.predict(spectator, match.id, slot)
                self.report.predictions += 1

    def _played(self, total: int) -> None:
        assert self.report is not None
        self.report.matches_played += 1
        self.progress.step(self.typed(N_("Playing matches")), self.report.matches_played, total)

    async def _arrive(self, match: MatchView, plan: _Plan) -> None:
        """Players check in when their match's time comes (one pair moves theirs first,
        one side of a later match never comes)."""
        assert self.report is not None
        if plan.moved is None and match.round == 1 and match.scheduled_at is not None:
            await self._reschedule(match, plan)
            return
        if match.scheduled_at is not None and self.clock.now() < match.scheduled_at:
            return
        if plan.no_show is None and match.round >= 2:
            plan.no_show = match.id  # only its first side will turn up
        await self._check_in(match, only_first=match.id == plan.no_show)

    async def _reschedule(self, match: MatchView, plan: _Plan) -> None:
        """The first side asks for 20 more minutes; the other side accepts."""
        assert self.report is not None and match.scheduled_at is not None
        first = await self._actor_of(match.registration_a_id)
        second = await self._actor_of(match.registration_b_id)
        later = match.scheduled_at + timedelta(minutes=20)
        local = later.astimezone(ZoneInfo(TIMEZONE)).strftime("%Y-%m-%d %H:%M")
        proposal = await self.services.reschedules.propose(
            first, match.id, local, self.typed(LATE_PLAYER)
        )
        await self.services.reschedules.respond(second, proposal.id, accept=True)
        plan.moved = match.id
        self.report.reschedules.append((match.code, match.scheduled_at, later))

    async def _settle_overdue(self, plan: _Plan) -> bool:
        """Once the overdue notice fired, an organizer sets the result from the lobby's
        screenshot."""
        assert self.report is not None
        if plan.overdue is None or plan.overdue_done:
            return False
        fired = [
            t
            for t in await self.services.timers.history(f"match:{plan.overdue}:overdue")
            if t.fired_at is not None and t.outcome is None
        ]
        if not fired:
            return False
        match = await self.services.brackets.get_match(plan.overdue)
        wins = match.best_of // 2 + 1
        await self.services.scores.set_score(
            self.organizer,
            self.tournament_id,
            match.code,
            wins,
            0,
            note=self.typed(OVERDUE_NOTE),
        )
        plan.overdue_done = True
        self.report.overdue.append(match.code)
        return True

    async def _forfeits(self, plan: _Plan) -> int:
        """The no-show match, once its check-in deadline settled it."""
        assert self.report is not None
        if plan.no_show is None or plan.no_show_done:
            return 0
        match = await self.services.brackets.get_match(plan.no_show)
        if match.status != MatchState.COMPLETED:
            return 0
        plan.no_show_done = True
        self.report.forfeits += 1
        return 1

    async def _check_in(self, match: MatchView, *, only_first: bool) -> None:
        sides = [
            (match.registration_a_id, match.checked_in_a_at),
            (match.registration_b_id, match.checked_in_b_at),
        ]
        for registration_id, checked_in_at in sides[:1] if only_first else sides:
            if checked_in_at is None:
                actor = await self._actor_of(registration_id)
                await self.services.checkin.check_in_match(actor, match.id)

    async def _actor_of(self, registration_id: int | None) -> Actor:
        assert registration_id is not None
        entry = await self.services.registration.get(registration_id)
        return next(a for a in self.actors if a.user_id == entry.user_id)

    def _scores(self, match: MatchView, seeds: dict[int, int]) -> tuple[int, int]:
        wins = match.best_of // 2 + 1
        a, b = match.registration_a_id, match.registration_b_id
        favourite_first = seeds.get(a or 0, 99) < seeds.get(b or 0, 99)
        upset = self.rng.random() < 0.25
        loser_games = self.rng.randint(0, wins - 1)
        first_wins = favourite_first != upset
        return (wins, loser_games) if first_wins else (loser_games, wins)

    async def _seeds(self) -> dict[int, int]:
        entries = await self.services.registration.list(self.tournament_id)
        return {e.id: e.seed or 99 for e in entries}

    async def _play(self, match: MatchView) -> None:
        first, second = self._scores(match, await self._seeds())
        reporter = await self._actor_of(match.registration_a_id)
        opponent = await self._actor_of(match.registration_b_id)
        outcome = await self.services.scores.report_score(
            reporter, mine=first, theirs=second, match_id=match.id
        )
        assert outcome.report is not None
        await self.services.scores.confirm_report(opponent, outcome.report.id)

    async def _mismatch_then_resolve(self, match: MatchView) -> None:
        """Both sides claim the win; an organizer settles it from the evidence."""
        assert self.report is not None
        wins = match.best_of // 2 + 1
        first = await self._actor_of(match.registration_a_id)
        second = await self._actor_of(match.registration_b_id)
        await self.services.scores.report_score(first, mine=wins, theirs=1, match_id=match.id)
        outcome = await self.services.scores.report_score(
            second, mine=wins, theirs=0, match_id=match.id
        )
        assert outcome.dispute_id is not None, "different reports must open a dispute"
        await self.services.disputes.resolve(
            self.organizer,
            first=wins,
            second=1,
            notes=self.typed(DISPUTE_NOTES),
            dispute_id=outcome.dispute_id,
        )
        self.report.disputes += 1

    # ------------------------------------------------------------------ results
    async def write_outputs(self) -> None:
        assert self.report is not None
        report, out = self.report, self.report.out_dir
        images = await self.services.pictures.bracket_images(self.tournament_id)
        for number, image in enumerate(images, start=1):
            path = out / f"bracket-{number:02d}-{image.name.removeprefix('bracket-')}"
            path.write_bytes(image.png_bytes)
            report.files.append(path)
        standings = out / "standings.png"
        standings.write_bytes(await self.services.pictures.standings_image(self.tournament_id))
        report.files.append(standings)
        await self.services.badges.award_for_tournament(self.tournament_id)
        await self._stats_pictures(out)
        await self.services.certificates.set_participants(
            self.organizer, self.tournament_id, True, organizer_name=self.typed(ORGANIZER_NAME)
        )
        issued = await self.services.certificates.generate_all(
            self.tournament_id, organizer_name=self.typed(ORGANIZER_NAME), member_names=self.names
        )
        certificates = out / "certificates"
        certificates.mkdir(exist_ok=True)
        for item in issued:
            document = await self.services.certificates.certificate_file(item.certificate.id)
            view = document.certificate
            label = _ascii(view.recipient_name) or f"entry{view.registration_id}"
            path = certificates / f"{view.kind}-{label}.pdf"
            path.write_bytes(document.data)
            report.files.append(path)
        await self._placings()
        await self._sponsor_clicks()
        await self._predictions(out)
        report.reminders = sum(
            1
            for t in await self.services.timers.history("match:")
            if t.kind == MATCH_DUE_REMINDER_TIMER and t.fired_at is not None and t.outcome is None
        )
        summary = out / "summary.md"
        summary.write_text(summary_markdown(report), encoding="utf-8")
        report.files.append(summary)

    async def _stats_pictures(self, out: Path) -> None:
        """The /leaderboard and /stats player pictures, as the champion would see them."""
        assert self.report is not None
        services = self.services
        tournament = await services.tournaments.get(self.tournament_id)
        [champion] = [
            p for p in await services.brackets.placings(self.tournament_id) if p.place == 1
        ]
        champion_id = next(uid for uid, name in self.names.items() if name == champion.display_name)
        board = await services.leaderboards.leaderboard(
            GUILD_ID,
            tournament.game_id,
            limit=min(25, max(10, self.players)),
            viewer_id=champion_id,
        )
        stats = await services.stats.player(GUILD_ID, champion_id, tournament.game_id)
        for name, data in (
            ("leaderboard.png", await services.stats_pictures.leaderboard(board)),
            ("stats-player.png", await services.stats_pictures.player(stats)),
        ):
            path = out / name
            path.write_bytes(data)
            self.report.files.append(path)

    async def _sponsor_clicks(self) -> None:
        """Spectators follow the sponsors' links (a preview bot and a prefetch too, which
        are redirected but not counted); the report's numbers go in the summary."""
        assert self.report is not None
        services = self.services
        slug = (await services.tournaments.get(self.tournament_id)).slug
        sponsors = await services.sponsors.of_tournament(self.tournament_id)
        keys = {s.name: s.key for s in sponsors}
        for index, address, agent, purpose in DEMO_CLICKS:
            key = keys[DEMO_SPONSORS[index][0]]
            visit = Visit(address, agent, "GET", purpose, secret=b"deltacrown-demo")
            await services.sponsors.click(key, slug, visit)
        numbers = await services.sponsors.report(self.organizer, GUILD_ID, self.tournament_id)
        self.report.sponsors = [
            (line.sponsor_name, line.tier, line.impressions, line.clicks, line.unique_clicks)
            for line in numbers.lines
        ]

    async def _predictions(self, out: Path) -> None:
        """The /predict leaderboard picture, and its top ten for the summary."""
        assert self.report is not None
        board = await self.services.predictions.leaderboard(self.tournament_id)
        path = out / "predictions.png"
        path.write_bytes(await self.services.prediction_pictures.leaderboard(board))
        self.report.files.append(path)
        self.report.predictors = [
            (r.rank, r.name, r.points, r.correct, r.scored, r.reward_coins) for r in board.rows
        ]

    async def _placings(self) -> None:
        assert self.report is not None
        self.report.placings = [
            (p.place, p.display_name, p.prize_coins)
            for p in await self.services.brackets.placings(self.tournament_id)
        ]


def summary_markdown(report: DemoReport) -> str:
    """The summary in the server's language (numbers and times by Babel for its locale)."""

    def t(text: Message) -> str:
        language = report.language
        return render(text, REFERENCE, catalogue(language), babel_locale(language))

    label = catalogue(report.language).gettext(FORMAT_LABELS.get(report.format, report.format))
    lines = [
        f"# {report.tournament_name}",
        "",
        t(msg("{format} · played offline by `deltacrown demo`.", format=label)),
        "",
        t(msg("| place | player | prize |")),
        "|---:|---|---:|",
    ]
    for place, name, coins in report.placings[:8]:
        lines.append(f"| {place} | {name} | {coins} {report.coin_name} |")
    lines += [
        "",
        "- "
        + t(
            msg(
                "Matches played: {played} (one no-show forfeit: {forfeits})",
                played=report.matches_played,
                forfeits=report.forfeits,
            )
        ),
        "- " + t(msg("Disputes opened and resolved: {disputes}", disputes=report.disputes)),
        *schedule_lines(report),
        "- "
        + t(
            msg(
                "Payment proofs approved: {approved}, rejected: {rejected}",
                approved=report.payments_approved,
                rejected=report.payments_rejected,
            )
        ),
        *challenge_lines(report, t),
        *sponsor_lines(report, t),
        *prediction_lines(report, t),
        "",
        "## " + t(msg("Files")),
        "",
    ]
    lines += [
        f"- `{path.relative_to(report.out_dir)}`"
        for path in report.files
        if path.name != "summary.md"
    ]
    return "\n".join(lines) + "\n"


def challenge_lines(report: DemoReport, t: Callable[[Message], str]) -> list[str]:
    """The challenges' winners, paid from the challenge pool."""
    if not report.challenge_winners:
        return []
    judged = {"automatic": msg("automatic"), "reviewed": msg("reviewed")}
    lines = [
        "",
        "## " + t(msg("Challenge winners")),
        "",
        t(msg("| challenge | player | prize | judged |")),
        "|---|---|---:|---|",
    ]
    for title, name, coins, how in report.challenge_winners:
        judged_how = t(judged.get(how, Message.literal(how)))
        lines.append(f"| {title} | {name} | {coins} {report.coin_name} | {judged_how} |")
    return lines


def sponsor_lines(report: DemoReport, t: Callable[[Message], str]) -> list[str]:
    """Each sponsor's numbers: pictures served with its logo, clicks through its link."""
    return [
        "- "
        + t(
            msg(
                "Sponsor {name} ({tier}): {shown} impressions, {clicks} clicks ({unique} unique); "
                "bots and prefetches not counted",
                name=name,
                tier=tier,
                shown=shown,
                clicks=clicks,
                unique=unique,
            )
        )
        for name, tier, shown, clicks, unique in report.sponsors
    ]


def prediction_lines(report: DemoReport, t: Callable[[Message], str]) -> list[str]:
    """The predictions leaderboard of the spectators (pick'em)."""
    if not report.predictors:
        return []
    lines = [
        "- "
        + t(
            msg(
                "Predictions: {picks} picks by {spectators} spectators; players refused when "
                "predicting their own match: {refused}",
                picks=report.predictions,
                spectators=len(SPECTATORS),
                refused=report.prediction_refusals,
            )
        ),
        "",
        "## " + t(msg("Predictions leaderboard")),
        "",
        t(msg("| rank | predictor | points | correct | reward |")),
        "|---:|---|---:|---:|---:|",
    ]
    for rank, name, points, correct, scored, coins in report.predictors:
        reward = f"{coins} {report.coin_name}" if coins else ""
        lines.append(f"| {rank} | {name} | {points} | {correct}/{scored} | {reward} |")
    return lines


def schedule_lines(report: DemoReport) -> list[str]:
    """What the schedule did, in the server's time zone."""
    zone = ZoneInfo(TIMEZONE)
    language = report.language

    def local(moment: datetime) -> str:
        return moment.astimezone(zone).strftime("%H:%M")

    def t(text: Message) -> str:
        return "- " + render(text, REFERENCE, catalogue(language), babel_locale(language))

    lines = []
    if report.first_round_at is not None:
        lines.append(
            t(
                msg(
                    "Schedule: round 1 at {time} ({zone}), then a round every {minutes} "
                    "minutes; {reminders} match reminders sent",
                    time=local(report.first_round_at),
                    zone=TIMEZONE,
                    minutes=report.round_minutes,
                    reminders=report.reminders,
                )
            )
        )
    for code, old, new in report.reschedules:
        lines.append(
            t(
                msg(
                    "Rescheduled by agreement: match {code} moved from {old} to {new} "
                    "(proposed by one side, accepted by the other)",
                    code=code,
                    old=local(old),
                    new=local(new),
                )
            )
        )
    for code in report.overdue:
        lines.append(
            t(
                msg(
                    "Overdue result: match {code} was not reported in time; the organizers "
                    "were told and set the score",
                    code=code,
                )
            )
        )
    return lines


def _name(index: int) -> str:
    return NAMES[index] if index < len(NAMES) else f"Player {index + 1}"


def _ascii(text: str) -> str:
    kept = "".join(c for c in text if c.isascii() and (c.isalnum() or c in "-_"))
    return kept[:20]


def _expected_matches(fmt: str, entrants: int) -> int:
    """For the progress bar only: each format's ``FormatSpec.expected_matches``."""
    return format_spec(fmt).expected_matches(entrants)


async def run_demo(
    *,
    players: int = 16,
    fmt: str = "double_elim",
    out_dir: Path = Path("demo-out"),
    seed: int = 2026,
    progress: Progress | None = None,
    public_url: str = "http://127.0.0.1:8080",
    keep_open: Callable[[Services], object] | None = None,
    language: str = SOURCE_LANGUAGE,
) -> DemoReport:
    """Run the whole demo; ``keep_open`` is awaited with the services before closing
    the database (``--serve`` uses it to serve the dashboard). ``language`` is the demo
    server's (``"bn"``: everything it writes is Bangla)."""
    if players < 4:
        raise ValueError("the demo needs at least 4 players")
    await asyncio.to_thread(out_dir.mkdir, parents=True, exist_ok=True)
    db = await _fresh_database(out_dir)
    # On the hour: two runs with one seed a few seconds apart write the same times (the
    # summary's schedule), unless an hour turns between them.
    clock = FrozenClock(datetime.now(UTC).replace(minute=0, second=0, microsecond=0))
    # One seeded source of chance: the same --seed gives the same bracket, slugs and codes.
    services = Services(
        db,
        clock,
        data_dir=out_dir / "data",
        public_url=public_url,
        randomness=random.Random(seed),
    )
    try:
        demo = Demo(services, clock, players, fmt, progress or Progress(), seed, language)
        report = await demo.set_up(out_dir)
        await demo.register_and_pay()
        await demo.check_in_and_start()
        await demo.play()
        await demo.claim_challenge()
        await demo.write_outputs()
        if keep_open is not None:
            await keep_open(services)  # type: ignore[misc]
        return report
    finally:
        await db.dispose()
