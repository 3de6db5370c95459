"""The job queue: the only module of ``workers`` that ``web`` and ``bot`` import.

Two backends behind one small interface (:class:`Queue`):

* :class:`ArqQueue` — arq on Redis, when ``ABSENCES_REDIS_URL`` is set. This side only enqueues;
  the jobs run in ``absences worker`` processes (see :mod:`workers.arq_worker`).
* :class:`InlineQueue` — the embedded default: jobs run as asyncio tasks in this process's loop.

Both share the contract that the flow of a notice relies on: a job is enqueued at most once per
``job_id`` while it is queued or running (``deliver:<delivery id>``, or one id for deliveries
sent together, see :func:`enqueue_deliveries`), may be deferred to an aware datetime, and a task
asks to be run again later by raising :class:`RetryLater`. A task times out after
``job_timeout`` seconds; a timeout is retried with :func:`retry_backoff`. The database is the
outbox: a job lost here (crash, Redis outage, close()) is re-enqueued by the periodic sweep.

Tasks follow arq's convention: ``async def task(ctx: dict[str, Any], *args) -> Any`` where ``ctx``
holds the shared resources plus ``job_id``, ``job_try`` (1 on the first run) and ``enqueue_time``.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol, runtime_checkable

from arq.connections import ArqRedis, RedisSettings, create_pool
from arq.constants import default_queue_name, health_check_key_suffix
from redis.exceptions import RedisError

TaskFunc = Callable[..., Awaitable[Any]]
"""``async def task(ctx: dict[str, Any], *args: Any) -> Any`` (arq's convention: ctx first)."""

logger = logging.getLogger("absences.queue")

CONNECTION_ERRORS = (RedisError, OSError, asyncio.TimeoutError)  # Redis unreachable
# arq's key for the jobs waiting (a sorted set scored by the time each is due, in ms) and the
# key its workers renew (default queue name); a worker renews it this often, for one more
# second. Longer than a job may last (arq's worker loop waits for a free slot before renewing
# it), so that a worker whose every slot is busy is not taken for dead
QUEUE_KEY = default_queue_name
HEALTH_CHECK_KEY = default_queue_name + health_check_key_suffix
HEALTH_CHECK_SECONDS = 60


class RetryLater(Exception):
    """Raised by a task to be run again in ``defer`` seconds (up to the queue's ``max_tries``).

    Backend-neutral: the arq adapter translates it to ``arq.Retry(defer=...)``.
    """

    def __init__(self, defer: float = 0.0, reason: str = "") -> None:
        super().__init__(reason or f"retry in {defer:g}s")
        self.defer = max(0.0, float(defer))


class QueueUnavailable(RuntimeError):
    """The backend cannot accept the job right now (Redis unreachable).

    The caller has already written the outbox row, so it may log this and rely on the sweep.
    """


def retry_backoff(job_try: int) -> float:
    """Seconds to wait before running a job again after its ``job_try``-th run timed out."""
    return float(min(5 * 2 ** max(job_try - 1, 0), 300))


@runtime_checkable
class Queue(Protocol):
    """What ``web``, ``bot`` and the sweep use to schedule jobs."""

    @property
    def backend(self) -> Literal["redis", "inline"]:
        """Which backend runs the jobs."""
        ...

    async def enqueue(
        self, function: str, *args: Any, job_id: str, defer_until: datetime | None = None
    ) -> bool:
        """Enqueue ``function(ctx, *args)`` once per ``job_id``.

        Returns False, enqueuing nothing, when a job with that id is already queued or running
        (so re-enqueuing is idempotent). ``defer_until`` must be timezone-aware; the job does not
        start before it. Raises :class:`QueueUnavailable` when the backend is unreachable,
        ``RuntimeError`` before ``start()`` or after ``close()``. Arguments must be picklable.
        """
        ...

    async def start(self) -> None:
        """Acquire resources (Redis pool); call once before enqueuing."""
        ...

    async def close(self) -> None:
        """Release resources; jobs not yet started are dropped (the sweep re-enqueues them)."""
        ...

    async def ping(self) -> bool:
        """Health: True when Redis answers PING, or the inline runner is accepting jobs."""
        ...

    async def depth(self) -> dict[str, int]:
        """Jobs by state: ``queued`` (due; arq keeps a job in its queue until it is finished)
        and ``deferred`` (not due yet, or between two tries); the inline runner counts those
        ``running`` apart. Raises :class:`QueueUnavailable` when Redis does not answer."""
        ...

    async def workers_alive(self) -> bool | None:
        """Whether a worker process showed life lately (arq's health-check key, which every
        ``absences worker`` renews every :data:`HEALTH_CHECK_SECONDS`); None for the inline
        runner, which is this process. Raises :class:`QueueUnavailable` when Redis is."""
        ...


def _check_aware(defer_until: datetime | None) -> None:
    if defer_until is not None and defer_until.utcoffset() is None:
        raise ValueError(f"defer_until must be timezone-aware, got {defer_until!r}")


@dataclass
class _Job:
    job_id: str
    function: str
    args: tuple[Any, ...]
    enqueue_time: datetime
    defer_until: datetime | None
    tries: int = 0


class InlineQueue:
    """Runs jobs as asyncio tasks in the current event loop (one process, the embedded default).

    At most ``max_concurrency`` jobs run at once; each run is limited to ``job_timeout`` seconds.
    A job raising is logged and counted in ``jobs_failed``; it never stops the runner. A job
    raising :class:`RetryLater` (or timing out) runs again later, ``max_tries`` runs in all.
    ``close()`` drops jobs not yet started and gives running ones ``shutdown_grace`` seconds.
    """

    backend: Literal["inline"] = "inline"

    def __init__(
        self,
        functions: Mapping[str, TaskFunc],
        ctx: dict[str, Any] | None = None,
        max_concurrency: int = 10,
        job_timeout: float = 60,
        *,
        max_tries: int = 5,
        shutdown_grace: float = 5.0,
    ) -> None:
        if max_concurrency < 1 or max_tries < 1:
            raise ValueError("max_concurrency and max_tries must be at least 1")
        self._functions = dict(functions)
        self._ctx: dict[str, Any] = ctx if ctx is not None else {}
        self._max_concurrency = max_concurrency
        self._job_timeout = job_timeout
        self._max_tries = max_tries
        self._shutdown_grace = shutdown_grace
        self._semaphore: asyncio.Semaphore | None = None
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._jobs: dict[str, _Job] = {}
        self._running: set[str] = set()
        self._accepting = False
        self.jobs_complete = 0
        self.jobs_failed = 0
        self.jobs_retried = 0

    async def start(self) -> None:
        """Start accepting jobs (idempotent)."""
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self._max_concurrency)
        self._accepting = True

    async def ping(self) -> bool:
        """True while the runner accepts jobs (between start() and close())."""
        return self._accepting

    async def depth(self) -> dict[str, int]:
        """See :meth:`Queue.depth` (a job between two tries counts as deferred)."""
        now = datetime.now(UTC)
        counts = {"queued": 0, "deferred": 0, "running": len(self._running)}
        for job_id, job in self._jobs.items():
            if job_id in self._running:
                continue
            later = job.tries > 0 or (job.defer_until is not None and job.defer_until > now)
            counts["deferred" if later else "queued"] += 1
        return counts

    async def workers_alive(self) -> bool | None:
        """None: the jobs run in this process."""
        return None

    async def enqueue(
        self, function: str, *args: Any, job_id: str, defer_until: datetime | None = None
    ) -> bool:
        """See :meth:`Queue.enqueue`; also raises ``ValueError`` for an unknown function."""
        if not self._accepting:
            raise RuntimeError("InlineQueue is not started (or already closed)")
        if function not in self._functions:
            raise ValueError(f"unknown task function {function!r}")
        _check_aware(defer_until)
        existing = self._tasks.get(job_id)
        if existing is not None and not existing.done():
            return False
        job = _Job(job_id, function, args, datetime.now(UTC), defer_until)
        task = asyncio.create_task(self._lifecycle(job), name=f"job:{job_id}")
        self._tasks[job_id] = task
        self._jobs[job_id] = job
        task.add_done_callback(lambda t: self._forget(job_id, t))
        return True

    async def drain(self, timeout: float) -> None:  # noqa: ASYNC109 — a deadline is the point
        """Wait until no job is queued, deferred or running; ``TimeoutError`` after ``timeout``."""
        async with asyncio.timeout(timeout):
            while pending := [t for t in self._tasks.values() if not t.done()]:
                await asyncio.wait(pending)

    async def close(self) -> None:
        """Stop accepting jobs, cancel those not started, wait a grace period for running ones."""
        self._accepting = False
        waiting = [t for jid, t in self._tasks.items() if jid not in self._running]
        for task in waiting:
            task.cancel()
        everything = list(self._tasks.values())
        if not everything:
            return
        _, late = await asyncio.wait(everything, timeout=self._shutdown_grace)
        for task in late:
            task.cancel()
        await asyncio.gather(*everything, return_exceptions=True)
        if waiting or late:
            logger.info(
                "queue closed: %d pending and %d running jobs dropped", len(waiting), len(late)
            )

    def _forget(self, job_id: str, task: asyncio.Task[None]) -> None:
        if self._tasks.get(job_id) is task:
            del self._tasks[job_id]
            self._jobs.pop(job_id, None)
        if not task.cancelled() and (exc := task.exception()) is not None:
            logger.error("job %s: runner error", job_id, exc_info=exc)

    async def _lifecycle(self, job: _Job) -> None:
        if job.defer_until is not None:
            await asyncio.sleep(max(0.0, (job.defer_until - datetime.now(UTC)).total_seconds()))
        assert self._semaphore is not None  # set by start(), which enqueue() requires
        while True:
            async with self._semaphore:
                self._running.add(job.job_id)
                try:
                    delay = await self._run_once(job)
                finally:
                    self._running.discard(job.job_id)
            if delay is None or not self._accepting:
                return
            await asyncio.sleep(delay)

    async def _run_once(self, job: _Job) -> float | None:
        """Run the job once; return the delay before the next try, or None when it is over."""
        job.tries += 1
        ctx = {
            **self._ctx,
            "job_id": job.job_id,
            "job_try": job.tries,
            "enqueue_time": job.enqueue_time,
        }
        try:
            async with asyncio.timeout(self._job_timeout):
                await self._functions[job.function](ctx, *job.args)
        except RetryLater as exc:
            delay, reason = exc.defer, str(exc)
        except TimeoutError:
            delay, reason = retry_backoff(job.tries), f"timed out after {self._job_timeout:g}s"
        except Exception:
            logger.exception("job %s:%s failed (try %d)", job.job_id, job.function, job.tries)
            self.jobs_failed += 1
            return None
        else:
            self.jobs_complete += 1
            return None
        if job.tries >= self._max_tries:
            logger.error(
                "job %s:%s given up after %d tries: %s", job.job_id, job.function, job.tries, reason
            )
            self.jobs_failed += 1
            return None
        logger.info(
            "job %s:%s will run again in %.2fs: %s", job.job_id, job.function, delay, reason
        )
        self.jobs_retried += 1
        return delay


class ArqQueue:
    """Enqueues jobs into arq's Redis queue; ``absences worker`` processes run them.

    The pool is created in ``start()`` (arq retries the connection ``connect_retries`` times,
    one second apart) so that constructing the queue does no I/O. Workers must be built with
    :func:`workers.arq_worker.worker_settings`, which keeps no results, so that a finished job's
    id can be enqueued again at once.
    """

    backend: Literal["redis"] = "redis"

    def __init__(self, redis_url: str, *, connect_retries: int = 5) -> None:
        self._redis_url = redis_url
        self._connect_retries = connect_retries
        self._pool: ArqRedis | None = None

    async def start(self) -> None:
        """Connect to Redis (idempotent); raises :class:`QueueUnavailable` if it is unreachable."""
        if self._pool is not None:
            return
        settings = RedisSettings.from_dsn(self._redis_url)
        settings.conn_retries = self._connect_retries
        try:
            self._pool = await create_pool(settings)
        except CONNECTION_ERRORS as exc:
            where = f"{settings.host}:{settings.port}/{settings.database}"
            raise QueueUnavailable(f"Redis unreachable at {where}: {exc}") from exc

    async def close(self) -> None:
        """Close the Redis connections (idempotent)."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.aclose()

    async def ping(self) -> bool:
        """True when Redis answers PING within two seconds."""
        if self._pool is None:
            return False
        try:
            async with asyncio.timeout(2):
                return bool(await self._pool.ping())
        except CONNECTION_ERRORS:
            return False

    def _ready_pool(self) -> ArqRedis:
        if self._pool is None:
            raise QueueUnavailable("the queue is not started (or already closed)")
        return self._pool

    async def depth(self) -> dict[str, int]:
        """See :meth:`Queue.depth`: arq's queue, split at now (two ZCOUNTs)."""
        pool = self._ready_pool()
        now_ms = int(datetime.now(UTC).timestamp() * 1000)
        try:
            async with asyncio.timeout(2):
                queued = await pool.zcount(QUEUE_KEY, "-inf", now_ms)
                deferred = await pool.zcount(QUEUE_KEY, f"({now_ms}", "+inf")
        except CONNECTION_ERRORS as exc:
            raise QueueUnavailable(f"cannot read the queue's depth: {exc}") from exc
        return {"queued": int(queued), "deferred": int(deferred)}

    async def workers_alive(self) -> bool | None:
        """See :meth:`Queue.workers_alive`."""
        pool = self._ready_pool()
        try:
            async with asyncio.timeout(2):
                return bool(await pool.exists(HEALTH_CHECK_KEY))
        except CONNECTION_ERRORS as exc:
            raise QueueUnavailable(f"cannot read the workers' health check: {exc}") from exc

    async def enqueue(
        self, function: str, *args: Any, job_id: str, defer_until: datetime | None = None
    ) -> bool:
        """See :meth:`Queue.enqueue`."""
        if self._pool is None:
            raise RuntimeError("ArqQueue is not started (or already closed)")
        _check_aware(defer_until)
        if defer_until is not None and defer_until <= datetime.now(UTC):
            # arq keeps a job until its start + a day: a start more than a day past would be
            # refused by Redis (a negative expiry) and the job lost until the next sweep
            defer_until = None
        try:
            job = await self._pool.enqueue_job(
                function, *args, _job_id=job_id, _defer_until=defer_until
            )
        except CONNECTION_ERRORS as exc:
            raise QueueUnavailable(f"could not enqueue {job_id}: {exc}") from exc
        return job is not None


def create_queue(
    redis_url: str | None,
    functions: Mapping[str, TaskFunc],
    ctx: dict[str, Any] | None = None,
    *,
    max_concurrency: int = 10,
) -> Queue:
    """The queue for this process: arq when ``redis_url`` is set, else the inline runner.

    ``functions``, ``ctx`` and ``max_concurrency`` serve only the inline runner; with Redis the
    worker processes register the functions (``absences worker``). Call ``start()`` before use.
    """
    if redis_url:
        return ArqQueue(redis_url)
    return InlineQueue(functions, ctx, max_concurrency=max_concurrency)


DELIVER = "deliver"
JOB_DELIVERIES = 100  # deliveries that may leave together share one job, this many at most


def deliver_job_id(delivery_ids: Sequence[int]) -> str:
    """The deterministic id of the job sending ``delivery_ids``: ``deliver:<id>`` for one,
    ``deliver:<first>-<last>:<digest of the ids>`` for several (the same set, the same id)."""
    if len(delivery_ids) == 1:
        return f"{DELIVER}:{delivery_ids[0]}"
    digest = hashlib.sha1(",".join(map(str, delivery_ids)).encode()).hexdigest()[:12]
    return f"{DELIVER}:{delivery_ids[0]}-{delivery_ids[-1]}:{digest}"


async def enqueue_deliveries(
    queue: Queue, due: Iterable[tuple[int, datetime | None]], *, together: bool = True
) -> int:
    """Enqueue the jobs of ``(delivery id, not_before)`` pairs once their rows are committed.

    Deliveries that may leave at the same time go as one job of up to :data:`JOB_DELIVERIES`
    ids (``together=False``: one job each): a job costs an arq worker several Redis round trips,
    which would cap it at a few hundred deliveries a second when a whole school's notices are
    planned or a backlog is swept. A delivery in two jobs (the sweep groups anew) is still sent
    once: the job that claims its row sends it, the other skips it.

    The rows are the outbox: when the queue is unavailable this logs and stops, and the periodic
    sweep enqueues them later. Returns how many deliveries were enqueued (a job already queued
    is not enqueued twice).
    """
    groups: dict[datetime | None, list[int]] = {}
    for delivery_id, not_before in dict(due).items():
        groups.setdefault(not_before, []).append(delivery_id)
    size = JOB_DELIVERIES if together else 1
    count = 0
    for not_before, ids in groups.items():
        for start in range(0, len(ids), size):
            chunk = ids[start : start + size]
            job_id = deliver_job_id(chunk)
            try:
                if await queue.enqueue(DELIVER, *chunk, job_id=job_id, defer_until=not_before):
                    count += len(chunk)
            except (QueueUnavailable, RuntimeError) as exc:
                logger.warning("%s not enqueued, the sweep will: %s", job_id, exc)
                return count
    return count


class Scheduled(Protocol):
    """A delivery a service wrote ``scheduled`` (``core.services.delivery.rows.Due``)."""

    @property
    def delivery_id(self) -> int: ...
    @property
    def not_before(self) -> datetime | None: ...


async def enqueue_scheduled(queue: Queue, scheduled: Iterable[Scheduled]) -> int:
    """Enqueue what a service returned as scheduled, once its transaction has committed.

    The one way an entry point hands the deliveries a service wrote to the queue: call it after
    the service returned (its transaction is then committed), with the rows it returned; never
    read them again. See :func:`enqueue_deliveries` for the grouping and an unavailable queue.
    """
    return await enqueue_deliveries(queue, [(d.delivery_id, d.not_before) for d in scheduled])


INVITE = "invite"


async def enqueue_invitation(queue: Queue, invitation_id: int) -> bool:
    """Have an invitation's email sent (with a new link) once its row is committed.

    Each call is a job of its own (a resend is a new sending). Unlike deliveries there is no
    sweep behind it: when the queue is unavailable this logs and returns False, and the admin
    sends the invitation again from the staff page.
    """
    job_id = f"{INVITE}:{invitation_id}:{secrets.token_hex(4)}"
    try:
        return await queue.enqueue(INVITE, invitation_id, job_id=job_id)
    except (QueueUnavailable, RuntimeError) as exc:
        logger.warning("%s not enqueued: %s", job_id, exc)
        return False


READ_REPLIES = "read_replies"


async def enqueue_reading(queue: Queue, message_id: int) -> bool:
    """Have the families' replies waiting read (``message_id``'s among them) once its row is
    committed (``workers.replies``); when the queue is unavailable this logs and the periodic
    run reads it within a minute."""
    job_id = f"{READ_REPLIES}:{message_id}"
    try:
        return await queue.enqueue(READ_REPLIES, message_id, job_id=job_id)
    except (QueueUnavailable, RuntimeError) as exc:
        logger.warning("%s not enqueued, the periodic run will read it: %s", job_id, exc)
        return False
