"""The buttons of a match's schedule: Reschedule in the match thread
(``dc:match:<id>:reschedule``, a form for the new time), the opponent's Accept / Decline
under a proposal (``dc:resched:<proposal id>:accept|decline``), and the overdue-result
notice's Set score and Disqualify (``dc:overdue:<match id>:score|dq0|dq1``). The slash
commands (``/match reschedule``, ``set-time``, ``start``, ``reminders``) live with the
rest of ``/match`` in ``cogs/matches.py``.
"""

from __future__ import annotations

import re
from typing import Any

import discord
from discord.ext import commands

from cogs._errors import DomainModal, answer_error
from cogs._interactions import actor_of, reply, services_of
from cogs._speech import ENGLISH, Say, reader_say
from cogs.matches import _score, override_reply, proposal_reply
from engine.kernel.text import Message, Timestamp, msg
from engine.matchday import LobbyAccess, MatchLobby


class SetScoreModal(DomainModal):
    def __init__(self, lobby: MatchLobby, say: Say = ENGLISH) -> None:
        super().__init__(
            title=say(msg("Set the score of {code}", code=lobby.match.code))[:45],
            custom_id=f"dc:overdue-score:{lobby.match.id}",
        )
        self.tournament_id, self.code = lobby.match.tournament_id, lobby.match.code
        # Labels render no markdown: the names go in as they are.
        score_of = say(msg("{name} score", name="\0"))
        self.first: discord.ui.TextInput[SetScoreModal] = discord.ui.TextInput(
            label=score_of.replace("\0", lobby.name(0))[:45], custom_id="first", max_length=4
        )
        self.second: discord.ui.TextInput[SetScoreModal] = discord.ui.TextInput(
            label=score_of.replace("\0", lobby.name(1))[:45], custom_id="second", max_length=4
        )
        self.add_item(self.first)
        self.add_item(self.second)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        outcome = await services_of(interaction).scores.set_score(
            actor_of(interaction),
            self.tournament_id,
            self.code,
            _score(self.first.value, "The first score"),
            _score(self.second.value, "The second score"),
            note="Set from the overdue-result notice.",
        )
        await reply(interaction, override_reply(outcome, "Score set."))


class DisqualifyModal(DomainModal):
    reason: discord.ui.TextInput[DisqualifyModal] = discord.ui.TextInput(
        label="Why? (the player reads it)",
        custom_id="reason",
        min_length=3,
        max_length=300,
        placeholder="e.g. Did not show up for the match.",
    )

    def __init__(self, lobby: MatchLobby, slot: int, say: Say = ENGLISH) -> None:
        side = lobby.sides[slot]
        assert side is not None  # an overdue match has both sides
        title = say(msg("Disqualify {name}", name="\0")).replace("\0", lobby.name(slot))
        super().__init__(title=title[:45], custom_id=f"dc:overdue-dq:{lobby.match.id}:{slot}")
        self.reason.label = say(msg("Why? (the player reads it)"))[:45]
        self.reason.placeholder = say(msg("e.g. Did not show up for the match."))[:100]
        self.tournament_id = lobby.match.tournament_id
        self.member_id = side.member_ids[0]

    async def on_submit(self, interaction: discord.Interaction) -> None:
        outcome = await services_of(interaction).scores.disqualify(
            actor_of(interaction), self.tournament_id, self.member_id, reason=self.reason.value
        )
        await reply(
            interaction,
            override_reply(outcome, "Disqualified."),
            allowed_mentions=discord.AllowedMentions.none(),
        )


class OverdueAction(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"dc:overdue:(?P<match_id>\d+):(?P<action>score|dq0|dq1)",
):
    def __init__(self, match_id: int, action: str) -> None:
        super().__init__(
            discord.ui.Button(label=action, custom_id=f"dc:overdue:{match_id}:{action}")
        )
        self.match_id, self.action = match_id, action

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> OverdueAction:
        return cls(int(match["match_id"]), match["action"])

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            lobby = await services_of(interaction).schedule.organizer_lobby(
                actor_of(interaction), self.match_id
            )
            say = await reader_say(interaction)
            if self.action == "score":
                await interaction.response.send_modal(SetScoreModal(lobby, say))
            else:
                slot = int(self.action[-1])
                await interaction.response.send_modal(DisqualifyModal(lobby, slot, say))
        except Exception as error:  # answered, and logged with an incident id when a bug
            await answer_error(interaction, error)


class RescheduleModal(DomainModal):
    def __init__(self, match_id: int, say: Say = ENGLISH) -> None:
        super().__init__(
            title=say(msg("Propose a new time"))[:45], custom_id=f"dc:resched-form:{match_id}"
        )
        self.when: discord.ui.TextInput[RescheduleModal] = discord.ui.TextInput(
            label=say(msg("New time (server time zone)"))[:45],
            custom_id="when",
            placeholder=say(msg("19:30, or 2026-12-05 19:30"))[:100],
            max_length=20,
        )
        self.note: discord.ui.TextInput[RescheduleModal] = discord.ui.TextInput(
            label=say(msg("Why? (your opponent reads it)"))[:45],
            custom_id="note",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=200,
        )
        self.add_item(self.when)
        self.add_item(self.note)
        self.match_id = match_id

    async def on_submit(self, interaction: discord.Interaction) -> None:
        view = await services_of(interaction).reschedules.propose(
            actor_of(interaction), self.match_id, self.when.value, self.note.value or None
        )
        await reply(interaction, proposal_reply(view))


class RescheduleButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"dc:match:(?P<match_id>\d+):reschedule",
):
    def __init__(self, match_id: int) -> None:
        super().__init__(
            discord.ui.Button(label="Reschedule", custom_id=f"dc:match:{match_id}:reschedule")
        )
        self.match_id = match_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> RescheduleButton:
        return cls(int(match["match_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await services_of(interaction).reschedules.check_can_propose(
                actor_of(interaction), self.match_id
            )
            say = await reader_say(interaction)
            await interaction.response.send_modal(RescheduleModal(self.match_id, say))
        except Exception as error:  # answered, and logged with an incident id when a bug
            await answer_error(interaction, error)


class RescheduleDecision(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"dc:resched:(?P<proposal_id>\d+):(?P<decision>accept|decline)",
):
    def __init__(self, proposal_id: int, decision: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=decision.capitalize(), custom_id=f"dc:resched:{proposal_id}:{decision}"
            )
        )
        self.proposal_id, self.decision = proposal_id, decision

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> RescheduleDecision:
        return cls(int(match["proposal_id"]), match["decision"])

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            accept = self.decision == "accept"
            view = await services_of(interaction).reschedules.respond(
                actor_of(interaction), self.proposal_id, accept=accept
            )
            await reply(
                interaction,
                msg(
                    "✅ Accepted: match {code} now starts {when}.",
                    code=view.code,
                    when=Timestamp(view.new_time, "F"),
                )
                if accept
                else msg("❌ Declined: match {code} keeps its time.", code=view.code),
            )
        except Exception as error:  # answered, and logged with an incident id when a bug
            await answer_error(interaction, error)


class LobbyModal(DomainModal):
    def __init__(self, access: LobbyAccess, say: Say = ENGLISH) -> None:
        match = access.lobby.match
        super().__init__(
            title=say(msg("Lobby of {code}", code=match.code))[:45],
            custom_id=f"dc:lobby-form:{match.id}",
        )
        self.match_id = match.id
        current = access.details
        self.code: discord.ui.TextInput[LobbyModal] = discord.ui.TextInput(
            label=say(msg("Lobby code or name"))[:45],
            custom_id="code",
            max_length=64,
            default=current.code if current else None,
        )
        self.password: discord.ui.TextInput[LobbyModal] = discord.ui.TextInput(
            label=say(msg("Password (if any)"))[:45],
            custom_id="password",
            required=False,
            max_length=64,
            default=current.password if current and current.password else None,
        )
        self.add_item(self.code)
        self.add_item(self.password)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        lobby = await services_of(interaction).lobbies.post(
            actor_of(interaction), self.match_id, self.code.value, self.password.value or None
        )
        await reply(
            interaction,
            msg(
                "🔑 Saved the lobby details of match {code}; both sides can read them with the "
                "Lobby details button.",
                code=lobby.match.code,
            ),
        )


def details_text(access: LobbyAccess) -> Message:
    details, code = access.details, access.lobby.match.code
    if details is None:
        return msg(
            "No lobby details for match {code} yet; the higher seed or an organizer posts "
            "them here.",
            code=code,
        )
    # Escaped (as every value is), not in a code span: a code span would show the escapes
    # as backslashes.
    password: Message | str = (
        msg("\nPassword: **{password}**", password=details.password) if details.password else ""
    )
    return msg(
        "🔑 Lobby of match {match}\nCode: **{code}**{password}",
        match=code,
        code=details.code,
        password=password,
    )


class LobbyButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"dc:match:(?P<match_id>\d+):lobby",
):
    """The host (higher seed) or an organizer gets the form; the other side reads."""

    def __init__(self, match_id: int) -> None:
        super().__init__(
            discord.ui.Button(label="Lobby details", custom_id=f"dc:match:{match_id}:lobby")
        )
        self.match_id = match_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> LobbyButton:
        return cls(int(match["match_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            access = await services_of(interaction).lobbies.access(
                actor_of(interaction), self.match_id
            )
            if access.can_post:
                say = await reader_say(interaction)
                await interaction.response.send_modal(LobbyModal(access, say))
            else:
                await reply(interaction, details_text(access))
        except Exception as error:  # answered, and logged with an incident id when a bug
            await answer_error(interaction, error)


async def setup(bot: commands.Bot) -> None:
    bot.add_dynamic_items(OverdueAction, RescheduleButton, RescheduleDecision, LobbyButton)
