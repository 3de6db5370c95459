"""Fixtures for the queue tests: a real Redis, in a dedicated database flushed around each test."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

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
