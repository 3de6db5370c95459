"""The tasks the queue runs, by name: thin wrappers that call one core service each.

Both backends (the arq worker and the in-process runner) run exactly this table. Their ``ctx``
holds ``channels`` (:class:`workers.senders.Channels`, built once per process) and ``queue``
(the :class:`~workers.queue.Queue` that fallbacks and the sweep enqueue into).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from core.services.delivery import send as delivery
from core.services.ports import SendFailed
from core.services.schools import invitations
from core.settings import Settings
from workers.batching import Batcher
from workers.planning import PLAN, plan_notices
from workers.queue import DELIVER, INVITE, Queue, RetryLater, TaskFunc, enqueue_deliveries
from workers.replies import READ_REPLIES, read_replies
from workers.reports import POLL_OVH_INCOMING, POLL_OVH_REPORTS, poll_ovh_incoming, poll_ovh_reports
from workers.senders import Channels, render

logger = logging.getLogger("absences.tasks")

SWEEP = "sweep"
BATCH_SIZE = 500  # deliveries claimed, recorded and committed together at most
DEFAULT_WORKER_JOBS = Settings.model_fields["worker_jobs"].default
DEFAULT_PATIENCE = Settings.model_fields["worker_patience"].default
BATCH_WINDOW = 0.005  # seconds a batch waits after its last job for one more (0.1 s at most)
SWEEP_LIMIT = 1000  # per run: a backlog drains over a few runs rather than in one burst
INLINE_SWEEP_SECONDS = 30.0


def _now() -> datetime:
    return datetime.now(UTC)


def _batcher(ctx: dict[str, Any]) -> Batcher[int, delivery.Outcome]:
    """This process's batcher of deliveries (made on first use, kept with the channels): at
    most ``ABSENCES_WORKER_JOBS`` deliveries in its hands at once, however many jobs bring them."""
    channels: Channels = ctx["channels"]
    batcher: Batcher[int, delivery.Outcome] | None = channels.state.get("batcher")
    if batcher is None:

        async def run(ids: list[int]) -> dict[int, delivery.Outcome]:
            return await delivery.deliver_many(ids, channels.senders, now=_now(), render=render)

        settings: Settings | None = ctx.get("settings")
        capacity = settings.worker_jobs if settings is not None else DEFAULT_WORKER_JOBS
        batcher = Batcher(run, max_size=BATCH_SIZE, window=BATCH_WINDOW, capacity=capacity)
        channels.state["batcher"] = batcher
    return batcher


async def deliver(ctx: dict[str, Any], *delivery_ids: int) -> str:
    """Send the job's deliveries (``core.services.delivery.send.deliver_many``, together with the
    other deliveries this process is running at the same moment); fallback deliveries are
    enqueued at once. A transient failure runs a one-delivery job again at the row's new
    ``not_before``; in a job of several, each delivery to retry gets a job of its own then.

    A job of several waits ``ABSENCES_WORKER_PATIENCE`` seconds at most for room in this
    process (which holds ``ABSENCES_WORKER_JOBS`` deliveries): the deliveries still waiting go
    back to the queue as a job of their own, for whichever worker has room; when none found
    room, the job itself is run again (by this worker or another)."""
    settings: Settings | None = ctx.get("settings")
    patience = settings.worker_patience if settings is not None else DEFAULT_PATIENCE
    queue: Queue | None = ctx.get("queue")
    left: list[int] = []
    if len(delivery_ids) == 1:
        [outcome] = await _batcher(ctx).submit_many(delivery_ids)
        done = {delivery_ids[0]: outcome}
    else:

        async def hand_back(waiting: list[int]) -> None:
            if len(waiting) == len(delivery_ids):
                raise RetryLater(0, f"no room for {len(waiting)} deliveries in {patience:g} s")
            left.extend(waiting)
            if queue is not None:
                await enqueue_deliveries(queue, [(i, None) for i in waiting])

        done = await _batcher(ctx).submit_within(delivery_ids, patience, hand_back)
    follow_ups = [(d.delivery_id, d.not_before) for o in done.values() for d in o.follow_ups]
    if follow_ups and queue is not None:
        await enqueue_deliveries(queue, follow_ups)
    retries = [(i, o) for i, o in done.items() if _retry(o)]
    if len(delivery_ids) == 1:
        if retries:
            retry_at = retries[0][1].retry_at
            assert retry_at is not None
            raise RetryLater((retry_at - _now()).total_seconds(), done[delivery_ids[0]].error)
        return done[delivery_ids[0]].status
    if retries and queue is not None:
        await enqueue_deliveries(queue, [(i, o.retry_at) for i, o in retries], together=False)
    counts: Counter[str] = Counter(o.status for o in done.values())
    if left:
        counts["handed back"] = len(left)
    return ", ".join(f"{n} {status}" for status, n in counts.items())


def _retry(outcome: delivery.Outcome) -> bool:
    return outcome.status == "retry" and outcome.retry_at is not None


async def sweep(ctx: dict[str, Any]) -> int:
    """Enqueue every delivery due and not in flight (stuck "sending" rows first go back to
    scheduled): what makes a lost job, a crash or a Redis outage only a delay."""
    ids = await delivery.due_deliveries(_now(), limit=SWEEP_LIMIT)
    count = await enqueue_deliveries(ctx["queue"], [(i, None) for i in ids])
    if ids:
        logger.info("sweep: %d due, %d enqueued", len(ids), count)
    return count


INVITE_RETRY_SECONDS = 60.0


async def invite(ctx: dict[str, Any], invitation_id: int) -> str:
    """Mail a staff invitation with a new link
    (``core.services.schools.invitations.send_invitation``);
    a transient failure is tried again a minute later, a permanent one is logged (the admin
    sees the invitation pending and may send it again)."""
    channels: Channels = ctx["channels"]
    settings: Settings = ctx["settings"]
    sender = channels.senders.get("email")
    if sender is None:
        logger.warning("invitation %s: no email channel to send it", invitation_id)
        return "no email channel"
    try:
        return await invitations.send_invitation(
            invitation_id, sender, settings.public_url, now=_now()
        )
    except SendFailed as error:
        if error.permanent:
            logger.warning("invitation %s not sent: %s", invitation_id, error)
            return "failed"
        raise RetryLater(INVITE_RETRY_SECONDS, str(error)) from error


FIRST_PASS = "first_pass"  # the context key of the event set once every periodic task ran


async def periodic_forever(ctx: dict[str, Any], interval: float = INLINE_SWEEP_SECONDS) -> None:
    """The in-process backend's periodic run of every :data:`CRON` task (arq workers run them
    as cron jobs instead); each task is idempotent, so running it often only costs a query."""
    while True:
        for name in CRON:
            try:
                await FUNCTIONS[name](ctx)
            except Exception:  # a database hiccup must not stop the loop: the next run retries
                logger.exception("periodic task %s failed", name)
        first = ctx.get(FIRST_PASS)
        if isinstance(first, asyncio.Event):
            first.set()  # the first pass is done (``serve`` says where it listens after it)
        await asyncio.sleep(interval)


FUNCTIONS: Mapping[str, TaskFunc] = {
    DELIVER: deliver,
    SWEEP: sweep,
    PLAN: plan_notices,
    POLL_OVH_REPORTS: poll_ovh_reports,
    POLL_OVH_INCOMING: poll_ovh_incoming,
    INVITE: invite,
    READ_REPLIES: read_replies,
}
CRON: tuple[str, ...] = (SWEEP, PLAN, POLL_OVH_REPORTS, POLL_OVH_INCOMING, READ_REPLIES)
"""Task names run every minute (arq cron, once across workers) and by the in-process loop."""
