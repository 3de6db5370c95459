"""Settings: environment and TOML, defaults, and one clear line for every bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("ABSENCES_"):
            monkeypatch.delenv(name)


def test_the_defaults_are_the_embedded_install() -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite://var/absences.sqlite3"
    assert settings.redis_url is None  # the inline queue
    assert (settings.host, settings.port) == ("127.0.0.1", 8080)
    assert settings.sms_provider == "outbox"
    assert (settings.session_idle_minutes, settings.session_hours) == (120, 12)
    assert settings.trusted_networks == ()
    assert settings.log_format == "text" and settings.metrics_token is None
    assert [str(n) for n in settings.metrics_clients] == ["127.0.0.1/32", "::1/128"]


def test_trusted_proxies_are_addresses_or_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ABSENCES_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7 ,::1")
    assert [str(n) for n in load_settings().trusted_networks] == [
        "10.0.0.0/8",
        "192.0.2.7/32",
        "::1/128",
    ]


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ABSENCES_PORT", "9090")
    monkeypatch.setenv("ABSENCES_REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("ABSENCES_DATABASE_URL", "postgres://u@db/absences")
    settings = load_settings()
    assert settings.port == 9090
    assert settings.redis_url == "redis://127.0.0.1:6379/0"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("ABSENCES_PORT", "eighty", "ABSENCES_PORT"),
        ("ABSENCES_PORT", "70000", "ABSENCES_PORT"),
        ("ABSENCES_DATABASE_URL", "mysql://x/y", "ABSENCES_DATABASE_URL"),
        ("ABSENCES_REDIS_URL", "http://localhost", "ABSENCES_REDIS_URL"),
        ("ABSENCES_SMS_PROVIDER", "carrier-pigeon", "ABSENCES_SMS_PROVIDER"),
        ("ABSENCES_PUBLIC_URL", "not a url", "ABSENCES_PUBLIC_URL"),
        ("ABSENCES_TRUSTED_PROXIES", "10.0.0.0/8, proxy.local", "ABSENCES_TRUSTED_PROXIES"),
        ("ABSENCES_SESSION_IDLE_MINUTES", "0", "ABSENCES_SESSION_IDLE_MINUTES"),
        ("ABSENCES_SESSION_HOURS", "twelve", "ABSENCES_SESSION_HOURS"),
        ("ABSENCES_LOG_FORMAT", "xml", "ABSENCES_LOG_FORMAT"),
        ("ABSENCES_METRICS_NETWORKS", "127.0.0.1, everyone", "ABSENCES_METRICS_NETWORKS"),
        ("ABSENCES_METRICS_TOKEN", "short", "ABSENCES_METRICS_TOKEN"),
        ("ABSENCES_HEALTH_OVERDUE_SECONDS", "10", "ABSENCES_HEALTH_OVERDUE_SECONDS"),
    ],
)
def test_a_bad_value_gives_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert expected in message and "\n" not in message


def test_a_toml_file_is_read_and_the_environment_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "absences.toml"
    config.write_text('port = 8181\nhost = "0.0.0.0"\npublic_url = "https://abs.example.org/"\n')
    monkeypatch.setenv("ABSENCES_CONFIG", str(config))
    monkeypatch.setenv("ABSENCES_HOST", "127.0.0.2")
    settings = load_settings()
    assert settings.port == 8181
    assert settings.host == "127.0.0.2"
    assert settings.public_url == "https://abs.example.org"


def test_a_missing_or_broken_toml_file_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ABSENCES_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(SettingsError, match="no such file"):
        load_settings()
    broken = tmp_path / "broken.toml"
    broken.write_text("port = = 1\n")
    monkeypatch.setenv("ABSENCES_CONFIG", str(broken))
    with pytest.raises(SettingsError, match="ABSENCES_CONFIG"):
        load_settings()


def test_the_secret_key_is_generated_once_into_var(tmp_path: Path) -> None:
    settings = load_settings(var_dir=tmp_path)
    first = settings.resolved_secret_key()
    assert len(first) >= 40
    assert load_settings(var_dir=tmp_path).resolved_secret_key() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_a_refused_secret_is_not_repeated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ABSENCES_METRICS_TOKEN", "tooshort")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert "ABSENCES_METRICS_TOKEN" in str(caught.value) and "tooshort" not in str(caught.value)
    monkeypatch.setenv("ABSENCES_METRICS_TOKEN", "")
    assert load_settings().metrics_token is None  # empty: no token
