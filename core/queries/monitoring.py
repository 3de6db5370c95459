"""What the monitoring reads of the database: install-wide counts for ``GET /metrics`` and
``/healthz``, in a few statements that the delivery table's ``(status, not_before)`` index
serves (never a scan of every delivery ever sent)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tortoise.functions import Count

from core.models import AuditEntry, Delivery, DeliveryStatus

# Deliveries still on their way are counted whatever their age; the others when they were due
# in this window (their ``not_before``), so that a scrape reads a day's rows, not the years'
WINDOW = timedelta(hours=24)
LIVE = (DeliveryStatus.SCHEDULED, DeliveryStatus.SENDING)
OVER = tuple(status for status in DeliveryStatus if status not in LIVE)
FAILED = (DeliveryStatus.FAILED, DeliveryStatus.UNDELIVERED)
# The audit actions of an import refused or failed (the watched folder, the panel's jobs)
IMPORT_FAILURES = {"siecle.refused": "siecle", "timetable.refused": "timetable"}
IMPORT_ENTITY = "school"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The database's side of the monitoring at ``at``."""

    at: datetime
    # (channel, status) → deliveries: every live one, the others due within WINDOW
    deliveries: dict[tuple[str, str], int] = field(default_factory=dict)
    # (channel, provider) → deliveries failed or undelivered, due within WINDOW
    failures: dict[tuple[str, str], int] = field(default_factory=dict)
    # the ``not_before`` of the oldest delivery due and still scheduled (None: none is)
    oldest_due: datetime | None = None
    # kind (siecle, timetable) → imports refused or failed within WINDOW
    failed_imports: dict[str, int] = field(default_factory=dict)

    @property
    def oldest_due_age(self) -> float:
        """Seconds the oldest due delivery has waited (0 when none waits)."""
        if self.oldest_due is None:
            return 0.0
        return max(0.0, (self.at - self.oldest_due).total_seconds())


async def _grouped(
    statuses: tuple[DeliveryStatus, ...], since: datetime | None
) -> list[tuple[str, str, str, int]]:
    query = Delivery.filter(status__in=statuses)
    if since is not None:
        query = query.filter(not_before__gte=since)
    rows = (
        await query.annotate(n=Count("id"))
        .group_by("channel", "status", "provider")
        .values_list("channel", "status", "provider", "n")
    )
    return [(str(c), str(s), str(p), int(n)) for c, s, p, n in rows]


async def oldest_due(now: datetime) -> datetime | None:
    """The ``not_before`` of the oldest delivery due at ``now`` and still scheduled."""
    oldest = await (
        Delivery.filter(status=DeliveryStatus.SCHEDULED, not_before__lte=now)
        .order_by("not_before")
        .first()
        .values_list("not_before", flat=True)
    )
    return oldest if isinstance(oldest, datetime) else None


async def monitoring_snapshot(now: datetime) -> Snapshot:
    """Deliveries by channel and status, failures by channel and provider, the oldest due
    delivery and the failed imports, as of ``now`` (aware, UTC)."""
    since = now - WINDOW
    deliveries: dict[tuple[str, str], int] = {}
    failures: dict[tuple[str, str], int] = {}
    for channel, status, provider, n in [*await _grouped(LIVE, None), *await _grouped(OVER, since)]:
        key = (str(channel), str(status))
        deliveries[key] = deliveries.get(key, 0) + n
        if status in FAILED:
            where = (str(channel), str(provider) or "none")
            failures[where] = failures.get(where, 0) + n
    imports = await (
        AuditEntry.filter(entity=IMPORT_ENTITY, action__in=list(IMPORT_FAILURES), at__gte=since)
        .annotate(n=Count("id"))
        .group_by("action")
        .values_list("action", "n")
    )
    return Snapshot(
        at=now,
        deliveries=deliveries,
        failures=failures,
        oldest_due=await oldest_due(now),
        failed_imports={IMPORT_FAILURES[action]: n for action, n in imports},
    )
