"""The catalogues: locale/messages.pot is what the engine's msg()/N_()/nmsg() calls say, and
every translation covers every text with the same placeholders."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Message as PoMessage
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from engine.kernel.i18n import LANGUAGES, SOURCE_LANGUAGE, catalogue, compile_catalogue, po_path
from engine.kernel.text import REFERENCE, msg, nmsg, render

ROOT = Path(__file__).resolve().parents[1]
# The Makefile's keywords (``_`` is the dashboard templates' word) and babel.cfg's map.
KEYWORDS = {"msg": None, "N_": None, "nmsg": (1, 2), "locale_str": None, "_": None}
TEMPLATES = "**/templates/**.html"
SOURCES = ("engine", "cogs", "bot", "dashboard")  # what `make messages` extracts from
TRANSLATIONS = [language for language in LANGUAGES if language != SOURCE_LANGUAGE]
BENGALI = re.compile(r"[\u0980-\u09FF]")


def _extracted() -> set[str]:
    found = set()
    for package in SOURCES:
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package,
            method_map=[("render/**", "ignore"), ("**.py", "python"), (TEMPLATES, "jinja2")],
            options_map={TEMPLATES: {"trim_blocks": "true", "lstrip_blocks": "true"}},
            keywords=KEYWORDS,
            comment_tags=("TRANSLATORS:",),
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def _committed() -> dict[str, PoMessage]:
    with (ROOT / "locale" / "messages.pot").open("rb") as pot:
        return {m.id if isinstance(m.id, str) else m.id[0]: m for m in read_po(pot) if m.id}


def _fields(template: str) -> list[str]:
    """The placeholders of a template, with their format specs, sorted."""
    return sorted(
        f"{name}:{spec}" for _, name, spec, _ in string.Formatter().parse(template) if name
    )


def test_committed_catalogue_matches_the_source() -> None:
    committed = set(_committed())
    extracted = _extracted()
    assert not extracted - committed, "run `make messages`: new texts are missing"
    assert not committed - extracted, "run `make messages`: the catalogue has stale texts"


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_every_text_is_translated_with_the_same_placeholders(language: str) -> None:
    with po_path(language).open("rb") as po:
        translated = {m.id if isinstance(m.id, str) else m.id[0]: m for m in read_po(po) if m.id}
    source = _committed()
    assert set(translated) == set(source), (
        f"run `make messages` and translate: missing {sorted(set(source) - set(translated))}, "
        f"stale {sorted(set(translated) - set(source))}"
    )
    problems = []
    for msgid, entry in translated.items():
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if entry.fuzzy or not all(strings):
            problems.append(f"untranslated: {msgid!r}")
            continue
        wanted = _fields(ids[-1])
        for form in strings:
            if _fields(form) != wanted:
                problems.append(f"placeholders differ: {msgid!r} -> {form!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_the_translation_compiles_and_is_in_its_script(language: str) -> None:
    assert compile_catalogue(language)  # Babel reads and compiles it without error
    text = render(msg("That match does not exist."), REFERENCE, catalogue(language))
    assert text != "That match does not exist."
    if language == "bn":
        assert BENGALI.search(text)


def test_plural_forms_follow_the_language() -> None:
    english = [
        render(nmsg("{n} coin", "{n} coins", n, n=n), REFERENCE, catalogue("en")) for n in (1, 2)
    ]
    assert english == ["1 coin", "2 coins"]


def test_bangla_has_its_plural_rule() -> None:
    singular = "{name} has {n} player but {event} needs teams of {team_size}. Invite more "
    plural = "{name} has {n} players but {event} needs teams of {team_size}. Invite more "
    tail = "players with {team_invite}, then register again."
    params = {"name": "Tigers", "event": "Cup", "team_size": 5, "team_invite": "/team invite"}
    for n in (1, 3):
        english = render(nmsg(singular + tail, plural + tail, n, **params), REFERENCE)
        bangla = render(
            nmsg(singular + tail, plural + tail, n, **params), REFERENCE, catalogue("bn")
        )
        assert english.startswith(f"Tigers has {n} player{'s' if n > 1 else ''} but")
        assert bangla.startswith(f"Tigers-এ {n} জন প্লেয়ার আছে")


# Texts whose Bangla has no words of its own: a name, a command, a value alone.
NO_WORDS = {"MVP", "Bo{n}", "is {status} in", "{display_name} is", "{player}", "{tournament} start"}
NO_WORDS |= {
    "**{tournament}**\n{staff}",
    "{amount:,} {coin_name}",
    "{place} ({channel}): {missing}",
    "{label}: **{value}**{share}",
    "📈 **{name}** ({status})",
    "{n} {state}",
}


def test_the_bangla_catalogue_is_written_in_bangla() -> None:
    """Every Bangla entry is in Bengali script (an English copy left by mistake fails)."""
    with po_path("bn").open("rb") as po:
        entries = [m for m in read_po(po) if m.id]
    english = []
    for entry in entries:
        msgid = entry.id if isinstance(entry.id, str) else entry.id[0]
        forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if msgid not in NO_WORDS and not all(BENGALI.search(form) for form in forms):
            english.append(msgid)
    assert not english, english
