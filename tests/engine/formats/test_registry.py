"""The format registry is the only list of formats: a new one shows up everywhere."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

import pytest

from bot import cli, demo
from cogs.tournaments import format_choices
from engine.brackets import standings_table, tournament_view
from engine.formats import (
    ALL_OPTION_KEYS,
    FORMAT_LABELS,
    FORMATS,
    MINIMUM_FIELD,
    OPTION_KEYS,
    InvalidParticipants,
    Participant,
    create_bracket,
    format_preview_text,
    preview_plan,
    register_format,
    unregister_format,
)
from engine.guilds import GameView
from engine.kernel.errors import InvalidInput
from engine.tournaments import rules
from tests.engine.formats.toy_format import TOY_FORMAT

BUILT_IN = ("single_elim", "double_elim", "round_robin", "swiss", "group_playoff")
GAME = GameView(1, 1, "Chess", 1, 1, "games", False, "Lichess name")


@pytest.fixture
def toy() -> Iterator[str]:
    register_format(TOY_FORMAT)
    try:
        yield TOY_FORMAT.key
    finally:
        unregister_format(TOY_FORMAT.key)


def _players(n: int) -> list[Participant]:
    return [Participant(i, f"P{i}", i) for i in range(1, n + 1)]


def test_built_in_formats_in_their_order() -> None:
    assert tuple(FORMATS) == BUILT_IN
    assert FORMAT_LABELS["group_playoff"] == "Groups and playoff"
    assert MINIMUM_FIELD["double_elim"] == 3
    assert OPTION_KEYS["swiss"] == ("rounds",)


def test_a_format_is_registered_once() -> None:
    with pytest.raises(ValueError, match="twice"):
        register_format(FORMATS["swiss"])


def test_cli_choices_pick_up_a_new_format(toy: str) -> None:
    argv = ["bracket", "preview", "--format", toy, "--participants", "6"]
    assert cli.build_parser().parse_args(argv).format == toy


def test_cli_preview_of_a_new_format(toy: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["bracket", "preview", "--format", toy, "--participants", "6", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["format"] == toy and len(plan["matches"]) == 7  # padded to 8


def test_slash_choices_pick_up_a_new_format(toy: str) -> None:
    choices = [(c.name, c.value) for c in format_choices()]
    assert choices[-1] == ("Gauntlet", toy)
    assert [value for _, value in choices[:-1]] == list(BUILT_IN)


def test_preview_and_bracket_use_the_spec(toy: str) -> None:
    assert format_preview_text(preview_plan(toy, 6)).startswith("Gauntlet · 6 participants")
    with pytest.raises(InvalidParticipants, match="at least 5"):
        create_bracket(toy, _players(4))
    bracket = create_bracket(toy, _players(5), {"third_place": True})
    assert tournament_view(bracket, title="Toy").sections
    assert standings_table(bracket).rows


def test_demo_uses_the_spec(toy: str) -> None:
    assert demo.format_options(toy, 8) == {"third_place": True}


def test_tournament_rules_pick_up_a_new_format(toy: str) -> None:
    assert rules.FORMAT_NAMES[toy] == "Gauntlet"
    assert rules.FORMAT_OPTION_KEYS[toy] == ("third_place",)
    assert "third_place" in rules.ALL_OPTION_KEYS
    config = rules.TournamentConfig("Toy cup", 1, toy, "solo", 8, {"third_place": True})
    assert rules.validate_config(config, GAME).format == toy
    for change, refusal in (
        ({"max_participants": 4}, "at least 5"),
        ({"max_participants": 65}, "at most 64"),
        ({"format_options": {"cycles": 2}}, "has no option cycles"),
    ):
        with pytest.raises(InvalidInput, match=refusal):
            rules.validate_config(dataclasses.replace(config, **change), GAME)


def test_the_toy_leaves_no_trace() -> None:
    assert TOY_FORMAT.key not in FORMATS
    assert TOY_FORMAT.key not in FORMAT_LABELS
    assert sorted(ALL_OPTION_KEYS) == list(ALL_OPTION_KEYS)
