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


def test_bracket_preview_prints_the_plan_without_a_database(tmp_path: Path) -> None:
    result = deltacrown(
        "bracket", "preview", "--format", "single_elim", "--participants", "6", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "Byes: seed 1, seed 2" in result.stdout
    assert not (tmp_path / "data").exists()


def test_bracket_preview_json_is_the_documented_structure(tmp_path: Path) -> None:
    import json

    result = deltacrown(
        "bracket",
        "preview",
        "--format",
        "double_elim",
        "--participants",
        "8",
        "--option",
        "grand_final=reset",
        "--json",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["format"] == "double_elim" and plan["participants"] == 8
    first_round = [m for m in plan["matches"] if m["round"] == 1 and m["side"] == "winners"]
    assert [[s.get("seed") for s in m["slots"]] for m in first_round] == [
        [1, 8],
        [4, 5],
        [2, 7],
        [3, 6],
    ]


def test_bracket_preview_rejects_a_bad_option_in_one_line(tmp_path: Path) -> None:
    result = deltacrown(
        "bracket",
        "preview",
        "--format",
        "swiss",
        "--participants",
        "8",
        "--option",
        "rounds=many",
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "rounds" in result.stderr


def test_bracket_preview_draws_png_files(tmp_path: Path) -> None:
    from PIL import Image

    result = deltacrown(
        "bracket",
        "preview",
        "--format",
        "double_elim",
        "--participants",
        "12",
        "--png",
        str(tmp_path / "out" / "de12.png"),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    [path] = result.stdout.split()
    with Image.open(path) as image:
        image.verify()
    with Image.open(path) as image:
        assert image.width > 1000 and image.height > 1000


def test_demo_runs_offline_and_says_where_the_results_are(tmp_path: Path) -> None:
    result = deltacrown(
        "demo", "--players", "4", "--format", "single_elim", "--out", "results", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "is the champion" in result.stdout and "results" in result.stdout
    assert (tmp_path / "results" / "summary.md").is_file()
    assert "Playing matches" in result.stderr  # the progress bar


def test_sync_commands_without_token_explains_and_exits_2(tmp_path: Path) -> None:
    result = deltacrown("sync-commands", cwd=tmp_path)
    assert result.returncode == 2
    assert "DELTACROWN_DISCORD_TOKEN" in result.stderr
