"""The periodic tasks that fetch what OVHcloud posts none of that we could verify, run every
minute with the sweep (see ``workers.tasks.CRON``): its delivery reports
(``poll_ovh_reports``) and the SMS families send to it (``poll_ovh_incoming``: stored, answered,
then deleted at OVHcloud).

Both cost nothing when the SMS provider is not OVHcloud: they look at the process's SMS adapter
and return before any query or request. The spacing of the questions is remembered per process in
``ctx`` (a second worker only asks a little more often, never records twice).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from core.services.delivery.provider_reports import Memo, poll_reports
from core.services.notices.inbox import collect_replies
from gateway.ovh.incoming import OvhIncomingSource
from gateway.ovh.reports import OvhReportSource
from gateway.ovh.sms import OvhSmsTransport
from workers.queue import Queue, enqueue_scheduled
from workers.replies import read_replies
from workers.senders import Channels

logger = logging.getLogger("absences.reports")

POLL_OVH_REPORTS = "poll_ovh_reports"
POLL_OVH_INCOMING = "poll_ovh_incoming"
MEMO = "ovh_report_memo"
SKIPPED = "ovh_incoming_skipped"  # ids of incoming SMS this process could not read


def _ovh(ctx: dict[str, Any]) -> OvhSmsTransport | None:
    channels: Channels | None = ctx.get("channels")
    transport = channels.transports.get("sms") if channels is not None else None
    return transport if isinstance(transport, OvhSmsTransport) else None


async def poll_ovh_reports(ctx: dict[str, Any]) -> int:
    """Record what OVHcloud says of the SMS still waiting for a report; enqueue the fallbacks
    a failure planned. Returns how many reports were recorded (0 without OVHcloud)."""
    transport = _ovh(ctx)
    if transport is None:
        return 0
    memo: Memo = ctx.setdefault(MEMO, {})
    outcome = await poll_reports(OvhReportSource(transport), now=datetime.now(UTC), memo=memo)
    queue: Queue | None = ctx.get("queue")
    if outcome.follow_ups and queue is not None:
        await enqueue_scheduled(queue, outcome.follow_ups)
    if outcome.asked:
        logger.info(
            "OVHcloud reports: %d asked, %d recorded, %d unanswered",
            outcome.asked,
            outcome.recorded,
            outcome.unanswered,
        )
    return outcome.recorded


async def poll_ovh_incoming(ctx: dict[str, Any]) -> int:
    """Store the SMS families sent to the OVHcloud account (a STOP or a START confirmed through
    it), delete them there once stored, then read them. Returns how many were stored (0
    without OVHcloud)."""
    transport = _ovh(ctx)
    if transport is None:
        return 0
    skipped: set[str] = ctx.setdefault(SKIPPED, set())
    source = OvhIncomingSource(transport, skipped=skipped)
    outcome = await collect_replies(source, transport, now=datetime.now(UTC))
    if outcome.stored:
        await read_replies(ctx)
    if outcome.read:
        logger.info(
            "OVHcloud incoming SMS: %d read, %d stored, %d answered, %d deleted",
            outcome.read,
            outcome.stored,
            outcome.answered,
            outcome.forgotten,
        )
    return outcome.stored
