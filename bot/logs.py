"""One log format for the whole process; discord.py's chatty loggers turned down."""

from __future__ import annotations

import logging
import sys

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"

_NOISY = {
    "discord.gateway": logging.WARNING,
    "discord.client": logging.WARNING,
    "discord.http": logging.WARNING,
    "discord.state": logging.WARNING,
    "apscheduler": logging.WARNING,
    "aiohttp.access": logging.WARNING,
    "sqlalchemy.engine": logging.WARNING,
    # The drivers log every statement's parameters at DEBUG: lobby passwords, references.
    "aiosqlite": logging.WARNING,
    "asyncpg": logging.WARNING,
    "alembic.runtime.migration": logging.WARNING,
}


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT, datefmt="%Y-%m-%d %H:%M:%S"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name, floor in _NOISY.items():
        logging.getLogger(name).setLevel(max(floor, logging.getLevelName(level)))
