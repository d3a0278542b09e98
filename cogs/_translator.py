"""Slash command descriptions and choice names in the reader's Discord language.

Command and option names stay English (Discord matches them as typed). Every description
and choice name in the tree is a catalogue msgid: :func:`command_texts` walks the tree,
and ``cogs/_command_texts.py`` lists them all for extraction (``make messages`` rewrites it
through ``python -m bot.command_texts`` before extracting, so a new command's texts reach
the catalogue by themselves; ``tests/bot/test_command_texts.py`` fails until they are
translated). :class:`CatalogueTranslator` hands Discord a translation for every Discord
locale we have a catalogue for when the tree is synced.

Discord has no Bengali locale (its list has ``hi`` but not ``bn``), so today the synced
commands carry English only: :data:`DISCORD_LOCALES` is empty until DeltaCrown speaks a
language Discord also offers. Bangla readers therefore see English descriptions in
Discord's command picker, and get their language in the replies instead
(``cogs/_text.py``: personal choice, then the server's). The Bangla descriptions are kept
ready (and within Discord's limits) for the day Discord adds the locale.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

import discord
from discord import app_commands

from engine.kernel.i18n import LANGUAGES, SOURCE_LANGUAGE, catalogue, supported

DESCRIPTION_LIMIT = 100  # Discord's limit for a command's or option's description
CHOICE_NAME_LIMIT = 100  # and for a choice's name
# What the translator translates: the words people read. Names are what they type.
TRANSLATED = frozenset(
    {
        app_commands.TranslationContextLocation.command_description,
        app_commands.TranslationContextLocation.group_description,
        app_commands.TranslationContextLocation.parameter_description,
        app_commands.TranslationContextLocation.choice_name,
    }
)
# A language's own name (the /setup and /profile language choices) reads the same in
# every language: it is not translated.
OWN_NAMES = frozenset(LANGUAGES.values())


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

Command = app_commands.Command | app_commands.Group | app_commands.ContextMenu


def command_texts(commands: Iterable[Command]) -> Iterator[tuple[str, str, int]]:
    """Every description and choice name in ``commands`` (groups walked), as
    ``(where, text, Discord's limit)``; language names are left out."""
    for command in commands:
        if isinstance(command, app_commands.ContextMenu):
            continue
        yield f"/{command.qualified_name}", command.description, DESCRIPTION_LIMIT
        if isinstance(command, app_commands.Group):
            yield from command_texts(command.commands)
            continue
        for parameter in command.parameters:
            where = f"/{command.qualified_name} {parameter.display_name}"
            yield where, parameter.description, DESCRIPTION_LIMIT
            for choice in parameter.choices:
                if choice.name not in OWN_NAMES:
                    yield f"{where}: {choice.value}", choice.name, CHOICE_NAME_LIMIT


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
        if language is None or context.location not in TRANSLATED:
            return None
        translated = catalogue(language).gettext(string.message)
        # Untranslated text stays the English source Discord already has; one Discord
        # would refuse (over its limit) too, rather than failing the whole sync.
        if translated == string.message or len(translated) > DESCRIPTION_LIMIT:
            return None
        return translated
