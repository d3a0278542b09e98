"""Builders for the match-day end-to-end tests: a server set up, an event created, filled
and started, and a driver that plays every open match through the fake Discord — all by
slash commands, buttons and modals, the way members and organizers do it.

The driver decides every played match by a fixed strength order (the entry with the lower
rank wins), so the champion of any format is known in advance: rank 0. Incidents (a
no-show, a disputed score, an organizer override) are applied to the n-th match the driver
visits and always favour the stronger side too, so they never change who wins.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update

from cogs._safe import user_text
from engine.brackets import MatchState, MatchView
from engine.services import Services
from storage.models import Placing, Timer
from testkit.fakediscord import Channel, InteractionRecord, Member, Message
from tests.cogs.conftest import Arena

OPEN = [MatchState.CHECKIN.value, MatchState.READY.value, MatchState.LIVE.value]
MAX_VISITS = 64  # more visits than any 8-entry bracket has matches: the bracket is stuck


async def text_of(record: InteractionRecord) -> tuple[bool, str]:
    """(ephemeral, content + embeds) of the bot's answer, also when it deferred first."""
    answer = await record.answer()
    return answer.ephemeral, answer.content + str(answer.embeds)


async def run(
    arena: Arena, user: Member, command: str, options: dict, *, channel: Channel | None = None
) -> str:
    """Send a slash command and return the bot's (private) answer."""
    record = await arena.env.fake.slash(
        user, command, options, guild=arena.guild, channel=channel or arena.announcements
    )
    hidden, text = await text_of(await record.response())
    assert hidden, f"/{command} answered publicly: {text}"
    return text


async def more_players(arena: Arena, count: int) -> list[Member]:
    """The arena's two players plus enough new members to make ``count``."""
    extra = [
        await arena.env.fake.add_member(arena.guild, f"player{i}")
        for i in range(len(arena.players) + 1, count + 1)
    ]
    return [*arena.players, *extra]


# --- organizer setup ---------------------------------------------------------------------


async def set_up_server(arena: Arena) -> None:
    saved = await run(
        arena,
        arena.owner,
        "setup",
        {
            "organizer_role": arena.organizer_role_id,
            "announcement_channel": arena.announcements.id,
            "match_channel": arena.matches.id,
            "dispute_channel": arena.disputes.id,
            "timezone": "UTC",
        },
    )
    assert "Server settings saved" in saved, saved


async def add_game(arena: Arena, name: str, team_size: int) -> int:
    added = await run(
        arena,
        arena.organizer,
        "game add",
        {
            "name": name,
            "team_size": str(team_size),
            "result_type": "best_of",
            "ingame_id_label": "Riot ID",
        },
    )
    assert f"Added {name}" in added, added
    games = await arena.env.services.games.list_games(arena.guild.id)
    return next(g.id for g in games if g.name == name)


async def create_event(
    arena: Arena,
    game_id: int,
    name: str,
    *,
    edits: dict[str, str] | None = None,
    **options: object,
) -> int:
    """/tournament create (+ /tournament edit of ``edits``) → publish → open."""
    starts = (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%d %H:%M")
    created = await run(
        arena,
        arena.organizer,
        "tournament create",
        {"name": name, "game": str(game_id), "starts_at": starts, **options},
    )
    assert f"Created {name}" in created, created
    [view] = await arena.env.services.tournaments.search(arena.guild.id, name)
    tid = str(view.id)
    for field_name, value in (edits or {}).items():
        edited = await run(
            arena,
            arena.organizer,
            "tournament edit",
            {"tournament": tid, "field": field_name, "value": value},
        )
        assert "Saved" in edited and field_name in edited, edited
    assert "published" in await run(
        arena, arena.organizer, "tournament publish", {"tournament": tid}
    )
    assert "is open" in await run(arena, arena.organizer, "tournament open", {"tournament": tid})
    return view.id


async def set_ingame_id(arena: Arena, game_id: int, member: Member) -> None:
    ingame = f"{member.user.username}#EU"
    saved = await run(arena, member, "profile set", {"game": str(game_id), "ingame_id": ingame})
    assert ingame in saved, saved


async def enter_players(arena: Arena, tid: int, game_id: int, players: list[Member]) -> list[int]:
    """Each player saves an in-game id and registers; their registration ids, in order."""
    registrations = []
    for member in players:
        await set_ingame_id(arena, game_id, member)
        entered = await run(arena, member, "register", {"tournament": str(tid)})
        assert "Registered:" in entered, entered
        view = await arena.env.services.registration.registration_for(tid, member.id)
        assert view is not None
        registrations.append(view.id)
    return registrations


async def enter_team(
    arena: Arena, tid: int, game_id: int, name: str, tag: str, roster: list[Member]
) -> int:
    """/team create, /team invite, the mate's Accept button in the DM, everyone's in-game id,
    and the captain's /register; the team's registration id."""
    fake, services = arena.env.fake, arena.env.services
    captain, mate = roster
    created = await run(arena, captain, "team create", {"name": name, "tag": tag})
    assert "created" in created, created
    [team] = await services.teams.teams_of(arena.guild.id, captain.id)
    invited = await run(arena, captain, "team invite", {"team": str(team.id), "member": mate.id})
    assert "Invite sent" in invited, invited
    inbox = fake.dm_channel(mate).id
    dm = await fake.wait_for_message(
        lambda m: m.channel_id == inbox and any(c.endswith(":accept") for c in m.custom_ids())
    )
    accept = next(c for c in dm.custom_ids() if c.endswith(":accept"))
    joined = await (await fake.click(mate, dm, accept)).answer()
    assert "You joined" in joined.content, joined.content
    for member in roster:
        await set_ingame_id(arena, game_id, member)
    entered = await run(arena, captain, "register", {"tournament": str(tid), "team": str(team.id)})
    assert "Registered:" in entered, entered
    view = await services.registration.registration_for(tid, mate.id)
    assert view is not None and view.team_id == team.id
    return view.id


async def close_and_start(arena: Arena, tid: int) -> None:
    closed = await run(arena, arena.organizer, "tournament close", {"tournament": str(tid)})
    assert "is closed" in closed, closed
    started = await run(arena, arena.organizer, "tournament start", {"tournament": str(tid)})
    assert "Started with" in started, started
    await arena.env.settle()


async def placings(services: Services, tid: int) -> dict[int, int]:
    """registration id → final place."""
    async with services.db.read() as session:
        rows = await session.scalars(select(Placing).where(Placing.tournament_id == tid))
        return {p.registration_id: p.place for p in rows}


async def podium(arena: Arena) -> Message:
    return await arena.env.fake.wait_for_message(
        lambda m: m.channel_id == arena.announcements.id and m.content.startswith("🏆")
    )


# --- playing ------------------------------------------------------------------------------


@dataclass
class MatchDay:
    """Plays a started tournament to the end through Discord.

    ``ranks`` orders the entries (registration id → rank, 0 = strongest); ``members`` has
    each entry's Discord members. ``incidents`` maps the n-th visited match to
    ``no_show``, ``dispute``, ``set_score`` or ``dq``; ``by_organizer`` enters every
    result with /match set-score instead of the players' reports.
    """

    arena: Arena
    tournament_id: int
    ranks: dict[int, int]
    members: dict[int, list[Member]]
    incidents: dict[int, str] = field(default_factory=dict)
    by_organizer: bool = False
    visits: int = 0
    seen: dict[str, int] = field(default_factory=dict)  # incident → match id
    dispute_thread: Channel | None = None

    @property
    def services(self) -> Services:
        return self.arena.env.services

    async def play_to_the_end(self) -> None:
        while True:
            await self.arena.env.settle()
            waiting = await self.services.brackets.matches(self.tournament_id, statuses=OPEN)
            if not waiting:
                break
            for match in waiting:
                current = await self.services.brackets.get_match(match.id)
                if current.status in OPEN:  # an override may have decided it meanwhile
                    await self.play(current)
        await self.arena.env.settle()
        tournament = await self.services.tournaments.get(self.tournament_id)
        assert tournament.status == "completed", (tournament.status, self.visits)

    async def play(self, match: MatchView) -> None:
        kind = self.incidents.get(self.visits, "normal")
        self.visits += 1
        assert self.visits <= MAX_VISITS, "the bracket never finishes"
        if kind != "normal":
            self.seen[kind] = match.id
        if self.by_organizer:
            await self.set_score(match)
            return
        thread, lobby = await self.thread_of(match)
        if match.status == MatchState.CHECKIN:
            await self.check_in(match, thread, lobby, no_show=kind == "no_show")
            if kind == "no_show":
                return
        assert kind != "no_show", f"match {match.code} has no check-in to miss"
        plays: dict[str, Callable[..., Awaitable[None]]] = {
            "normal": self.report_and_confirm,
            "dispute": self.dispute,
            "set_score": self.set_score,
            "dq": self.disqualify,
        }
        await plays[kind](match, thread, lobby)

    # -- pieces ----------------------------------------------------------------------------
    def sides(self, match: MatchView) -> tuple[int, int]:
        """(stronger, weaker) registration ids."""
        a, b = match.registration_a_id, match.registration_b_id
        assert a is not None and b is not None
        return (a, b) if self.ranks[a] < self.ranks[b] else (b, a)

    def scores(self, match: MatchView) -> tuple[int, int, int, int]:
        """(winner's, loser's) games, and the same in slot order."""
        wins = match.best_of // 2 + 1
        lost = wins - 1
        stronger, _ = self.sides(match)
        slot = (wins, lost) if match.registration_a_id == stronger else (lost, wins)
        return wins, lost, *slot

    async def thread_of(self, match: MatchView) -> tuple[Channel, Message]:
        fake = self.arena.env.fake
        match = await self.services.brackets.get_match(match.id)  # the notifier recorded it
        assert match.thread_id is not None, f"no thread for {match.code}"
        thread = fake.state.channel(match.thread_id)
        assert thread is not None and thread.parent_id == self.arena.matches.id
        report = f"dc:match:{match.id}:report"
        lobby = await fake.wait_for_message(
            lambda m: m.channel_id == thread.id and report in m.custom_ids()
        )
        return thread, lobby

    async def check_in(
        self, match: MatchView, thread: Channel, lobby: Message, *, no_show: bool
    ) -> None:
        fake = self.arena.env.fake
        stronger, weaker = self.sides(match)
        button = f"dc:match:{match.id}:checkin"
        clicked = await (await fake.click(self.members[stronger][0], lobby, button)).answer()
        assert "Waiting for the other side" in clicked.content, clicked.content
        if no_show:
            await self.expire_checkin(match)
            # The forfeit result closes the thread. (The separate "did not check in" notice
            # is lost: see /tmp/e2e-bugs.md and test_no_show_notice_reaches_the_thread.)
            name = user_text((await self.services.registration.get(weaker)).display_name)
            await fake.wait_for_message(
                lambda m: (
                    m.channel_id == thread.id and m.content.startswith(f"🏳️ **{name}** forfeits")
                )
            )
            await fake.wait_until(lambda: thread.locked and thread.archived)
            return
        # Any member of the other side may check it in: the last one uses /checkin.
        here = await run(self.arena, self.members[weaker][-1], "checkin", {}, channel=thread)
        assert "Both sides are here" in here, here

    async def expire_checkin(self, match: MatchView) -> None:
        """Let the check-in deadline pass without waiting for it.

        The bot's services run on the real clock and the deadline is
        match_checkin_minutes (at least one) of real minutes away: waiting would take
        minutes. Moving that one timer's due time into the past and firing due timers is
        exactly what the scheduler does once the minutes have passed.
        """
        services = self.services
        async with services.db.transaction() as session:
            moved = cast(
                CursorResult[Any],
                await session.execute(
                    update(Timer)
                    .where(
                        Timer.key == f"match:{match.id}:checkin",
                        Timer.fired_at.is_(None),
                        Timer.cancelled_at.is_(None),
                    )
                    .values(due_at=services.clock.now() - timedelta(seconds=1))
                ),
            )
            assert moved.rowcount == 1, "the match has no pending check-in deadline"
        # The bot's own scheduler may claim it first; either way the notice below follows.
        await services.timers.fire_due()

    async def confirm(self, thread: Channel, member: Member) -> None:
        fake = self.arena.env.fake
        ask = await fake.wait_for_message(
            lambda m: m.channel_id == thread.id and any(":confirm" in c for c in m.custom_ids())
        )
        confirm = next(c for c in ask.custom_ids() if c.endswith(":confirm"))
        clicked = await (await fake.click(member, ask, confirm)).answer()
        assert clicked.ephemeral and "is final" in clicked.content, clicked.content

    async def report_and_confirm(self, match: MatchView, thread: Channel, lobby: Message) -> None:
        """Alternately: the winner reports with the thread's button and modal and the loser
        confirms, or the loser reports with /report in the thread and the winner confirms."""
        fake = self.arena.env.fake
        stronger, weaker = self.sides(match)
        wins, lost, _, _ = self.scores(match)
        if self.visits % 2:
            reporter = self.members[stronger][0]
            form = await (
                await fake.click(reporter, lobby, f"dc:match:{match.id}:report")
            ).response()
            assert form.modal is not None
            sent = await (
                await fake.submit_modal(reporter, form, {"mine": str(wins), "theirs": str(lost)})
            ).response()
            _, text = await text_of(sent)
            assert "Reported" in text, text
            await self.confirm(thread, self.members[weaker][-1])
        else:
            reported = await run(
                self.arena,
                self.members[weaker][-1],
                "report",
                {"my_score": lost, "their_score": wins},
                channel=thread,
            )
            assert "Reported" in reported, reported
            await self.confirm(thread, self.members[stronger][0])
        await fake.wait_until(lambda: thread.locked and thread.archived)

    async def dispute(self, match: MatchView, thread: Channel, _lobby: Message) -> None:
        """Both sides claim the win; the organizer decides in the dispute thread."""
        fake, arena = self.arena.env.fake, self.arena
        stronger, weaker = self.sides(match)
        wins, lost, first, second = self.scores(match)
        claim = {"my_score": wins, "their_score": lost}
        mine = await run(arena, self.members[stronger][0], "report", claim, channel=thread)
        assert "Reported" in mine, mine
        theirs = await run(arena, self.members[weaker][0], "report", claim, channel=thread)
        found = re.search(r"Dispute #(\d+)", theirs)
        assert found is not None, theirs
        dispute_id = found[1]
        dispute_thread = await fake.wait_for_thread(
            lambda t: (
                t.parent_id == arena.disputes.id
                and (t.name or "").startswith(f"Dispute #{dispute_id} ")
            )
        )
        summary = await fake.wait_for_message(
            lambda m: m.channel_id == dispute_thread.id and bool(m.embeds)
        )
        assert "Score mismatch" in str(summary.embeds[0])
        assert self.members[weaker][0].id in dispute_thread.member_ids
        resolved = await run(
            arena,
            arena.organizer,
            "dispute resolve",
            {
                "notes": "The end screen shows the first seed won.",
                "first_score": first,
                "second_score": second,
            },
            channel=dispute_thread,
        )
        assert f"Dispute #{dispute_id} resolved" in resolved, resolved
        await fake.wait_until(lambda: dispute_thread.locked and dispute_thread.archived)
        self.dispute_thread = dispute_thread

    async def set_score(self, match: MatchView, *_where: object) -> None:
        _, _, first, second = self.scores(match)
        done = await run(
            self.arena,
            self.arena.organizer,
            "match set-score",
            {
                "tournament": str(self.tournament_id),
                "match": match.code,
                "first_score": first,
                "second_score": second,
                "note": "Entered by the organizer.",
            },
        )
        assert "Score set" in done, done

    async def disqualify(self, match: MatchView, *_where: object) -> None:
        _, weaker = self.sides(match)
        done = await run(
            self.arena,
            self.arena.organizer,
            "match dq",
            {
                "tournament": str(self.tournament_id),
                "player": self.members[weaker][-1].id,
                "reason": "Played with an unregistered substitute.",
            },
        )
        assert "is disqualified" in done or "drops to the losers bracket" in done, done
