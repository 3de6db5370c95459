"""The deliver and sweep tasks on both backends: a real arq worker on a real Redis, and the
in-process runner; senders are the real outbox adapter (and Twilio's, against a local peer)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from arq.worker import Worker

from core.models import Delivery, DeliveryStatus, School, Student
from core.services.audit import Actor
from core.services.schools.school import create_school
from gateway.outbox.transport import OutboxTransport
from gateway.twilio.sms import TwilioSmsTransport
from tests.core.services.notice_support import MONDAY, absence, at, history, make_family
from tests.gateway.fakes.twilio import FakeTwilio
from workers.arq_worker import worker_settings
from workers.queue import ArqQueue, InlineQueue, RetryLater, enqueue_deliveries
from workers.senders import Channels, wrap
from workers.tasks import CRON, FUNCTIONS, deliver, sweep

pytestmark = pytest.mark.filterwarnings("ignore:Call to deprecated close:DeprecationWarning")
SYSTEM = Actor.system("tests")
RECORDED = at(MONDAY, 8, 30)  # long past: the deliveries are due now


@pytest.fixture
async def pupil(db: str) -> Student:
    school = await create_school("0750001A", "Collège Alpha", SYSTEM, today=MONDAY)
    return await Student.create(school=school, last_name="Martin", first_name="Léa")


@pytest.fixture
async def channels(tmp_path: Path) -> AsyncIterator[Channels]:
    kit = wrap({c: OutboxTransport(tmp_path, channel=c) for c in ("sms", "email")})
    yield kit
    await kit.close()


async def record_absence(pupil: Student) -> list[int]:
    """An absence recorded long ago, never enqueued: the two parents' SMS are due."""
    school = await School.get(id=pupil.school_id)  # type: ignore[attr-defined]
    await make_family(school, pupil)
    await absence(school, SYSTEM, pupil, at(MONDAY, 8), at(MONDAY, 10), now=RECORDED)
    return [d.id for d in await Delivery.all().order_by("id")]


def outbox(tmp_path: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted((tmp_path / "outbox").glob("*.json"))]


async def run_burst(redis_url: str, channels: Channels) -> Worker:
    """A real arq worker, with the sweep as its cron job, until the queue is empty."""

    async def startup(ctx: dict[str, Any]) -> None:
        queue = ArqQueue(redis_url)
        await queue.start()
        ctx.update(channels=channels, queue=queue)

    async def shutdown(ctx: dict[str, Any]) -> None:
        await ctx["queue"].close()

    settings = worker_settings(
        redis_url,
        FUNCTIONS,
        on_startup=startup,
        on_shutdown=shutdown,
        burst=True,
        every_minute=CRON,
    )
    worker = Worker(**settings, poll_delay=0.02, handle_signals=False)
    try:
        async with asyncio.timeout(20):
            await worker.async_run()
    finally:
        await worker.close()
    return worker


@pytest.mark.redis
async def test_the_sweep_and_an_arq_worker_send_each_delivery_exactly_once(
    pupil: Student, channels: Channels, redis_url: str, tmp_path: Path
) -> None:
    ids = await record_absence(pupil)
    queue = ArqQueue(redis_url)
    await queue.start()
    try:
        assert await sweep({"queue": queue}) == 2
        assert await sweep({"queue": queue}) == 0  # queued already: not doubled
        worker = await run_burst(redis_url, channels)
    finally:
        await queue.close()

    assert worker.jobs_failed == 0
    assert sorted(m["to"] for m in outbox(tmp_path)) == ["+33612345678", "+33698765432"]
    for delivery in await Delivery.filter(id__in=ids):
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 1)
    assert await Delivery.filter(status=DeliveryStatus.SCHEDULED).count() == 0


@pytest.mark.redis
async def test_a_worker_killed_mid_send_loses_nothing(
    pupil: Student, channels: Channels, redis_url: str, tmp_path: Path
) -> None:
    first, second = await record_absence(pupil)
    # The worker that claimed the first delivery died ten minutes ago; the second never ran.
    ten_minutes_ago = datetime.now(UTC) - timedelta(minutes=10)
    await Delivery.filter(id=first).update(
        status=DeliveryStatus.SENDING, attempts=1, updated_at=ten_minutes_ago
    )
    await run_burst(redis_url, channels)  # its start-up sweep finds both

    assert len(outbox(tmp_path)) == 2
    stuck = await Delivery.get(id=first)
    assert (stuck.status, stuck.attempts) == (DeliveryStatus.DELIVERED, 2)
    assert ("sending", "scheduled", "sweep") in await history(first)
    assert (await Delivery.get(id=second)).status == DeliveryStatus.DELIVERED


class CuttableProxy:
    """A TCP relay to Redis on loopback that can be cut, as a Redis outage would."""

    def __init__(self, target: str) -> None:
        self.host, port = target.split("//", 1)[1].split("/", 1)[0].split(":")
        self.port = int(port)
        self.server: asyncio.Server | None = None
        self.writers: list[asyncio.StreamWriter] = []

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(self.host, self.port)
        self.writers += [writer, up_writer]
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def cut(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in self.writers:
            writer.close()
        await asyncio.sleep(0.05)


@pytest.mark.redis
async def test_redis_down_while_absences_are_entered_delays_only(
    pupil: Student, channels: Channels, redis_url: str, tmp_path: Path
) -> None:
    proxy = CuttableProxy(redis_url)
    port = await proxy.start()
    database = redis_url.rsplit("/", 1)[1]
    down = ArqQueue(f"redis://127.0.0.1:{port}/{database}", connect_retries=0)
    await down.start()
    await proxy.cut()
    ids = await record_absence(pupil)
    try:
        assert await enqueue_deliveries(down, [(i, None) for i in ids]) == 0  # logged, no raise
    finally:
        await down.close()

    await run_burst(redis_url, channels)  # Redis is back: the start-up sweep sends them
    assert len(outbox(tmp_path)) == 2


async def test_the_inline_runner_sends_what_the_sweep_enqueues(
    pupil: Student, channels: Channels, tmp_path: Path
) -> None:
    ids = await record_absence(pupil)
    ctx: dict[str, Any] = {"channels": channels}
    queue = InlineQueue(FUNCTIONS, ctx)
    ctx["queue"] = queue
    await queue.start()
    try:
        assert await sweep(ctx) == 2
        await queue.drain(timeout=10)
    finally:
        await queue.close()
    assert len(outbox(tmp_path)) == 2
    assert await Delivery.filter(id__in=ids, status=DeliveryStatus.DELIVERED).count() == 2


async def test_a_transient_failure_asks_the_queue_to_run_it_again(
    pupil: Student, tmp_path: Path
) -> None:
    twilio = FakeTwilio()
    await twilio.start()
    sms = TwilioSmsTransport(twilio.account_sid, twilio.auth_token, "+337", api_url=twilio.url)
    kit = wrap({"sms": sms})
    try:
        first, _ = await record_absence(pupil)
        twilio.fail(1, status=500)
        with pytest.raises(RetryLater) as retry:
            await deliver({"channels": kit}, first)
        assert 29 <= retry.value.defer <= 30
        delivery = await Delivery.get(id=first)
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.SCHEDULED, 1)
    finally:
        await kit.close()
        await twilio.stop()


def test_the_arq_worker_sweeps_every_minute() -> None:
    settings = worker_settings("redis://127.0.0.1:6379/15", FUNCTIONS, every_minute=CRON)
    [job] = [job for job in settings["cron_jobs"] if job.name == "cron:sweep"]
    assert (job.name, job.second, job.minute, job.run_at_startup) == ("cron:sweep", 0, None, True)
