"""The built-in bracket formats, one module each; importing this package registers them.

The import order below is the order of every list of formats a user sees, so it is kept
by hand (not sorted).
"""

# isort: off
from engine.formats.kinds import single_elim  # noqa: F401  (imported to register)
from engine.formats.kinds import double_elim  # noqa: F401
from engine.formats.kinds import round_robin  # noqa: F401
from engine.formats.kinds import swiss  # noqa: F401
from engine.formats.kinds import group_playoff  # noqa: F401

# isort: on
