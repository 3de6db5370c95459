"""The queue as a process runs it: the same assembly for `absences serve` and the tests."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from core.settings import Settings
from workers.queue import Queue, create_queue
from workers.senders import build_channels
from workers.tasks import FUNCTIONS, periodic_forever


@dataclass
class Runtime:
    """A started queue with its task context (and, in-process, the periodic sweep)."""

    queue: Queue
    ctx: dict[str, Any]
    background: list[asyncio.Task[None]] = field(default_factory=list)

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
        runtime.background.append(asyncio.create_task(periodic_forever(ctx), name="periodic"))
    return runtime
