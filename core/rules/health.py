"""What ``/healthz`` says, from what the probe saw: a pure rule.

The service *cannot serve* only when its database does not answer: that alone is
``unavailable`` (HTTP 503, so that a load balancer takes the process out). Everything else
still lets families' notices be written (the database is the outbox) and is ``degraded``
(HTTP 200) with the part and the reason: the queue (Redis) unreachable, no worker alive, the
deliveries late. Each check is ``ok``, ``late``, ``unavailable`` or ``unknown`` (not
measurable because of another part).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

CheckState = Literal["ok", "late", "unavailable", "unknown"]
Status = Literal["ok", "degraded", "unavailable"]


@dataclass(frozen=True, slots=True)
class Check:
    """One part of the service as the probe found it."""

    name: str
    state: CheckState
    reason: str = ""

    def as_json(self) -> dict[str, object]:
        body: dict[str, object] = {"state": self.state}
        if self.reason:
            body["reason"] = self.reason
        return body


@dataclass(frozen=True, slots=True)
class Observed:
    """What the probe saw. ``workers_alive`` None: the jobs run in the serving process (or
    Redis did not answer); ``oldest_due_age`` None: not measured (the database did not
    answer); 0: nothing waits."""

    database: bool
    queue_backend: str
    queue: bool
    workers_alive: bool | None
    oldest_due_age: float | None
    overdue_after: float
    worker_check_seconds: float


@dataclass(frozen=True, slots=True)
class Health:
    status: Status
    checks: tuple[Check, ...]

    @property
    def http_status(self) -> int:
        return 503 if self.status == "unavailable" else 200

    @property
    def degraded(self) -> list[str]:
        """The parts that are not ``ok``."""
        return [check.name for check in self.checks if check.state != "ok"]


def _database(seen: Observed) -> Check:
    if seen.database:
        return Check("database", "ok")
    return Check("database", "unavailable", "the database does not answer")


def _queue(seen: Observed) -> Check:
    if seen.queue:
        return Check("queue", "ok")
    if seen.queue_backend == "redis":
        reason = "Redis does not answer: deliveries wait in the database for the sweep"
    else:
        reason = "the in-process queue does not accept jobs"
    return Check("queue", "unavailable", reason)


def _workers(seen: Observed) -> Check:
    if seen.queue_backend != "redis":
        return Check("workers", "ok")  # this process runs the jobs
    if not seen.queue or seen.workers_alive is None:
        return Check("workers", "unknown", "Redis does not answer")
    if seen.workers_alive:
        return Check("workers", "ok")
    window = f"{seen.worker_check_seconds:g}"
    return Check("workers", "unavailable", f"no absences worker showed life in {window} s")


def _deliveries(seen: Observed) -> Check:
    if seen.oldest_due_age is None:
        return Check("deliveries", "unknown", "the database does not answer")
    if seen.oldest_due_age <= seen.overdue_after:
        return Check("deliveries", "ok")
    reason = (
        f"the oldest delivery due has waited {seen.oldest_due_age:.0f} s "
        f"(more than {seen.overdue_after:g} s)"
    )
    return Check("deliveries", "late", reason)


def assess(seen: Observed) -> Health:
    """The service's health from what the probe saw."""
    checks = (_database(seen), _queue(seen), _workers(seen), _deliveries(seen))
    if not seen.database:
        return Health("unavailable", checks)
    return Health("degraded" if any(c.state != "ok" for c in checks) else "ok", checks)
