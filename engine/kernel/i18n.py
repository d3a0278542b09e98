"""The languages DeltaCrown speaks, their catalogues, and which one a reader gets.

English is the source: the engine's ``msg()`` templates are the msgids, extracted into
``locale/messages.pot`` (``make messages``). Every other language is a gettext catalogue
``locale/<lang>/LC_MESSAGES/messages.po`` kept with Babel. A compiled ``messages.mo``
beside it is used when it is at least as new as the ``.po`` (``make catalogues`` and the
Docker build write it); otherwise the ``.po`` is compiled in memory at first use, so a
fresh checkout works without a build step.

Discord has no Bengali locale (its list has ``hi`` but not ``bn``), so Bangla readers are
reached through a personal choice and the server default; ``interaction.locale`` only
counts when it names a language we have a catalogue for. See :func:`choose_language`.
"""

from __future__ import annotations

import gettext
import io
import math
import os
import re
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from engine.kernel.text import Catalogue

SOURCE_LANGUAGE = "en"
LANGUAGES: dict[str, str] = {"en": "English", "bn": "বাংলা (Bangla)"}
"""Language code -> its own name, as a picker shows it. English first (the source)."""


def _locale_dir() -> Path:
    # A checkout (editable install) has locale/ beside the packages; an installed image
    # runs from the directory it copied locale/ into (the Dockerfile's WORKDIR).
    beside = Path(__file__).resolve().parents[2] / "locale"
    return beside if beside.is_dir() else Path.cwd() / "locale"


LOCALE_DIR = _locale_dir()
DOMAIN = "messages"


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(language: str) -> Path:
    return po_path(language).with_suffix(".mo")


def compile_catalogue(language: str) -> bytes:
    """The ``.po`` of ``language`` compiled to ``.mo`` bytes (fuzzy entries left out)."""
    with po_path(language).open("rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


PSEUDO_LANGUAGE = "qps"
"""A pseudo-locale for tests: every catalogue text wrapped in ⟦…⟧ and lengthened by
about 40%, so a string that escaped the catalogue (or overflows a Discord limit once
translated) shows. Never offered to users: it exists only after
:func:`enable_pseudo_locale`, or in a process started with ``DELTACROWN_PSEUDO_LOCALE=1``
(to look at a development server in it)."""
PSEUDO_OPEN, PSEUDO_CLOSE = "⟦", "⟧"
_pseudo_enabled = os.environ.get("DELTACROWN_PSEUDO_LOCALE") == "1"


def enable_pseudo_locale(enabled: bool = True) -> None:
    """Let ``qps`` be chosen (by a test, or a development setting)."""
    global _pseudo_enabled
    _pseudo_enabled = enabled
    catalogue.cache_clear()


def known_language(code: str | None) -> bool:
    """A language a server or a person may choose (the pseudo-locale once enabled)."""
    return code in LANGUAGES or (_pseudo_enabled and code == PSEUDO_LANGUAGE)


def pseudo_text(msgid: str) -> str:
    """``msgid`` wrapped and lengthened; its ``{placeholders}`` left intact."""
    words = len(_PLACEHOLDER.sub("", msgid))
    return f"{PSEUDO_OPEN}{msgid}{' ' if msgid else ''}{'·' * math.ceil(words * 0.4)}{PSEUDO_CLOSE}"


_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


class PseudoTranslations(gettext.NullTranslations):
    """The pseudo-locale: every msgid of ``locale/messages.pot``, wrapped; a text that is
    not in the catalogue comes back unwrapped, which is what the pseudo-locale test looks
    for."""

    def __init__(self) -> None:
        super().__init__()
        with (LOCALE_DIR / f"{DOMAIN}.pot").open("rb") as pot:
            template = read_po(pot, domain=DOMAIN)
        self.msgids: set[str] = set()
        for entry in template:
            if not entry.id:
                continue
            for msgid in entry.id if isinstance(entry.id, tuple | list) else (entry.id,):
                self.msgids.add(msgid)

    def gettext(self, message: str) -> str:
        return pseudo_text(message) if message in self.msgids else message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self.gettext(msgid1 if n == 1 else msgid2)


@cache
def catalogue(language: str) -> Catalogue:
    """The translations of ``language``; English (and anything unknown) is the source."""
    if language == PSEUDO_LANGUAGE and _pseudo_enabled:
        return PseudoTranslations()
    if language == SOURCE_LANGUAGE or language not in LANGUAGES:
        return gettext.NullTranslations()
    mo, po = mo_path(language), po_path(language)
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        data = mo.read_bytes()
    else:
        data = compile_catalogue(language)
    return gettext.GNUTranslations(io.BytesIO(data))


def supported(code: str | None) -> str | None:
    """Our language for a locale code (``"bn"``, ``"en-US"``, Discord's ``Locale``), if
    we have a catalogue for it."""
    if not code:
        return None
    base = str(getattr(code, "value", code)).replace("_", "-").split("-", 1)[0].lower()
    return base if known_language(base) else None


def choose_language(
    personal: str | None = None,
    client_locale: str | None = None,
    server_default: str | None = None,
) -> str:
    """The reader's language: their own choice, then their Discord (or browser) locale
    when we have a translation for it, then the server's default, then English.

    An English client locale does not override a server's default: Discord has no Bengali,
    so nearly every Bangla reader's Discord runs in English, and their server choosing
    Bangla is the stronger signal."""
    client = supported(client_locale)
    if client == SOURCE_LANGUAGE:
        client = None
    for language in (supported(personal), client, supported(server_default)):
        if language is not None:
            return language
    return SOURCE_LANGUAGE


def babel_locale(language: str) -> str | None:
    """The Babel locale for numbers and dates, or None to keep the English source format
    (English output stays exactly what it was before translations existed)."""
    return None if language in (SOURCE_LANGUAGE, PSEUDO_LANGUAGE) else language


def compile_all(languages: Iterable[str] = LANGUAGES) -> list[Path]:
    """Write every translation's ``.mo`` beside its ``.po`` (``make catalogues``)."""
    written = []
    for language in languages:
        if language == SOURCE_LANGUAGE:
            continue
        mo_path(language).write_bytes(compile_catalogue(language))
        written.append(mo_path(language))
    return written


if __name__ == "__main__":  # python -m engine.kernel.i18n compile
    if sys.argv[1:] != ["compile"]:
        sys.exit("usage: python -m engine.kernel.i18n compile")
    for path in compile_all():
        print(path)
