"""The renderer's own words on bracket, standings and stats pictures.

The render package is pure (it imports no catalogue): it prints what it is given, English
by default. The domain fills these from the catalogue in the tournament's language
(``engine/brackets/picture_words.py``), the way certificates take ``CertificateWords``.
Templates keep their ``{named}`` placeholders; the renderer fills them with ``format``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PictureWords:
    # Match states, on a match box and a Swiss pairing.
    live: str = "LIVE"
    disputed: str = "DISPUTED"
    dispute: str = "DISPUTE"  # the short form between two names in a pairing
    ready: str = "READY"
    bye: str = "BYE"
    tbd: str = "TBD"
    versus: str = "vs"
    best_of: str = "Bo{n}"
    # Panel titles of a picture split into parts.
    part_of: str = "{title} · part {part} of {parts}"
    rows_of: str = "{title} · {first}–{last} of {total}"
    columns_of: str = "{title} · columns {first}–{last}"
    # Standings column headers.
    name: str = "Name"
    record_with_draws: str = "W-D-L"
    record: str = "W-L"
    # Stats pictures.
    name_upper: str = "NAME"
    rating_history: str = "RATING HISTORY"
    now: str = "now {value}"
    last_results: str = "LAST RESULTS"
    against: str = "vs {name}"
    nobody_on_board: str = "Nobody on this board yet."
    no_rated_matches: str = "No rated matches yet."
    badges: str = "Badges: {badges}"
    # A result chip's letter (the chip's colour keeps following W, L or D).
    win: str = "W"
    loss: str = "L"
    draw: str = "D"


ENGLISH = PictureWords()
