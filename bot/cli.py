"""The ``deltacrown`` command line."""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings
from engine.formats import FORMAT_LABELS, FORMATS
from engine.kernel.i18n import LANGUAGES, catalogue
from engine.kernel.text import N_

# A preview is drawn in memory; past this it is not a community tournament any more.
PREVIEW_PARTICIPANTS = (2, 1024)

log = logging.getLogger("deltacrown")

NO_TOKEN = (
    "No Discord bot token is configured: set DELTACROWN_DISCORD_TOKEN (or [discord] token in "
    "config.toml, copied from config.example.toml). To try DeltaCrown offline without "
    "Discord, run `deltacrown demo`."
)


@contextlib.contextmanager
def _writing(target: Path) -> Iterator[None]:
    """Turn a failed write under ``target`` into one line that names it."""
    from bot.runtime import StartupError

    try:
        yield
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        where = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(target) else ""
        raise StartupError(f"cannot write {target}: {reason}{where}") from exc


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(args.config)


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if settings.discord.token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    from bot.logs import configure_logging
    from bot.runtime import NotMigrated, check_data_dir, run

    configure_logging(settings.logging.level)
    check_data_dir(settings.storage.data_dir)
    try:
        run(settings)
    except NotMigrated as exc:
        print(f"deltacrown: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_sync_commands(args: argparse.Namespace) -> int:
    import asyncio

    from bot.runtime import sync_commands

    settings = _settings(args)
    if settings.discord.token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    names = asyncio.run(sync_commands(settings, args.guild))
    where = f"server {args.guild}" if args.guild else "every server (Discord may take an hour)"
    print(f"published {len(names)} commands to {where}: {', '.join(names)}")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from bot.logs import configure_logging
    from bot.runtime import StartupError, check_data_dir, database_failure, redact
    from storage.migrate import head_revision, upgrade

    settings = _settings(args)
    configure_logging(settings.logging.level)
    check_data_dir(settings.storage.data_dir)
    try:
        upgrade(settings.database.url)
    except Exception as exc:  # the drivers' errors are many; each becomes one line
        raise StartupError(database_failure(settings.database.url, exc)) from exc
    print(f"database {redact(settings.database.url)} is at revision {head_revision()}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    import asyncio
    import logging

    from bot.demo import run_demo

    settings = _settings(args)
    logging.basicConfig(level=logging.WARNING)
    if args.players < 4 or args.players > 256:
        print("deltacrown: --players must be from 4 to 256", file=sys.stderr)
        return 2
    keep_open = _serve_dashboard(settings) if args.serve else None
    demo = run_demo(
        players=args.players,
        fmt=args.format,
        out_dir=args.out,
        seed=args.seed,
        public_url=settings.dashboard.public_url,
        keep_open=keep_open,
        language=args.lang,
    )
    try:
        with _writing(args.out):
            report = asyncio.run(demo)
    except KeyboardInterrupt:
        return 0
    said = catalogue(args.lang).gettext  # the demo server's language
    champion = report.placings[0][1] if report.placings else said(N_("nobody"))
    print(
        said(N_("{tournament}: {champion} is the champion.")).format(
            tournament=report.tournament_name, champion=champion
        )
    )
    print(
        said(N_("Wrote {count} files to {out}/ (open summary.md first).")).format(
            count=len(report.files), out=args.out
        )
    )
    return 0


def _serve_dashboard(settings: Settings):
    async def serve(services) -> None:
        import asyncio

        from bot.runtime import dashboard_config
        from dashboard.adapters import dashboard_hooks
        from dashboard.app import create_app, start_dashboard

        # The same key and token as `deltacrown run`, so links and scrapers keep working.
        config = dashboard_config(settings)
        app = create_app(services, config, dashboard_hooks(services))
        runner = await start_dashboard(app, settings.dashboard.host, settings.dashboard.port)
        print(f"Dashboard: {settings.dashboard.public_url}/ (Ctrl-C to stop)", flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()

    return serve


def _options(pairs: list[str]) -> dict[str, str]:
    options: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise SystemExit(f"deltacrown: --option takes key=value, got {pair!r}")
        options[key.strip()] = value.strip()
    return options


def cmd_bracket_preview(args: argparse.Namespace) -> int:
    import json

    from engine.formats import FormatError, format_preview_text, preview_plan

    low, high = PREVIEW_PARTICIPANTS
    if not low <= args.participants <= high:
        print(
            f"deltacrown: --participants must be from {low} to {high}, got {args.participants}",
            file=sys.stderr,
        )
        return 2
    try:
        plan = preview_plan(
            args.format, args.participants, args.seeding, _options(args.option), args.seed
        )
    except FormatError as exc:
        print(f"deltacrown: {exc}", file=sys.stderr)
        return 2
    if args.png:
        images = _preview_images(args)
        with _writing(args.png):
            written = _write_images(args.png, images)
        print("\n".join(str(path) for path in written))
        return 0
    print(json.dumps(plan, indent=2) if args.json else format_preview_text(plan))
    return 0


def _preview_images(args: argparse.Namespace) -> list:
    """Draw the planned bracket: entrants named by seed, nothing played yet."""
    from engine.brackets import tournament_view
    from engine.formats import Participant, apply_seeding, create_bracket
    from engine.render import render_bracket

    entrants = [Participant(i, f"Seed {i}", i) for i in range(1, args.participants + 1)]
    seeded = apply_seeding(entrants, args.seeding, args.seed)
    bracket = create_bracket(args.format, seeded, _options(args.option), args.seed)
    title = f"{FORMAT_LABELS.get(args.format, args.format)} · {args.participants} entrants"
    names = {p.id: f"Entrant {p.id}" if args.seeding == "random" else p.name for p in seeded}
    view = tournament_view(bracket, title=title, status="Preview", names=names)
    return render_bracket(view)


def _write_images(target: Path, images: list) -> list[Path]:
    """One image goes to ``target``; several become target-1.png, target-2.png, …"""
    target.parent.mkdir(parents=True, exist_ok=True)
    if len(images) == 1:
        target.write_bytes(images[0].png_bytes)
        return [target]
    paths = []
    for index, image in enumerate(images, start=1):
        path = target.with_name(f"{target.stem}-{index}{target.suffix or '.png'}")
        path.write_bytes(image.png_bytes)
        paths.append(path)
    return paths


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

    sync = sub.add_parser(
        "sync-commands",
        help="publish the slash commands to Discord (all servers, or one with --guild)",
    )
    sync.add_argument(
        "--guild",
        type=int,
        default=None,
        metavar="ID",
        help="only this server, where they appear at once",
    )
    sync.set_defaults(func=cmd_sync_commands)

    demo = sub.add_parser(
        "demo",
        help="run a whole tournament offline and write its bracket, standings and certificates",
    )
    demo.add_argument("--players", type=int, default=16, help="how many players (4-256)")
    demo.add_argument("--format", default="double_elim", choices=tuple(FORMATS))
    demo.add_argument(
        "--out",
        type=Path,
        default=Path("demo-out"),
        metavar="DIR",
        help="where to write the results (default: demo-out)",
    )
    demo.add_argument("--seed", type=int, default=2026, help="randomness of the results")
    demo.add_argument(
        "--lang",
        default="en",
        choices=tuple(LANGUAGES),
        help="the demo server's language: its pictures, certificates and summary (default: en)",
    )
    demo.add_argument(
        "--serve", action="store_true", help="afterwards, serve the dashboard on the demo database"
    )
    demo.set_defaults(func=cmd_demo)

    bracket = sub.add_parser("bracket", help="bracket tools that need no database")
    bracket_sub = bracket.add_subparsers(dest="bracket_command", metavar="COMMAND", required=True)
    preview = bracket_sub.add_parser(
        "preview",
        help="print or draw the planned bracket",
        description="Plan a bracket for N entrants numbered 1..N (no database needed).",
    )
    preview.add_argument("--format", required=True, choices=tuple(FORMATS))
    preview.add_argument(
        "--participants",
        type=int,
        required=True,
        metavar="N",
        help=f"how many entrants ({PREVIEW_PARTICIPANTS[0]}-{PREVIEW_PARTICIPANTS[1]})",
    )
    preview.add_argument(
        "--seeding",
        default="given",
        choices=("given", "random"),
        help="given: entrant k is seed k; random: shuffled with --seed",
    )
    preview.add_argument("--seed", type=int, default=None, help="random seed (repeatable)")
    preview.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="format option, e.g. grand_final=reset, third_place=true, groups=4",
    )
    output = preview.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="the stable JSON plan")
    output.add_argument("--png", type=Path, metavar="FILE", help="draw the bracket image(s)")
    preview.set_defaults(func=cmd_bracket_preview)
    return parser


def failure_line(exc: BaseException) -> str | None:
    """The one line for an operational failure, or None for a bug (which keeps its traceback)."""
    from bot.runtime import StartupError
    from dashboard.app import ListenError

    if isinstance(exc, StartupError | ListenError):
        return str(exc)
    if isinstance(exc, OSError):
        where = exc.filename if exc.filename is not None else None
        reason = exc.strerror or str(exc) or type(exc).__name__
        return f"{reason}: {where}" if where is not None else reason
    return None


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except Exception as exc:
        line = failure_line(exc)
        if line is None:
            raise
        log.debug("%s failed", args.command, exc_info=exc)  # the details, for --debug logs
        print(f"deltacrown: {line}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
