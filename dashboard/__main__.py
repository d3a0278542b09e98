"""Serve the dashboard alone: ``python -m dashboard --database-url … --data-dir …``.

For spectators on a separate machine (or a second replica). It reads the same database
and the same signing key (``--secret-key`` or the key file in ``--data-dir``) as the bot.
It does not run the outbox dispatcher (that would take events away from the bot's
notifier); its live updates come from reading the outbox as a feed, like every
dashboard: woken by LISTEN/NOTIFY on PostgreSQL, by a one-second poll on SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
from pathlib import Path

from dashboard.app import ListenError, create_app, start_dashboard
from dashboard.config import DashboardConfig, served_url
from engine.services import Services
from storage.db import Database
from storage.migrate import is_current

log = logging.getLogger("dashboard")


class Unavailable(RuntimeError):
    """Why the dashboard will not start, as one line."""


def _arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__)
    env = os.environ.get
    parser.add_argument(
        "--database-url",
        default=env("DELTACROWN_DATABASE_URL", "sqlite+aiosqlite:///data/deltacrown.db"),
    )
    parser.add_argument(
        "--data-dir", type=Path, default=Path(env("DELTACROWN_STORAGE_DATA_DIR", "data"))
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--public-url", default=None, help="defaults to http://HOST:PORT")
    parser.add_argument("--secret-key", default=env("DELTACROWN_DASHBOARD_SECRET_KEY"))
    parser.add_argument(
        "--metrics-token",
        default=env("DELTACROWN_DASHBOARD_METRICS_TOKEN"),
        help="require Authorization: Bearer TOKEN on /metrics",
    )
    return parser.parse_args(argv)


async def check_database(db: Database) -> None:
    """Refuse to listen without a usable database: every page would be an error."""
    try:
        current = await is_current(db.engine)
    except Exception as exc:  # the drivers' errors are many; each becomes one line
        log.debug("database check failed", exc_info=exc)
        reason = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or ["?"])[0]
        raise Unavailable(f"cannot use the database: {reason}") from exc
    if not current:
        raise Unavailable("the database is not migrated; run `deltacrown migrate` first")


async def serve(args: argparse.Namespace) -> None:
    db = Database(args.database_url)
    try:
        await check_database(db)
        services = Services(db, data_dir=args.data_dir)
        config = DashboardConfig.for_data_dir(
            args.data_dir,
            public_url=args.public_url or served_url(args.host, args.port),
            secret=args.secret_key,
            metrics_token=args.metrics_token,
        )
        runner = await start_dashboard(create_app(services, config), args.host, args.port)
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()
    finally:
        await db.dispose()


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    args = _arguments(argv)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve(args))
    except (Unavailable, ListenError) as exc:
        print(f"python -m dashboard: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
