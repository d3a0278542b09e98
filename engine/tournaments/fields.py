"""Custom registration fields: their definitions and the pure validator of the answers.

An organizer adds up to five questions to a tournament's /register modal (a Discord modal
holds five inputs). The registration flow calls :func:`validate_field_values` with what
the player typed; it returns JSON-safe values keyed by field key, or raises InvalidInput
naming the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from engine.kernel.errors import InvalidInput
from engine.kernel.text import Command, msg
from storage.models import RegistrationField
from storage.models.enums import FieldKind

MAX_FIELDS = 5
MAX_LABEL = 45  # Discord caps modal labels at 45 characters
MAX_TEXT_LENGTH = 4000  # Discord's limit for one text input
DEFAULT_TEXT_LENGTH = 100
MAX_CHOICES = 25
MAX_NUMBER = 10**12
_TRUE = {"yes", "y", "true", "on", "1"}
_FALSE = {"no", "n", "false", "off", "0"}
_DATE_FORMATS = ("%Y-%m-%d", "%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y")


@dataclass(frozen=True)
class FieldSpec:
    """What an organizer gives to /tournament field-add."""

    label: str
    kind: str
    required: bool = True
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldView:
    id: int
    key: str
    label: str
    kind: str
    required: bool
    options: Mapping[str, Any] = field(default_factory=dict)
    position: int = 0

    @classmethod
    def of(cls, row: RegistrationField) -> FieldView:
        return cls(
            id=row.id,
            key=row.key,
            label=row.label,
            kind=row.kind,
            required=row.required,
            options=dict(row.options or {}),
            position=row.position,
        )

    @property
    def hint(self) -> str:
        """A short placeholder for the modal input."""
        kind = FieldKind(self.kind)
        if kind is FieldKind.DROPDOWN:
            return "One of: " + ", ".join(self.options.get("choices", []))
        if kind is FieldKind.TOGGLE:
            return "yes or no"
        if kind is FieldKind.DATE:
            return "YYYY-MM-DD"
        if kind is FieldKind.URL:
            return "https://…"
        if kind is FieldKind.NUMBER:
            low, high = self.options.get("min"), self.options.get("max")
            if low is not None and high is not None:
                return f"A whole number from {low} to {high}"
            return "A whole number"
        return f"Up to {self.options.get('max_length', DEFAULT_TEXT_LENGTH)} characters"


def field_key(label: str) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
    return key[:40] or "field"


def field_options(spec: FieldSpec) -> dict[str, Any]:
    """Check an organizer's field definition; return the stored kind-specific options."""
    label = " ".join(spec.label.split())
    if not 1 <= len(label) <= MAX_LABEL:
        raise InvalidInput(
            msg(
                "A field label must be 1 to {max_label} characters long (Discord's "
                "limit); “{label}” has {count}.",
                max_label=MAX_LABEL,
                label=spec.label[:60],
                count=len(label),
            )
        )
    try:
        kind = FieldKind(spec.kind)
    except ValueError:
        raise InvalidInput(
            "The field kind must be one of: " + ", ".join(k.value for k in FieldKind) + "."
        ) from None
    if kind is FieldKind.TEXT:
        length = spec.max_length or DEFAULT_TEXT_LENGTH
        if not 1 <= length <= MAX_TEXT_LENGTH:
            raise InvalidInput(
                msg(
                    "The maximum length must be from 1 to {max_text_length}.",
                    max_text_length=MAX_TEXT_LENGTH,
                )
            )
        return {"max_length": length}
    if kind is FieldKind.NUMBER:
        return _number_options(spec)
    if kind is FieldKind.DROPDOWN:
        return {"choices": _choices(spec.choices)}
    return {}


def _number_options(spec: FieldSpec) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for name, value in (("min", spec.min_value), ("max", spec.max_value)):
        if value is not None:
            if abs(value) > MAX_NUMBER:
                raise InvalidInput(msg("The {name}imum must be between -10¹² and 10¹².", name=name))
            options[name] = value
    if "min" in options and "max" in options and options["min"] > options["max"]:
        raise InvalidInput(
            msg(
                "The minimum ({options}) cannot be above the maximum ({options2}).",
                options=options["min"],
                options2=options["max"],
            )
        )
    return options


def _choices(raw: Sequence[str]) -> list[str]:
    choices = [" ".join(c.split()) for c in raw if c.strip()]
    if len(choices) < 2:
        raise InvalidInput(
            msg("A dropdown needs at least two choices, separated by commas, e.g. “EU, NA, Asia”.")
        )
    if len(choices) > MAX_CHOICES:
        raise InvalidInput(
            msg("A dropdown can offer at most {max_choices} choices.", max_choices=MAX_CHOICES)
        )
    if len({c.lower() for c in choices}) != len(choices):
        raise InvalidInput(msg("Each dropdown choice must be different."))
    if any(len(c) > 100 for c in choices):
        raise InvalidInput(msg("Each dropdown choice must be at most 100 characters long."))
    return choices


def validate_field_values(fields: Sequence[FieldView], raw: Mapping[str, str]) -> dict[str, Any]:
    """Turn a player's answers into stored values; refuse the first bad answer by name."""
    known = {f.key for f in fields}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise InvalidInput(
            msg(
                "The form had answers to questions this tournament no longer asks; run "
                "{register} again to get the current form.",
                register=Command("register"),
            )
        )
    values: dict[str, Any] = {}
    for spec in sorted(fields, key=lambda f: f.position):
        text = (raw.get(spec.key) or "").strip()
        if not text:
            if spec.required:
                raise InvalidInput(
                    msg("“{label}” is required; please fill it in.", label=spec.label)
                )
            continue
        values[spec.key] = _value(spec, text)
    return values


def _value(spec: FieldView, text: str) -> Any:
    kind = FieldKind(spec.kind)
    if kind is FieldKind.TEXT:
        limit = int(spec.options.get("max_length", DEFAULT_TEXT_LENGTH))
        if len(text) > limit:
            raise InvalidInput(
                msg(
                    "“{label}” can be at most {limit} characters long; yours has {count}.",
                    label=spec.label,
                    limit=limit,
                    count=len(text),
                )
            )
        return text
    if kind is FieldKind.NUMBER:
        return _number(spec, text)
    if kind is FieldKind.TOGGLE:
        word = text.lower()
        if word in _TRUE or word in _FALSE:
            return word in _TRUE
        raise InvalidInput(
            msg("“{label}” takes yes or no; you wrote “{text}”.", label=spec.label, text=text)
        )
    if kind is FieldKind.DATE:
        return _date(spec, text).isoformat()
    if kind is FieldKind.URL:
        return _url(spec, text)
    return _dropdown(spec, text)


def _number(spec: FieldView, text: str) -> int:
    cleaned = text.replace(",", "").replace("_", "")
    if not re.fullmatch(r"[+-]?\d{1,13}", cleaned):
        raise InvalidInput(
            msg(
                "“{label}” takes a whole number, such as 42; you wrote “{text}”.",
                label=spec.label,
                text=text,
            )
        )
    value = int(cleaned)
    low, high = spec.options.get("min"), spec.options.get("max")
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = _bounds_text(low, high)
        raise InvalidInput(
            msg(
                "“{label}” must be {bounds}; you wrote {value}.",
                label=spec.label,
                bounds=bounds,
                value=value,
            )
        )
    return value


def _bounds_text(low: Any, high: Any) -> str:
    if low is not None and high is not None:
        return f"from {low} to {high}"
    return f"at least {low}" if low is not None else f"at most {high}"


def _date(spec: FieldView, text: str) -> date:
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(" ".join(text.replace(",", " ").split()), pattern).date()
        except ValueError:
            continue
    raise InvalidInput(
        msg(
            "“{label}” takes a date such as 2026-12-05 (year-month-day); you wrote “{text}”.",
            label=spec.label,
            text=text,
        )
    )


def _url(spec: FieldView, text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or "." not in parts.hostname:
        raise InvalidInput(
            msg(
                "“{label}” takes a web link starting with https://; you wrote “{text}”.",
                label=spec.label,
                text=text[:80],
            )
        )
    if len(text) > 500 or any(c.isspace() for c in text):
        raise InvalidInput(
            msg(
                "“{label}” must be one link without spaces, at most 500 characters.",
                label=spec.label,
            )
        )
    return text


def _dropdown(spec: FieldView, text: str) -> str:
    choices: list[str] = list(spec.options.get("choices", []))
    for choice in choices:
        if choice.lower() == text.lower():
            return choice
    raise InvalidInput(
        msg(
            "“{label}” must be one of: {names}; you wrote “{text}”.",
            label=spec.label,
            names=", ".join(choices),
            text=text,
        )
    )
