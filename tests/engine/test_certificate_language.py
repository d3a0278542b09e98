"""A certificate prints its words in the tournament's language; the content hash (what a
verifier checks) does not depend on it."""

from __future__ import annotations

import dataclasses
import io
from datetime import date

import pypdf

from engine.awards.certificate_words import certificate_words
from engine.render import (
    CertificateData,
    CertificateWords,
    Placement,
    certificate_content_hash,
    render_certificate,
)

DAY = date(2026, 12, 5)


def _data(words: CertificateWords) -> CertificateData:
    return CertificateData(
        tournament_name="ঢাকা ভ্যালোরান্ট কাপ",
        game="Valorant",
        placement=Placement.CHAMPION,
        recipient_name="সৌম্য চক্রবর্তী",
        issued_on=DAY,
        organizer_name="DeltaCrown",
        verification_url="https://example.org/v/ABCD-EFGH-JKMN",
        verification_code="ABCD-EFGH-JKMN",
        words=words,
    )


def _text(pdf: bytes) -> str:
    return pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_bangla_words_and_date() -> None:
    words = certificate_words("bn", Placement.CHAMPION, DAY)
    assert words.title == "সার্টিফিকেট" and words.placement == "চ্যাম্পিয়ন"
    assert words.long_date == "5 ডিসেম্বর, 2026"
    assert certificate_words("en", Placement.CHAMPION, DAY) == CertificateWords()


def test_a_bangla_certificate_prints_bangla_and_verifies_the_same() -> None:
    bangla = _data(certificate_words("bn", Placement.CHAMPION, DAY))
    english = dataclasses.replace(bangla, words=CertificateWords())
    assert certificate_content_hash(bangla) == certificate_content_hash(english)
    bangla_text, english_text = (
        _text(render_certificate(bangla)),
        _text(render_certificate(english)),
    )
    assert "যাচাই: " in bangla_text and "Verify:" not in bangla_text
    assert "CERTIFICATE" not in bangla_text and "Champion".upper() not in bangla_text
    assert "Verify: ABCD-EFGH-JKMN" in english_text and "CHAMPION" in english_text
