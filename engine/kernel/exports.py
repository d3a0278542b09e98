"""CSV exports organizers open in a spreadsheet: one writer for every export.

A cell a player typed (a team name, a custom-field answer, a reason) can start with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return, and a spreadsheet would run it as a
formula (OWASP "CSV injection"). Such cells are prefixed with an apostrophe, which the
spreadsheet shows as text and hides. Numbers we wrote ourselves (scores, amounts, a negative
balance) stay numbers: only strings are neutralised.

The file is UTF-8 with a byte-order mark so Excel on Windows reads Bangla names correctly,
and lines end in CRLF as RFC 4180 asks.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | bool | datetime | None


def neutralise(value: Cell) -> str | int | float:
    """The value as a spreadsheet must see it: text that could run as a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """A whole CSV file: ``header`` then ``rows``, every cell neutralised."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
