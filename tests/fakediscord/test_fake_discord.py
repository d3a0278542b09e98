"""The fake Discord driven by a real discord.py ``commands.Bot``."""

from __future__ import annotations

import asyncio
import hashlib
import struct
import zlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import discord
import pytest
import pytest_asyncio
from discord import app_commands
from discord.ext import commands
from discord.http import Route

from bot.endpoints import configure_discord_endpoints
from testkit.fakediscord import (
    AttachmentInput,
    AutocompleteRejected,
    CommandInputError,
    FakeDiscord,
    Guild,
    InteractionExpired,
)


def tiny_png() -> bytes:
    """A valid 1x1 PNG, built by hand so the test has no imaging dependency."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


TEAM_NAMES = ["Night Owls", "Night Hawks", "Day Larks"]


class PanelView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Join", custom_id="panel:join", style=discord.ButtonStyle.primary)
    async def join(
        self, interaction: discord.Interaction, button: discord.ui.Button[PanelView]
    ) -> None:
        await interaction.response.edit_message(
            content=f"joined: {interaction.user.name}", view=None
        )


class ApplyModal(discord.ui.Modal, title="Apply"):
    team: discord.ui.TextInput[ApplyModal] = discord.ui.TextInput(
        label="Team name", custom_id="team_name", max_length=32
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"applied: {self.team.value}", ephemeral=True)


class DemoBot(commands.Bot):
    def __init__(self, guild_id: int) -> None:
        intents = discord.Intents.default()
        intents.members = True
        # A short guild_ready_timeout keeps start-up fast; the fake sends every GUILD_CREATE
        # right after READY, so there is nothing to wait for.
        super().__init__(command_prefix="!", intents=intents, guild_ready_timeout=0.05)
        self.guild_id = guild_id
        self.http_errors: list[int] = []
        self.thread_commands: list[str] = []
        self.received_files: list[bytes] = []
        # What each autocomplete callback saw: (option, typed value, interaction, namespace).
        self.autocompletes: list[tuple[str, Any, discord.Interaction, dict[str, Any]]] = []
        # Holds the "slow" team autocomplete until the test has seen the window close.
        self.release_autocomplete = asyncio.Event()
        self.release_slow = asyncio.Event()
        self.add_commands()

    async def setup_hook(self) -> None:
        self.add_view(PanelView())
        guild = discord.Object(id=self.guild_id)
        self.tree.copy_global_to(guild=guild)
        await self.tree.sync(guild=guild)

    async def on_message(self, message: discord.Message) -> None:
        if isinstance(message.channel, discord.Thread) and message.content.endswith("done"):
            self.thread_commands.append(message.content)
            for attachment in message.attachments:
                self.received_files.append(await attachment.read())
            await message.channel.send("closing this thread")
            await message.channel.edit(locked=True, archived=True)

    def add_commands(self) -> None:
        tree = self.tree

        @tree.command(description="Register a team")
        async def register(
            interaction: discord.Interaction,
            name: str,
            seed: int,
            captain: discord.Member,
            logo: discord.Attachment,
        ) -> None:
            data = await logo.read()
            digest = hashlib.sha256(data).hexdigest()[:12]
            await interaction.response.send_message(
                f"{name} seed={seed} captain={captain.id} logo={logo.filename}:{digest}",
                ephemeral=True,
            )

        @tree.command(description="Slow report")
        async def report(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)
            await interaction.followup.send("report ready")
            await interaction.followup.send("second part")

        @tree.command(description="Post the join panel")
        async def panel(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("Join the tournament", view=PanelView())

        @tree.command(description="Apply with a form")
        async def apply(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(ApplyModal())

        @tree.command(description="Open a private squad thread")
        async def squad(interaction: discord.Interaction, member: discord.Member) -> None:
            assert isinstance(interaction.channel, discord.TextChannel)
            thread = await interaction.channel.create_thread(
                name=f"squad-{member.name}",
                type=discord.ChannelType.private_thread,
                invitable=False,
            )
            await thread.add_user(member)
            await thread.send(f"welcome {member.mention}")
            await interaction.response.send_message(f"thread {thread.id}", ephemeral=True)

        @tree.command(description="DM a player")
        async def remind(interaction: discord.Interaction, member: discord.Member) -> None:
            try:
                await member.send("Your match starts in 10 minutes")
            except discord.Forbidden as error:
                self.http_errors.append(error.code)
                await interaction.response.send_message("could not DM", ephemeral=True)
                return
            await interaction.response.send_message("reminded", ephemeral=True)

        @tree.command(description="Bracket card")
        async def card(interaction: discord.Interaction) -> None:
            import io

            await interaction.response.send_message(
                "bracket", file=discord.File(io.BytesIO(tiny_png()), filename="bracket.png")
            )

        @tree.command(description="Too slow")
        async def slow(interaction: discord.Interaction) -> None:
            await self.release_slow.wait()  # held until the test saw the window pass
            try:
                await interaction.response.send_message("late")
            except discord.NotFound as error:
                self.http_errors.append(error.code)

        @tree.command(description="Answers twice")
        async def twice(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("first")
            # discord.py refuses a second response client-side, so go through the raw
            # route to check the server also refuses it.
            route = Route(
                "POST",
                "/interactions/{interaction_id}/{token}/callback",
                interaction_id=interaction.id,
                token=interaction.token,
            )
            try:
                await self.http.request(route, json={"type": 4, "data": {"content": "second"}})
            except discord.HTTPException as error:
                self.http_errors.append(error.code)

        @tree.command(description="Recruit for a team")
        async def recruit(
            interaction: discord.Interaction,
            team: str,
            seed: int,
            captain: discord.Member | None = None,
        ) -> None:
            await interaction.response.send_message(f"{team} seed={seed}", ephemeral=True)

        @recruit.autocomplete("team")
        async def recruit_team(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            self.autocompletes.append(
                ("team", current, interaction, dict(iter(interaction.namespace)))
            )
            if current == "*":
                # Over Discord's limit of 25: the bot answers itself to see the refusal.
                everything = [
                    app_commands.Choice(name=f"Team {n}", value=str(n)) for n in range(26)
                ]
                await self._answer_autocomplete(interaction, everything)
                return []
            if current == "slow":
                await self.release_autocomplete.wait()
                await self._answer_autocomplete(interaction, [])
                return []
            matches = [
                app_commands.Choice(name=name, value=name)
                for name in TEAM_NAMES
                if current.lower() in name.lower()
            ]
            if current == "twice":
                await interaction.response.autocomplete(matches)
                # discord.py refuses a second answer client-side; check the server does too.
                await self._raw_callback(interaction, {"type": 8, "data": {"choices": []}})
            return matches

        @recruit.autocomplete("seed")
        async def recruit_seed(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[int]]:
            self.autocompletes.append(
                ("seed", current, interaction, dict(iter(interaction.namespace)))
            )
            return [
                app_commands.Choice(name=f"Seed {n}", value=n)
                for n in range(1, 21)
                if str(n).startswith(current)
            ]

        admin = app_commands.Group(name="admin", description="Admin tools")
        season = app_commands.Group(name="season", description="Seasons", parent=admin)

        @season.command(name="start", description="Start a season")
        @app_commands.choices(
            mode=[
                app_commands.Choice(name="Solo", value="solo"),
                app_commands.Choice(name="Duo", value="duo"),
            ]
        )
        async def season_start(
            interaction: discord.Interaction, mode: app_commands.Choice[str], boost: float = 1.0
        ) -> None:
            perms = interaction.permissions
            await interaction.response.send_message(
                f"season {mode.value} x{boost} admin={perms.administrator}", ephemeral=True
            )

        tree.add_command(admin)

    async def _raw_callback(self, interaction: discord.Interaction, body: dict[str, Any]) -> None:
        route = Route(
            "POST",
            "/interactions/{interaction_id}/{token}/callback",
            interaction_id=interaction.id,
            token=interaction.token,
        )
        try:
            await self.http.request(route, json=body)
        except discord.HTTPException as error:
            self.http_errors.append(error.code)

    async def _answer_autocomplete(
        self, interaction: discord.Interaction, choices: list[app_commands.Choice[str]]
    ) -> None:
        try:
            await interaction.response.autocomplete(choices)
        except discord.HTTPException as error:
            self.http_errors.append(error.code)


@pytest_asyncio.fixture(scope="module")
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord.start() as server:
        yield server


@pytest_asyncio.fixture(scope="module")
async def guild(fake: FakeDiscord) -> Guild:
    return await fake.create_guild("DeltaCrown Arena")


@pytest_asyncio.fixture(scope="module")
async def bot(fake: FakeDiscord, guild: Guild) -> AsyncIterator[DemoBot]:
    demo = DemoBot(guild.id)
    async with fake.run_bot(demo):
        yield demo


@pytest.fixture(autouse=True)
def no_unknown_routes(fake: FakeDiscord) -> Iterator[None]:
    yield
    fake.assert_clean()


async def test_bot_connects_and_syncs_guild_commands(
    fake: FakeDiscord, guild: Guild, bot: DemoBot
) -> None:
    await fake.wait_until_ready()
    assert bot.user is not None and bot.user.id == fake.bot_user.id
    assert bot.get_guild(guild.id) is not None
    names = {c["name"] for c in fake.guild_commands(guild)}
    assert {"register", "report", "panel", "apply", "squad", "remind", "card", "admin"} <= names
    register = next(c for c in fake.guild_commands(guild) if c["name"] == "register")
    assert [(o["name"], o["type"]) for o in register["options"]] == [
        ("name", 3),
        ("seed", 4),
        ("captain", 6),
        ("logo", 11),
    ]


async def test_slash_with_options_replies_ephemerally(
    fake: FakeDiscord, guild: Guild, bot: DemoBot
) -> None:
    player = await fake.add_member(guild, "player1")
    captain = await fake.add_member(guild, "captain1", global_name="Captain One")
    logo = tiny_png()
    record = await fake.slash(
        player,
        "register",
        {
            "name": "Crowns",
            "seed": 3,
            "captain": captain,
            "logo": AttachmentInput("logo.png", logo),
        },
        guild=guild,
    )
    await record.response()
    digest = hashlib.sha256(logo).hexdigest()[:12]
    assert record.callback_type == 4
    assert record.ephemeral
    assert record.content == f"Crowns seed=3 captain={captain.id} logo=logo.png:{digest}"


async def test_invalid_input_is_rejected_before_the_bot(
    fake: FakeDiscord, guild: Guild, bot: DemoBot
) -> None:
    player = await fake.add_member(guild, "player2")
    with pytest.raises(CommandInputError, match="missing required option"):
        await fake.slash(player, "register", {"name": "x"}, guild=guild)
    with pytest.raises(CommandInputError, match="not one of the choices"):
        await fake.slash(player, "admin season start", {"mode": "trio"}, guild=guild)


async def test_nested_subcommand_with_choices_and_admin(
    fake: FakeDiscord, guild: Guild, bot: DemoBot
) -> None:
    admin = await fake.add_member(guild, "admin1", administrator=True)
    record = await fake.slash(
        admin, "admin season start", {"mode": "duo", "boost": 1.5}, guild=guild
    )
    await record.response()
    assert record.content == "season duo x1.5 admin=True"


async def test_defer_then_followups(fake: FakeDiscord, guild: Guild, bot: DemoBot) -> None:
    player = await fake.add_member(guild, "player3")
    record = await fake.slash(player, "report", guild=guild)
    await record.response()
    assert record.callback_type == 5 and record.deferred
    first = await record.wait_for_followup(0)
    second = await record.wait_for_followup(1)
    # Discord turns the first followup into the deferred "thinking" message.
    assert first is record.original and first.content == "report ready"
    assert second.content == "second part" and second.id != first.id


async def test_persistent_button_click_updates_message(
    fake: FakeDiscord, guild: Guild, bot: DemoBot
) -> None:
    host = await fake.add_member(guild, "host")
    joiner = await fake.add_member(guild, "joiner")
    posted = await (await fake.slash(host, "panel", guild=guild)).response()
    panel = posted.message
    assert panel is not None and panel.custom_ids() == ["panel:join"]
    click = await fake.click(joiner, panel, "panel:join")
    await click.response()
    assert click.callback_type == 7
    assert panel.content == "joined: joiner"
    assert panel.components == []


async def test_modal_submit_runs_on_submit(fake: FakeDiscord, guild: Guild, bot: DemoBot) -> None:
    player = await fake.add_member(guild, "player4")
    opened = await (await fake.slash(player, "apply", guild=guild)).response()
    assert opened.callback_type == 9 and opened.modal is not None
    assert opened.modal["title"] == "Apply"
    submitted = await fake.submit_modal(player, opened, {"team_name": "Night Owls"})
    await submitted.response()
    assert submitted.content == "applied: Night Owls" and submitted.ephemeral
    # A modal can also be addressed by its custom_id (the latest one opened wins).
    reopened = await (await fake.slash(player, "apply", guild=guild)).response()
    assert reopened.modal is not None
    again = await fake.submit_modal(player, reopened.modal["custom_id"], {"team_name": "Larks"})
    assert (await again.response()).content == "applied: Larks"


async def test_private_thread_members_and_lock(
    fake: FakeDiscord, guild: Guild, bot: DemoBot
) -> None:
    captain = await fake.add_member(guild, "squadlead")
    record = await (await fake.slash(captain, "squad", {"member": captain}, guild=guild)).response()
    thread = await fake.wait_for_thread(lambda t: t.name == "squad-squadlead")
    assert record.content == f"thread {thread.id}"
    assert thread.type == 12 and not thread.invitable
    assert captain.id in thread.member_ids and fake.bot_user.id in thread.member_ids
    [welcome] = fake.messages_in(thread)
    assert welcome.content == f"welcome <@{captain.id}>"
    assert welcome.mention_ids == [captain.id]

    # Without the MESSAGE_CONTENT intent the bot only sees content that mentions it.
    await fake.post_message(captain, thread, "we are done")
    await fake.post_message(
        captain, thread, f"{fake.bot_user.mention} done", attachments=[("score.txt", b"3-1")]
    )
    await fake.wait_until(lambda: thread.locked and thread.archived)
    assert bot.thread_commands == [f"<@{fake.bot_user.id}> done"]
    assert bot.received_files == [b"3-1"]
    assert fake.messages_in(thread)[-1].content == "closing this thread"


async def test_direct_messages(fake: FakeDiscord, guild: Guild, bot: DemoBot) -> None:
    player = await fake.add_member(guild, "dmtarget")
    await (await fake.slash(player, "remind", {"member": player}, guild=guild)).response()
    dm = await fake.wait_for_message(lambda m: m.is_dm and "match starts" in m.content)
    assert fake.dms_to(player) == [dm]
    assert dm.content == "Your match starts in 10 minutes" and dm.is_dm

    closed = await fake.add_member(guild, "closeddms")
    closed.user.accepts_dms = False
    record = await (await fake.slash(player, "remind", {"member": closed}, guild=guild)).response()
    assert record.content == "could not DM"
    assert bot.http_errors[-1] == 50007
    assert fake.dms_to(closed) == []


async def test_png_file_bytes_round_trip(fake: FakeDiscord, guild: Guild, bot: DemoBot) -> None:
    player = await fake.add_member(guild, "artist")
    record = await (await fake.slash(player, "card", guild=guild)).response()
    [png] = record.files
    assert png.filename == "bracket.png" and png.content_type == "image/png"
    assert png.data == tiny_png()
    # Non-ephemeral responses are also visible in the channel history.
    assert record.message in fake.messages_in(record.channel)


async def test_second_response_is_refused(fake: FakeDiscord, guild: Guild, bot: DemoBot) -> None:
    player = await fake.add_member(guild, "double")
    record = await (await fake.slash(player, "twice", guild=guild)).response()
    rejection = await record.wait_for_rejection()
    assert (rejection.status, rejection.code) == (400, 40060)
    assert record.content == "first"
    await fake.wait_until(lambda: 40060 in bot.http_errors)


async def test_gateway_resume_keeps_the_session(
    fake: FakeDiscord, guild: Guild, bot: DemoBot
) -> None:
    session = fake.gateway.live_sessions[0]
    await fake.gateway.request_reconnect()
    await fake.wait_until(lambda: session.resumed == 1 and session.ws is not None)
    player = await fake.add_member(guild, "afterresume")
    record = await (
        await fake.slash(
            player,
            "register",
            {"name": "R", "seed": 1, "captain": player, "logo": ("a.txt", b"abc")},
            guild=guild,
        )
    ).response()
    assert record.content.startswith("R seed=1")


async def test_unknown_routes_are_recorded_as_404(
    fake: FakeDiscord, guild: Guild, bot: DemoBot
) -> None:
    route = Route("GET", "/guilds/{guild_id}/audit-logs", guild_id=guild.id)
    with pytest.raises(discord.NotFound):
        await bot.http.request(route)
    [unknown] = fake.unknown_routes
    assert (unknown.method, unknown.path) == ("GET", f"/api/v10/guilds/{guild.id}/audit-logs")
    fake.reset_records()
    assert fake.unknown_routes == [] and fake.messages_in(guild.channel_ids[0]) == []


async def test_slow_handler_misses_the_ack_window(
    fake: FakeDiscord, guild: Guild, bot: DemoBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A short window keeps the test fast; the rule is the same as with Discord's 3 s.
    monkeypatch.setattr(fake, "ack_window", 0.2)
    player = await fake.add_member(guild, "patient")
    record = await fake.slash(player, "slow", guild=guild)
    with pytest.raises(InteractionExpired):
        await record.response()
    assert record.expired
    bot.release_slow.set()
    rejection = await record.wait_for_rejection()
    assert (rejection.status, rejection.code) == (404, 10062)
    await fake.wait_until(lambda: 10062 in bot.http_errors)


async def test_auto_sharded_bot_uses_gateway_bot_url() -> None:
    previous_base = discord.http.Route.BASE
    # A separate fake so this second client does not receive the module bot's events.
    async with FakeDiscord.start() as other:
        arena = await other.create_guild("Shard Arena")
        sharded = commands.AutoShardedBot(
            command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.05
        )
        async with other.run_bot(sharded):
            assert sharded.shard_count == other.recommended_shards
            assert sharded.get_guild(arena.id) is not None
            assert other.gateway.live_sessions[0].shard == (0, 1)
        other.assert_clean()
    assert previous_base == discord.http.Route.BASE


def test_configure_discord_endpoints_validates_and_resets() -> None:
    before = (discord.http.Route.BASE, str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY))
    try:
        configure_discord_endpoints("http://proxy.internal:8080/api/v10/", "wss://gw.internal/")
        assert discord.http.Route.BASE == "http://proxy.internal:8080/api/v10"
        assert Route("GET", "/users/@me").url == "http://proxy.internal:8080/api/v10/users/@me"
        assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == "wss://gw.internal/"
        with pytest.raises(ValueError):
            configure_discord_endpoints("proxy.internal/api/v10", None)
        with pytest.raises(ValueError):
            configure_discord_endpoints(None, "https://not-a-websocket/")
        configure_discord_endpoints(None, None)
        assert discord.http.Route.BASE == "https://discord.com/api/v10"
        assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == "wss://gateway.discord.gg/"
    finally:
        configure_discord_endpoints(*before)


async def test_autocomplete_offers_the_bots_choices(
    fake: FakeDiscord, guild: Guild, bot: DemoBot
) -> None:
    player = await fake.add_member(guild, "typist")
    choices = await fake.autocomplete(player, "recruit", {"team": "nIGHT"}, "team", guild=guild)
    assert choices == [
        {"name": "Night Owls", "value": "Night Owls"},
        {"name": "Night Hawks", "value": "Night Hawks"},
    ]
    option, typed, interaction, namespace = bot.autocompletes[-1]
    assert (option, typed) == ("team", "nIGHT")
    assert interaction.type is discord.InteractionType.autocomplete
    assert interaction.guild_id == guild.id and interaction.user.id == player.user.id
    # Required options the user has not reached yet are simply absent.
    assert namespace == {"team": "nIGHT"}
    # The user just moved into the option: the bot gets the empty string.
    assert len(await fake.autocomplete(player, "recruit", {}, "team", guild=guild)) == 3


async def test_autocomplete_sends_the_typed_text_and_filled_options(
    fake: FakeDiscord, guild: Guild, bot: DemoBot
) -> None:
    player = await fake.add_member(guild, "seeder")
    captain = await fake.add_member(guild, "seedcaptain")
    record = await fake.send_autocomplete(
        player,
        "recruit",
        {"team": "Day Larks", "seed": 1, "captain": captain},
        "seed",
        guild=guild,
    )
    choices = await record.wait_for_choices()
    # The integer option's partial input arrives as text; the answer's values are integers.
    assert [c["value"] for c in choices] == [1, *range(10, 20)]
    assert record.callback_type == 8 and record.choices == choices
    assert record.message is None and fake.messages_in(record.channel) == []
    sent = {o["name"]: o for o in record.payload["data"]["options"]}
    assert sent["seed"] == {"name": "seed", "type": 4, "value": "1", "focused": True}
    assert sent["team"] == {"name": "team", "type": 3, "value": "Day Larks"}
    assert record.payload["type"] == 4
    assert str(captain.user.id) in record.payload["data"]["resolved"]["members"]
    option, typed, _, namespace = bot.autocompletes[-1]
    assert (option, typed) == ("seed", "1")
    assert isinstance(namespace["captain"], discord.Member)
    assert namespace["captain"].id == captain.user.id


async def test_autocomplete_input_is_checked_like_the_client(
    fake: FakeDiscord, guild: Guild, bot: DemoBot
) -> None:
    player = await fake.add_member(guild, "fumbler")
    with pytest.raises(CommandInputError, match="does not autocomplete"):
        await fake.autocomplete(player, "register", {}, "name", guild=guild)
    with pytest.raises(CommandInputError, match="no option"):
        await fake.autocomplete(player, "recruit", {}, "tema", guild=guild)


async def test_more_than_25_choices_are_refused(
    fake: FakeDiscord, guild: Guild, bot: DemoBot
) -> None:
    player = await fake.add_member(guild, "greedy")
    record = await fake.send_autocomplete(player, "recruit", {"team": "*"}, "team", guild=guild)
    with pytest.raises(AutocompleteRejected):
        await record.wait_for_choices()
    [rejection] = record.rejections
    assert (rejection.status, rejection.code, rejection.callback_type) == (400, 50035, 8)
    assert "25 or fewer" in rejection.message
    assert not record.acknowledged
    await fake.wait_until(lambda: 50035 in bot.http_errors)


async def test_second_autocomplete_answer_is_refused(
    fake: FakeDiscord, guild: Guild, bot: DemoBot
) -> None:
    player = await fake.add_member(guild, "stutter")
    record = await fake.send_autocomplete(player, "recruit", {"team": "twice"}, "team", guild=guild)
    assert await record.wait_for_choices() == []
    rejection = await record.wait_for_rejection()
    assert (rejection.status, rejection.code) == (400, 40060)
    await fake.wait_until(lambda: 40060 in bot.http_errors)


async def test_slow_autocomplete_misses_the_window(
    fake: FakeDiscord, guild: Guild, bot: DemoBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A short window keeps the test fast; the rule is the same as with Discord's 3 s.
    monkeypatch.setattr(fake, "ack_window", 0.2)
    player = await fake.add_member(guild, "dawdler")
    record = await fake.send_autocomplete(player, "recruit", {"team": "slow"}, "team", guild=guild)
    with pytest.raises(InteractionExpired):
        await record.wait_for_choices()
    bot.release_autocomplete.set()
    rejection = await record.wait_for_rejection()
    assert (rejection.status, rejection.code) == (404, 10062)
    await fake.wait_until(lambda: 10062 in bot.http_errors)
