"""Awards on Discord: badges and certificates when a tournament completes, with a
progress message in the announcement channel, certificates DMed to every recipient,
and a DM when a certificate is revoked.

Generating and DMing dozens of certificates takes longer than one outbox delivery may,
and must not hold up other events, so the handler awards badges (quick, idempotent),
then starts the certificate run as a background task. The run is safe to repeat: issuing
is idempotent, a DM is claimed before it is sent and recorded after, and the progress
message is recorded and edited rather than re-posted. After a crash an organizer resumes
it with /certificates generate.
"""

from __future__ import annotations

import asyncio
import contextvars
import io
import logging
import time
from collections.abc import Iterable

import discord

import bot.notify.bracket  # (registers the podium first: certificates follow it)
from bot.notifier import Notifier, on
from cogs._safe import user_text
from cogs._text import ENGLISH, Words
from engine.awards import (
    BadgeAwarded,
    BadgeView,
    CertificateGenerationRequested,
    CertificateRevoked,
    CertificateView,
    PlannedCertificate,
    PrizePaid,
)
from engine.brackets import TournamentCompleted
from engine.kernel.text import Command, Message, msg, nmsg

log = logging.getLogger(__name__)

EDIT_EVERY_SECONDS = 2.0  # Discord rate-limits message edits; the last one always goes out
_runs: dict[int, asyncio.Task[None]] = {}
_EMOJI = {
    "champion": "🏆",
    "runner_up": "🥈",
    "third_place": "🥉",
    "participant": "🎟️",
    "mvp": "⭐",
}


@on(TournamentCompleted)
async def tournament_completed(notifier: Notifier, event: TournamentCompleted) -> None:
    await notifier.services.badges.award_for_tournament(event.tournament_id)
    organizer = await notifier.guild_name(event.guild_id) or "DeltaCrown"
    start_certificate_run(notifier, event.guild_id, event.tournament_id, organizer)


@on(CertificateGenerationRequested)
async def generation_requested(notifier: Notifier, event: CertificateGenerationRequested) -> None:
    start_certificate_run(notifier, event.guild_id, event.tournament_id, event.organizer_name)


@on(CertificateRevoked)
async def certificate_revoked(notifier: Notifier, event: CertificateRevoked) -> None:
    where = await notifier.where_clause(event.guild_id)
    for user_id in event.user_ids:
        await notifier.dm(
            user_id,
            msg(
                "⛔ Your certificate `{code}` ({name}){where} was revoked by the organizers.\n"
                "Reason: {reason}\nVerification now shows it as revoked.",
                code=Message.literal(event.code),
                name=event.recipient_name,
                where=where,
                reason=event.reason,
            ),
            guild_id=event.guild_id,
        )


BADGES_EMOJI = "🏅"
MESSAGE_LIMIT = 2000


@on(BadgeAwarded)
async def badge_awarded(notifier: Notifier, event: BadgeAwarded) -> None:
    """Keep the badge line of the tournament's podium message current, and DM the player
    once per tournament about every badge they earned in it.

    The line is rebuilt from every award of the tournament each time, so the order in
    which the awards' events arrive, or a repeated one, leaves the same line. The DM goes
    out with the player's first award only, and not to the players who get a certificate:
    its DM already lists their badges."""
    services = notifier.services
    awards = await services.badges.awards_in_tournament(event.tournament_id)
    await _refresh_badge_line(notifier, event.guild_id, event.tournament_id, awards)
    mine = [badge for badge, user_id in awards if user_id == event.user_id]
    if not mine or mine[0].id != event.badge_id:
        return  # another award of this player carries the DM
    planned = await services.certificates.planned(event.tournament_id)
    if any(event.user_id in p.recipients for p in planned):
        return
    tournament = await services.tournaments.get(event.tournament_id)
    # Badge names are the server's own words (or the built-in ones), shown as data.
    names = Message.literal(", ".join(f"{b.emoji} **{user_text(b.name)}**" for b in mine))
    await notifier.dm(
        event.user_id,
        msg(
            "🏅 You earned {badges} in **{tournament}**{where}! See your badges and the next "
            "ones with {stats}.",
            badges=names,
            tournament=tournament.name,
            where=await notifier.where_clause(event.guild_id),
            stats=Command("stats player"),
        ),
        guild_id=event.guild_id,
    )


def badge_line(awards: list[tuple[BadgeView, int]], words: Words = ENGLISH) -> str:
    holders: dict[int, list[int]] = {}
    badges: dict[int, BadgeView] = {}
    for badge, user_id in awards:
        if badge.condition == "participated_n" and (badge.threshold or 1) <= 1:
            continue  # everyone's first tournament: a DM, not a headline
        badges[badge.id] = badge
        holders.setdefault(badge.id, []).append(user_id)
    parts = [
        f"{badges[bid].emoji} {user_text(badges[bid].name)}: "
        + ", ".join(f"<@{uid}>" for uid in dict.fromkeys(users))
        for bid, users in holders.items()
    ]
    # The medal leads the line in every language: a refresh finds the line by it.
    head = words(msg("**Badges earned:**"))
    return f"{BADGES_EMOJI} {head} " + " · ".join(parts) if parts else ""


async def _refresh_badge_line(
    notifier: Notifier,
    guild_id: int | None,
    tournament_id: int,
    awards: list[tuple[BadgeView, int]],
) -> None:
    live = await notifier.services.pictures.live_message(tournament_id)
    if live is None:
        return
    channel = await notifier.channel(live.channel_id)
    try:
        message = await channel.fetch_message(live.message_id)
    except discord.NotFound:
        return
    if not message.content.startswith(bot.notify.bracket.PODIUM_MARK):
        return  # not the podium (yet): nothing to add a line to
    line = badge_line(awards, await notifier.public_words(guild_id))
    kept = [ln for ln in message.content.split("\n") if not ln.startswith(BADGES_EMOJI)]
    content = "\n".join([*kept, line] if line else kept)
    if content != message.content and len(content) <= MESSAGE_LIMIT:
        await message.edit(content=content, allowed_mentions=discord.AllowedMentions.none())


def start_certificate_run(
    notifier: Notifier, guild_id: int | None, tournament_id: int, organizer_name: str
) -> asyncio.Task[None]:
    """Run (or queue behind the current run) the certificates of one tournament."""
    previous = _runs.get(tournament_id)

    async def run() -> None:
        if previous is not None:
            await asyncio.gather(previous, return_exceptions=True)
        await CertificateRun(notifier, guild_id, tournament_id, organizer_name).run()

    # A fresh context: the run outlives the delivery that started it and keeps its own
    # records of what it sent, so its DMs must not be keyed as that delivery's effects.
    task = asyncio.create_task(
        run(), name=f"certificates-{tournament_id}", context=contextvars.Context()
    )
    _runs[tournament_id] = task
    task.add_done_callback(lambda t: _forget(tournament_id, t))
    return task


def _forget(tournament_id: int, task: asyncio.Task[None]) -> None:
    if _runs.get(tournament_id) is task:
        del _runs[tournament_id]


class CertificateRun:
    def __init__(
        self, notifier: Notifier, guild_id: int | None, tournament_id: int, organizer: str
    ) -> None:
        self.notifier = notifier
        self.services = notifier.services
        self.guild_id = guild_id
        self.tournament_id = tournament_id
        self.organizer = organizer
        self.message: discord.PartialMessage | discord.Message | None = None
        self.last_edit = 0.0
        self.dms_closed = 0

    async def run(self) -> None:
        done, plan = 0, []
        try:
            plan = await self.services.certificates.planned(self.tournament_id)
            if not plan:
                return
            names = await self._member_names(plan)
            await self._open_progress(len(plan))
            for item in plan:
                issued = await self.services.certificates.issue(
                    item, organizer_name=self.organizer, member_names=names
                )
                await self._deliver(issued.certificate)
                done += 1
                await self._progress(
                    msg("Generating certificates {done}/{total}…", done=done, total=len(plan))
                )
            await self._progress(self._final_text(len(plan)), force=True)
        except Exception:  # logged with the run; the message tells organizers how to resume
            log.exception("certificate run for tournament %s stopped", self.tournament_id)
            await self._progress(
                msg(
                    "⚠️ Certificate generation stopped after {done}/{total}. An organizer can "
                    "resume it with {generate}.",
                    done=done,
                    total=len(plan),
                    generate=Command("certificates generate"),
                ),
                force=True,
            )

    def _final_text(self, total: int) -> Message:
        sent = nmsg("✅ {n} certificate sent.", "✅ {n} certificates sent.", total)
        if not self.dms_closed:
            return sent
        return sent + nmsg(
            " {n} player does not accept DMs; they can get theirs with {certificate}.",
            " {n} players do not accept DMs; they can get theirs with {certificate}.",
            self.dms_closed,
            certificate=Command("certificate"),
        )

    async def _member_names(self, plan: Iterable[PlannedCertificate]) -> dict[int, str]:
        """Server nicknames from the cache; without the guild there, the names the
        certificates already know (a REST fetch per member would be slower than useful)."""
        guild = self.notifier.client.get_guild(self.guild_id) if self.guild_id else None
        if guild is None:
            if self.guild_id is not None:
                log.info("guild %s is not in this process's cache; no nicknames", self.guild_id)
            return {}
        names: dict[int, str] = {}
        for item in plan:
            for user_id in (*item.recipients, item.user_id):
                member = guild.get_member(user_id)
                if member is not None:
                    names[user_id] = member.display_name
        return names

    async def _open_progress(self, total: int) -> None:
        text = await self.notifier.public_text(
            self.guild_id, msg("Generating certificates {done}/{total}…", done=0, total=total)
        )
        recorded = await self.services.certificates.progress_message(self.tournament_id)
        if recorded is not None:
            channel = await self.notifier.channel(recorded[0])
            if isinstance(channel, discord.TextChannel | discord.Thread):
                self.message = channel.get_partial_message(recorded[1])
                try:
                    await self.message.edit(content=text)
                    self.last_edit = time.monotonic()
                    return
                except discord.NotFound:
                    self.message = None  # deleted by someone: post a new one
        message = await self.notifier.announce(self.guild_id, text)
        if message is not None:
            self.message = message
            self.last_edit = time.monotonic()
            await self.services.certificates.record_progress_message(
                self.tournament_id, message.channel.id, message.id
            )

    async def _progress(self, text: Message, force: bool = False) -> None:
        if self.message is None:
            return
        if not force and time.monotonic() - self.last_edit < EDIT_EVERY_SECONDS:
            return
        await self.message.edit(content=await self.notifier.public_text(self.guild_id, text))
        self.last_edit = time.monotonic()

    async def _deliver(self, certificate: CertificateView) -> None:
        if certificate.revoked_at is not None:
            return
        pending = await self.services.certificates.pending_deliveries(certificate.id)
        if not pending:
            return
        file = await self.services.certificates.certificate_file(certificate.id)
        for user_id in pending:
            if not await self.services.certificates.claim_delivery(certificate.id, user_id):
                continue  # another run has it
            delivered, error = await self._dm(user_id, certificate, file.data)
            await self.services.certificates.finish_delivery(
                certificate.id, user_id, delivered=delivered, error=error
            )

    async def _dm(
        self, user_id: int, certificate: CertificateView, data: bytes
    ) -> tuple[bool, str | None]:
        badges = await self.services.badges.awarded_in(certificate.tournament_id, user_id)
        text = certificate_dm_text(certificate, await self.notifier.guild_name(self.guild_id))
        if badges:
            text += msg(
                "\nBadges earned: {badges}.",
                badges=Message.literal(", ".join(b.label for b in badges)),
            )
        try:
            sent = await self.notifier.dm(
                user_id,
                text,
                guild_id=self.guild_id,
                file=discord.File(io.BytesIO(data), filename=certificate.filename),
            )
        except discord.HTTPException as error:
            return False, f"{type(error).__name__}: {error}"
        if not sent:
            self.dms_closed += 1
            return False, "does not accept direct messages"
        return True, None


def certificate_dm_text(certificate: CertificateView, guild_name: str | None) -> Message:
    where: Message | str = msg(" on **{server}**", server=guild_name) if guild_name else ""
    return msg(
        "{emoji} Your **{placement}** certificate for **{tournament}**{where} is attached. "
        "Anyone can check it at {url} (code `{code}`).",
        emoji=Message.literal(_EMOJI.get(certificate.kind, "📜")),
        # The placement words are the certificate's own (engine/awards/certificate_words.py).
        placement=Message(certificate.label),
        tournament=certificate.tournament_name,
        where=where,
        url=Message.literal(certificate.verification_url),
        code=Message.literal(certificate.code),
    )


@on(PrizePaid)
async def prize_paid(notifier: Notifier, event: PrizePaid) -> None:
    """Every member of the winning entry hears that the money was sent, and how."""
    for user_id in event.user_ids:
        await notifier.dm(
            user_id,
            msg(
                "💸 Your prize for place #{place} in **{tournament}**{where} ({amount}) was paid "
                "by {method}, reference `{reference}`. If it has not arrived, reply to an "
                "organizer with that reference.",
                place=event.place,
                tournament=event.tournament_name,
                where=await notifier.where_clause(event.guild_id),
                amount=event.amount_text,
                method=event.method,
                reference=event.reference,
            ),
            guild_id=event.guild_id,
        )
