"""A toy payment method, written the way ``engine/money/transfers.py`` writes the real ones.

It is the recipe of ``engine.money.methods`` followed once: this one module is all a new
method needs; ``test_methods_registry`` registers it and checks that every list of
methods picks it up. Cash handed to an organizer has no reference and no screenshot.
"""

from __future__ import annotations

from engine.money import MoneyMethod

TOY_METHOD = MoneyMethod(
    key="cash",  # stored in Payment.method, at most 8 characters
    label="cash at the venue",
    title="Cash at the venue",
    instructions="Hand the entry fee to an organizer, then /pay so they can confirm it.",
    needs_reference=False,
    needs_proof=False,
)
