"""user_text() leaves member-typed text inert: no mention, no markdown, no masked link."""

from __future__ import annotations

import pytest

from cogs._safe import pings, user_text


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("Crown Cup", "Crown Cup"),
        ("@everyone", "@\u200beveryone"),
        ("<@&123456789012345678>", "<@\u200b&123456789012345678>"),
        ("[FREE](https://e.x)", "\\[FREE](https://e.x)"),
        # escape_markdown alone escapes only the first bracket: the link survived
        ("[EVL] [FREE](https://e.x)", "\\[EVL] \\[FREE](https://e.x)"),
        ("\\[FREE](https://e.x)", "\\\\\\[FREE](https://e.x)"),
    ],
)
def test_user_text_is_inert(typed: str, shown: str) -> None:
    assert user_text(typed) == shown


def test_pings_name_exactly_whom() -> None:
    assert pings(users=[1, 1, 2], role_id=3).to_dict() == {
        "parse": [],
        "users": [1, 2],
        "roles": [3],
    }
    assert pings().to_dict()["parse"] == []
