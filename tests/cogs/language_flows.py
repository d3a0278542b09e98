"""The player flows, driven through the fake Discord in one language, and everything the
bot showed while they ran: for the pseudo-locale, Bangla and Discord's limits tests.

The organizers set the server up in English (/setup, /game add, /tournament create …
open belong to the organizer cogs); then the server's default and every member's own
language become ``language``, and the players register (solo, and a team: create,
invite, Accept in the DM), check in, report and confirm, reject a report (the Reject
form), open a dispute (the Open dispute form) and see the organizer settle it, get their
certificates; or pay (coins, and a proof the organizer reviews: the review menus, the
Approve button, the Reject form).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from engine.brackets import MatchView
from engine.guilds import GuildSetup
from engine.kernel.actors import Actor
from testkit.fakediscord import AttachmentInput, Channel, InteractionRecord, Member, Message
from testkit.payment_helpers import png_bytes
from tests.cogs.conftest import Arena
from tests.cogs.discord_text_checks import Seen, Shown, mark, message_texts, record_texts
from tests.cogs.match_day_helpers import (
    MatchDay,
    add_game,
    create_event,
    more_players,
    run,
    set_ingame_id,
    set_up_server,
    text_of,
)

# Commands of the organizer cogs (another area): their answers are checked there.
ORGANIZER_COGS = ("tournament", "setup", "game", "bracket")
# Words that are names, not language: the product, Discord's "DM", payment services.
NAMES = ("DeltaCrown", "DM", "TrxID", "bKash", "TBD", "BDT", "Crowns", "Riot ID")
# What the people in these flows type (reasons, notes, team names).
TYPED = (
    "Screenshots agree.",
    "It was the other way round.",
    "My game crashed.",
    "Quiz",
    "No such TrxID",
    "Squad 0",
    "Squad 1",
)


async def speak(arena: Arena, language: str, members: Iterable[Member]) -> None:
    """The server's default and each member's own language become ``language``."""
    services = arena.env.services
    owner = Actor(user_id=arena.owner.id, guild_id=arena.guild.id, can_manage_guild=True)
    await services.guilds.configure(owner, arena.guild.id, GuildSetup(language=language))
    for member in members:
        await services.languages.set_personal_language(member.id, language)


# --- steps that assert what happened, not the words (any language) ----------------------


async def enter_players(arena: Arena, tid: int, game_id: int, players: list[Member]) -> list[int]:
    registrations = []
    for member in players:
        await set_ingame_id(arena, game_id, member)
        await run(arena, member, "register", {"tournament": str(tid)})
        view = await arena.env.services.registration.registration_for(tid, member.id)
        assert view is not None, member
        registrations.append(view.id)
    return registrations


async def enter_team(
    arena: Arena, tid: int, game_id: int, name: str, tag: str, roster: list[Member]
) -> int:
    """/team create, /team invite, Accept in the DM, in-game ids, /register."""
    fake, services = arena.env.fake, arena.env.services
    captain, mate = roster
    await run(arena, captain, "team create", {"name": name, "tag": tag})
    [team] = await services.teams.teams_of(arena.guild.id, captain.id)
    await run(arena, captain, "team invite", {"team": str(team.id), "member": mate.id})
    inbox = fake.dm_channel(mate).id
    dm = await fake.wait_for_message(
        lambda m: m.channel_id == inbox and any(c.endswith(":accept") for c in m.custom_ids())
    )
    accept = next(c for c in dm.custom_ids() if c.endswith(":accept"))
    await (await fake.click(mate, dm, accept)).answer()
    for member in roster:
        await set_ingame_id(arena, game_id, member)
    await run(arena, captain, "register", {"tournament": str(tid), "team": str(team.id)})
    view = await services.registration.registration_for(tid, mate.id)
    assert view is not None and view.team_id == team.id
    return view.id


async def close_and_start(arena: Arena, tid: int) -> None:
    await run(arena, arena.organizer, "tournament close", {"tournament": str(tid)})
    await run(arena, arena.organizer, "tournament start", {"tournament": str(tid)})
    await arena.env.settle()
    assert (await arena.env.services.tournaments.get(tid)).status == "live"


def _dispute_number(text: str) -> str:
    found = re.search(r"#(\d+)", text)
    assert found is not None, text
    return found[1]


class LanguageMatchDay(MatchDay):
    """The match-day driver with the incidents a player meets through buttons and forms:
    ``reject`` (the loser rejects the winner's report in the Reject form) and ``form``
    (a player opens a dispute with the Open dispute form); the organizer settles both in
    the dispute thread, which it finds by number whatever the language of its name."""

    async def check_in(
        self, match: MatchView, thread: Channel, lobby: Message, *, no_show: bool
    ) -> None:
        assert not no_show, "no-shows are not part of these flows"
        fake = self.arena.env.fake
        stronger, weaker = self.sides(match)
        button = f"dc:match:{match.id}:checkin"
        await (await fake.click(self.members[stronger][0], lobby, button)).answer()
        await run(self.arena, self.members[weaker][-1], "checkin", {}, channel=thread)
        current = await self.services.brackets.get_match(match.id)
        assert current.status != "checkin", current.status

    async def confirm(self, thread: Channel, member: Member) -> None:
        fake = self.arena.env.fake
        ask = await fake.wait_for_message(
            lambda m: m.channel_id == thread.id and any(":confirm" in c for c in m.custom_ids())
        )
        confirm = next(c for c in ask.custom_ids() if c.endswith(":confirm"))
        clicked = await (await fake.click(member, ask, confirm)).answer()
        assert clicked.ephemeral

    async def report_and_confirm(self, match: MatchView, thread: Channel, lobby: Message) -> None:
        """The winner reports with the button and form, the loser confirms."""
        fake = self.arena.env.fake
        stronger, weaker = self.sides(match)
        wins, lost, _, _ = self.scores(match)
        reporter = self.members[stronger][0]
        form = await (await fake.click(reporter, lobby, f"dc:match:{match.id}:report")).response()
        assert form.modal is not None
        await (
            await fake.submit_modal(reporter, form, {"mine": str(wins), "theirs": str(lost)})
        ).response()
        await self.confirm(thread, self.members[weaker][-1])
        await fake.wait_until(lambda: thread.locked and thread.archived)

    async def play(self, match: MatchView) -> None:
        kind = self.incidents.get(self.visits)
        if kind not in ("reject", "form"):
            await super().play(match)
            return
        self.visits += 1
        thread, lobby = await self.thread_of(match)
        if match.status == "checkin":
            await self.check_in(match, thread, lobby, no_show=False)
        number = await (self.reject if kind == "reject" else self.open_by_form)(match, lobby)
        await self.settle(match, number)

    async def reject(self, match: MatchView, lobby: Message) -> str:
        fake = self.arena.env.fake
        stronger, weaker = self.sides(match)
        wins, lost, _, _ = self.scores(match)
        reporter = self.members[stronger][0]
        form = await (await fake.click(reporter, lobby, f"dc:match:{match.id}:report")).response()
        await (
            await fake.submit_modal(reporter, form, {"mine": str(wins), "theirs": str(lost)})
        ).response()
        ask = await fake.wait_for_message(
            lambda m: (
                m.channel_id == match.thread_id
                and any(c.endswith(":reject") for c in m.custom_ids())
            )
        )
        button = next(c for c in ask.custom_ids() if c.endswith(":reject"))
        loser = self.members[weaker][0]
        opened = await (await fake.click(loser, ask, button)).response()
        assert opened.modal is not None
        [field] = [c["custom_id"] for c in _inputs(opened.modal)]
        sent = await (
            await fake.submit_modal(loser, opened, {field: "It was the other way round."})
        ).response()
        return _dispute_number((await text_of(sent))[1])

    async def open_by_form(self, match: MatchView, lobby: Message) -> str:
        fake = self.arena.env.fake
        _, weaker = self.sides(match)
        member = self.members[weaker][0]
        form = await (await fake.click(member, lobby, f"dc:match:{match.id}:dispute")).response()
        assert form.modal is not None
        sent = await (
            await fake.submit_modal(
                member, form, {"reason": ["technical_issue"], "description": "My game crashed."}
            )
        ).response()
        return _dispute_number((await text_of(sent))[1])

    async def settle(self, match: MatchView, number: str) -> None:
        fake, arena = self.arena.env.fake, self.arena
        _, _, first, second = self.scores(match)
        dispute_thread: Channel = await fake.wait_for_thread(
            lambda t: t.parent_id == arena.disputes.id and f"#{number} " in (t.name or "")
        )
        await fake.wait_for_message(lambda m: m.channel_id == dispute_thread.id and bool(m.embeds))
        resolved = await run(
            arena,
            arena.organizer,
            "dispute resolve",
            {"notes": "Screenshots agree.", "first_score": first, "second_score": second},
            channel=dispute_thread,
        )
        assert f"#{number}" in resolved, resolved
        await fake.wait_until(lambda: dispute_thread.locked and dispute_thread.archived)


def _inputs(modal: dict) -> list[dict]:
    from testkit.fakediscord.state import walk_components

    return [c for c in walk_components(modal.get("components") or []) if c.get("type") == 4]


def _command_of(record: InteractionRecord) -> str:
    data = record.payload.get("data") or {}
    return str(data.get("name") or data.get("custom_id") or "")


def _tournament_card(message: Message) -> bool:
    """The tournament card under lifecycle announcements: drawn by the organizer area
    (cogs/_tournament_render.py), whose own tests check it; its footer links the page."""
    return any("/t/" in ((e.get("footer") or {}).get("text") or "") for e in message.embeds)


def command_names(arena: Arena) -> list[str]:
    """Every slash command as a text names it (``/team roster``): typed by users, so it
    stays English in every language."""
    tree = arena.env.bot.tree
    return [f"/{command.qualified_name}" for command in tree.walk_commands()]


def shown_since(seen: Seen, arena: Arena) -> list[Shown]:
    """Every text the bot showed since ``seen``: answers to interactions (not those of the
    organizer cogs), DMs, thread posts, thread names and announcements."""
    fake = arena.env.fake
    seen.stop()
    shown: list[Shown] = []
    for record in seen.new_records():
        if record.channel.guild_id != arena.guild.id:
            continue
        command = _command_of(record)
        if command.split(" ")[0] in ORGANIZER_COGS or command.startswith("dc:tournament"):
            continue
        shown.extend(record_texts(record))
    dms = [fake.dm_channel(member).id for member in arena.guild.members.values()]
    for message in seen.new_messages(arena.guild.id, dms):
        if message.interaction_metadata is not None or message.webhook_id is not None:
            continue  # interaction answers are taken with their interaction above
        shown.extend(
            item
            for item in message_texts(message, seen.first_bodies.get(message.id))
            if not (item.where.startswith("embed") and _tournament_card(message))
        )
    for channel in fake.state.channels.values():
        thread = channel.guild_id == arena.guild.id and channel.parent_id is not None
        if thread and channel.id not in seen.channel_ids:
            shown.append(Shown("thread name", channel.name or ""))
    return shown


async def people_data(arena: Arena, tournament_ids: Iterable[int]) -> list[str]:
    """What people typed or own: names, in-game ids, team names, codes, the server."""
    services = arena.env.services
    data = [arena.guild.name, *NAMES, *TYPED]
    data += [game.name for game in await services.games.list_games(arena.guild.id)]
    for member in arena.guild.members.values():
        data += [member.user.username, member.user.global_name or "", member.nick or ""]
        data.append(f"{member.user.username}#EU")
    for tid in tournament_ids:
        tournament = await services.tournaments.get(tid)
        data.append(tournament.name)
        # Badge names are the server's own (or built-in) names, shown as data.
        data += [badge.name for badge, _ in await services.badges.awards_in_tournament(tid)]
        data += [match.code for match in await services.brackets.matches(tid)]
        data += [entry.display_name for entry in await services.registration.list(tid)]
    return data


async def player_flows(arena: Arena, language: str) -> tuple[list[Shown], list[str]]:
    players = await more_players(arena, 4)
    await set_up_server(arena)
    solo_game = await add_game(arena, "Valorant", 1)
    duo_game = await add_game(arena, "Rocket League", 2)
    solo = await create_event(
        arena,
        solo_game,
        "Language Cup",
        format="single_elim",
        type="solo",
        max_participants=4,
        best_of=3,
        edits={"match_checkin_minutes": "30"},
    )
    duo = await create_event(
        arena, duo_game, "Language Duo", format="single_elim", type="team", max_participants=2
    )
    await speak(arena, language, [*players, arena.organizer])
    seen = mark(arena.env.fake)

    entries = await enter_players(arena, solo, solo_game, players)
    rosters = [(players[0], players[1]), (players[2], players[3])]
    teams = [
        await enter_team(arena, duo, duo_game, f"Squad {i}", f"SQ{i}", list(roster))
        for i, roster in enumerate(rosters)
    ]
    await close_and_start(arena, solo)
    await close_and_start(arena, duo)
    await LanguageMatchDay(
        arena,
        solo,
        ranks={r: rank for rank, r in enumerate(entries)},
        members={r: [p] for r, p in zip(entries, players, strict=True)},
        incidents={1: "reject", 2: "form"},
    ).play_to_the_end()
    await LanguageMatchDay(
        arena,
        duo,
        ranks={r: rank for rank, r in enumerate(teams)},
        members={r: list(roster) for r, roster in zip(teams, rosters, strict=True)},
    ).play_to_the_end()
    await arena.env.settle()
    return shown_since(seen, arena), await people_data(arena, [solo, duo])


async def paying_flows(arena: Arena, language: str) -> tuple[list[Shown], list[str]]:
    fake, services = arena.env.fake, arena.env.services
    player, other = arena.players
    await set_up_server(arena)
    owner = Actor(user_id=arena.owner.id, guild_id=arena.guild.id, can_manage_guild=True)
    await services.guilds.configure(owner, arena.guild.id, GuildSetup(coin_name="Crowns"))
    game = await add_game(arena, "Valorant", 1)
    coin_cup = await create_event(
        arena,
        game,
        "Coin Cup",
        format="single_elim",
        type="solo",
        max_participants=8,
        entry_fee_coins=40,
        payment_methods="coins",
    )
    money_cup = await create_event(
        arena,
        game,
        "Money Cup",
        format="single_elim",
        type="solo",
        max_participants=8,
        entry_fee="150",
        currency="BDT",
        payment_methods="bkash",
    )
    await speak(arena, language, [player, other, arena.organizer])
    seen = mark(fake)
    await enter_players(arena, coin_cup, game, [player])
    await enter_players(arena, money_cup, game, [player, other])

    await arena.slash(
        arena.organizer, "coins grant", {"member": player.id, "amount": 100, "reason": "Quiz"}
    )
    await fake.wait_for_dm(player)
    await (await arena.slash(player, "wallet")).response()
    paid = await arena.slash(player, "pay", {"tournament": str(coin_cup), "method": "coins"})
    await paid.wait_for_followup()

    for member, reference, colour in (
        (player, "9BD7K2LQ1X", (30, 144, 255)),
        (other, "8AC6J1KP0W", (200, 40, 40)),
    ):
        upload = AttachmentInput("proof.png", png_bytes(colour=colour), "image/png")
        sent = await arena.slash(
            member,
            "pay",
            {
                "tournament": str(money_cup),
                "method": "bkash",
                "reference": reference,
                "proof": upload,
            },
        )
        await sent.wait_for_followup()
    review = await arena.slash(arena.organizer, "payments review")
    assert review.message is not None and review.message.custom_ids(), review.content
    listing = await arena.slash(arena.organizer, "payments pending")
    first = await listing.wait_for_followup(1)
    approve = next(c for c in first.custom_ids() if c.endswith(":approve"))
    await (await fake.click(arena.organizer, first, approve)).response()
    second = await listing.wait_for_followup(2)
    reject = next(c for c in second.custom_ids() if c.endswith(":reject"))
    form = await (await fake.click(arena.organizer, second, reject)).response()
    await (await fake.submit_modal(arena.organizer, form, {"reason": "No such TrxID"})).response()
    await arena.env.settle()
    data = [
        *await people_data(arena, [coin_cup, money_cup]),
        *("9BD7K2LQ1X", "8AC6J1KP0W"),
    ]
    return shown_since(seen, arena), data
