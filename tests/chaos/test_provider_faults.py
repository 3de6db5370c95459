"""The SMS provider answering 500 every other request, or taking 5 s to answer, to a real
`absences worker` process on Redis: every notice leaves once."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from datetime import UTC, datetime
from pathlib import Path

from redis.asyncio import Redis
from tortoise.expressions import Q

from core.models import Delivery, DeliveryStatus
from tests.chaos.support import (
    MARKS,
    Record,
    RedisServer,
    Worker,
    a_school,
    absences,
    all_sent,
    count,
    enqueue_backlog,
    start_worker,
    worker_env,
)
from tests.gateway.fakes.twilio import FakeTwilio

pytestmark = MARKS


async def idle(ids: Collection[int], worker: Worker, seconds: float = 60) -> None:
    """Wait until the worker holds none of ``ids`` and none is due: each was sent, or waits
    for its retry."""
    deadline = asyncio.get_running_loop().time() + seconds
    calm = 0  # polls in a row finding nothing in hand nor due (one could be a row in between)
    while calm < 3:
        due = Q(status=DeliveryStatus.SCHEDULED, not_before__lte=datetime.now(UTC))
        busy = await Delivery.filter(Q(status=DeliveryStatus.SENDING) | due, id__in=list(ids))
        calm = 0 if busy else calm + 1
        if worker.process.returncode is not None or asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{len(busy)} sending or due:\n{worker.tail()}")
        await asyncio.sleep(0.1)


async def time_passes(ids: Collection[int], redis_url: str) -> int:
    """What the retries' backoff (30 s, then 2 min…) would do: the deliveries waiting are due
    now, and so are their jobs in arq's queue. Returns how many were waiting."""
    now = datetime.now(UTC)
    waiting = await Delivery.filter(id__in=list(ids), status=DeliveryStatus.SCHEDULED).update(
        not_before=now
    )
    client = Redis.from_url(redis_url)
    try:
        jobs = await client.zrange("arq:queue", 0, -1)
        if jobs:
            await client.zadd("arq:queue", dict.fromkeys(jobs, now.timestamp() * 1000))
    finally:
        await client.aclose()
    return waiting


async def test_a_provider_answering_500_every_other_request(
    pg_db: str, own_redis: RedisServer, tmp_path: Path, record_property: Record
) -> None:
    """Three rounds of tries with every other request refused (a 500: the message not taken),
    then the provider heals; the retries' waits are skipped, not the retries."""
    redis_url = own_redis.url
    twilio = FakeTwilio()
    twilio.fail_every = 2
    await twilio.start()
    ids = await absences(await a_school(), 50)
    await enqueue_backlog(redis_url)
    worker = await start_worker(
        worker_env(pg_db, redis_url, twilio, tmp_path / "var"), tmp_path / "worker.log"
    )
    waiting: list[int] = []
    try:
        for _ in range(3):
            await idle(ids, worker)
            waiting.append(await time_passes(ids, redis_url))
        twilio.fail_every = 0
        await all_sent(ids, 60, worker)
    finally:
        await worker.kill()
        await twilio.stop()
    print(f"\n{twilio.attempts} requests for {len(ids)} SMS; waiting after each round: {waiting}")
    assert waiting == [50, 25, 12]  # the provider did refuse every other request
    result = await count("provider answering 500 every other request", twilio, ids, 0)
    result.check(record_property)


async def test_a_provider_taking_5_s_to_answer(
    pg_db: str, own_redis: RedisServer, tmp_path: Path, record_property: Record
) -> None:
    """40 SMS, each answered after 5 s, through a worker holding 10 at once: four rounds, the
    job of 40 handing back what found no room within 10 s; every one sent once."""
    redis_url = own_redis.url
    twilio = FakeTwilio()
    twilio.delay = 5.0
    await twilio.start()
    ids = await absences(await a_school(), 20)
    await enqueue_backlog(redis_url)
    started = asyncio.get_running_loop().time()
    env = worker_env(pg_db, redis_url, twilio, tmp_path / "var") | {"ABSENCES_WORKER_JOBS": "10"}
    worker = await start_worker(env, tmp_path / "worker.log")
    try:
        await all_sent(ids, 90, worker)
    finally:
        await worker.kill()
        await twilio.stop()
    took = asyncio.get_running_loop().time() - started
    print(f"\n{len(ids)} SMS at 5 s each, 10 at once: all sent in {took:.0f} s")
    assert took >= 20  # four rounds of 5 s: the provider was that slow
    result = await count("provider taking 5 s", twilio, ids, 0)
    result.check(record_property)
