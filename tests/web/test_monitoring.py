"""``GET /metrics`` and ``GET /healthz`` on the real application: rows written in the real
SQLite and PostgreSQL, the queue in a real Redis with a real arq worker, the metrics read back
with prometheus_client's own parser."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from prometheus_client.parser import text_string_to_metric_families
from redis.asyncio import Redis

from core.models import (
    AuditEntry,
    Channel,
    Delivery,
    DeliveryStatus,
    Notice,
    NoticeKind,
    School,
    Student,
)
from core.services.audit import Actor
from core.services.refused_imports import record_refused_import
from core.services.schools.school import create_school, now_utc
from core.timetable.summary import TimetableSummary
from tests.web.conftest import serving
from web.keys import QUEUE
from web.panel.import_jobs import ImportJobs, Meta
from workers.arq_worker import run_worker

Client = TestClient[Any, Any]
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
UAI = "0750001A"
TOKEN = "a-long-enough-scrape-token"


def samples(text: str) -> Samples:
    """Every sample of the exposition, by name and labels."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float | None:
    return found.get((name, frozenset(labels.items())))


async def scrape(client: Client, **headers: str) -> Samples:
    response = await client.get("/metrics", headers=headers)
    assert response.status == 200, await response.text()
    assert response.content_type == "text/plain"
    return samples(await response.text())


@pytest.fixture
async def pupil(db: str) -> Student:
    school = await create_school(UAI, "Collège Alpha", Actor.system("tests"))
    return await Student.create(school=school, last_name="Martin", first_name="Léa")


async def delivery(
    pupil: Student,
    channel: str,
    status: DeliveryStatus,
    due: datetime,
    provider: str = "",
) -> Delivery:
    school: School = await pupil.school
    notice = await Notice.create(
        school=school, student=pupil, kind=NoticeKind.ABSENCE, dedupe_key=f"t:{uuid.uuid4()}"
    )
    return await Delivery.create(
        uuid=uuid.uuid4(),
        notice=notice,
        channel=channel,
        to="+33612345678" if channel == Channel.SMS else "famille@example.org",
        status=status,
        not_before=due,
        provider=provider,
    )


@contextlib.asynccontextmanager
async def app(tmp_path: Path, **settings: Any) -> AsyncIterator[Client]:
    async with serving(tmp_path, **settings) as client:
        yield client


async def test_the_metrics_say_what_the_database_holds(pupil: Student, tmp_path: Path) -> None:
    now = now_utc()
    await delivery(pupil, Channel.SMS, DeliveryStatus.SCHEDULED, now - timedelta(minutes=10))
    await delivery(pupil, Channel.SMS, DeliveryStatus.SCHEDULED, now + timedelta(hours=1))
    for _ in range(2):
        await delivery(
            pupil, Channel.SMS, DeliveryStatus.FAILED, now - timedelta(hours=1), "twilio"
        )
    await delivery(pupil, Channel.EMAIL, DeliveryStatus.DELIVERED, now - timedelta(hours=2), "smtp")
    # over before the window: not counted; still scheduled three days late: counted
    await delivery(pupil, Channel.EMAIL, DeliveryStatus.DELIVERED, now - timedelta(days=3), "smtp")
    await delivery(pupil, Channel.SMS, DeliveryStatus.FAILED, now - timedelta(days=3), "twilio")
    actor = Actor.system("tests")
    for _ in range(2):
        await record_refused_import(actor, "siecle", UAI, source="watch", reason="bad file")
    await record_refused_import(actor, "timetable", UAI, source="panel", reason="bad file")
    old = await AuditEntry.filter(action="timetable.refused").first()
    assert old is not None
    await record_refused_import(actor, "timetable", UAI, source="panel", reason="again")
    await AuditEntry.filter(id=old.id).update(at=now - timedelta(days=2))

    async with app(tmp_path) as client:
        assert (await client.get(f"/s/{UAI}/stats", allow_redirects=False)).status == 303
        assert (await client.get(f"/s/{UAI}/nowhere/at/all")).status == 404
        found = await scrape(client)
        text = await (await client.get("/metrics")).text()

    assert value(found, "absences_database_up") == 1
    age = value(found, "absences_oldest_due_delivery_age_seconds")
    assert age is not None and 600 <= age < 700
    assert value(found, "absences_deliveries", channel="sms", status="scheduled") == 2
    assert value(found, "absences_deliveries", channel="sms", status="failed") == 2
    assert value(found, "absences_deliveries", channel="email", status="delivered") == 1
    assert value(found, "absences_delivery_failures", channel="sms", provider="twilio") == 2
    assert value(found, "absences_failed_imports", kind="siecle") == 2
    assert value(found, "absences_failed_imports", kind="timetable") == 1
    assert value(found, "absences_queue_up", backend="inline") == 1
    assert value(found, "absences_queue_jobs", backend="inline", state="queued") == 0
    route = {"route": "/s/{uai}/stats", "method": "GET", "status": "303"}
    assert value(found, "absences_http_requests_total", **route) == 1
    unmatched = {"route": "(unmatched)", "method": "GET", "status": "404"}
    assert value(found, "absences_http_requests_total", **unmatched) == 1
    duration = {"route": "/s/{uai}/stats", "method": "GET"}
    assert value(found, "absences_http_request_duration_seconds_count", **duration) == 1
    # the second scrape sees the first counted under the route's template
    assert 'route="/metrics"' in text
    assert UAI not in text and "nowhere" not in text  # templates, never raw paths


async def test_nothing_waiting_is_age_zero_and_no_failure(pupil: Student, tmp_path: Path) -> None:
    await delivery(pupil, Channel.SMS, DeliveryStatus.SCHEDULED, now_utc() + timedelta(hours=1))
    async with app(tmp_path) as client:
        found = await scrape(client)
    assert value(found, "absences_oldest_due_delivery_age_seconds") == 0
    assert not any(name == "absences_delivery_failures" for name, _ in found)
    assert value(found, "absences_failed_imports", kind="siecle") == 0


async def test_the_metrics_are_refused_to_whom_may_not_read_them(tmp_path: Path) -> None:
    # loopback is not a monitoring network here: only the token opens
    async with app(tmp_path, metrics_networks="10.0.0.0/8", metrics_token=TOKEN) as client:
        assert (await client.get("/metrics")).status == 403
        wrong = {"Authorization": "Bearer not-the-token-at-all"}
        assert (await client.get("/metrics", headers=wrong)).status == 403
        assert (await client.get("/metrics", headers={"Authorization": TOKEN})).status == 403
        found = await scrape(client, Authorization=f"Bearer {TOKEN}")
        assert value(found, "absences_database_up") == 0  # no database in this test
    # loopback by default, unless the request came through a proxy we do not trust
    async with app(tmp_path) as client:
        assert (await client.get("/metrics")).status == 200
        via = {"X-Forwarded-For": "127.0.0.1"}
        assert (await client.get("/metrics", headers=via)).status == 403
        assert (await client.get("/metrics", headers={"Forwarded": "for=1.2.3.4"})).status == 403
        assert (await client.get("/metrics", headers={"Authorization": "Bearer x"})).status == 200


async def test_behind_a_trusted_proxy_the_client_decides(tmp_path: Path) -> None:
    settings = {"trusted_proxies": "127.0.0.1", "metrics_networks": "10.1.2.0/24"}
    async with app(tmp_path, **settings) as client:
        inside = {"X-Forwarded-For": "10.1.2.3"}
        assert (await client.get("/metrics", headers=inside)).status == 200
        outside = {"X-Forwarded-For": "203.0.113.9"}
        assert (await client.get("/metrics", headers=outside)).status == 403
        assert (await client.get("/metrics")).status == 403  # the proxy itself is not a client


async def test_health_says_the_deliveries_are_late(pupil: Student, tmp_path: Path) -> None:
    waiting = await delivery(
        pupil, Channel.SMS, DeliveryStatus.SCHEDULED, now_utc() - timedelta(minutes=5)
    )
    async with app(tmp_path) as client:
        response = await client.get("/healthz")
        assert response.status == 200
        assert (await response.json())["status"] == "ok"
        await Delivery.filter(id=waiting.id).update(not_before=now_utc() - timedelta(minutes=20))
        response = await client.get("/healthz")
        body = await response.json()
    assert response.status == 200
    assert body["status"] == "degraded" and body["degraded"] == ["deliveries"]
    late = body["checks"]["deliveries"]
    assert late["state"] == "late" and "more than 600 s" in late["reason"]
    assert body["database"] == "ok" and body["queue_status"] == "ok"


async def test_health_is_503_only_without_a_database(tmp_path: Path) -> None:
    async with app(tmp_path) as client:  # no database was opened in this test
        response = await client.get("/healthz")
        body = await response.json()
    assert response.status == 503
    assert body["status"] == "unavailable" and body["database"] == "unavailable"
    assert body["checks"]["deliveries"]["state"] == "unknown"
    assert body["degraded"] == ["database", "deliveries"]


async def _noop(ctx: dict[str, Any], *args: Any) -> None:
    return None


async def _health_until(client: Client, state: str) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for _ in range(100):
        body = await (await client.get("/healthz")).json()
        if body["checks"]["workers"]["state"] == state:
            return body
        await asyncio.sleep(0.1)
    raise AssertionError(f"the workers never became {state}: {body}")


async def test_redis_queue_depth_and_workers(
    pupil: Student, redis_url: str, tmp_path: Path
) -> None:
    async with app(tmp_path, redis_url=redis_url) as client:
        queue = client.app[QUEUE]
        await queue.enqueue("noop", 1, job_id="noop:now")
        await queue.enqueue(
            "noop", 2, job_id="noop:later", defer_until=now_utc() + timedelta(hours=1)
        )
        found = await scrape(client)
        assert value(found, "absences_queue_jobs", backend="redis", state="queued") == 1
        assert value(found, "absences_queue_jobs", backend="redis", state="deferred") == 1
        assert value(found, "absences_workers_alive") == 0
        body = await _health_until(client, "unavailable")
        assert body["status"] == "degraded" and body["degraded"] == ["workers"]
        assert "no absences worker" in body["checks"]["workers"]["reason"]

        worker = asyncio.create_task(run_worker(redis_url, {"noop": _noop}, handle_signals=False))
        try:
            body = await _health_until(client, "ok")
            assert body["status"] == "ok"
            for _ in range(100):  # the worker takes the job due; the deferred one waits
                found = await scrape(client)
                if value(found, "absences_queue_jobs", backend="redis", state="queued") == 0:
                    break
                await asyncio.sleep(0.1)
            assert value(found, "absences_queue_jobs", backend="redis", state="queued") == 0
            assert value(found, "absences_queue_jobs", backend="redis", state="deferred") == 1
            assert value(found, "absences_workers_alive") == 1
        finally:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        await _health_until(client, "unavailable")  # a worker stopping removes the key

        await queue.close()  # Redis out of reach from this process
        response = await client.get("/healthz")
        body = await response.json()
        assert response.status == 200 and body["status"] == "degraded"
        assert body["queue_status"] == "unavailable"
        assert body["checks"]["workers"]["state"] == "unknown"
        found = await scrape(client)
        assert value(found, "absences_queue_up", backend="redis") == 0
        assert value(found, "absences_database_up") == 1
    async with Redis.from_url(redis_url) as redis:
        assert await redis.zcard("arq:queue") == 1


async def test_a_failed_panel_import_is_audited_and_counted(pupil: Student, tmp_path: Path) -> None:
    jobs = ImportJobs(tmp_path / "imports")
    meta = Meta(uai=UAI, user_id=1, force_year=False, files=["emploi.xml"], kind="timetable")
    preview = TimetableSummary(
        uai=UAI, school_year=2025, files=["emploi.xml"], effective_on=date(2025, 9, 1)
    )
    job_id = jobs.keep(meta, [("emploi.xml", b"<not a timetable")], preview)
    job = jobs.start(job_id, meta, Actor.system("tests"), stamp=None)
    assert job.task is not None
    await job.task
    assert job.state == "failed"
    (entry,) = await AuditEntry.filter(action="timetable.refused")
    assert entry.entity_id == UAI and entry.after is not None
    assert entry.after["source"] == "panel" and entry.after["files"] == "emploi.xml"
    async with app(tmp_path) as client:
        found = await scrape(client)
    assert value(found, "absences_failed_imports", kind="timetable") == 1
    assert value(found, "absences_failed_imports", kind="siecle") == 0
