"""Reading the families' replies the webhooks and the pollers stored (``read_replies``).

A webhook stores a reply in one insert and enqueues ``read_replies`` (one job per reply). A job
reads every reply waiting, in batches; while one job of this process reads, the others only ask
it to look once more when it is done, so a burst is read in batches by one reader rather than
by one transaction per reply (several worker processes each have their reader: a batch two of
them read is claimed by one, see ``core.services.notices.inbound``). It runs with the sweep
too, so a reply whose job was lost (a crash, Redis down) is read within a minute. The thanks
and the questions the reading writes are enqueued as deliveries.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any

from core.services.delivery.rows import Due
from core.services.notices.inbound import BATCH, read_waiting
from workers.queue import READ_REPLIES, Queue, enqueue_scheduled

logger = logging.getLogger("absences.inbound")

# Per event loop (one per process, but tests run many): whether a job is reading, and whether
# another asked it to look again. A job's ctx is a copy: it cannot hold this.
_STATES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, bool]] = (
    weakref.WeakKeyDictionary()
)
MAX_BATCHES = 50  # a job reads this many batches at most; the next job or the sweep goes on


async def read_replies(ctx: dict[str, Any], *_ids: int) -> int:
    """Read the replies waiting; returns how many were read. While this process is reading,
    another job only asks it to look once more when it is done (a burst of replies is read by
    one reader in batches, not by one transaction per reply)."""
    state = _STATES.setdefault(asyncio.get_running_loop(), {"busy": False, "again": False})
    if state["busy"]:
        state["again"] = True
        return 0
    state["busy"] = True
    count = 0
    try:
        for _ in range(MAX_BATCHES):
            state["again"] = False
            batch = await read_waiting(BATCH)
            count += batch.count
            await _enqueue(ctx, batch.due)
            if batch.count < BATCH and not state["again"]:
                break
    finally:
        state["busy"] = False
    if count:
        logger.info("read %d replies from families", count)
    return count


__all__ = ["READ_REPLIES", "read_replies"]


async def _enqueue(ctx: dict[str, Any], due: list[Due]) -> None:
    queue: Queue | None = ctx.get("queue")
    if queue is not None and due:
        await enqueue_scheduled(queue, due)
