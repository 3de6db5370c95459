"""One typed settings object, loaded once from ``ABSENCES_*`` variables and an optional TOML file.

Precedence: explicit keyword arguments, then environment variables, then the TOML file named by
``ABSENCES_CONFIG``, then the defaults. A bad value raises :class:`SettingsError` with one line
that names the variable and what is wrong with it.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from core.files import write_private
from core.rules.client_address import Network, parse_networks

ENV_PREFIX = "ABSENCES_"


class SettingsError(Exception):
    """A setting is missing or has a bad value; the message is one line meant for the admin."""


class Settings(BaseSettings):
    """Process-wide configuration. Per-school settings live in the database, not here."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, extra="ignore", validate_default=True, frozen=True
    )

    database_url: str = "sqlite://var/absences.sqlite3"
    redis_url: str | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    public_url: str = "http://127.0.0.1:8080"
    secret_key: str | None = None
    var_dir: Path = Path("var")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # ``json``: every log record of ``serve`` and ``worker`` as one JSON line (and one record
    # per request); ``text``: lines for a person
    log_format: Literal["text", "json"] = "text"
    language: Literal["fr", "en"] = "fr"

    sms_provider: Literal["outbox", "twilio", "ovh"] = "outbox"
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_from: str | None = None
    twilio_api_url: str = "https://api.twilio.com"

    ovh_endpoint: str = "https://eu.api.ovh.com"
    ovh_application_key: str | None = None
    ovh_application_secret: str | None = None
    ovh_consumer_key: str | None = None
    ovh_service_name: str | None = None
    ovh_sender: str | None = None

    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str | None = None
    smtp_starttls: bool = True

    telegram_token: str | None = None
    telegram_api_url: str = "https://api.telegram.org"
    telegram_webhook_secret: str | None = None
    telegram_bot_username: str | None = None  # for the t.me deep link of a chat code

    # A share where schools drop SIECLE exports, one folder per UAI: core.services.siecle.watch
    siecle_watch_dir: Path | None = None
    siecle_watch_interval: int = Field(default=3600, ge=10)

    # Jobs one process runs at once (an arq worker, or the in-process runner of `serve`), and
    # deliveries it holds at once, whatever the jobs bring (a job carries up to 100 deliveries
    # that may leave together): those running together are claimed, recorded and committed as
    # one batch; a worker killed sends again at most this many
    worker_jobs: int = Field(default=100, ge=1, le=1000)
    # Seconds a job of several deliveries waits for room in its process before handing the
    # deliveries still waiting back to the queue (another worker may take them)
    worker_patience: float = Field(default=10.0, gt=0, le=60)

    # Panel sessions end after this many minutes without use, and this many hours after the login
    session_idle_minutes: int = Field(default=120, ge=1, le=7 * 24 * 60)
    session_hours: int = Field(default=12, ge=1, le=30 * 24)
    # Reverse proxies whose X-Forwarded-For is believed: comma-separated addresses or CIDRs
    # (unset: the client address is the peer's)
    trusted_proxies: str = ""

    # Who may read GET /metrics: a request with ``Authorization: Bearer <metrics_token>`` from
    # anywhere, or a client of these networks that came through no untrusted proxy
    metrics_token: str | None = Field(default=None, min_length=16)
    metrics_networks: str = "127.0.0.1,::1"
    # /healthz says the deliveries are late when the oldest one due has waited this many seconds
    health_overdue_seconds: int = Field(default=600, ge=60, le=7 * 24 * 3600)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get(ENV_PREFIX + "CONFIG")
        if config_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config_file)))
        return tuple(sources)

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        scheme = urlsplit(value).scheme
        if scheme not in {"sqlite", "postgres", "postgresql", "asyncpg", "psycopg"}:
            raise ValueError("must start with sqlite:// or postgres://")
        return value

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if urlsplit(value).scheme not in {"redis", "rediss", "unix"}:
            raise ValueError("must start with redis://")
        return value

    @field_validator("trusted_proxies", "metrics_networks")
    @classmethod
    def _check_networks(cls, value: str) -> str:
        parse_networks(value)
        return value

    @field_validator("metrics_token", mode="before")
    @classmethod
    def _empty_token_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def trusted_networks(self) -> tuple[Network, ...]:
        """The trusted reverse proxies (``ABSENCES_TRUSTED_PROXIES``)."""
        return parse_networks(self.trusted_proxies)

    @property
    def metrics_clients(self) -> tuple[Network, ...]:
        """The networks that may read /metrics without its token (``ABSENCES_METRICS_NETWORKS``)."""
        return parse_networks(self.metrics_networks)

    @field_validator("siecle_watch_dir", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("public_url", "twilio_api_url", "telegram_api_url", "ovh_endpoint")
    @classmethod
    def _check_http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/")

    def configured_public_url(self) -> str | None:
        """``ABSENCES_PUBLIC_URL`` when it was set (file, environment or argument), else None:
        the default is only a guess for a local trial, not an address to check requests by."""
        return self.public_url if "public_url" in self.model_fields_set else None

    def resolved_secret_key(self) -> str:
        """The secret key: configured, or generated once into ``var/secret_key``."""
        if self.secret_key:
            return self.secret_key
        key_file = self.var_dir / "secret_key"
        if key_file.exists():
            return key_file.read_text().strip()
        key = secrets.token_urlsafe(48)
        write_private(key_file, (key + "\n").encode())
        return key


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    loc = first.get("loc", ())
    name = ENV_PREFIX + str(loc[0]).upper() if loc else "settings"
    value = first.get("input")
    secret = any(word in name.lower() for word in ("token", "secret", "password", "key"))
    shown = "" if isinstance(value, dict) or secret else f" (got {value!r})"
    return f"bad setting {name}: {first.get('msg', 'invalid value')}{shown}"


def load_settings(**overrides: Any) -> Settings:
    """Build the settings, turning any validation or file error into one :class:`SettingsError`."""
    config_file = os.environ.get(ENV_PREFIX + "CONFIG")
    if config_file and not Path(config_file).is_file():
        raise SettingsError(f"bad setting {ENV_PREFIX}CONFIG: no such file {config_file!r}")
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise SettingsError(_describe(error)) from None
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"bad setting {ENV_PREFIX}CONFIG: {config_file}: {error}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, loaded once."""
    return load_settings()
