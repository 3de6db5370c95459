"""PostgreSQL stopped (immediate: connections cut, no checkpoint) and started again while a
real `absences worker` sends a backlog: no notice lost, and at most those the worker held
unrecorded when the database went away are sent twice."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from tortoise.exceptions import BaseORMException

from core.models import Delivery, DeliveryStatus
from tests.chaos.support import (
    MARKS,
    Record,
    RedisServer,
    a_school,
    absences,
    all_sent,
    count,
    postgres_cluster,
    start_worker,
    until,
    worker_env,
)
from tests.conftest import schema_at
from tests.gateway.fakes.twilio import FakeTwilio
from workers.queue import ArqQueue
from workers.tasks import sweep

pytestmark = [*MARKS, pytest.mark.postgres]
DOWN_S = 3.0  # how long the database stays stopped
T = TypeVar("T")


async def once_reachable(query: Callable[[], Awaitable[T]]) -> T:
    """``query()``, tried again while this process's connections find the restarted server."""
    for _ in range(50):
        try:
            return await query()
        except (BaseORMException, OSError):
            await asyncio.sleep(0.2)
    return await query()


async def test_postgres_restarted_during_sending(
    own_redis: RedisServer, tmp_path: Path, record_property: Record
) -> None:
    redis_url = own_redis.url
    twilio = FakeTwilio()
    twilio.delay = 0.1  # a slow provider: the worker always holds some messages
    await twilio.start()
    with postgres_cluster() as cluster:
        url = cluster.url.rsplit("/", 1)[0] + "/chaos"
        async with schema_at(url):
            ids = await absences(await a_school(), 100)
            queue = ArqQueue(redis_url)
            await queue.start()
            await sweep({"queue": queue})
            env = worker_env(url, redis_url, twilio, tmp_path / "var")
            worker = await start_worker(env, tmp_path / "worker.log")
            try:
                await until(lambda: len(twilio.requests) >= 60, 60, "for 60 SMS", worker)
                cluster.stop("immediate")
                taken = len(twilio.requests)
                await asyncio.sleep(DOWN_S)
                cluster.start()
                await asyncio.sleep(1)  # the worker's jobs meet the database again
                # the rows left "sending" (claimed, perhaps taken, not recorded) are what was
                # in flight; the sweep puts them back after 5 minutes: now, here
                sending = Delivery.filter(id__in=ids, status=DeliveryStatus.SENDING)
                in_flight = await once_reachable(sending.count)
                long_ago = datetime.now(UTC) - timedelta(minutes=10)
                await sending.update(updated_at=long_ago)
                print(f"\nPostgreSQL stopped with {taken} SMS taken, {in_flight} left in flight")
                await sweep({"queue": queue})  # what the worker's next minute does
                await all_sent(ids, 90, worker)
            finally:
                await worker.kill()
                await queue.close()
                await twilio.stop()
            result = await count("postgresql restarted during sending", twilio, ids, in_flight)
    result.check(record_property)
