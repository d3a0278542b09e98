"""The player flows in Bangla, through the fake Discord: a Bangla server (default ``bn``),
its members' private answers, DMs, match and dispute threads, announcements, buttons,
forms and menus — every text Bangla by script and complete, and within Discord's limits.

"Bangla by script": once people's data (names, ids, match codes), mentions, timestamps,
links, numbers and a few names that are not language (DeltaCrown, DM, bKash…) are
removed, the letters left are Bengali (U+0980–U+09FF) and no Latin word remains. The
flows are in ``language_flows.py``.
"""

from __future__ import annotations

from tests.cogs.conftest import Arena
from tests.cogs.discord_text_checks import BENGALI, Shown, not_bangla, over_limits
from tests.cogs.language_flows import command_names, paying_flows, player_flows

# Engine text stored in English with the player's words, where this area cannot change it
# yet: a rejected report's dispute description, written by
# engine/matchday/reports.py (ScoreService.reject_report) as "Rejected the reported
# 1–2: <reason>" and shown in the dispute thread. Reported as left English.
STORED_ENGLISH = ("Rejected the reported",)


def assert_bangla(shown: list[Shown], data: list[str], commands: list[str]) -> None:
    assert any(BENGALI.search(item.text) for item in shown)
    problems = not_bangla(shown, data, [*commands, *STORED_ENGLISH])
    assert not problems, "\n".join(problems)
    too_long = over_limits(shown)
    assert not too_long, "\n".join(too_long)


def test_the_checker_names_english_left_in_a_text() -> None:
    shown = [
        Shown("button label", "চেক-ইন"),
        Shown("content", "✅ player1 ম্যাচ W1-1-এর জন্য চেক-ইন করেছে। <t:1797135360:R>"),
        Shown("embed field name", "Opponent"),
    ]
    assert not_bangla(shown, ["player1", "W1-1"]) == [
        "embed field name: 'Opponent' — English left: Opponent"
    ]


async def test_player_flows_in_bangla(arena: Arena) -> None:
    """Register solo and as a team, check in, report and confirm, reject a report, open
    a dispute with the form, the organizer's settlement, certificates."""
    shown, data = await player_flows(arena, "bn")
    assert len(shown) > 100, "the flows showed (almost) nothing"
    assert_bangla(shown, data, command_names(arena))


async def test_paying_in_bangla(arena: Arena) -> None:
    """/coins grant, /wallet, /pay with coins and with a proof, the review menus, the
    Approve button, the Reject form, and the DMs that follow."""
    shown, data = await paying_flows(arena, "bn")
    assert len(shown) > 20, "the flows showed (almost) nothing"
    assert_bangla(shown, data, command_names(arena))
