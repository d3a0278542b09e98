"""Operational failures, run as an operator would: one clear line, exit code 1, no traceback.

Each case starts the real command line in a subprocess. Waiting is on the process's own
output (a line arriving, or the process ending), never on a sleep.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.bot.test_cli import deltacrown
from tests.conftest import POSTGRES_URL_ENV

ROOT = Path(__file__).parents[2]
DEAD_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:1/deltacrown"


def one_failure_line(result: subprocess.CompletedProcess[str], prefix: str = "deltacrown:") -> str:
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    # Start-up log lines may come first (as on any start); the failure is the one last line.
    failures = [line for line in lines if line.startswith(prefix)]
    assert failures == lines[-1:], result.stderr
    return failures[0]


def missing_database_url() -> str:
    base = os.environ.get(POSTGRES_URL_ENV)
    if not base:
        pytest.skip(f"PostgreSQL not configured: set {POSTGRES_URL_ENV}")
    url = make_url(base).set(database="dc_no_such_database")
    return url.render_as_string(hide_password=False)


@contextmanager
def busy_port() -> Iterator[int]:
    """A port some other program already listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def migrated(tmp_path: Path) -> Path:
    result = deltacrown("migrate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return tmp_path


def test_migrate_against_a_dead_postgres(tmp_path: Path) -> None:
    line = one_failure_line(
        deltacrown("migrate", cwd=tmp_path, DELTACROWN_DATABASE_URL=DEAD_POSTGRES)
    )
    assert "cannot use the database postgresql+asyncpg://postgres@127.0.0.1:1/" in line


def test_run_against_a_dead_postgres(tmp_path: Path) -> None:
    result = deltacrown(
        "run", cwd=tmp_path, DELTACROWN_DATABASE_URL=DEAD_POSTGRES, DELTACROWN_DISCORD_TOKEN="t"
    )
    assert "cannot use the database" in one_failure_line(result)


def test_migrate_and_run_against_a_missing_database(tmp_path: Path) -> None:
    url = missing_database_url()
    line = one_failure_line(deltacrown("migrate", cwd=tmp_path, DELTACROWN_DATABASE_URL=url))
    assert "dc_no_such_database" in line and "does not exist" in line
    result = deltacrown(
        "run", cwd=tmp_path, DELTACROWN_DATABASE_URL=url, DELTACROWN_DISCORD_TOKEN="t"
    )
    assert "does not exist" in one_failure_line(result)


@pytest.mark.parametrize("command", ["migrate", "run"])
def test_an_unusable_data_directory(tmp_path: Path, command: str) -> None:
    (tmp_path / "not-a-dir").write_text("a file where the data directory should be")
    result = deltacrown(
        command,
        cwd=tmp_path,
        DELTACROWN_STORAGE_DATA_DIR="not-a-dir",
        DELTACROWN_DISCORD_TOKEN="t",
    )
    line = one_failure_line(result)
    assert "data directory not-a-dir is not usable" in line and "storage.data_dir" in line


def test_demo_out_on_an_unwritable_path(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("")
    result = deltacrown("demo", "--players", "4", "--out", "blocker/out", cwd=tmp_path)
    assert "cannot write blocker/out" in one_failure_line(result)


def test_bracket_preview_png_to_an_unwritable_file(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("")
    result = deltacrown(
        "bracket", "preview", "--format", "single_elim", "--participants", "4",
        "--png", "blocker/bracket.png", cwd=tmp_path,
    )  # fmt: skip
    assert "cannot write blocker/bracket.png" in one_failure_line(result)


def test_run_with_the_dashboard_port_already_in_use(migrated: Path) -> None:
    with busy_port() as port:
        result = deltacrown(
            "run", cwd=migrated, DELTACROWN_DISCORD_TOKEN="t", DELTACROWN_DASHBOARD_PORT=str(port)
        )
    line = one_failure_line(result)
    assert f"the dashboard cannot listen on 127.0.0.1:{port}" in line and "dashboard.port" in line


def dashboard_process(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DELTACROWN_")}
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args],
        cwd=cwd,
        env={**clean, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )


def without_info_logs(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    """``python -m dashboard`` logs INFO lines by design; the failure is the rest."""
    kept = [line for line in result.stderr.splitlines() if " INFO " not in line]
    return subprocess.CompletedProcess(
        result.args, result.returncode, result.stdout, "\n".join(kept)
    )


def test_standalone_dashboard_refuses_to_start_without_its_database(tmp_path: Path) -> None:
    port = free_port()
    result = dashboard_process("--database-url", DEAD_POSTGRES, "--port", str(port), cwd=tmp_path)
    line = one_failure_line(without_info_logs(result), "python -m dashboard:")
    assert "cannot use the database" in line
    assert "listening" not in result.stderr


def test_standalone_dashboard_with_its_port_in_use(migrated: Path) -> None:
    with busy_port() as port:
        result = dashboard_process("--port", str(port), cwd=migrated)
    line = one_failure_line(without_info_logs(result), "python -m dashboard:")
    assert f"cannot listen on 127.0.0.1:{port}" in line


def read_until(process: subprocess.Popen[str], stream: str, needle: str) -> list[str]:
    """Lines of the process's ``stream`` up to the one containing ``needle``.

    A timer kills the process if the line never comes, which ends the read with EOF.
    """
    watchdog = threading.Timer(60, process.kill)
    watchdog.start()
    lines: list[str] = []
    try:
        for line in getattr(process, stream):
            lines.append(line.rstrip("\n"))
            if needle in line:
                return lines
    finally:
        watchdog.cancel()
    raise AssertionError(f"{needle!r} never appeared in {stream}:\n" + "\n".join(lines))


def start(*args: str, cwd: Path, **env: str) -> subprocess.Popen[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DELTACROWN_")}
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        env={**clean, "PYTHONPATH": str(ROOT), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_run_with_discord_unreachable_warns_with_the_retry_plan(migrated: Path) -> None:
    process = start(
        "run",
        cwd=migrated,
        DELTACROWN_DISCORD_TOKEN="t",
        DELTACROWN_DASHBOARD_ENABLED="false",
        DELTACROWN_DISCORD_API_BASE_URL="http://127.0.0.1:1/api/v10",
    )
    try:
        lines = read_until(process, "stderr", "Discord is not reachable")
    finally:
        stop(process)
    warning = lines[-1]
    assert "WARNING" in warning and "http://127.0.0.1:1/api/v10" in warning
    assert "retrying in 5 s" in warning and "60 s" in warning
    assert "Traceback" not in "\n".join(lines)
    # Once at start: certificates would point at a local address.
    assert sum("dashboard.public_url is not set" in line for line in lines) == 1


@pytest.mark.parametrize("count", ["-3", "0", "1", "100000"])
def test_bracket_preview_participants_are_bounded(tmp_path: Path, count: str) -> None:
    result = deltacrown(
        "bracket", "preview", "--format", "single_elim", "--participants", count, cwd=tmp_path
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line == f"deltacrown: --participants must be from 2 to 1024, got {count}"


def test_demo_serve_prints_the_served_port_and_honours_the_secret_key(tmp_path: Path) -> None:
    port = free_port()
    process = start(
        "demo", "--players", "4", "--format", "single_elim", "--serve", "--out", "out",
        cwd=tmp_path,
        DELTACROWN_DASHBOARD_PORT=str(port),
        DELTACROWN_DASHBOARD_SECRET_KEY="a-long-configured-secret-for-the-demo",
    )  # fmt: skip
    try:
        lines = read_until(process, "stdout", "Dashboard:")
    finally:
        stop(process)
    assert lines[-1].startswith(f"Dashboard: http://127.0.0.1:{port}/")
    # With dashboard.secret_key set, no key of its own is generated into the data directory.
    assert not (tmp_path / "data" / "dashboard-secret.key").exists()
    for url in certificate_qr_urls(tmp_path / "out", tmp_path / "pages"):
        assert url.startswith(f"http://127.0.0.1:{port}/verify/"), url


def certificate_qr_urls(out: Path, pages: Path) -> list[str]:
    """The URLs in the QR codes of the demo's certificates (none when zbar is missing)."""
    try:
        from PIL import Image
        from pyzbar.pyzbar import decode
    except (ImportError, OSError):  # OSError: libzbar0 not installed
        return []
    if shutil.which("pdftoppm") is None:
        return []
    pdfs = sorted(out.rglob("*.pdf"))
    assert pdfs, "the demo writes certificates"
    pages.mkdir()
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(pdfs[0]),
                    str(pages / "page")], check=True)  # fmt: skip
    with Image.open(next(pages.glob("page*.png"))) as page:
        urls = [symbol.data.decode() for symbol in decode(page)]
    assert urls, "the certificate has a QR code"
    return urls
