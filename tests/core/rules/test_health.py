"""The health probe's verdict: only a silent database makes the service unavailable."""

from __future__ import annotations

from dataclasses import replace

import pytest

from core.rules.health import Observed, assess

FINE = Observed(
    database=True,
    queue_backend="redis",
    queue=True,
    workers_alive=True,
    oldest_due_age=0.0,
    overdue_after=600,
    worker_check_seconds=61,
)


@pytest.mark.parametrize(
    ("change", "status", "code", "degraded"),
    [
        ({}, "ok", 200, []),
        ({"oldest_due_age": 600.0}, "ok", 200, []),  # the limit itself is not late
        ({"oldest_due_age": 601.0}, "degraded", 200, ["deliveries"]),
        ({"workers_alive": False}, "degraded", 200, ["workers"]),
        ({"queue": False, "workers_alive": None}, "degraded", 200, ["queue", "workers"]),
        ({"queue_backend": "inline", "workers_alive": None}, "ok", 200, []),
        ({"queue_backend": "inline", "queue": False}, "degraded", 200, ["queue"]),
        (
            {"database": False, "oldest_due_age": None},
            "unavailable",
            503,
            ["database", "deliveries"],
        ),
        ({"database": False, "queue": False}, "unavailable", 503, ["database", "queue", "workers"]),
    ],
)
def test_the_verdict(
    change: dict[str, object], status: str, code: int, degraded: list[str]
) -> None:
    health = assess(replace(FINE, **change))  # type: ignore[arg-type]
    assert (health.status, health.http_status, health.degraded) == (status, code, degraded)
    for check in health.checks:
        assert bool(check.reason) == (check.state != "ok"), check


def test_the_reasons_name_the_part() -> None:
    checks = {c.name: c for c in assess(replace(FINE, workers_alive=False)).checks}
    assert checks["workers"].as_json() == {
        "state": "unavailable",
        "reason": "no absences worker showed life in 61 s",
    }
    late = {c.name: c for c in assess(replace(FINE, oldest_due_age=1234.4)).checks}
    assert (
        late["deliveries"].reason == "the oldest delivery due has waited 1234 s (more than 600 s)"
    )
    inline = {c.name: c for c in assess(replace(FINE, queue_backend="inline", queue=False)).checks}
    assert inline["queue"].reason == "the in-process queue does not accept jobs"
