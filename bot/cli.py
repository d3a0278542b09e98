"""The ``deltacrown`` command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings

NO_TOKEN = (
    "No Discord bot token is configured: set DELTACROWN_DISCORD_TOKEN (or [discord] token in "
    "config.toml, copied from config.example.toml). To try DeltaCrown offline without "
    "Discord, run `deltacrown demo`."
)


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(args.config)


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if settings.discord.token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    from bot.logs import configure_logging
    from bot.runtime import NotMigrated, run

    configure_logging(settings.logging.level)
    try:
        run(settings)
    except NotMigrated as exc:
        print(f"deltacrown: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from bot.logs import configure_logging
    from storage.migrate import head_revision, upgrade

    settings = _settings(args)
    configure_logging(settings.logging.level)
    upgrade(settings.database.url)
    print(f"database {_redact(settings.database.url)} is at revision {head_revision()}")
    return 0


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="deltacrown",
        description="Run esports tournaments from Discord.",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="path to config.toml (default: ./config.toml, or $DELTACROWN_CONFIG)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = sub.add_parser("run", help="run the bot, the dashboard and the scheduler")
    run.set_defaults(func=cmd_run)

    migrate = sub.add_parser("migrate", help="upgrade the database to the newest schema")
    migrate.set_defaults(func=cmd_migrate)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
