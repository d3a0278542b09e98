"""Slash command descriptions and choice names in the reader's Discord language.

Command and option names stay English (Discord matches them as typed). Descriptions and
choice names marked with ``locale_str("…")`` are catalogue msgids (``make messages``
extracts them with the engine's texts), and :class:`CatalogueTranslator` hands Discord a
translation for every Discord locale we have a catalogue for when the tree is synced.

Discord has no Bengali locale (its list has ``hi`` but not ``bn``), so today the synced
commands carry English only: :data:`DISCORD_LOCALES` is empty until DeltaCrown speaks a
language Discord also offers. Bangla readers get their language in the replies instead
(``cogs/_text.py``: personal choice, then the server's).
"""

from __future__ import annotations

from collections.abc import Mapping

import discord
from discord import app_commands

from engine.kernel.i18n import SOURCE_LANGUAGE, catalogue, supported


def discord_locales() -> dict[discord.Locale, str]:
    """Each Discord locale we translate, with our language for it (English is the source,
    synced as the commands' own text)."""
    found = {}
    for locale in discord.Locale:
        language = supported(locale.value)
        if language is not None and language != SOURCE_LANGUAGE:
            found[locale] = language
    return found


DISCORD_LOCALES = discord_locales()


class CatalogueTranslator(app_commands.Translator):
    def __init__(self, locales: Mapping[discord.Locale, str] | None = None) -> None:
        self.locales = DISCORD_LOCALES if locales is None else dict(locales)

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContext,
    ) -> str | None:
        language = self.locales.get(locale)
        if language is None:
            return None
        translated = catalogue(language).gettext(string.message)
        # Untranslated text stays the English source Discord already has.
        return translated if translated != string.message else None
