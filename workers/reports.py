"""The periodic task that fetches OVHcloud's delivery reports (OVHcloud posts none we could
verify): ``poll_ovh_reports``, run every minute with the sweep (see ``workers.tasks.CRON``).

It costs nothing when the SMS provider is not OVHcloud: it looks at the process's SMS adapter
and returns before any query. The spacing of the questions is remembered per process in
``ctx`` (a second worker only asks a little more often, never records twice).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from core.services.delivery.provider_reports import Memo, poll_reports
from gateway.ovh.reports import OvhReportSource
from gateway.ovh.sms import OvhSmsTransport
from workers.queue import Queue, enqueue_deliveries
from workers.senders import Channels

logger = logging.getLogger("absences.reports")

POLL_OVH_REPORTS = "poll_ovh_reports"
MEMO = "ovh_report_memo"


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
        await enqueue_deliveries(queue, [(d.delivery_id, d.not_before) for d in outcome.follow_ups])
    if outcome.asked:
        logger.info(
            "OVHcloud reports: %d asked, %d recorded, %d unanswered",
            outcome.asked,
            outcome.recorded,
            outcome.unanswered,
        )
    return outcome.recorded
