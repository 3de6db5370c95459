"""Redis stopped (killed, every job it held gone) for ``ABSENCES_CHAOS_OUTAGE_S`` seconds, during
entry and during sending, then started again empty: the database is the outbox, the sweep puts
back what Redis lost, every notice leaves once."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from core.models import Delivery, DeliveryStatus
from core.services.notices.absence import scheduled_deliveries
from tests.chaos.support import (
    MARKS,
    OUTAGE_S,
    Record,
    a_school,
    absences,
    all_sent,
    count,
    record_absence,
    redis_server,
    start_worker,
    until,
    worker_env,
)
from tests.gateway.fakes.server import HOST, free_port
from tests.gateway.fakes.twilio import FakeTwilio
from workers.queue import ArqQueue, enqueue_scheduled
from workers.tasks import sweep

pytestmark = MARKS


async def test_redis_stopped_during_entry_loses_no_notice(
    pg_db: str, tmp_path: Path, record_property: Record
) -> None:
    """Absences recorded while Redis is down are stored with their deliveries (enqueuing them
    fails, is logged, and the request goes on); once Redis is back, the sweep of a worker
    started then sends each once."""
    twilio = FakeTwilio()
    await twilio.start()
    with redis_server(tmp_path / "redis") as redis:
        queue = ArqQueue(redis.url, connect_retries=0)
        await queue.start()
        school = await a_school()
        before = [
            await enqueue_scheduled(queue, await scheduled_deliveries(event))
            for event in [await record_absence(school, f"Avant{n}") for n in range(10)]
        ]  # recorded while Redis is up: enqueued, never run (no worker yet)
        assert sum(before) == 20
        redis.kill()
        down = asyncio.get_running_loop().time()
        during = [  # recorded while Redis is down
            await enqueue_scheduled(queue, await scheduled_deliveries(event))
            for event in [await record_absence(school, f"Panne{n}") for n in range(20)]
        ]
        assert during == [0] * 20  # nothing enqueued, nothing raised
        ids = [d.id for d in await Delivery.all().order_by("id")]
        assert len(ids) == 60  # every absence stored with both parents' deliveries
        await asyncio.sleep(max(0.0, OUTAGE_S - (asyncio.get_running_loop().time() - down)))
        redis.start()  # empty: the 20 jobs enqueued before the outage are gone too
        await queue.close()
        worker = await start_worker(
            worker_env(pg_db, redis.url, twilio, tmp_path / "var"), tmp_path / "worker.log"
        )
        try:  # its sweep runs at start-up
            await all_sent(ids, 60, worker)
        finally:
            await worker.kill()
    await twilio.stop()
    result = await count("redis stopped during entry", twilio, ids, in_flight=0)
    result.check(record_property)


async def test_redis_stopped_during_sending_loses_no_notice(
    pg_db: str, tmp_path: Path, record_property: Record
) -> None:
    """A worker sending a backlog when Redis dies: what it holds is sent and recorded, the jobs
    Redis held are gone; Redis back, the sweep enqueues what is left, each sent once."""
    twilio = FakeTwilio()
    twilio.delay = 0.1  # a slow provider: the worker always holds some messages
    await twilio.start()
    ids = await absences(await a_school(), 100)
    with redis_server(tmp_path / "redis") as redis:
        queue = ArqQueue(redis.url, connect_retries=0)
        await queue.start()
        await sweep({"queue": queue})
        await queue.close()
        env = worker_env(pg_db, redis.url, twilio, tmp_path / "var")
        worker = await start_worker(env, tmp_path / "worker.log")
        try:
            await until(lambda: len(twilio.requests) >= 60, 60, "for 60 SMS", worker)
            redis.kill()
            in_flight = await Delivery.filter(id__in=ids, status=DeliveryStatus.SENDING).count()
            taken = len(twilio.requests)
            await asyncio.sleep(OUTAGE_S)
            print(f"\nRedis killed with {taken} SMS taken and {in_flight} in flight")
            redis.start()
            if worker.process.returncode is not None:
                raise AssertionError(f"the worker died with Redis:\n{worker.tail()}")
            await all_sent(ids, 60, worker)
        finally:
            await worker.kill()
    await twilio.stop()
    result = await count("redis stopped during sending", twilio, ids, in_flight)
    result.check(record_property)


async def test_a_worker_waiting_for_redis_stops_when_asked(pg_db: str, tmp_path: Path) -> None:
    """Started before its Redis, a worker waits for it (one line in its log, no traceback) and
    still stops at SIGTERM."""
    twilio = FakeTwilio()
    await twilio.start()
    nobody = f"redis://{HOST}:{free_port()}/0"
    worker = await start_worker(
        worker_env(pg_db, nobody, twilio, tmp_path / "var"), tmp_path / "worker.log"
    )
    try:
        await until(lambda: "the worker waits for it" in worker.tail(), 30, "to wait", worker)
        worker.process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(worker.process.wait(), 10) == 0, worker.tail()
    finally:
        await worker.kill()
        await twilio.stop()
    assert "Traceback" not in worker.tail()
