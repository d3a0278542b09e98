"""Events: The coin ledger, entry-fee payments, reviews and refunds."""

from __future__ import annotations
