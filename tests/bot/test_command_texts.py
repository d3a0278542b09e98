"""Every slash command description and choice name is in the catalogue, translated into
Bangla within Discord's limits, and the translator serves exactly those (never names).

Discord has no Bengali locale, so these translations are synced for no locale today
(``cogs/_translator.py``); they are kept complete and valid for the day it has one."""

from __future__ import annotations

import discord
from babel.messages.pofile import read_po
from discord import app_commands

from bot.command_texts import tree_texts
from cogs._command_texts import TEXTS
from cogs._translator import CatalogueTranslator, command_texts
from engine.kernel.i18n import LANGUAGES, LOCALE_DIR, SOURCE_LANGUAGE, catalogue
from tests.bot.test_command_tree import tree  # noqa: F401  (the fixture)

TRANSLATIONS = [language for language in LANGUAGES if language != SOURCE_LANGUAGE]


async def test_the_listed_texts_are_the_trees_own() -> None:
    assert sorted(TEXTS) == await tree_texts(), (
        "a command's description or choice changed: run `make messages` and translate"
    )


def test_every_description_and_choice_is_in_the_catalogue(
    tree: app_commands.CommandTree,  # noqa: F811
) -> None:
    with (LOCALE_DIR / "messages.pot").open("rb") as pot:
        msgids = {m.id for m in read_po(pot) if m.id}
    texts = list(command_texts(tree.get_commands()))
    assert len(texts) > 100  # the whole tree, groups and options included
    missing = [f"{where}: {text!r}" for where, text, _ in texts if text not in msgids]
    assert not missing, "run `make messages`:\n" + "\n".join(missing)


def test_every_description_and_choice_is_translated_within_discords_limits(
    tree: app_commands.CommandTree,  # noqa: F811
) -> None:
    problems = []
    for language in TRANSLATIONS:
        words = catalogue(language)
        for where, text, limit in command_texts(tree.get_commands()):
            translated = words.gettext(text)
            if translated == text:
                problems.append(f"{language} {where}: {text!r} is not translated")
            elif len(translated) > limit:
                problems.append(f"{language} {where}: {len(translated)} > {limit} characters")
            elif not translated.strip():
                problems.append(f"{language} {where}: empty")
    assert not problems, "\n".join(problems)


def _context(location: app_commands.TranslationContextLocation) -> app_commands.TranslationContext:
    return app_commands.TranslationContext(location=location, data=None)


async def test_the_translator_serves_descriptions_and_choices_but_never_names() -> None:
    where = app_commands.TranslationContextLocation
    # Hindi stands in for a Discord locale that maps to a language we translate.
    translator = CatalogueTranslator({discord.Locale.hindi: "bn"})
    described = await translator.translate(
        app_commands.locale_str("Create a tournament (starts as a draft)."),
        discord.Locale.hindi,
        _context(where.command_description),
    )
    assert described == "একটি টুর্নামেন্ট বানান (খসড়া হিসেবে শুরু হয়)।"
    chosen = await translator.translate(
        app_commands.locale_str("Teams"), discord.Locale.hindi, _context(where.choice_name)
    )
    assert chosen == "টিম"
    for location in (where.command_name, where.group_name, where.parameter_name):
        named = await translator.translate(
            app_commands.locale_str("Teams"), discord.Locale.hindi, _context(location)
        )
        assert named is None, location
    # A Discord locale we do not translate gets nothing: Discord shows the English text.
    english = await translator.translate(
        app_commands.locale_str("Teams"), discord.Locale.french, _context(where.choice_name)
    )
    assert english is None
