"""The fault tests' database, PostgreSQL as an academy runs, and their Redis: a server of their
own (the test Redis is shared by whatever else runs tests on this machine, whose workers would
take these tests' jobs)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.chaos.support import RedisServer, redis_server
from tests.conftest import (
    _postgres_reachable,
    fresh_postgres_url,
    postgres_base_url,
    schema_at,
    unavailable,
)


@pytest.fixture
async def pg_db() -> AsyncIterator[str]:
    """A fresh PostgreSQL database with the schema on the test server; yields its URL."""
    reason = await _postgres_reachable(postgres_base_url())
    if reason is not None:
        unavailable("PostgreSQL", f"{postgres_base_url()}: {reason}")
    async with schema_at(fresh_postgres_url()) as url:
        yield url


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A ``redis-server`` of the test's own, on a free port, stopped afterwards."""
    with redis_server(tmp_path / "redis") as server:
        yield server
