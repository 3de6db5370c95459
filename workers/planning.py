"""The periodic task that plans the dated notices (reminders, monthly letters, weekly summary).

Thin: for each school whose local day is not planned yet, the service plans it (once: it claims
the day) and the deliveries it wrote are enqueued. Run every minute with the other CRON tasks;
once every school's day is planned, a run costs one query.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from core.services.notices.planning import plan_dated_notices, schools_to_plan
from workers.queue import Queue, enqueue_deliveries

logger = logging.getLogger("absences.planning")

PLAN = "plan_notices"


async def plan_notices(ctx: dict[str, Any]) -> int:
    """Plan the day's dated notices of every school not planned yet; returns how many
    deliveries were written. A school that fails is logged and tried again next run."""
    now = datetime.now(UTC)
    queue: Queue | None = ctx.get("queue")
    written = 0
    for school in await schools_to_plan(now):
        try:
            due = await plan_dated_notices(school, now)
        except Exception:  # one school's bad data must not keep the others unplanned
            logger.exception("planning the notices of %s failed", school.uai)
            continue
        written += len(due)
        if due:
            logger.info("school %s: %d dated deliveries planned", school.uai, len(due))
        if due and queue is not None:
            await enqueue_deliveries(queue, [(d.delivery_id, d.not_before) for d in due])
    return written
