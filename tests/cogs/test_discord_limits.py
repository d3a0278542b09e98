"""Discord's limits hold for the longest translation of each text, where it is used.

Two checks. Here, statically: every catalogue text the cogs and the notifier put on a
button (80 characters), a modal title or input label (45), a select option (100), a
select or input placeholder (150 / 100) or an embed title (256) is found in the source
where it is used, and its longest form — English, each translation, and the
pseudo-locale (English lengthened by ~40%, standing in for a wordier language to come) —
fits, placeholders left empty (what fills them is cut by the code to fit). And
dynamically, the pseudo-locale and Bangla flow tests (``test_pseudo_locale.py``,
``test_bangla_flows.py``) assert every text the fake recorded against the same limits
(``discord_text_checks.over_limits``), with real data in the placeholders.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.kernel.i18n import LANGUAGES, PSEUDO_LANGUAGE, catalogue, enable_pseudo_locale
from engine.matchday import DISPUTE_REASONS
from tests.cogs.discord_text_checks import LIMITS, Shown, over_limits

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([*ROOT.glob("cogs/*.py"), *ROOT.glob("bot/notify/*.py")])

# A catalogue text (msg("…") or nmsg("…", …)) in one of the short places, and the place.
_TEXT = r'n?msg\(\s*"((?:[^"\\]|\\.)*)"'
_USES = [
    (re.compile(r"discord\.ui\.Button\([^()]*?label=words\(\s*" + _TEXT), "button label"),
    (re.compile(r"label=words\(\s*msg\(\"(Confirm|Reject|Approve|Accept|Decline)"), "button label"),
    (re.compile(r"\(\s*" + _TEXT + r'[^()]*\),\s*f?"dc:'), "button label"),
    (re.compile(r"TextInput\([^()]*?label=words\(\s*" + _TEXT), "modal label"),
    (re.compile(r"Label\(\s*text=words\(\s*" + _TEXT), "modal label"),
    (re.compile(r"super\(\)\.__init__\(\s*title=words\(\s*" + _TEXT), "modal title"),
    (re.compile(r"SelectOption\([^()]*?label=words\(\s*" + _TEXT), "select option label"),
    (re.compile(r"placeholder=words\(\s*" + _TEXT), "modal placeholder"),
    (re.compile(r"Embed\(\s*title=words\(\s*" + _TEXT), "embed title"),
]
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
# Short texts that reach their place through a variable, where no pattern sees them.
_THROUGH_VARIABLES = {
    "Your score ({name})": "modal label",
    "Their score ({name})": "modal label",
    "{name} score": "modal label",
    "Reason (the player reads it)": "modal label",
    "Reason (every player reads it)": "modal label",
    **dict.fromkeys(DISPUTE_REASONS.values(), "select option label"),
}


def short_texts() -> dict[str, set[str]]:
    """msgid → the places it is shown, from the source of the cogs and the notifier."""
    found: dict[str, set[str]] = {k: {v} for k, v in _THROUGH_VARIABLES.items()}
    for path in SOURCES:
        source = path.read_text(encoding="utf-8")
        for pattern, where in _USES:
            for match in pattern.finditer(source):
                msgid = match.group(1).replace('\\"', '"').replace("\\n", "\n")
                found.setdefault(msgid, set()).add(where)
    return found


def test_the_short_places_are_found() -> None:
    found = short_texts()
    for msgid, where in {
        "Check in": "button label",
        "Report score": "button label",
        "Open dispute": "button label",
        "Confirm": "button label",
        "Reject the reported score": "modal title",
        "The real score, and why?": "modal label",
        "Reason": "modal label",
    }.items():
        assert where in found.get(msgid, set()), (msgid, found.get(msgid))


@pytest.mark.parametrize("language", [*[code for code in LANGUAGES if code != "en"], "qps"])
def test_the_longest_translation_fits_where_it_is_shown(language: str) -> None:
    if language == PSEUDO_LANGUAGE:
        enable_pseudo_locale()
    try:
        translations = catalogue(language)
        shown = [
            Shown(where, _PLACEHOLDER.sub("", form))
            for msgid, places in short_texts().items()
            for where in places
            for form in (msgid, translations.gettext(msgid))
        ]
    finally:
        enable_pseudo_locale(False)
    assert len(shown) >= 40
    too_long = [item for item in over_limits(shown) if "cut short" not in item]
    assert not too_long, "\n".join(too_long)
    assert set(LIMITS) >= {item.where for item in shown}
