"""Deliveries that may leave together share a job: how they are enqueued (the real in-process
queue, with a task that records its runs) and how the deliver task runs a job of several (the
real Twilio adapter against a local peer)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from arq.worker import Worker

from core.models import Delivery, DeliveryStatus, School, Student
from core.services.audit import Actor
from core.services.schools.school import create_school
from core.settings import load_settings
from gateway.twilio.sms import TwilioSmsTransport
from tests.core.services.notice_support import MONDAY, absence, at, make_family
from tests.gateway.fakes.twilio import FakeTwilio
from tests.workers.queue_support import RecordingQueue
from workers.arq_worker import worker_settings
from workers.queue import (
    DELIVER,
    JOB_DELIVERIES,
    ArqQueue,
    InlineQueue,
    RetryLater,
    deliver_job_id,
    enqueue_deliveries,
)
from workers.senders import build_channels, wrap
from workers.tasks import FUNCTIONS, deliver

# arq's Worker.close() still calls redis' deprecated close(): not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:Call to deprecated close:DeprecationWarning")
SYSTEM = Actor.system("tests")


class Runs:
    """A deliver task that only records each job's id and deliveries."""

    def __init__(self) -> None:
        self.jobs: list[tuple[str, tuple[int, ...]]] = []

    async def __call__(self, ctx: dict[str, Any], *ids: int) -> None:
        self.jobs.append((ctx["job_id"], ids))


async def started(runs: Runs) -> InlineQueue:
    queue = InlineQueue({DELIVER: runs})
    await queue.start()
    return queue


async def test_deliveries_due_together_go_in_jobs_of_a_hundred() -> None:
    runs = Runs()
    queue = await started(runs)
    try:
        assert await enqueue_deliveries(queue, [(i, None) for i in range(1, 251)]) == 250
        await queue.drain(timeout=5)
    finally:
        await queue.close()
    assert JOB_DELIVERIES == 100
    chunks = [tuple(range(1, 101)), tuple(range(101, 201)), tuple(range(201, 251))]
    assert sorted(runs.jobs) == sorted((deliver_job_id(c), c) for c in chunks)
    assert deliver_job_id(chunks[0]).startswith("deliver:1-100:")
    assert deliver_job_id(chunks[0]) == deliver_job_id(list(range(1, 101)))  # deterministic
    assert deliver_job_id(chunks[0]) != deliver_job_id((1, *range(3, 102)))  # same ends


async def test_each_moment_has_its_jobs_and_one_delivery_keeps_its_own_id() -> None:
    runs = Runs()
    queue = await started(runs)
    soon = datetime.now(UTC) + timedelta(milliseconds=50)
    try:
        due = [(1, None), (2, soon), (3, None), (4, soon), (5, soon.astimezone())]
        assert await enqueue_deliveries(queue, due) == 5
        assert await enqueue_deliveries(queue, [(6, None), (7, None)], together=False) == 2
        await queue.drain(timeout=5)
    finally:
        await queue.close()
    assert sorted(runs.jobs) == sorted(
        [
            (deliver_job_id([1, 3]), (1, 3)),
            (deliver_job_id([2, 4, 5]), (2, 4, 5)),  # the same instant in another zone
            ("deliver:6", (6,)),
            ("deliver:7", (7,)),
        ]
    )


async def test_the_same_deliveries_are_not_enqueued_twice_while_queued() -> None:
    runs = Runs()
    queue = await started(runs)
    later = datetime.now(UTC) + timedelta(seconds=60)
    try:
        assert await enqueue_deliveries(queue, [(1, later), (2, later)]) == 2
        assert await enqueue_deliveries(queue, [(1, later), (2, later)]) == 0
        assert await enqueue_deliveries(queue, [(1, later)]) == 1  # another set: another job
    finally:
        await queue.close()
    assert runs.jobs == []  # closed before they were due


async def test_an_unavailable_queue_counts_what_it_took_and_leaves_the_rest_to_the_sweep(
    caplog: pytest.LogCaptureFixture,
) -> None:
    runs = Runs()
    queue = await started(runs)
    await queue.close()  # no longer accepts jobs
    assert await enqueue_deliveries(queue, [(i, None) for i in range(1, 151)]) == 0
    assert "the sweep will" in caplog.text


@pytest.fixture
async def pupil(db: str) -> Student:
    school = await create_school("0750001A", "Collège Alpha", SYSTEM, today=MONDAY)
    student = await Student.create(school=school, last_name="Martin", first_name="Léa")
    await make_family(school, student)
    return student


async def test_a_job_of_several_sends_each_and_gives_the_one_to_retry_a_job_of_its_own(
    pupil: Student, tmp_path: Path
) -> None:
    school = await School.get(id=pupil.school_id)  # type: ignore[attr-defined]
    await absence(school, SYSTEM, pupil, at(MONDAY, 8), at(MONDAY, 10), now=at(MONDAY, 8, 30))
    first, second = [d.id for d in await Delivery.all().order_by("id")]
    twilio = FakeTwilio()
    await twilio.start()
    sms = TwilioSmsTransport(twilio.account_sid, twilio.auth_token, "+337", api_url=twilio.url)
    kit = wrap({"sms": sms})
    queue = RecordingQueue({"channels": kit})
    queue.hold = True
    await queue.start()
    try:
        twilio.fail(1, status=500)  # one of the two requests, whichever comes first
        summary = await deliver({"channels": kit, "queue": queue}, first, second)
    finally:
        await queue.close()
        await kit.close()
        await twilio.stop()
    assert sorted(summary.split(", ")) == ["1 retry", "1 sent"]
    statuses = dict(await Delivery.filter(id__in=[first, second]).values_list("id", "status"))
    [again] = [i for i, status in statuses.items() if status == DeliveryStatus.SCHEDULED]
    [(function, args, job_id, defer_until)] = queue.enqueued
    retry_at = (await Delivery.get(id=again)).not_before
    assert (function, args, job_id, defer_until) == (
        DELIVER,
        (again,),
        f"deliver:{again}",
        retry_at,
    )
    assert timedelta(seconds=25) < retry_at - datetime.now(UTC) <= timedelta(seconds=30)


async def test_a_job_of_several_runs_in_one_batch_with_the_other_jobs_running(
    pupil: Student,
) -> None:
    school = await School.get(id=pupil.school_id)  # type: ignore[attr-defined]
    for hour in (8, 10, 13, 15):
        start = at(MONDAY + timedelta(days=hour % 3), hour)
        await absence(school, SYSTEM, pupil, start, start + timedelta(hours=1), now=start)
    ids = [d.id for d in await Delivery.all().order_by("id")]
    assert len(ids) >= 4
    twilio = FakeTwilio()
    await twilio.start()
    sms = TwilioSmsTransport(twilio.account_sid, twilio.auth_token, "+337", api_url=twilio.url)
    kit = wrap({"sms": sms})
    ctx: dict[str, Any] = {"channels": kit}
    try:
        half = len(ids) // 2
        outcomes = await asyncio.gather(deliver(ctx, *ids[:half]), deliver(ctx, *ids[half:]))
    finally:
        await kit.close()
        await twilio.stop()
    assert outcomes == [f"{half} sent", f"{len(ids) - half} sent"]
    assert kit.state["batcher"].batches == 1
    assert len(twilio.requests) == len(ids)
    assert await Delivery.filter(id__in=ids, status=DeliveryStatus.SENT).count() == len(ids)


@pytest.mark.redis
async def test_two_workers_share_a_burst_the_first_has_no_room_for(
    pupil: Student, redis_url: str, tmp_path: Path
) -> None:
    school = await School.get(id=pupil.school_id)  # type: ignore[attr-defined]
    for day in range(3):
        start = at(MONDAY + timedelta(days=day), 8)
        await absence(school, SYSTEM, pupil, start, start + timedelta(hours=1), now=start)
    ids = [d.id for d in await Delivery.all().order_by("id")]
    assert len(ids) == 6
    twilio = FakeTwilio()
    twilio.delay = 0.6  # a slow provider: the first worker's two places stay taken
    await twilio.start()
    settings = load_settings(
        var_dir=tmp_path / "var",
        worker_jobs=2,
        worker_patience=0.2,
        sms_provider="twilio",
        twilio_account_sid=twilio.account_sid,
        twilio_auth_token=twilio.auth_token,
        twilio_from="+33700000001",
        twilio_api_url=twilio.url,
        public_url="https://absences.example.org",
    )
    contexts: list[dict[str, Any]] = []

    async def startup(ctx: dict[str, Any]) -> None:
        queue = ArqQueue(redis_url)
        await queue.start()
        ctx.update(settings=settings, channels=build_channels(settings), queue=queue)
        contexts.append(ctx)

    async def shutdown(ctx: dict[str, Any]) -> None:
        await ctx["queue"].close()
        await ctx["channels"].close()

    def a_worker() -> Worker:
        kwargs = worker_settings(
            redis_url, FUNCTIONS, on_startup=startup, on_shutdown=shutdown, burst=True, max_jobs=1
        )
        return Worker(**kwargs, poll_delay=0.02, handle_signals=False)

    queue = ArqQueue(redis_url)
    await queue.start()
    workers = [a_worker(), a_worker()]
    try:
        assert await enqueue_deliveries(queue, [(i, None) for i in ids]) == 6  # one job
        first = asyncio.ensure_future(workers[0].async_run())
        async with asyncio.timeout(10):
            while len(twilio.requests) < 2:  # the first worker took what it has room for
                assert not first.done(), "the first worker stopped before sending"
                await asyncio.sleep(0.01)
            await asyncio.gather(first, workers[1].async_run())
    finally:
        for worker in workers:
            await worker.close()
        await queue.close()
        await twilio.stop()
    assert await Delivery.filter(id__in=ids, status=DeliveryStatus.SENT).count() == 6
    sent = sorted(r.get("StatusCallback") or "" for r in twilio.requests)
    assert len(sent) == len(set(sent)) == 6  # each once
    batches = [getattr(ctx["channels"].state.get("batcher"), "batches", 0) for ctx in contexts]
    assert len(batches) == 2 and all(n >= 1 for n in batches), batches  # both took a share


async def test_a_job_that_finds_no_room_at_all_is_run_again_later(
    pupil: Student, tmp_path: Path
) -> None:
    school = await School.get(id=pupil.school_id)  # type: ignore[attr-defined]
    for day in range(2):
        start = at(MONDAY + timedelta(days=day), 8)
        await absence(school, SYSTEM, pupil, start, start + timedelta(hours=1), now=start)
    first, *others = [d.id for d in await Delivery.all().order_by("id")]
    twilio = FakeTwilio()
    twilio.delay = 0.3
    await twilio.start()
    sms = TwilioSmsTransport(twilio.account_sid, twilio.auth_token, "+337", api_url=twilio.url)
    kit = wrap({"sms": sms})
    settings = load_settings(var_dir=tmp_path / "var", worker_jobs=1, worker_patience=0.05)
    ctx: dict[str, Any] = {"channels": kit, "settings": settings}
    try:
        busy = asyncio.ensure_future(deliver(ctx, first))  # takes the one place
        await asyncio.sleep(0.05)
        with pytest.raises(RetryLater, match="no room for 3 deliveries"):
            await deliver(ctx, *others)
        assert await busy == "sent"
        # Run again: room for one, the two others handed back (no queue here: the sweep's)
        assert await deliver(ctx, *others) == "1 sent, 2 handed back"
    finally:
        await kit.close()
        await twilio.stop()
    assert len(twilio.requests) == 2
    statuses = await Delivery.filter(id__in=others).values_list("status", flat=True)
    assert sorted(statuses) == ["scheduled", "scheduled", "sent"]
