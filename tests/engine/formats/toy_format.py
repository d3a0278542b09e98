"""A toy bracket format, written the way a real one in ``engine/formats/kinds`` is.

It is the recipe of ``engine.formats.registry`` followed once: this one module (a stage
and its ``FormatSpec``) is all a new format needs besides its import line in
``engine/formats/kinds/__init__.py``; ``test_registry`` registers it here instead and
checks that every list of formats picks it up.
"""

from __future__ import annotations

from engine.formats import FormatOptions, FormatSpec, InvalidOptions
from engine.formats.kinds.single_elim import SingleElimination


class Gauntlet(SingleElimination):
    """A single elimination under another name: the recipe is the point, not the rules."""


def _check_gauntlet(options: FormatOptions, most: int) -> None:
    if most > 64:
        raise InvalidOptions("A gauntlet takes at most 64 participants.")


TOY_FORMAT = FormatSpec(
    key="gauntlet",
    label="Gauntlet",
    stage=Gauntlet,
    minimum_field=5,
    option_keys=("third_place",),
    check_options=_check_gauntlet,
    demo_options=lambda players: {"third_place": True},
    expected_matches=lambda entrants: entrants - 1,
)
