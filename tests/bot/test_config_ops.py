"""Settings operators write by hand: shard ranges, the served address, the metrics token."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings


@pytest.fixture(autouse=True)
def _no_deltacrown_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    for key in list(os.environ):
        if key.startswith("DELTACROWN_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize(
    ("written", "expected"),
    [("0,1", [0, 1]), ("0-3", [0, 1, 2, 3]), ("0-1,4", [0, 1, 4]), ("[0, 1]", [0, 1]), ("2", [2])],
)
def test_shard_ids_from_the_environment_in_every_written_form(
    monkeypatch: pytest.MonkeyPatch, written: str, expected: list[int]
) -> None:
    monkeypatch.setenv("DELTACROWN_DISCORD_SHARD_COUNT", "8")
    monkeypatch.setenv("DELTACROWN_DISCORD_SHARD_IDS", written)
    assert load_settings().discord.shard_ids == expected


@pytest.mark.parametrize(
    ("toml", "expected"),
    [('"0-1,4"', [0, 1, 4]), ("[0, 1]", [0, 1]), ('"0, 2"', [0, 2])],
)
def test_shard_ids_from_config_toml(tmp_path: Path, toml: str, expected: list[int]) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[discord]\nshard_count = 8\nshard_ids = {toml}\n")
    assert load_settings(path).discord.shard_ids == expected


@pytest.mark.parametrize("written", ["zero", "3-1", "0,,1", "[0, 1"])
def test_a_bad_shard_list_names_the_accepted_forms(
    monkeypatch: pytest.MonkeyPatch, written: str
) -> None:
    monkeypatch.setenv("DELTACROWN_DISCORD_SHARD_COUNT", "8")
    monkeypatch.setenv("DELTACROWN_DISCORD_SHARD_IDS", written)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert "\n" not in message and "discord.shard_ids" in message
    assert "0,1" in message and "0-3" in message and "[0, 1]" in message


def test_shard_ids_must_be_below_shard_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DELTACROWN_DISCORD_SHARD_COUNT", "2")
    monkeypatch.setenv("DELTACROWN_DISCORD_SHARD_IDS", "0-2")
    with pytest.raises(ConfigError, match=r"discord\.shard_ids: shard id 2 is not below"):
        load_settings()


def test_public_url_defaults_to_the_served_host_and_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DELTACROWN_DASHBOARD_PORT", "18931")
    dashboard = load_settings().dashboard
    assert dashboard.public_url == "http://127.0.0.1:18931"
    assert not dashboard.public_url_is_set
    monkeypatch.setenv("DELTACROWN_DASHBOARD_HOST", "0.0.0.0")
    assert load_settings().dashboard.public_url == "http://127.0.0.1:18931"
    monkeypatch.setenv("DELTACROWN_DASHBOARD_PUBLIC_URL", "https://crown.example/")
    dashboard = load_settings().dashboard
    assert dashboard.public_url == "https://crown.example" and dashboard.public_url_is_set


def test_metrics_token_is_a_secret(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[dashboard]\nmetrics_token = "s3cret-token"\n')
    dashboard = load_settings(path).dashboard
    assert dashboard.metrics_token is not None
    assert dashboard.metrics_token.get_secret_value() == "s3cret-token"
    assert "s3cret-token" not in repr(dashboard)
