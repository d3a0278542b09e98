"""A round's title in any language.

The formats store each match's round title as English words (``"Semifinals"``,
``"Losers Round 2"``, ``"Group A · Round 3"``), which is also what exports and old rows
hold. :func:`round_title_text` reads such a title back into catalogue messages, so a
surface shows it in its reader's language; a title it does not know stays as it is.
"""

from __future__ import annotations

import re

from engine.kernel.text import N_, Message, msg

_NAMED = {
    "Final": N_("Final"),
    "Semifinals": N_("Semifinals"),
    "Quarterfinals": N_("Quarterfinals"),
    "Grand Final": N_("Grand Final"),
    "Grand Final Reset": N_("Grand Final Reset"),
    "Third-Place Decider": N_("Third-Place Decider"),
    "Third-Place Match": N_("Third-Place Match"),
    "Losers Final": N_("Losers Final"),
    "Winners Final": N_("Winners Final"),
    "Winners Semifinals": N_("Winners Semifinals"),
    "Winners Quarterfinals": N_("Winners Quarterfinals"),
}
_ROUND = re.compile(r"(?:(?P<side>Winners|Losers) )?Round (?P<n>\d+)")
_GROUP = re.compile(r"Group (?P<group>\S+) · (?P<rest>.+)")


def round_title_text(title: str) -> Message:
    """``title`` (as a format stored it) as a message in the catalogue."""
    named = _NAMED.get(title)
    if named is not None:
        return Message(named)
    group = _GROUP.fullmatch(title)
    if group is not None:
        return msg(
            "Group {group} · {round}",
            group=group["group"],
            round=round_title_text(group["rest"]),
        )
    numbered = _ROUND.fullmatch(title)
    if numbered is not None:
        n = int(numbered["n"])
        if numbered["side"] == "Winners":
            return msg("Winners Round {n}", n=n)
        if numbered["side"] == "Losers":
            return msg("Losers Round {n}", n=n)
        return msg("Round {n}", n=n)
    return Message.literal(title)
