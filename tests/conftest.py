"""Shared fixtures: real databases (SQLite, PostgreSQL) and a real Redis, never mocks."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.context import tortoise_test_context

from core.db import normalise_url
from core.models import MODEL_MODULES
from tests.gateway.fakes.smtp import SmtpServer

DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379/15"


def unavailable(service: str, reason: str) -> None:
    """Skip the test, or fail it when ``ABSENCES_REQUIRE_SERVICES=1`` (CI must not skip)."""
    message = f"{service} unavailable: {reason}"
    if os.environ.get("ABSENCES_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{message} (ABSENCES_REQUIRE_SERVICES=1)")
    pytest.skip(message)


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
    """URL of an empty Redis database (``ABSENCES_TEST_REDIS_URL``, default db 15).

    The database is flushed before and after the test: never point this at real data.
    """
    url = os.environ.get("ABSENCES_TEST_REDIS_URL", DEFAULT_TEST_REDIS_URL)
    client = Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        await client.aclose()
        unavailable("Redis", f"{url}: {exc}")
    try:
        await client.flushdb()
        yield url
        await client.flushdb()
    finally:
        await client.aclose()


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same argon2id, at test cost (the production cost, ~0.1 s a hash, would dominate)."""
    from argon2 import PasswordHasher

    from core.services.schools import users

    monkeypatch.setattr(
        users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


DEFAULT_TEST_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test"
MODEL_MODULES_FOR_TESTS = list(MODEL_MODULES)


def postgres_base_url() -> str:
    return os.environ.get("ABSENCES_TEST_DATABASE_URL", DEFAULT_TEST_DATABASE_URL)


async def _postgres_reachable(url: str) -> str | None:
    """None when PostgreSQL answers at ``url``, else the reason."""
    import asyncpg

    try:
        conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1), timeout=3)
    except (OSError, asyncpg.PostgresError) as exc:
        return str(exc)
    await conn.close()
    return None


async def _on_server(url: str, statement: str) -> None:
    """Run ``statement`` (``{name}`` = the database ``url`` names) on that server's ``postgres``."""
    import asyncpg

    base, name = url.rsplit("/", 1)
    conn = await asyncpg.connect(base.replace("postgres://", "postgresql://", 1) + "/postgres")
    try:
        await conn.execute(statement.format(name=name))
    finally:
        await conn.close()


async def drop_postgres_database(url: str) -> None:
    """Drop a test database (tortoise's test context only closes its connections)."""
    await _on_server(url, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def create_postgres_database(url: str) -> None:
    """Create the empty database ``url`` names (see :func:`fresh_postgres_url`)."""
    await _on_server(url, 'CREATE DATABASE "{name}"')


def fresh_postgres_url() -> str:
    """A URL naming a new, not yet created database on the test server."""
    base = postgres_base_url().rsplit("/", 1)[0]
    return f"{base}/absences_test_{uuid.uuid4().hex[:12]}"


@pytest.fixture(params=["sqlite", "postgres"])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh database with the schema, on SQLite and (when reachable) on PostgreSQL.

    Yields the database URL. Every test that takes it runs once per backend.
    """
    if request.param == "sqlite":
        url = f"sqlite://{tmp_path}/test.sqlite3"
    else:
        reason = await _postgres_reachable(postgres_base_url())
        if reason is not None:
            unavailable("PostgreSQL", f"{postgres_base_url()}: {reason}")
        url = fresh_postgres_url()
    async with schema_at(url):
        yield url


@asynccontextmanager
async def schema_at(url: str) -> AsyncIterator[str]:
    """A new database with the schema at ``url`` (a PostgreSQL one is dropped afterwards)."""
    # Tortoise caches each table's INSERT per connection *name*, not per backend: a test on
    # PostgreSQL after one on SQLite would reuse SQL with SQLite's placeholders.
    EXECUTOR_CACHE.clear()
    try:
        async with tortoise_test_context(MODEL_MODULES_FOR_TESTS, db_url=normalise_url(url)):
            yield url
    finally:
        EXECUTOR_CACHE.clear()
        if url.startswith("postgres"):
            await drop_postgres_database(url)


@pytest.fixture
def lax_umask() -> Iterator[None]:
    """The common default umask (group and others may read): private files must not follow it."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def mode_of(path: Path) -> int:
    """The permission bits of ``path`` (0o600, 0o700…)."""
    return path.stat().st_mode & 0o777


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on loopback that records what it accepts."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()
