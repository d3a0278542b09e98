"""The pure validator of /register answers and the organizer's field definitions."""

from __future__ import annotations

import pytest

from engine.kernel.errors import InvalidInput
from engine.tournaments import FieldSpec, FieldView, field_key, field_options, validate_field_values


def _field(key: str, kind: str, required: bool = True, **options) -> FieldView:
    return FieldView(
        id=1,
        key=key,
        label=key.replace("_", " ").title(),
        kind=kind,
        required=required,
        options=options,
    )


FIELDS = [
    _field("nickname", "text", max_length=10),
    _field("age", "number", min=13, max=99),
    _field("has_mic", "toggle"),
    _field("birthday", "date", required=False),
    _field("tracker", "url", required=False),
    _field("region", "dropdown", choices=["EU", "NA", "Asia"]),
]
GOOD = {
    "nickname": "Ace",
    "age": "21",
    "has_mic": "Yes",
    "birthday": "2001-03-04",
    "tracker": "https://tracker.gg/ace",
    "region": "asia",
}


def test_valid_answers_become_typed_values() -> None:
    assert validate_field_values(FIELDS, GOOD) == {
        "nickname": "Ace",
        "age": 21,
        "has_mic": True,
        "birthday": "2001-03-04",
        "tracker": "https://tracker.gg/ace",
        "region": "Asia",  # the organizer's spelling of the choice
    }


def test_optional_fields_may_stay_empty() -> None:
    answers = {**GOOD, "birthday": "  ", "tracker": ""}
    values = validate_field_values(FIELDS, answers)
    assert "birthday" not in values and "tracker" not in values


@pytest.mark.parametrize(
    ("key", "value", "phrase"),
    [
        ("nickname", "", "“Nickname” is required"),
        ("nickname", "x" * 11, "at most 10 characters"),
        ("age", "twenty", "whole number"),
        ("age", "12", "from 13 to 99"),
        ("age", "100", "from 13 to 99"),
        ("age", "21.5", "whole number"),
        ("has_mic", "maybe", "yes or no"),
        ("birthday", "04/03/2001", "2026-12-05"),
        ("birthday", "2001-02-30", "2026-12-05"),
        ("tracker", "tracker.gg/ace", "https://"),
        ("tracker", "ftp://tracker.gg/ace", "https://"),
        ("tracker", "javascript:alert(1)", "https://"),
        ("region", "Mars", "one of: EU, NA, Asia"),
    ],
)
def test_bad_answers_name_the_field(key: str, value: str, phrase: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_field_values(FIELDS, {**GOOD, key: value})
    label = next(f.label for f in FIELDS if f.key == key)
    assert label in caught.value.message
    assert phrase in caught.value.message


def test_missing_required_answer_is_refused() -> None:
    answers = dict(GOOD)
    del answers["region"]
    with pytest.raises(InvalidInput, match="“Region” is required"):
        validate_field_values(FIELDS, answers)


def test_answers_to_unknown_questions_are_refused() -> None:
    with pytest.raises(InvalidInput, match="no longer asks"):
        validate_field_values(FIELDS, {**GOOD, "ghost": "boo"})


def test_dates_in_words_are_read() -> None:
    values = validate_field_values(FIELDS, {**GOOD, "birthday": "4 March 2001"})
    assert values["birthday"] == "2001-03-04"


@pytest.mark.parametrize(
    ("spec", "phrase"),
    [
        (FieldSpec("x" * 46, "text"), "1 to 45 characters"),
        (FieldSpec("Region", "dropdown", choices=("EU",)), "at least two choices"),
        (FieldSpec("Region", "dropdown", choices=("EU", "eu")), "must be different"),
        (FieldSpec("Age", "number", min_value=10, max_value=5), "cannot be above"),
        (FieldSpec("Bio", "text", max_length=5000), "from 1 to 4000"),
        (FieldSpec("Colour", "colour"), "field kind must be one of"),
    ],
)
def test_bad_field_definitions(spec: FieldSpec, phrase: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        field_options(spec)
    assert phrase in caught.value.message


def test_field_definitions_store_their_rules() -> None:
    assert field_options(FieldSpec("Bio", "text")) == {"max_length": 100}
    assert field_options(FieldSpec("Age", "number", min_value=13)) == {"min": 13}
    assert field_options(FieldSpec("Region", "dropdown", choices=(" EU ", "NA"))) == {
        "choices": ["EU", "NA"]
    }
    assert field_key("Riot ID (name#tag)") == "riot_id_name_tag"
