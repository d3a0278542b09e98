"""The ``deltacrown`` command line, run as a user would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.config import ConfigError, load_settings


def deltacrown(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DELTACROWN_")}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        env={**clean, "PYTHONPATH": str(Path(__file__).parents[2]), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_help_lists_the_commands(tmp_path: Path) -> None:
    result = deltacrown("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in ("run", "migrate"):
        assert command in result.stdout


def test_run_without_token_explains_in_one_line_and_exits_2(tmp_path: Path) -> None:
    result = deltacrown("run", cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "DELTACROWN_DISCORD_TOKEN" in lines[0] and "deltacrown demo" in lines[0]


def test_migrate_creates_the_embedded_database(tmp_path: Path) -> None:
    result = deltacrown("migrate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "deltacrown.db").is_file()
    again = deltacrown("migrate", cwd=tmp_path)  # idempotent
    assert again.returncode == 0, again.stderr


def test_bad_config_is_one_line_naming_the_key(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[dashboard]\nport = "eighty"\n')
    result = deltacrown("migrate", cwd=tmp_path)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "dashboard.port" in line and "DELTACROWN_DASHBOARD_PORT" in line


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[dashboard]\nport = 9000\n[discord]\ntoken = "from-file"\n')
    monkeypatch.setenv("DELTACROWN_DASHBOARD_PORT", "9100")
    settings = load_settings(config)
    assert settings.dashboard.port == 9100
    assert settings.discord.token is not None
    assert settings.discord.token.get_secret_value() == "from-file"
    assert "from-file" not in repr(settings)


def test_unknown_key_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[discord]\ntokn = 'typo'\n")
    try:
        load_settings(config)
    except ConfigError as exc:
        assert "discord.tokn" in str(exc)
    else:
        raise AssertionError("a misspelled key must be refused")
