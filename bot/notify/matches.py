"""Match threads and dispute threads: created from events, fed with reports and results.

Delivery is at-least-once. A thread is created only when the service has none recorded
for the match/dispute, and it is recorded right after creation (``record_thread``), so a
re-delivered MatchReady or DisputeOpened finds it and does nothing; a retry of the same
delivery continues in the thread it made. Every message goes through ``notifier.send``
(keyed, with a nonce), so a retry after a crash never posts it twice. Nothing here reads
the guild from the cache: the bot's own messages are recognised by the bot's user id.

Buttons are rendered here with the agreed custom ids (``dc:match:<id>:checkin|report|
dispute``, ``dc:report:<id>:confirm|reject``); the owning cogs register ``DynamicItem``s
that answer the clicks, so the views sent here are stopped before sending and never
stored by discord.py.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Literal

import discord

from bot.notifier import Notifier, on
from cogs._safe import pings
from cogs._text import ENGLISH, Words, match_title, moment
from engine.brackets import (
    MatchCompleted,
    MatchReady,
    MatchReset,
    MatchState,
    round_title_text,
)
from engine.kernel.text import N_, Channel, Command, Message, User, msg, nmsg
from engine.matchday import (
    DISPUTE_REASONS,
    DisputeDetail,
    DisputeEscalated,
    DisputeEvidenceAdded,
    DisputeOpened,
    DisputeResolved,
    MatchLobby,
    ScoreMismatch,
    ScoreReported,
    score_text,
)

log = logging.getLogger(__name__)

# Three days: long enough for a slow match or dispute.
THREAD_ARCHIVE_MINUTES: Literal[60, 1440, 4320, 10080] = 4320
PLAYABLE = {MatchState.CHECKIN, MatchState.READY, MatchState.LIVE, MatchState.PENDING_RESULT}
ButtonSpec = tuple[Message | str, str, discord.ButtonStyle]


def rendered_buttons(*specs: ButtonSpec, words: Words = ENGLISH) -> discord.ui.View:
    """Buttons drawn on a message, labelled by ``words`` (the language of whoever reads
    the message); the clicks are answered by the cogs' DynamicItems."""
    view = discord.ui.View(timeout=None)
    for label, custom_id, style in specs:
        view.add_item(discord.ui.Button(label=words(label), custom_id=custom_id, style=style))
    view.stop()  # a stopped view is sent but never stored, so no second dispatch
    return view


def _mentions(user_ids: tuple[int, ...] | list[int]) -> Message:
    return Message.literal(" ".join(f"<@{u}>" for u in user_ids))


def _timestamp(at: datetime | str | None) -> Message | None:
    if at is None:
        return None
    when = datetime.fromisoformat(at) if isinstance(at, str) else at
    return moment(when, "t")


async def _thread(notifier: Notifier, thread_id: int | None) -> discord.Thread | None:
    """The thread, or None when it was deleted (the message then has nowhere to go)."""
    if thread_id is None:
        return None
    try:
        channel = notifier.client.get_channel(thread_id) or await notifier.client.fetch_channel(
            thread_id
        )
    except (discord.NotFound, discord.Forbidden):
        log.info("thread %s is gone or hidden; skipping its message", thread_id)
        return None
    return channel if isinstance(channel, discord.Thread) else None


async def _parent(notifier: Notifier, guild_id: int, *preferred: str) -> discord.TextChannel | None:
    settings = await notifier.services.guilds.get_settings(guild_id)
    if settings is None:
        return None
    for name in preferred:
        channel_id = getattr(settings, name)
        if channel_id:
            channel = await notifier.channel(channel_id)
            if isinstance(channel, discord.TextChannel):
                return channel
    return None


async def _open_thread(
    notifier: Notifier, parent: discord.TextChannel, name: str
) -> discord.Thread:
    return await notifier.open_thread(
        parent,
        name[:100],
        type=discord.ChannelType.private_thread,
        invitable=False,
        auto_archive_duration=THREAD_ARCHIVE_MINUTES,
    )


async def _add_members(thread: discord.Thread, member_ids: tuple[int, ...]) -> None:
    for user_id in dict.fromkeys(member_ids):
        try:
            await thread.add_user(discord.Object(id=user_id))
        except discord.HTTPException:
            # They left the server; the others still get the thread.
            log.info("could not add user %s to thread %s", user_id, thread.id)


async def _close(
    notifier: Notifier, thread: discord.Thread, *, clear_buttons: bool = False
) -> None:
    """Lock and archive; with ``clear_buttons`` the bot's buttons go first, so nobody
    clicks Report or Confirm in a finished match. The bot is known by its user id, not by
    ``thread.guild.me``: the guild need not be in this process's cache."""
    me = notifier.client.user
    if clear_buttons and me is not None:
        async for message in thread.history(limit=100):
            if message.author.id == me.id and message.components:
                await message.edit(view=None)
    await thread.edit(archived=True, locked=True)


async def _post_reopened(
    notifier: Notifier, thread: discord.Thread, content: str, **kwargs: Any
) -> None:
    """Post into a thread that may be archived and locked (the caller closes it again)."""
    if thread.archived or thread.locked:
        await thread.edit(archived=False, locked=False)
    await notifier.send(thread, content, **kwargs)


# --- match threads ----------------------------------------------------------------------


def lobby_embed(
    lobby: MatchLobby, checkin_deadline: str | None, words: Words = ENGLISH
) -> discord.Embed:
    match = lobby.match
    embed = discord.Embed(
        title=words(match_title(match.round_title, match.code))[:256],
        description=words(
            msg("**{first}** vs **{second}**", first=lobby.name(0), second=lobby.name(1))
        ),
        colour=discord.Colour.gold(),
    )
    embed.add_field(name=words(msg("Format")), value=words(msg("Best of {n}", n=match.best_of)))
    if match.scheduled_at is not None:
        embed.add_field(
            name=words(msg("Starts")),
            value=words(moment(match.scheduled_at)),
        )
    deadline = _timestamp(checkin_deadline)
    if deadline:
        embed.add_field(name=words(msg("Check in by")), value=words(deadline))
    embed.add_field(
        name=words(msg("How to report")),
        value=words(
            msg(
                "When the match is over, one side presses **Report score** (or uses "
                "{report}) and the other side confirms. If something went wrong, press "
                "**Open dispute**.",
                report=Command("report"),
            )
        ),
        inline=False,
    )
    embed.set_footer(text=lobby.tournament_name)  # footers render no markdown or mentions
    return embed


def lobby_buttons(lobby: MatchLobby, words: Words = ENGLISH) -> discord.ui.View:
    match_id = lobby.match.id
    specs: list[ButtonSpec] = []
    if lobby.match.status == MatchState.CHECKIN:
        specs.append((msg("Check in"), f"dc:match:{match_id}:checkin", discord.ButtonStyle.success))
    specs.append((msg("Report score"), f"dc:match:{match_id}:report", discord.ButtonStyle.primary))
    specs.append(
        (msg("Open dispute"), f"dc:match:{match_id}:dispute", discord.ButtonStyle.secondary)
    )
    if lobby.match.status in (MatchState.CHECKIN, MatchState.READY):
        specs.append(
            (msg("Reschedule"), f"dc:match:{match_id}:reschedule", discord.ButtonStyle.secondary)
        )
    specs.append(
        (msg("Lobby details"), f"dc:match:{match_id}:lobby", discord.ButtonStyle.secondary)
    )
    return rendered_buttons(*specs, words=words)


def _title(lobby: MatchLobby) -> Message:
    """``W1-2 · Alpha vs Beta`` for a thread name (names unescaped: thread names show no
    markdown)."""
    return msg(
        "{code} · {first} vs {second}",
        code=lobby.match.code,
        first=Message.literal(lobby.name(0)),
        second=Message.literal(lobby.name(1)),
    )


async def thread_name(notifier: Notifier, guild_id: int | None, lobby: MatchLobby) -> str:
    return (await notifier.public_words(guild_id))(_title(lobby))


@on(MatchReady)
async def open_match_thread(notifier: Notifier, event: MatchReady) -> None:
    scores = notifier.services.scores
    lobby = await scores.lobby(event.match_id)
    if lobby.match.status not in PLAYABLE or event.guild_id is None:
        return  # the match moved on before we got here
    if lobby.match.thread_id is not None:
        if not notifier.retrying:
            return  # re-delivered: the thread is there
        thread = await _thread(notifier, lobby.match.thread_id)  # finish what we started
    else:
        parent = await _parent(
            notifier, event.guild_id, "match_channel_id", "announcement_channel_id"
        )
        if parent is None:
            return
        thread = await _open_thread(
            notifier, parent, await thread_name(notifier, event.guild_id, lobby)
        )
        if not await scores.record_thread(lobby.match.id, thread.id):
            await thread.delete()  # another delivery won the race and recorded its thread
            return
    if thread is None:
        return
    await _add_members(thread, lobby.member_ids)
    words = await notifier.public_words(event.guild_id)
    await notifier.send(
        thread,
        words(msg("{who} your match is ready. Good luck!", who=_mentions(lobby.member_ids))),
        embed=lobby_embed(lobby, event.checkin_deadline, words),
        view=lobby_buttons(lobby, words),
        allowed_mentions=pings(users=lobby.member_ids),
    )


@on(ScoreReported)
async def ask_for_confirmation(notifier: Notifier, event: ScoreReported) -> None:
    if event.awaiting_registration_id is None:
        return  # the report decided the match or put it in dispute; those post their own
    thread = await _thread(notifier, event.thread_id)
    if thread is None:
        return
    lobby = await notifier.services.scores.lobby(event.match_id)
    waiting = next(
        (s for s in lobby.sides if s and s.registration_id == event.awaiting_registration_id),
        None,
    )
    if waiting is None or lobby.match.status != MatchState.PENDING_RESULT:
        return  # the match was decided or re-paired before this was delivered
    shot: Message | str = msg(" (with a screenshot)") if event.has_screenshot else ""
    words = await notifier.public_words(event.guild_id)
    await notifier.send(
        thread,
        words(
            msg(
                "📝 {reporter} reported **{first} {score} {second}**{shot}.\n{waiting}, is "
                "that right? Confirm it, or reject it to open a dispute.",
                reporter=User(event.reporter_id),
                first=lobby.name(0),
                score=score_text(*event.scores),
                second=lobby.name(1),
                shot=shot,
                waiting=_mentions(waiting.member_ids),
            )
        ),
        view=rendered_buttons(
            (msg("Confirm"), f"dc:report:{event.report_id}:confirm", discord.ButtonStyle.success),
            (msg("Reject"), f"dc:report:{event.report_id}:reject", discord.ButtonStyle.danger),
            words=words,
        ),
        allowed_mentions=pings(users=waiting.member_ids),
    )


@on(ScoreMismatch)
async def reports_differ(notifier: Notifier, event: ScoreMismatch) -> None:
    thread = await _thread(notifier, event.thread_id)
    if thread is None:
        return
    lobby = await notifier.services.scores.lobby(event.match_id)
    said = [
        msg(
            "{reporter} says {score}",
            reporter=User(r["reporter_id"]),
            score=score_text(*r["scores"]),
        )
        for r in event.reports
    ]
    words = await notifier.public_words(event.guild_id)
    await notifier.send(
        thread,
        words(
            msg(
                "⚠️ The reports differ: {said} (as {first}–{second}). The match is on hold "
                "until an organizer decides in the dispute thread.",
                said=Message("{head}; {tail}", {"head": said[0], "tail": said[1]})
                if len(said) == 2
                else said,
                first=lobby.name(0),
                second=lobby.name(1),
            )
        ),
    )


def result_line(lobby: MatchLobby, event: MatchCompleted) -> Message:
    names = {s.registration_id: s.name for s in lobby.sides if s}
    first, second = lobby.name(0), lobby.name(1)
    winner = names.get(event.winner_registration_id or 0) or msg("Nobody")
    loser = names.get(event.loser_registration_id or 0) or msg("their opponent")
    score = score_text(*event.scores) if event.scores else score_text(None, None)
    if event.outcome == "draw":
        return msg(
            "🤝 **{first} {score} {second}**: a draw.", first=first, score=score, second=second
        )
    if event.outcome == "forfeit":
        return msg(
            "🏳️ **{loser}** forfeits; **{winner}** wins match {code}.",
            loser=loser,
            winner=winner,
            code=event.code,
        )
    if event.outcome == "disqualification":
        return msg(
            "⛔ **{loser}** was disqualified; **{winner}** wins match {code}.",
            loser=loser,
            winner=winner,
            code=event.code,
        )
    if event.outcome == "walkover":
        return msg(
            "**{winner}** goes through match {code} without playing.",
            winner=winner,
            code=event.code,
        )
    return msg(
        "🏁 Final: **{first} {score} {second}**. **{winner}** wins {code}!",
        first=first,
        score=score,
        second=second,
        winner=winner,
        code=event.code,
    )


async def reset_follows(notifier: Notifier, event: MatchCompleted) -> bool:
    """A first grand final won by the lower-bracket finalist adds the reset match (GF2)."""
    if not event.code.endswith("GF1"):
        return False
    reset_code = event.code[:-1] + "2"
    matches = await notifier.services.brackets.matches(event.tournament_id)
    return any(m.code == reset_code for m in matches)


RESET_NOTE = N_(" Both finalists now have one loss, so a reset match decides the title.")


@on(MatchCompleted)
async def post_result(notifier: Notifier, event: MatchCompleted) -> None:
    lobby = await notifier.services.scores.lobby(event.match_id)
    thread = await _thread(notifier, lobby.match.thread_id)
    if thread is None:
        return
    note: Message | str = Message(RESET_NOTE) if await reset_follows(notifier, event) else ""
    text = result_line(lobby, event) + note + msg(" This thread is now closed; good games!")
    await _post_reopened(notifier, thread, await notifier.public_text(event.guild_id, text))
    await _close(notifier, thread, clear_buttons=True)


@on(MatchReset)
async def match_reset(notifier: Notifier, event: MatchReset) -> None:
    # The reset cleared the match's thread id in its own transaction, so a new pairing's
    # MatchReady (delivered after this) never mistakes the old thread for its own.
    thread = await _thread(notifier, event.thread_id)
    if thread is None:
        return
    text = msg(
        "↩️ Match {code} was reset because an earlier result was corrected. A new thread "
        "opens when it is ready to play again.",
        code=event.code,
    )
    await _post_reopened(notifier, thread, await notifier.public_text(event.guild_id, text))
    await _close(notifier, thread, clear_buttons=True)


# --- dispute threads --------------------------------------------------------------------


def dispute_reason(key: str) -> Message:
    label = DISPUTE_REASONS.get(key)
    return Message(label) if label is not None else Message.literal(key)


def dispute_embed(detail: DisputeDetail, words: Words = ENGLISH) -> discord.Embed:
    dispute, lobby = detail.dispute, detail.lobby
    opener = (
        msg("DeltaCrown (the reports differ)")
        if dispute.opened_by == 0
        else User(dispute.opened_by)
    )
    embed = discord.Embed(
        title=words(
            msg(
                "Dispute #{dispute} · {round} · {code}",
                dispute=dispute.id,
                round=round_title_text(lobby.match.round_title),
                code=lobby.match.code,
            )
        )[:256],
        description=words(
            msg(
                "**{first}** vs **{second}**\n\n{description}",
                first=lobby.name(0),
                second=lobby.name(1),
                description=dispute.description[:1500],
            )
        ),
        colour=discord.Colour.red(),
    )
    embed.add_field(name=words(msg("Reason")), value=words(dispute_reason(dispute.reason)))
    embed.add_field(name=words(msg("Opened by")), value=words(opener))
    names = {s.registration_id: s.name for s in lobby.sides if s}
    reports = "\n".join(
        words(
            msg(
                "{side}: {score} (by {reporter}{shot})",
                side=names.get(r.registration_id, "?"),
                score=score_text(r.score_a, r.score_b),
                reporter=User(r.reporter_id),
                shot=msg(", screenshot") if r.screenshot_sha256 else "",
            )
        )
        for r in detail.reports
    )
    embed.add_field(
        name=words(msg("Reports")), value=reports[:1024] or words(msg("None yet")), inline=False
    )
    embed.add_field(
        name=words(msg("Evidence")),
        value=words(nmsg("{n} item so far", "{n} items so far", len(detail.evidence))),
        inline=False,
    )
    embed.set_footer(
        text=words(
            msg(
                "Players: post screenshots or links here; they are recorded as evidence. "
                "Organizers: /dispute resolve or /dispute escalate."
            )
        )
    )
    return embed


MAX_ORGANIZERS_ADDED = 25  # a thread with the whole staff is noise; the role is pinged too


async def _organizer_role(notifier: Notifier, guild_id: int) -> int | None:
    settings = await notifier.services.guilds.get_settings(guild_id)
    return settings.organizer_role_id if settings else None


def organizer_ids(notifier: Notifier, guild_id: int, role_id: int | None) -> tuple[int, ...]:
    """Members with the organizer role: a private thread is visible only to its members
    (and Manage Threads holders), and organizers must see the evidence and resolve there."""
    guild = notifier.client.get_guild(guild_id)
    role = guild.get_role(role_id) if guild is not None and role_id else None
    if role is None:
        return ()
    return tuple(m.id for m in role.members if not m.bot)[:MAX_ORGANIZERS_ADDED]


@on(DisputeOpened)
async def open_dispute_thread(notifier: Notifier, event: DisputeOpened) -> None:
    disputes = notifier.services.disputes
    detail = await disputes.detail(event.dispute_id)
    if event.guild_id is None:
        return
    if detail.dispute.thread_id is not None:
        if not notifier.retrying:
            return  # re-delivered: the thread is there
        thread = await _thread(notifier, detail.dispute.thread_id)  # finish what we started
    else:
        thread = await _new_dispute_thread(notifier, event, detail)
    if thread is None:
        return
    role = await _organizer_role(notifier, event.guild_id)
    members = detail.lobby.member_ids + ((event.opened_by,) if event.opened_by else ())
    members += organizer_ids(notifier, event.guild_id, role)
    await _add_members(thread, members)
    words = await notifier.public_words(event.guild_id)
    players = _mentions(detail.lobby.member_ids)
    await notifier.send(
        thread,
        words(
            msg(
                "{role} a dispute needs an organizer. {players}",
                role=Message.literal(f"<@&{role}>"),
                players=players,
            )
            if role
            else players
        ),
        embed=dispute_embed(detail, words),
        allowed_mentions=pings(users=detail.lobby.member_ids, role_id=role),
    )
    match_thread = await _thread(notifier, event.match_thread_id)
    if match_thread is not None:
        text = msg(
            "⚖️ Dispute #{dispute} is open ({reason}). An organizer decides in {thread}; post "
            "your evidence there.",
            dispute=event.dispute_id,
            reason=dispute_reason(event.reason),
            thread=Channel(thread.id),
        )
        await notifier.send(match_thread, words(text))


async def _new_dispute_thread(
    notifier: Notifier, event: DisputeOpened, detail: DisputeDetail
) -> discord.Thread | None:
    """Open and record the dispute's thread; None when there is nowhere to open it or
    another delivery recorded its own first."""
    assert event.guild_id is not None
    parent = await _parent(
        notifier,
        event.guild_id,
        "dispute_channel_id",
        "match_channel_id",
        "announcement_channel_id",
    )
    if parent is None:
        return None
    words = await notifier.public_words(event.guild_id)
    name = words(
        msg(
            "Dispute #{dispute} · {match}",
            dispute=event.dispute_id,
            match=_title(detail.lobby),
        )
    )
    thread = await _open_thread(notifier, parent, name)
    if not await notifier.services.disputes.record_thread(event.dispute_id, thread.id):
        await thread.delete()
        return None
    return thread


@on(DisputeEvidenceAdded)
async def evidence_recorded(notifier: Notifier, event: DisputeEvidenceAdded) -> None:
    thread = await _thread(notifier, event.thread_id)
    if thread is None or event.source_message_id is None:
        return
    try:
        await thread.get_partial_message(event.source_message_id).add_reaction("📎")
    except discord.NotFound:
        log.info("evidence message %s was deleted before it was marked", event.source_message_id)


@on(DisputeEscalated)
async def dispute_escalated(notifier: Notifier, event: DisputeEscalated) -> None:
    thread = await _thread(notifier, event.thread_id)
    if thread is None or event.guild_id is None:
        return
    settings = await notifier.services.guilds.get_settings(event.guild_id)
    guild = await notifier.guild(event.guild_id)  # the owner ping needs only owner_id
    who = []
    if settings and settings.organizer_role_id:
        who.append(f"<@&{settings.organizer_role_id}>")
    if guild is not None and guild.owner_id:
        who.append(f"<@{guild.owner_id}>")
        await _add_members(thread, (guild.owner_id,))  # pinged below: they must see it
    text = msg(
        "🚨 {actor} escalated dispute #{dispute}: {note}\n{who} please take a look.",
        actor=User(event.actor_id),
        dispute=event.dispute_id,
        note=event.note,
        who=Message.literal(" ".join(who)),
    )
    await notifier.send(
        thread,
        await notifier.public_text(event.guild_id, text),
        allowed_mentions=pings(
            users=[guild.owner_id] if guild is not None and guild.owner_id else [],
            role_id=settings.organizer_role_id if settings else None,
        ),
    )


@on(DisputeResolved)
async def dispute_resolved(notifier: Notifier, event: DisputeResolved) -> None:
    thread = await _thread(notifier, event.thread_id)
    if thread is None:
        return
    text = msg(
        "✅ Dispute #{dispute} resolved by {organizer}: {resolution}\nMatch {code} is final "
        "and the bracket has moved on. This thread is now closed.",
        dispute=event.dispute_id,
        organizer=User(event.resolved_by),
        resolution=event.resolution,
        code=event.code,
    )
    await _post_reopened(notifier, thread, await notifier.public_text(event.guild_id, text))
    await _close(notifier, thread)
