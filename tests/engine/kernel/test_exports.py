"""The one CSV writer: formula-like text neutralised, numbers kept, Bangla readable."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from engine.kernel.exports import csv_bytes


def read(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_formula_like_text_is_quoted_and_everything_else_kept() -> None:
    rows = [
        ['=HYPERLINK("http://x")', "+1", "-cmd", "@SUM(A1)", "\tx", "plain"],
        [-5, 2.5, True, None, datetime(2026, 12, 6, 18, 0, tzinfo=UTC), 'রাকিব, "RK"'],
    ]
    [header, first, second] = read(csv_bytes(["a", "b", "c", "d", "e", "f"], rows))
    assert header == ["a", "b", "c", "d", "e", "f"]
    assert first == ['\'=HYPERLINK("http://x")', "'+1", "'-cmd", "'@SUM(A1)", "'\tx", "plain"]
    assert second == ["-5", "2.5", "yes", "", "2026-12-06T18:00:00+00:00", 'রাকিব, "RK"']


def test_lines_end_in_crlf() -> None:
    assert csv_bytes(["x"], [["1"]]).endswith(b"\r\n1\r\n")
