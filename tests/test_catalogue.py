"""The English catalogue (locale/messages.pot) is what the engine's msg()/N_() calls say."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
KEYWORDS = {"msg": None, "N_": None}  # the Makefile's `-k msg -k N_`


def _extracted() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT / "engine",
        method_map=[("render/**", "ignore"), ("**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=("TRANSLATORS:",),
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_committed_catalogue_matches_the_source() -> None:
    with (ROOT / "locale" / "messages.pot").open("rb") as pot:
        committed = {m.id for m in read_po(pot) if m.id}
    extracted = _extracted()
    assert not extracted - committed, "run `make messages`: new texts are missing"
    assert not committed - extracted, "run `make messages`: the catalogue has stale texts"
