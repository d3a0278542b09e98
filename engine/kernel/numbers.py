"""Reading numbers that users type, where ``str.isdigit()`` is not enough.

``"²".isdigit()`` and ``"١٢".isdigit()`` are true, yet ``int("²")`` raises; and a
20-digit "id" overflows a 64-bit primary key (SQLite raises OverflowError, PostgreSQL a
DataError). Both used to end as unhandled errors with an incident id.
"""

from __future__ import annotations

MAX_ROW_ID = 2**63 - 1  # the largest BIGINT primary key on SQLite and PostgreSQL


def ascii_digits(text: str) -> bool:
    """True for a non-empty run of 0-9 only."""
    return text.isascii() and text.isdigit()


def row_id(text: str) -> int | None:
    """The database id ``text`` spells, or None when it cannot be one."""
    if not ascii_digits(text):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ROW_ID else None
