"""Rendering a message in a language: the template from the catalogue, then the values —
Discord markup and escaping as before, Babel's numbers and dates for the locale, Discord's
own timestamps left to Discord."""

from __future__ import annotations

from datetime import UTC, datetime

from cogs._text import DiscordStyle, discord_text
from dashboard.text import web_text
from engine.kernel.i18n import catalogue, choose_language, supported
from engine.kernel.text import Command, Timestamp, User, msg, render

MOMENT = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def test_discord_text_in_bangla_keeps_mentions_links_and_timestamps() -> None:
    message = msg(
        "Check-in for {name} closed {when}; entries that had not checked in were withdrawn. "
        "Ask an organizer if you think this is a mistake.",
        name="**Dhaka** @everyone Cup",
        when=Timestamp(MOMENT),
    )
    bangla = discord_text(message, language="bn")
    assert bangla.startswith("\\*\\*Dhaka\\*\\* @\u200beveryone Cup-এর চেক-ইন বন্ধ হয়েছে")
    assert f"<t:{int(MOMENT.timestamp())}:R>" in bangla
    english = discord_text(message)
    assert english.startswith("Check-in for \\*\\*Dhaka\\*\\* @\u200beveryone Cup closed <t:")

    linked = render(
        msg(
            "That match does not exist any more. Check the bracket with {bracket}.",
            bracket=Command("bracket"),
        ),
        DiscordStyle({"bracket": 42}),
        catalogue("bn"),
        "bn",
    )
    assert linked == "এই ম্যাচটি আর নেই। </bracket:42> দিয়ে ব্র্যাকেট দেখুন।"


def test_numbers_with_a_spec_follow_the_locale_and_ids_stay_as_they_are() -> None:
    grant = msg(
        "Grants are limited to {max_grant:,} coins at a time. Use a smaller amount.",
        max_grant=1234567,
    )
    assert "12,34,567 কয়েন" in discord_text(grant, language="bn")  # Bangla groups by lakh
    assert "1,234,567 coins" in discord_text(grant)  # English exactly as before
    payment = msg(
        "There is no payment #{payment_id} on this server. Check the number.", payment_id=123456
    )
    assert "#123456" in discord_text(payment, language="bn")


def test_web_text_in_bangla_writes_moments_with_babel_in_the_server_zone() -> None:
    message = msg(
        "Check-in for {name} opens {when} ({when2}).",
        name="Cup",
        when=Timestamp(MOMENT),
        when2=Timestamp(MOMENT, "f"),
    )
    bangla = web_text(message, "Asia/Dhaka", "bn")
    assert bangla.startswith("Cup-এর চেক-ইন খুলবে 5 ডিসে, 2026 6:00:00 PM (Asia/Dhaka)")
    english = web_text(message, "Asia/Dhaka")
    assert english.startswith("Check-in for Cup opens Sat 5 Dec 2026, 18:00 (Asia/Dhaka)")
    assert web_text(msg("{player}", player=User(7, "Rafi")), language="bn") == "Rafi"


def test_the_reader_language_order() -> None:
    assert choose_language("bn", "en-US", "en") == "bn"  # their own choice first
    assert choose_language(None, "en-US", "bn") == "bn"  # English Discord: the server's
    assert choose_language("en", None, "bn") == "en"
    assert choose_language(None, "fr", None) == "en"  # no catalogue for French
    assert choose_language(None, None, None) == "en"
    assert supported("bn-BD") == "bn" and supported("hi") is None
