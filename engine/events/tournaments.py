"""Events: Tournament lifecycle, games, versions and custom fields."""

from __future__ import annotations
