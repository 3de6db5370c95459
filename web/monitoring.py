"""The install's monitoring: ``GET /metrics`` (Prometheus' text format) and ``GET /healthz``.

Each application has its own registry: the requests it answered (by the route's template,
never the raw path), and, computed at scrape time, the queue's depth and the database's
counts (:mod:`core.queries.monitoring`) — the latter install-wide, the same from every
``absences serve``. Who may read the metrics: ``ABSENCES_METRICS_TOKEN`` as a bearer token
from anywhere, or a direct client of ``ABSENCES_METRICS_NETWORKS`` (loopback by default).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import hdrs, web
from aiohttp.typedefs import Handler, Middleware
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector

from core.db import database_answers
from core.queries.monitoring import (
    IMPORT_FAILURES,
    WINDOW,
    Snapshot,
    monitoring_snapshot,
    oldest_due,
)
from core.rules.client_address import direct_client_in
from core.rules.health import Observed, assess
from web.keys import QUEUE, SETTINGS
from workers.queue import HEALTH_CHECK_SECONDS, Queue, QueueUnavailable

logger = logging.getLogger("absences.monitoring")

UNMATCHED = "(unmatched)"  # the route label of a request no route matched
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
FORWARDING = (hdrs.X_FORWARDED_FOR, hdrs.FORWARDED, "X-Real-IP")
HOURS = int(WINDOW.total_seconds() // 3600)
DATABASE_SECONDS = 5.0  # a database slower than this to answer the scrape counts as down


def route_label(request: web.Request) -> str:
    """The matched route's template (``/s/{uai}/stats``), or :data:`UNMATCHED`."""
    info = request.match_info
    if info.http_exception is not None or info.route.resource is None:
        return UNMATCHED
    return info.route.resource.canonical


@dataclass
class _Scraped:
    """What the last scrape read, turned into metrics by :class:`_Collector`."""

    snapshot: Snapshot | None = None
    backend: str = "inline"
    depth: dict[str, int] | None = None
    workers_alive: bool | None = None


class _Collector(Collector):
    """The gauges read at scrape time (the handler fills ``scraped`` just before)."""

    def __init__(self) -> None:
        self.scraped = _Scraped()

    def collect(self) -> Iterator[Metric]:
        scraped = self.scraped
        yield gauge(
            "absences_database_up",
            "1 when the database answered this scrape, else 0",
            {(): 1 if scraped.snapshot is not None else 0},
        )
        yield gauge(
            "absences_queue_up",
            "1 when the queue answered this scrape (Redis, or the in-process runner), else 0",
            {(scraped.backend,): 1 if scraped.depth is not None else 0},
            ["backend"],
        )
        if scraped.depth is not None:
            yield gauge(
                "absences_queue_jobs",
                "Jobs in the queue: queued (due; in arq's queue until a worker finishes them), "
                "deferred (not due yet, or between two tries); the in-process runner counts "
                "those running apart",
                {(scraped.backend, state): n for state, n in scraped.depth.items()},
                ["backend", "state"],
            )
        if scraped.workers_alive is not None:
            yield gauge(
                "absences_workers_alive",
                f"1 when an absences worker renewed arq's health check in the last "
                f"{HEALTH_CHECK_SECONDS + 1} s, else 0",
                {(): 1 if scraped.workers_alive else 0},
            )
        if scraped.snapshot is not None:
            yield from _database_metrics(scraped.snapshot)


def gauge(
    name: str, text: str, values: Mapping[Any, float], labels: Sequence[str] = ()
) -> GaugeMetricFamily:
    """A gauge family with one sample per labels' values (in their order)."""
    family = GaugeMetricFamily(name, text, labels=list(labels))
    for key, number in sorted(values.items()):
        family.add_metric(list(key), number)
    return family


def _database_metrics(snapshot: Snapshot) -> Iterator[Metric]:
    yield gauge(
        "absences_deliveries",
        f"Deliveries by channel and status, install-wide: every one scheduled or sending, "
        f"the others when they were due in the last {HOURS} h",
        snapshot.deliveries,
        ["channel", "status"],
    )
    yield gauge(
        "absences_delivery_failures",
        f"Deliveries failed or undelivered (refused by the provider or undeliverable) that "
        f"were due in the last {HOURS} h, by channel and provider (none: failed before any)",
        snapshot.failures,
        ["channel", "provider"],
    )
    yield gauge(
        "absences_oldest_due_delivery_age_seconds",
        "Seconds since the oldest delivery still scheduled became due (0 when none waits)",
        {(): snapshot.oldest_due_age},
    )
    kinds = sorted(set(IMPORT_FAILURES.values()))
    yield gauge(
        "absences_failed_imports",
        f"SIECLE and timetable imports refused or failed in the last {HOURS} h (the watched "
        f"folder's and the panel's), by kind",
        {(kind,): snapshot.failed_imports.get(kind, 0) for kind in kinds},
        ["kind"],
    )


@dataclass
class Metrics:
    """One application's registry and the instruments its middleware feeds."""

    registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    requests: Counter = field(init=False)
    durations: Histogram = field(init=False)
    collector: _Collector = field(default_factory=_Collector)

    def __post_init__(self) -> None:
        self.requests = Counter(
            "absences_http_requests",
            "HTTP requests answered by this process, by route template, method and status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.durations = Histogram(
            "absences_http_request_duration_seconds",
            "Time to answer an HTTP request in this process, by route template and method",
            ["route", "method"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )
        self.registry.register(self.collector)
        self.registry.register(ProcessCollector(registry=None))

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        verb = method if method in METHODS else "OTHER"
        self.requests.labels(route, verb, str(status)).inc()
        self.durations.labels(route, verb).observe(seconds)


METRICS = web.AppKey("metrics", Metrics)


def metrics_middleware(metrics: Metrics) -> Middleware:
    """Count every request by its route's template, method and final status."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        start = time.perf_counter()
        status = 500  # an exception that is not an HTTP answer becomes aiohttp's 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as error:
            status = error.status
            raise
        finally:
            metrics.observe(
                route_label(request), request.method, status, time.perf_counter() - start
            )

    return middleware


def _peer(request: web.Request) -> str:
    """The connection's own peer (``request.remote`` may be the client behind a proxy)."""
    transport = request.transport
    name = transport.get_extra_info("peername") if transport is not None else None
    if isinstance(name, (tuple, list)) and name:
        return str(name[0])
    return request.remote or ""


def may_scrape(request: web.Request) -> bool:
    """The bearer token, or a direct client of the monitoring networks."""
    settings = request.app[SETTINGS]
    given = request.headers.get(hdrs.AUTHORIZATION, "")
    if settings.metrics_token and given.startswith("Bearer "):
        return hmac.compare_digest(given[7:].strip().encode(), settings.metrics_token.encode())
    forwarded = any(name in request.headers for name in FORWARDING)
    return direct_client_in(
        request.remote or "",
        _peer(request),
        forwarded,
        settings.trusted_networks,
        settings.metrics_clients,
    )


async def _queue_side(queue: Queue) -> tuple[dict[str, int] | None, bool | None]:
    try:
        return await queue.depth(), await queue.workers_alive()
    except QueueUnavailable as error:
        logger.warning("metrics: the queue does not answer: %s", error)
        return None, None


async def metrics(request: web.Request) -> web.Response:
    """The metrics in Prometheus' text format (403 to whom may not read them)."""
    if not may_scrape(request):
        raise web.HTTPForbidden()
    queue = request.app[QUEUE]
    collector = request.app[METRICS].collector
    snapshot: Snapshot | None
    try:
        async with asyncio.timeout(DATABASE_SECONDS):
            snapshot = await monitoring_snapshot(datetime.now(UTC))
    except Exception as error:  # the database is down: say so in absences_database_up
        logger.warning("metrics: the database does not answer: %s", error)
        snapshot = None
    depth, alive = await _queue_side(queue)
    collector.scraped = _Scraped(snapshot, queue.backend, depth, alive)
    body = generate_latest(request.app[METRICS].registry)
    return web.Response(body=body, headers={hdrs.CONTENT_TYPE: CONTENT_TYPE_LATEST})


async def _oldest_due_age(now: datetime) -> float | None:
    try:
        async with asyncio.timeout(DATABASE_SECONDS):
            oldest = await oldest_due(now)
    except Exception:  # measured only when the database answers
        return None
    return 0.0 if oldest is None else max(0.0, (now - oldest).total_seconds())


async def healthz(request: web.Request) -> web.Response:
    """What works and what is degraded, and why: 503 only when the database does not answer
    (the service cannot serve); 200 otherwise, ``"status": "degraded"`` naming the parts."""
    settings = request.app[SETTINGS]
    queue = request.app[QUEUE]
    database = await database_answers()
    queue_ok = await queue.ping()
    alive: bool | None = None
    if queue_ok:
        try:
            alive = await queue.workers_alive()
        except QueueUnavailable:
            queue_ok = False
    health = assess(
        Observed(
            database=database,
            queue_backend=queue.backend,
            queue=queue_ok,
            workers_alive=alive,
            oldest_due_age=await _oldest_due_age(datetime.now(UTC)) if database else None,
            overdue_after=settings.health_overdue_seconds,
            worker_check_seconds=HEALTH_CHECK_SECONDS + 1,
        )
    )
    body = {
        "status": health.status,
        "database": "ok" if database else "unavailable",
        "queue": queue.backend,
        "queue_status": "ok" if queue_ok else "unavailable",
        "degraded": health.degraded,
        "checks": {check.name: check.as_json() for check in health.checks},
    }
    return web.json_response(body, status=health.http_status)


def setup(app: web.Application, metrics_: Metrics) -> None:
    """Mount ``/healthz`` and ``/metrics`` (the middleware is the caller's to place first)."""
    app[METRICS] = metrics_
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
