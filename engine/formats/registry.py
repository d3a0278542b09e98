"""One registry of bracket formats, the only list of them in the product.

Each format module in ``engine.formats.kinds`` registers a :class:`FormatSpec` when it is
imported; everything else that names formats (the CLI and slash-command choices, labels,
minimum fields, the options an organizer may set, the preview, the demo, the bracket
pictures) reads this registry instead of keeping a parallel list.

A new format: a module ``engine/formats/kinds/<key>.py`` with its stage and a
``register_format(FormatSpec(...))``, its import line in ``engine/formats/kinds/__init__.py``
(the line's position is the format's place in every list), and its tests. A format that
looks like none of the others also adds its layout to ``engine.brackets.views.LAYOUTS``.
``tests/engine/formats/toy_format.py`` is this recipe followed once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TypeVar

from engine.formats.errors import InvalidOptions
from engine.formats.options import FormatOptions
from engine.formats.stage import Stage

V = TypeVar("V")


def _no_check(options: FormatOptions, most: int) -> None:
    """Most formats run with any valid options for any field size."""


def _no_demo_options(players: int) -> Mapping[str, object]:
    return {}


def _rough_estimate(entrants: int) -> int:
    return entrants * 2


@dataclass(frozen=True)
class FormatSpec:
    """Everything the product needs to know about one format.

    ``stage`` builds the root stage (called as ``stage("main", options)``).
    ``check_options`` refuses options that cannot work for a field of at most ``most``
    entrants by raising :class:`InvalidOptions` (the tournament rules show its message).
    ``draw_sides`` are the match sides on which a draw may be reported when draws are on.
    ``view`` names the read-model builder of ``engine.brackets.views`` that draws it.
    ``demo_options`` and ``expected_matches`` shape ``deltacrown demo`` and its progress.
    """

    key: str
    label: str
    stage: Callable[[str, FormatOptions], Stage]
    minimum_field: int = 2
    option_keys: tuple[str, ...] = ()
    check_options: Callable[[FormatOptions, int], None] = _no_check
    draw_sides: frozenset[str] = field(default_factory=frozenset)
    view: str = "elimination"
    demo_options: Callable[[int], Mapping[str, object]] = _no_demo_options
    expected_matches: Callable[[int], int] = _rough_estimate


_SPECS: dict[str, FormatSpec] = {}
# Read-only and live: a format registered later (a plugin, a test) shows up here too.
FORMATS: Mapping[str, FormatSpec] = MappingProxyType(_SPECS)


def register_format(spec: FormatSpec) -> FormatSpec:
    """Add a format; its place in the registry is its place in every list of choices."""
    if spec.key in _SPECS:
        raise ValueError(f"The bracket format {spec.key!r} is registered twice.")
    _SPECS[spec.key] = spec
    return spec


def unregister_format(key: str) -> None:
    """Remove a format (tests that register a toy format clean up with this)."""
    _SPECS.pop(key, None)


def format_spec(key: str) -> FormatSpec:
    try:
        return _SPECS[key]
    except KeyError:
        raise InvalidOptions(
            f"Unknown format '{key}'; choose one of: {', '.join(_SPECS)}."
        ) from None


class FormatColumn(Mapping[str, V]):
    """One attribute of every registered format, keyed by format, always up to date.

    The old parallel dicts (labels, minimum fields, option keys) are columns now, so
    callers keep their ``mapping[key]`` and ``.get`` while the registry stays the source.
    """

    def __init__(self, pick: Callable[[FormatSpec], V]) -> None:
        self._pick = pick

    def __getitem__(self, key: str) -> V:
        return self._pick(_SPECS[key])

    def __iter__(self) -> Iterator[str]:
        return iter(_SPECS)

    def __len__(self) -> int:
        return len(_SPECS)


class _AllOptionKeys(AbstractSet[str]):
    """Every option key some format lets an organizer set, sorted, always up to date."""

    def _keys(self) -> list[str]:
        return sorted({k for spec in _SPECS.values() for k in spec.option_keys})

    def __contains__(self, key: object) -> bool:
        return any(key in spec.option_keys for spec in _SPECS.values())

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys())

    def __len__(self) -> int:
        return len(self._keys())


FORMAT_LABELS: FormatColumn[str] = FormatColumn(lambda spec: spec.label)
MINIMUM_FIELD: FormatColumn[int] = FormatColumn(lambda spec: spec.minimum_field)
OPTION_KEYS: FormatColumn[tuple[str, ...]] = FormatColumn(lambda spec: spec.option_keys)
ALL_OPTION_KEYS: AbstractSet[str] = _AllOptionKeys()
