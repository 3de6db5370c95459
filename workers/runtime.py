"""The queue as a process runs it: the same assembly for `absences serve` and the tests."""

from __future__ import annotations

import asyncio
import gc
from dataclasses import dataclass, field
from typing import Any

from core.settings import Settings
from workers.queue import Queue, create_queue
from workers.senders import build_channels
from workers.tasks import FIRST_PASS, FUNCTIONS, periodic_forever

# The young generation is collected after this many new container objects (Python's default:
# 700). A batch of deliveries makes tens of thousands (ORM rows, HTTP requests, their futures)
GC_YOUNG_THRESHOLD = 10_000


def tune_gc() -> None:
    """Tune the garbage collector of a long-running process once it has started (``absences
    serve`` and ``absences worker`` call this when ready).

    What is alive by then (modules, the ORM's metadata, compiled templates, the web app) stays
    for the process's life: ``gc.freeze()`` moves it out of the collector's sight, so that the
    full collections that bursts of deliveries set off no longer walk it again and again; and
    the young generation is collected less often. Measured with ``make bench``: a quarter of a
    worker's time went to the collector before.
    """
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


@dataclass
class Runtime:
    """A started queue with its task context (and, in-process, the periodic sweep)."""

    queue: Queue
    ctx: dict[str, Any]
    background: list[asyncio.Task[None]] = field(default_factory=list)

    async def settled(self) -> None:
        """Wait for the in-process worker's first pass of its periodic tasks (what they log at
        start-up then comes before what the caller prints); at once for arq's workers."""
        first = self.ctx.get(FIRST_PASS)
        if isinstance(first, asyncio.Event):
            await first.wait()

    async def close(self) -> None:
        for task in self.background:
            task.cancel()
        await asyncio.gather(*self.background, return_exceptions=True)
        await self.queue.close()
        channels = self.ctx.get("channels")
        if channels is not None:
            await channels.close()


async def start_runtime(settings: Settings, *, sweep: bool = True) -> Runtime:
    """Build and start the queue: arq on Redis when configured, else the in-process runner,
    which sends itself (so it holds the channels) and sweeps every 30 s when ``sweep``.

    Raises ``workers.queue.QueueUnavailable`` when Redis cannot be reached.
    """
    ctx: dict[str, Any] = {"settings": settings}
    if not settings.redis_url:
        ctx["channels"] = build_channels(settings)
    queue = create_queue(settings.redis_url, FUNCTIONS, ctx, max_concurrency=settings.worker_jobs)
    ctx["queue"] = queue
    try:
        await queue.start()
    except BaseException:
        if "channels" in ctx:
            await ctx["channels"].close()
        raise
    runtime = Runtime(queue, ctx)
    if sweep and queue.backend == "inline":
        ctx[FIRST_PASS] = asyncio.Event()
        runtime.background.append(asyncio.create_task(periodic_forever(ctx), name="periodic"))
    return runtime
