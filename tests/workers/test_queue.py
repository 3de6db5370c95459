"""The queue's contract, on both backends: the inline runner, and arq with a real worker + Redis."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import arq
import pytest
from arq.worker import Function, Worker

from workers.arq_worker import run_worker, worker_settings
from workers.queue import (
    ArqQueue,
    InlineQueue,
    Queue,
    QueueUnavailable,
    RetryLater,
    TaskFunc,
    create_queue,
)

Call = tuple[str, int, tuple[Any, ...]]

# arq's Worker.close() still calls redis' deprecated close(): not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:Call to deprecated close:DeprecationWarning")


def in_seconds(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


class Tasks:
    """Task functions that record every run: (job id, try, args)."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.gate = asyncio.Event()
        self.running = 0
        self.most_running = 0

    def _record(self, ctx: dict[str, Any], args: tuple[Any, ...]) -> None:
        self.calls.append((ctx["job_id"], ctx["job_try"], args))

    async def record(self, ctx: dict[str, Any], *args: Any) -> str:
        self._record(ctx, args)
        return "done"

    async def flaky(self, ctx: dict[str, Any], *args: Any) -> None:
        """Asks to be retried until its third try."""
        self._record(ctx, args)
        if ctx["job_try"] < 3:
            raise RetryLater(0.05, "provider busy")

    async def boom(self, ctx: dict[str, Any], *args: Any) -> None:
        self._record(ctx, args)
        raise ValueError("provider exploded")

    async def slow(self, ctx: dict[str, Any], *args: Any) -> None:
        self._record(ctx, args)
        await asyncio.sleep(5)

    async def gated(self, ctx: dict[str, Any], *args: Any) -> None:
        self._record(ctx, args)
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        try:
            await self.gate.wait()
        finally:
            self.running -= 1

    def functions(self) -> dict[str, TaskFunc]:
        names = ("record", "flaky", "boom", "slow", "gated")
        return {name: getattr(self, name) for name in names}


@pytest.fixture
def tasks() -> Tasks:
    return Tasks()


@pytest.fixture
async def inline(tasks: Tasks) -> AsyncIterator[InlineQueue]:
    queue = InlineQueue(tasks.functions(), {"resource": "shared"}, max_concurrency=2)
    await queue.start()
    yield queue
    await queue.close()


# --- InlineQueue -------------------------------------------------------------------------------


async def test_inline_runs_a_task_with_its_arguments_and_ctx(inline: InlineQueue) -> None:
    seen: list[Any] = []

    async def peek(ctx: dict[str, Any], *args: Any) -> None:
        seen.append((ctx["resource"], ctx["job_id"], ctx["job_try"], args))

    queue = InlineQueue({"peek": peek}, {"resource": "shared"})
    await queue.start()
    assert await queue.enqueue("peek", 42, "fr", job_id="deliver:42") is True
    await queue.drain(timeout=1)
    assert seen == [("shared", "deliver:42", 1, (42, "fr"))]
    assert queue.jobs_complete == 1
    await queue.close()


async def test_inline_runs_a_job_id_once_while_it_is_queued_or_running(
    inline: InlineQueue, tasks: Tasks
) -> None:
    assert await inline.enqueue("gated", 1, job_id="deliver:1") is True
    await asyncio.sleep(0.01)  # now running
    assert await inline.enqueue("gated", 1, job_id="deliver:1") is False
    tasks.gate.set()
    await inline.drain(timeout=1)
    assert tasks.calls == [("deliver:1", 1, (1,))]
    # Once the job is over, the same id may be enqueued again (the sweep relies on it).
    assert await inline.enqueue("record", 1, job_id="deliver:1") is True
    await inline.drain(timeout=1)
    assert len(tasks.calls) == 2


async def test_inline_dedupes_a_deferred_job(inline: InlineQueue, tasks: Tasks) -> None:
    assert await inline.enqueue("record", job_id="deliver:2", defer_until=in_seconds(0.1))
    assert not await inline.enqueue("record", job_id="deliver:2")
    await inline.drain(timeout=1)
    assert [c[0] for c in tasks.calls] == ["deliver:2"]


async def test_inline_waits_until_defer_until(inline: InlineQueue, tasks: Tasks) -> None:
    started = time.monotonic()
    await inline.enqueue("record", job_id="deliver:3", defer_until=in_seconds(0.3))
    await asyncio.sleep(0.15)
    assert tasks.calls == []
    await inline.drain(timeout=2)
    assert time.monotonic() - started >= 0.28
    assert len(tasks.calls) == 1


async def test_inline_runs_a_job_due_in_the_past_at_once(inline: InlineQueue, tasks: Tasks) -> None:
    await inline.enqueue("record", job_id="deliver:4", defer_until=in_seconds(-60))
    await inline.drain(timeout=0.5)
    assert len(tasks.calls) == 1


async def test_inline_retries_when_the_task_asks_then_succeeds(
    inline: InlineQueue, tasks: Tasks
) -> None:
    await inline.enqueue("flaky", "x", job_id="deliver:5")
    await inline.drain(timeout=2)
    assert tasks.calls == [("deliver:5", n, ("x",)) for n in (1, 2, 3)]
    assert (inline.jobs_retried, inline.jobs_complete, inline.jobs_failed) == (2, 1, 0)


async def test_inline_gives_up_after_max_tries(tasks: Tasks) -> None:
    queue = InlineQueue(tasks.functions(), max_tries=2)
    await queue.start()
    await queue.enqueue("flaky", job_id="deliver:6")
    await queue.drain(timeout=2)
    assert [c[1] for c in tasks.calls] == [1, 2]
    assert (queue.jobs_retried, queue.jobs_complete, queue.jobs_failed) == (1, 0, 1)
    await queue.close()


async def test_inline_a_failing_task_is_logged_and_the_runner_goes_on(
    inline: InlineQueue, tasks: Tasks, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="absences.queue"):
        await inline.enqueue("boom", job_id="deliver:7")
        await inline.drain(timeout=1)
    assert inline.jobs_failed == 1
    assert "provider exploded" in caplog.text
    assert await inline.ping()
    await inline.enqueue("record", job_id="deliver:8")
    await inline.drain(timeout=1)
    assert [c[0] for c in tasks.calls] == ["deliver:7", "deliver:8"]


async def test_inline_a_task_that_times_out_fails_after_its_last_try(tasks: Tasks) -> None:
    queue = InlineQueue(tasks.functions(), job_timeout=0.05, max_tries=1)
    await queue.start()
    await queue.enqueue("slow", job_id="deliver:9")
    await queue.drain(timeout=1)
    assert queue.jobs_failed == 1
    await queue.close()


async def test_inline_limits_concurrency(inline: InlineQueue, tasks: Tasks) -> None:
    for n in range(5):
        await inline.enqueue("gated", job_id=f"deliver:{n}")
    await asyncio.sleep(0.05)
    assert tasks.running == 2
    tasks.gate.set()
    await inline.drain(timeout=1)
    assert tasks.most_running == 2
    assert len(tasks.calls) == 5


async def test_inline_drain_times_out_while_a_job_is_deferred(inline: InlineQueue) -> None:
    await inline.enqueue("record", job_id="deliver:10", defer_until=in_seconds(10))
    with pytest.raises(TimeoutError):
        await inline.drain(timeout=0.05)


async def test_inline_close_cancels_deferred_jobs_and_refuses_new_ones(tasks: Tasks) -> None:
    queue = InlineQueue(tasks.functions())
    await queue.start()
    await queue.enqueue("record", job_id="deliver:11", defer_until=in_seconds(10))
    await queue.enqueue("flaky", job_id="deliver:12")  # first try runs, the retry is pending
    await asyncio.sleep(0.01)
    started = time.monotonic()
    await queue.close()
    assert time.monotonic() - started < 0.5
    assert tasks.calls == [("deliver:12", 1, ())]
    assert not await queue.ping()
    with pytest.raises(RuntimeError):
        await queue.enqueue("record", job_id="deliver:13")
    await queue.drain(timeout=0.1)  # nothing left behind


async def test_inline_close_lets_a_running_job_finish(tasks: Tasks) -> None:
    queue = InlineQueue(tasks.functions(), shutdown_grace=1)
    await queue.start()
    await queue.enqueue("gated", job_id="deliver:14")
    await asyncio.sleep(0.01)
    asyncio.get_running_loop().call_later(0.05, tasks.gate.set)
    await queue.close()
    assert queue.jobs_complete == 1


async def test_inline_refuses_what_it_cannot_honour(tasks: Tasks) -> None:
    queue = InlineQueue(tasks.functions())
    with pytest.raises(RuntimeError):
        await queue.enqueue("record", job_id="j")  # not started
    await queue.start()
    with pytest.raises(ValueError, match="unknown task"):
        await queue.enqueue("nope", job_id="j")
    with pytest.raises(ValueError, match="timezone-aware"):
        await queue.enqueue("record", job_id="j", defer_until=datetime(2030, 1, 1))
    await queue.close()


def test_create_queue_picks_the_backend(tasks: Tasks) -> None:
    inline = create_queue(None, tasks.functions())
    redis = create_queue("redis://127.0.0.1:6379/15", tasks.functions())
    assert (inline.backend, redis.backend) == ("inline", "redis")
    assert isinstance(inline, Queue) and isinstance(redis, Queue)


# --- ArqQueue with a real arq worker --------------------------------------------------------------


@pytest.fixture
async def arq_queue(redis_url: str) -> AsyncIterator[ArqQueue]:
    queue = ArqQueue(redis_url)
    await queue.start()
    yield queue
    await queue.close()


async def run_burst(redis_url: str, tasks: Tasks, **options: Any) -> Worker:
    """Run a real arq worker until the queue is empty, polling fast to keep the tests quick."""
    settings = worker_settings(redis_url, tasks.functions(), burst=True, **options)
    worker = Worker(**settings, poll_delay=0.02, handle_signals=False)
    try:
        async with asyncio.timeout(5):
            await worker.async_run()
    finally:
        await worker.close()
    return worker


@pytest.mark.redis
async def test_arq_runs_every_job_exactly_once(
    redis_url: str, arq_queue: ArqQueue, tasks: Tasks
) -> None:
    for n in (1, 2, 3):
        assert await arq_queue.enqueue("record", n, f"text {n}", job_id=f"deliver:{n}") is True
    assert await arq_queue.enqueue("record", 1, "text 1", job_id="deliver:1") is False
    worker = await run_burst(redis_url, tasks)
    assert sorted(tasks.calls) == [(f"deliver:{n}", 1, (n, f"text {n}")) for n in (1, 2, 3)]
    assert (worker.jobs_complete, worker.jobs_failed) == (3, 0)
    # No result is kept, so a finished job's id may be enqueued again at once.
    assert await arq_queue.enqueue("record", 1, "text 1", job_id="deliver:1") is True


@pytest.mark.redis
async def test_arq_retries_on_retry_later(
    redis_url: str, arq_queue: ArqQueue, tasks: Tasks
) -> None:
    await arq_queue.enqueue("flaky", "x", job_id="deliver:5")
    worker = await run_burst(redis_url, tasks)
    assert tasks.calls == [("deliver:5", n, ("x",)) for n in (1, 2, 3)]
    assert (worker.jobs_retried, worker.jobs_complete, worker.jobs_failed) == (2, 1, 0)


@pytest.mark.redis
async def test_arq_gives_up_after_max_tries(
    redis_url: str, arq_queue: ArqQueue, tasks: Tasks
) -> None:
    await arq_queue.enqueue("flaky", job_id="deliver:6")
    await arq_queue.enqueue("boom", job_id="deliver:7")
    worker = await run_burst(redis_url, tasks, max_tries=2)
    assert sorted(tasks.calls) == [("deliver:6", 1, ()), ("deliver:6", 2, ()), ("deliver:7", 1, ())]
    assert (worker.jobs_retried, worker.jobs_failed) == (1, 2)


@pytest.mark.redis
async def test_arq_waits_until_defer_until(
    redis_url: str, arq_queue: ArqQueue, tasks: Tasks
) -> None:
    started = time.monotonic()
    await arq_queue.enqueue("record", job_id="deliver:8", defer_until=in_seconds(0.3))
    await run_burst(redis_url, tasks)
    assert time.monotonic() - started >= 0.28
    assert [c[0] for c in tasks.calls] == ["deliver:8"]


@pytest.mark.redis
async def test_arq_runs_a_job_due_long_ago_at_once(
    redis_url: str, arq_queue: ArqQueue, tasks: Tasks
) -> None:
    """A delivery due two days ago (its row waited, Redis was down): arq would give its job a
    negative expiry, which Redis refuses; it is enqueued to run now."""
    long_ago = datetime.now(UTC) - timedelta(days=2)
    assert await arq_queue.enqueue("record", job_id="deliver:9", defer_until=long_ago) is True
    await run_burst(redis_url, tasks)
    assert [c[0] for c in tasks.calls] == ["deliver:9"]


@pytest.mark.redis
async def test_arq_run_worker_builds_ctx_in_on_startup(redis_url: str, arq_queue: ArqQueue) -> None:
    seen: list[Any] = []

    async def startup(ctx: dict[str, Any]) -> None:
        ctx["resource"] = "shared"

    async def peek(ctx: dict[str, Any], *args: Any) -> None:
        seen.append((ctx["resource"], ctx["job_id"], args))

    await arq_queue.enqueue("peek", 42, job_id="deliver:42")
    async with asyncio.timeout(5):
        await run_worker(
            redis_url, {"peek": peek}, on_startup=startup, burst=True, handle_signals=False
        )
    assert seen == [("shared", "deliver:42", (42,))]


async def test_arq_adapter_turns_a_timeout_into_a_retry(tasks: Tasks) -> None:
    settings = worker_settings("redis://127.0.0.1:6379/15", tasks.functions(), job_timeout=0.05)
    slow: Function = next(f for f in settings["functions"] if f.name == "slow")
    with pytest.raises(arq.Retry) as retry:
        await slow.coroutine({"job_id": "deliver:9", "job_try": 1})
    assert retry.value.defer_score == 5000
    with pytest.raises(RuntimeError, match="given up after 5 tries"):
        await slow.coroutine({"job_id": "deliver:9", "job_try": 5})


@pytest.mark.redis
async def test_arq_ping(redis_url: str) -> None:
    queue = ArqQueue(redis_url)
    assert not await queue.ping()
    await queue.start()
    assert await queue.ping()
    await queue.close()
    assert not await queue.ping()
    with pytest.raises(RuntimeError):
        await queue.enqueue("record", job_id="j")


async def test_arq_queue_reports_an_unreachable_redis() -> None:
    queue = ArqQueue("redis://127.0.0.1:1/0", connect_retries=0)
    with pytest.raises(QueueUnavailable, match=r"127\.0\.0\.1:1/0"):
        await queue.start()
    assert not await queue.ping()
