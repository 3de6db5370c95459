"""Delivery reports fetched from a provider that posts none we could verify (OVHcloud).

Each run picks the provider's deliveries still ``sent`` (accepted, nothing final yet) that left
in the last 48 hours, asks the provider where each stands — outside any transaction — and
records what it says through :func:`core.services.delivery.reports.record_status`, exactly as a
posted callback would be: only forward, once per report (``event_ref``), a final failure
falling back to the guardian's next channel. A delivery is asked about often while young, then
less and less (:func:`poll_interval`); older than the window, it is left as it is.
"""

from __future__ import annotations

import uuid
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast

from core.models import Delivery, DeliveryStatus
from core.services.delivery.reports import record_status, scheduled_after_report
from core.services.delivery.rows import Due
from core.services.ports import ReportSource

POLL_WINDOW = timedelta(hours=48)
POLL_LIMIT = 200  # messages asked about per run at most: a backlog spreads over a few runs
FAILED = ("undelivered", "failed")
Memo = MutableMapping[int, datetime]  # delivery id → when its state was last asked for
_NEVER = datetime.min.replace(tzinfo=UTC)


def poll_interval(age: timedelta) -> timedelta:
    """How long to wait between two questions about a message sent ``age`` ago: every run
    (a minute) the first quarter of an hour, every 5 minutes the first two hours, then every
    half hour (most reports come within minutes; a phone switched off may take a day)."""
    if age < timedelta(minutes=15):
        return timedelta(minutes=1)
    if age < timedelta(hours=2):
        return timedelta(minutes=5)
    return timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class PollOutcome:
    """One run: how many messages were asked about, how many reports were recorded, how many
    the provider did not answer about, and the fallback deliveries to enqueue."""

    asked: int = 0
    recorded: int = 0
    unanswered: int = 0
    follow_ups: tuple[Due, ...] = ()


@dataclass(frozen=True, slots=True)
class _Sent:
    id: int
    uuid: str
    ref: str
    sent_at: datetime


async def _candidates(provider: str, now: datetime, window: timedelta) -> list[_Sent]:
    rows = await Delivery.filter(
        provider=provider,
        status=DeliveryStatus.SENT,
        provider_ref__isnull=False,
        sent_at__gte=(now - window).astimezone(UTC),  # SQLite compares datetimes as text
    ).values_list("id", "uuid", "provider_ref", "sent_at")
    return [
        _Sent(int(i), str(u), str(ref), cast("datetime", at))
        for i, u, ref, at in rows
        if ref and at is not None
    ]


def _due(candidates: list[_Sent], memo: Memo, now: datetime, limit: int) -> list[_Sent]:
    """The messages whose turn it is, the longest unasked first."""
    due = [
        sent
        for sent in candidates
        if now - memo.get(sent.id, _NEVER) >= poll_interval(now - sent.sent_at)
    ]
    due.sort(key=lambda sent: (memo.get(sent.id, _NEVER), sent.sent_at, sent.id))
    return due[:limit]


async def poll_reports(
    source: ReportSource,
    *,
    now: datetime,
    memo: Memo | None = None,
    window: timedelta = POLL_WINDOW,
    limit: int = POLL_LIMIT,
) -> PollOutcome:
    """Ask ``source`` about its deliveries still ``sent`` and record what it says.

    ``memo`` (kept by the caller from one run to the next, e.g. per worker process) spaces the
    questions with :func:`poll_interval`; without it every candidate is asked about. Safe to run
    in several processes at once: a report recorded twice is recorded once.
    """
    now = now.astimezone(UTC)
    memo = {} if memo is None else memo
    candidates = await _candidates(source.provider, now, window)
    alive = {sent.id for sent in candidates}
    for stale in [key for key in memo if key not in alive]:  # final or too old: forget it
        del memo[stale]
    due = _due(candidates, memo, now, limit)
    if not due:
        return PollOutcome()
    by_ref = {sent.ref: sent for sent in due}
    statuses = await source.statuses(list(by_ref))
    for sent in due:
        memo[sent.id] = now
    recorded, follow_ups = 0, []
    for report in statuses:
        sent_row = by_ref.get(report.provider_ref)
        if sent_row is None or report.status == DeliveryStatus.SENT:
            continue  # not ours, or nothing new: a delivery is already "sent"
        done = await record_status(
            source.provider,
            report.provider_ref,
            report.status,
            channels=source.channels,
            raw=dict(report.raw),
            event_ref=report.event_ref,
            at=now,
            error_code=report.error_code,
            usability=report.usability,
            delivery_uuid=str(uuid.UUID(sent_row.uuid)),
            source="poll",
        )
        if done:
            recorded += 1
            if report.status in FAILED:
                follow_ups += await scheduled_after_report(
                    source.provider, report.provider_ref, source.channels
                )
    answered = {report.provider_ref for report in statuses}
    return PollOutcome(len(due), recorded, len(by_ref.keys() - answered), tuple(follow_ups))
