"""The printed words of a certificate in the tournament's language (its server's).

The render package is pure (it imports no catalogue): it prints what it is given, English
by default. Here the words are catalogue texts, looked up for the language, and the date
is written by Babel for its locale.
"""

from __future__ import annotations

from datetime import date

from babel.dates import format_date

from engine.kernel.i18n import SOURCE_LANGUAGE, babel_locale, catalogue
from engine.kernel.text import N_
from engine.render import CertificateWords, Placement

_PLACEMENTS = {
    Placement.CHAMPION: N_("Champion"),
    Placement.RUNNER_UP: N_("Runner-up"),
    Placement.THIRD_PLACE: N_("3rd place"),
    Placement.PARTICIPANT: N_("Participant"),
    Placement.MVP: N_("MVP"),
}
_CITATIONS = {
    Placement.CHAMPION: N_("for winning"),
    Placement.RUNNER_UP: N_("for finishing second in"),
    Placement.THIRD_PLACE: N_("for finishing third in"),
    Placement.PARTICIPANT: N_("for competing in"),
    Placement.MVP: N_("as the most valuable player of"),
}


def certificate_words(language: str, placement: Placement, issued_on: date) -> CertificateWords:
    """The words for one certificate; English is the render package's own default."""
    if language == SOURCE_LANGUAGE:
        return CertificateWords()
    t = catalogue(language).gettext
    return CertificateWords(
        title=t(N_("CERTIFICATE")),
        of_participation=t(N_("OF PARTICIPATION")),
        of_achievement=t(N_("OF ACHIEVEMENT")),
        presented_to=t(N_("This certificate is proudly presented to")),
        roster=t(N_("Roster: ")),
        placement=t(_PLACEMENTS[placement]),
        citation=t(_CITATIONS[placement]),
        organizer=t(N_("Organizer")),
        date=t(N_("Date")),
        long_date=format_date(issued_on, "long", locale=babel_locale(language) or "en"),
        sponsors=t(N_("WITH THANKS TO OUR SPONSORS")),
        verify=t(N_("Verify: ")),
    )
