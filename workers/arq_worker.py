"""arq worker settings for ``absences worker``: the Redis backend's side that runs the jobs.

Each task is wrapped so that it keeps the backend-neutral contract of :mod:`workers.queue`:
:class:`~workers.queue.RetryLater` becomes ``arq.Retry``, and a timeout inside the task becomes
``arq.Retry`` with :func:`~workers.queue.retry_backoff` (arq itself does not retry a job that
times out). The wrapper enforces ``job_timeout``; arq's own timeout is set a little later, only as
a backstop for a task that ignores cancellation.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import logging
import signal
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from arq.connections import RedisSettings, create_pool
from arq.cron import CronJob, cron
from arq.typing import WorkerCoroutine
from arq.worker import Function, Retry, Worker, func

from workers.queue import (
    CONNECTION_ERRORS,
    HEALTH_CHECK_SECONDS,
    RetryLater,
    TaskFunc,
    retry_backoff,
)

logger = logging.getLogger("absences.queue")

StartupShutdown = Callable[[dict[str, Any]], Awaitable[Any]]

# arq's backstop timeout fires this long after ours; it only matters for a task that does not
# stop when cancelled. A crashed worker's jobs rerun after the longest timeout + 10 s (arq).
_BACKSTOP_S = 2.0
POLL_DELAY = 0.1  # seconds between two looks for jobs of an idle worker
REDIS_WAIT_MAX_S = 5.0  # a worker that lost Redis looks for it again this often at most


def _adapt(name: str, task: TaskFunc, job_timeout: float, max_tries: int) -> WorkerCoroutine:
    """Wrap ``task`` for arq: our timeout, and our retry requests translated to ``arq.Retry``."""

    @functools.wraps(task)
    async def run(ctx: dict[Any, Any], *args: Any, **kwargs: Any) -> Any:
        job_try = int(ctx.get("job_try", 1))
        try:
            async with asyncio.timeout(job_timeout):
                return await task(ctx, *args, **kwargs)
        except (RetryLater, TimeoutError) as exc:
            if isinstance(exc, RetryLater):
                defer, reason = exc.defer, str(exc)
            else:
                defer, reason = retry_backoff(job_try), f"timed out after {job_timeout:g}s"
            if job_try >= max_tries:
                # Fail now with the real reason rather than arq's later "max retries exceeded".
                raise RuntimeError(f"{name} given up after {job_try} tries: {reason}") from exc
            logger.info(
                "job %s:%s will run again in %.2fs: %s", ctx.get("job_id"), name, defer, reason
            )
            raise Retry(defer=defer) from exc

    run.__qualname__ = name
    return run


def worker_settings(
    redis_url: str,
    functions: Mapping[str, TaskFunc],
    *,
    on_startup: StartupShutdown | None = None,
    on_shutdown: StartupShutdown | None = None,
    job_timeout: float = 30,
    max_tries: int = 5,
    burst: bool = False,
    every_minute: Sequence[str] = (),
    max_jobs: int = 10,
) -> dict[str, Any]:
    """Keyword arguments for ``arq.worker.Worker`` running ``functions`` under their given names.

    ``on_startup(ctx)`` builds the shared resources into ``ctx`` (arq puts its pool in
    ``ctx["redis"]``), ``on_shutdown(ctx)`` releases them. Results are not kept, so that the
    same job id can be enqueued again as soon as the job is over (the queue's contract).
    ``burst=True`` stops the worker once the queue is empty (tests, one-off runs).
    ``max_jobs`` jobs run at once (the deliveries among them are sent as one batch).
    ``every_minute`` names functions also run at each minute and at start-up, once across all
    the workers (arq's unique cron jobs).
    """
    if not functions:
        raise ValueError("a worker needs at least one task function")
    registered: list[Function] = [
        func(
            _adapt(name, task, job_timeout, max_tries),
            name=name,
            timeout=job_timeout + _BACKSTOP_S,
            max_tries=max_tries,
        )
        for name, task in functions.items()
    ]
    crons: list[CronJob] = [
        cron(
            _adapt(name, functions[name], job_timeout, 1),
            name=f"cron:{name}",
            second=0,
            run_at_startup=True,
            timeout=job_timeout + _BACKSTOP_S,
        )
        for name in every_minute
    ]
    return {
        "functions": registered,
        "cron_jobs": crons,
        "redis_settings": RedisSettings.from_dsn(redis_url),
        "on_startup": on_startup,
        "on_shutdown": on_shutdown,
        "job_timeout": job_timeout + _BACKSTOP_S,
        "max_tries": max_tries,
        "keep_result": 0,
        "burst": burst,
        "max_jobs": max_jobs,
        # renewed often enough for /healthz to tell that no worker runs (arq's default: 1 h)
        "health_check_interval": HEALTH_CHECK_SECONDS,
        # up to four times its slots a look (arq's default, 100 ids every 0.5 s, would cap a
        # worker at 200 jobs/s); ``run_worker`` looks every POLL_DELAY
        "queue_read_limit": max(100, 4 * max_jobs),
    }


async def run_worker(
    redis_url: str,
    functions: Mapping[str, TaskFunc],
    *,
    on_startup: StartupShutdown | None = None,
    on_shutdown: StartupShutdown | None = None,
    job_timeout: float = 30,
    max_tries: int = 5,
    burst: bool = False,
    handle_signals: bool = True,
    every_minute: Sequence[str] = (),
    max_jobs: int = 10,
) -> None:
    """Run an arq worker until SIGINT/SIGTERM (or, with ``burst``, until the queue is empty).

    Jobs cut short by a signal are run again by arq. Used by the ``absences worker`` command.
    When Redis goes away the worker does not stop: the jobs it runs end, it waits for Redis, then
    starts again, running its ``every_minute`` tasks at once (the sweep enqueues what Redis lost).
    """
    settings = worker_settings(
        redis_url,
        functions,
        on_startup=on_startup,
        on_shutdown=on_shutdown,
        job_timeout=job_timeout,
        max_tries=max_tries,
        burst=burst,
        every_minute=every_minute,
        max_jobs=max_jobs,
    )
    while True:
        worker = Worker(**settings, handle_signals=handle_signals, poll_delay=POLL_DELAY)
        try:
            await worker.async_run()
            return
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise  # we are being cancelled, not stopped by a signal
            return
        except CONNECTION_ERRORS as error:
            logger.warning("Redis unreachable (%s): the worker waits for it", error)
        finally:
            await _close(worker)
        if not await _redis_back(settings["redis_settings"], handle_signals):
            return
        logger.info("Redis is back: the worker starts again (its sweep first)")


async def _close(worker: Worker) -> None:
    """Close a worker, Redis reachable or not: its running jobs end (what they sent is recorded
    in the database; what they could not tell Redis, the sweep makes up for), then its
    resources are released."""
    try:
        await worker.close()
    except CONNECTION_ERRORS:
        await asyncio.gather(*worker.tasks.values(), return_exceptions=True)
        if worker.on_shutdown is not None:
            await worker.on_shutdown(worker.ctx)
        pool = worker.ctx.get("redis")
        if pool is not None:
            with contextlib.suppress(*CONNECTION_ERRORS):
                await pool.close(close_connection_pool=True)


async def _redis_back(redis_settings: RedisSettings, handle_signals: bool) -> bool:
    """Wait until Redis answers again (True), or until SIGINT/SIGTERM (False)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    if handle_signals:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
    delay = 0.5
    once = dataclasses.replace(redis_settings, conn_retries=0, conn_timeout=2)
    while not stop.is_set():
        try:
            pool = await create_pool(once)
        except CONNECTION_ERRORS:
            pass
        else:
            await pool.aclose()
            return True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        delay = min(delay * 2, REDIS_WAIT_MAX_S)
    return False
