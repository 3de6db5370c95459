"""Reliability of the delivery flow against real peers on loopback: a provider failing then
taking the message, provider reports out of order, duplicated, stale or forged, and a real
`absences worker` process killed in the middle of a batch."""

from __future__ import annotations

import contextlib
import signal
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.models import (
    ContactPoint,
    Delivery,
    DeliveryStatus,
    DeliveryStatusChange,
    Notice,
    NoticeStatus,
    Usability,
)
from core.services.audit import Actor
from core.services.delivery import send as delivery
from gateway.twilio.sms import TwilioSmsTransport
from tests.chaos.support import (
    Count,
    a_school,
    absences,
    count,
    enqueue_backlog,
    expire_in_progress_jobs,
    sends_by_delivery,
    start_worker,
    until,
    worker_env,
)
from tests.core.services.notice_support import MONDAY, at
from tests.gateway.fakes.twilio import FakeTwilio
from tests.web.hooks_support import Service, delivery_for, running_service
from workers.senders import render, wrap

pytestmark = [
    pytest.mark.chaos,  # faults: `make chaos` runs these with tests/chaos
    pytest.mark.filterwarnings("ignore:Call to deprecated close:DeprecationWarning"),
]
SYSTEM = Actor.system("tests")
RECORDED = at(MONDAY, 8, 30)  # long past: the deliveries are due now
ROOT = Path(__file__).resolve().parents[2]


async def steps(delivery_id: int) -> list[tuple[str, str, str, dict[str, object] | None]]:
    rows = await DeliveryStatusChange.filter(delivery_id=delivery_id).order_by("at", "id")
    return [(row.from_status, row.to_status, row.source, row.raw_data) for row in rows]


# --- (a) a provider failing twice, then taking the message ------------------------------------


async def test_a_provider_failing_twice_then_taking_it_sends_exactly_one_sms(db: str) -> None:
    """The worker's clock is given: the retries run when the backoff (30 s, then 2 min) says,
    without the test waiting for it."""
    twilio = FakeTwilio()
    await twilio.start()
    sms = TwilioSmsTransport(
        twilio.account_sid,
        twilio.auth_token,
        "+33700000001",
        api_url=twilio.url,
        public_url="http://127.0.0.1:9",
    )
    kit = wrap({"sms": sms})
    try:
        first, _ = await absences(await a_school(), 1)
        twilio.fail(2, status=500, body={"code": 20500, "message": "Internal error", "status": 500})
        start = datetime.now(UTC)
        tries = [await delivery.deliver(first, kit.senders, now=start, render=render)]
        assert tries[0].status == "retry" and tries[0].retry_at == start + timedelta(seconds=30)
        early = await delivery.deliver(
            first, kit.senders, now=start + timedelta(seconds=10), render=render
        )
        assert early.status == "skipped" and twilio.attempts == 1  # not due yet: not sent
        for _ in range(2):
            when = tries[-1].retry_at
            assert when is not None
            tries.append(await delivery.deliver(first, kit.senders, now=when, render=render))
    finally:
        await kit.close()
        await twilio.stop()

    assert [t.status for t in tries] == ["retry", "retry", "sent"]
    assert tries[1].retry_at == start + timedelta(seconds=30 + 120)
    assert twilio.attempts == 3 and len(twilio.requests) == 1  # one SMS taken, once
    sent = await Delivery.get(id=first)
    assert (sent.status, sent.attempts, sent.provider) == (DeliveryStatus.SENT, 3, "twilio")
    assert sent.provider_ref == twilio.requests[0].sid
    history = await steps(first)
    assert history[0][:2] == ("", "scheduled")
    assert [(f, t, s) for f, t, s, _ in history[1:]] == [
        ("scheduled", "sending", "worker"),
        ("sending", "scheduled", "worker"),
        ("scheduled", "sending", "worker"),
        ("sending", "scheduled", "worker"),
        ("scheduled", "sending", "worker"),
        ("sending", "sent", "worker"),
    ]
    retries = [raw for f, t, _, raw in history if (f, t) == ("sending", "scheduled")]
    assert len(retries) == 2
    assert all(raw is not None and "500" in str(raw["error"]) for raw in retries), retries


# --- (b) provider reports out of order, twice, stale or forged -------------------------------


@pytest.fixture
async def service(db: str, tmp_path: Path) -> AsyncIterator[Service]:
    async with running_service(tmp_path / "var") as running:
        yield running


async def test_reports_out_of_order_duplicated_stale_or_forged_end_delivered_once(
    service: Service, record_property: Callable[[str, object], None]
) -> None:
    # Twilio's "delivered" overtakes its own answer: the report arrives while our worker still
    # waits for the 201, the delivery being "sending" with no provider reference yet.
    service.twilio.early_reports = ["delivered"]
    requests = await service.absence_sent()
    service.twilio.early_reports = []
    assert len(requests) == 2 and service.twilio.early_answers == [200, 200]
    first = requests[0]

    answers = [await service.twilio.report(first, status) for status in ("sent", "delivered")]
    answers.append(await service.twilio.report(first, "queued"))  # stale, after "delivered"
    answers.append(await service.twilio.report(first, "delivered"))  # once more
    assert answers == [200, 200, 200, 200]
    callback = first.get("StatusCallback") or ""
    forged = {"MessageSid": first.sid, "MessageStatus": "undelivered", "ErrorCode": "30005"}
    assert await service.twilio.post_callback(callback, forged, token="forged") == 403

    for request in requests:
        row = await delivery_for(request)
        assert (row.status, row.provider_ref) == (DeliveryStatus.DELIVERED, request.sid)
        assert row.sent_at is not None and row.final_at is not None and row.error == ""
        history = [(f, t, s) for f, t, s, _ in await steps(row.id)]
        assert history[1:] == [
            ("scheduled", "sending", "worker"),
            ("sending", "delivered", "callback"),
        ], history
        assert history[0][:2] == ("", "scheduled")
        assert (await Notice.get(id=row.notice_id)).status == NoticeStatus.DONE
        point = await ContactPoint.get(id=row.contact_id)
        assert point.usability == Usability.OK  # the forged "unknown number" changed nothing
    rows = [(await delivery_for(request)).id for request in requests]
    result = await count("callbacks repeated and out of order", service.twilio, rows, 0)
    result.check(record_property)


async def test_reports_in_order_then_repeated_are_recorded_once(service: Service) -> None:
    [first, _] = await service.absence_sent()
    statuses = ("queued", "sent", "delivered", "sent", "delivered", "queued")
    assert [await service.twilio.report(first, s) for s in statuses] == [200] * 6
    row = await delivery_for(first)
    history = [(f, t, s) for f, t, s, _ in await steps(row.id)]
    assert history[1:] == [
        ("scheduled", "sending", "worker"),
        ("sending", "sent", "worker"),
        ("sent", "delivered", "callback"),
    ], history


# --- (c) a real worker process killed in the middle of a batch -------------------------------


@pytest.mark.redis
async def test_a_worker_killed_mid_batch_loses_nothing_and_sends_twice_only_what_was_in_flight(
    db: str, redis_url: str, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    twilio = FakeTwilio()
    twilio.delay = 0.1  # a slow provider: the worker is always waiting on some messages
    await twilio.start()
    ids = await absences(await a_school(), 100)
    assert len(ids) == 200
    uuids = {str(d.uuid) for d in await Delivery.filter(id__in=ids)}
    env = worker_env(db, redis_url, twilio, tmp_path / "var")
    log = tmp_path / "worker.log"
    first = await start_worker(env, log)
    try:
        await until(lambda: len(twilio.requests) >= 60, 60, "for 60 SMS to be taken", first)
        first.process.send_signal(signal.SIGKILL)
        await first.process.wait()
    finally:
        if first.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                first.process.kill()
            await first.process.wait()
    in_flight = await Delivery.filter(id__in=ids, status=DeliveryStatus.SENDING).count()
    taken_at_kill = len(twilio.requests)
    left = await Delivery.filter(id__in=ids).exclude(status=DeliveryStatus.SENT).count()
    assert first.process.returncode == -signal.SIGKILL
    assert in_flight > 0 and left > in_flight, (in_flight, left)  # killed mid-batch

    # Five minutes later (the rows a dead worker left "sending" are taken back after 5 min),
    # a worker is started again and the sweep runs.
    long_ago = datetime.now(UTC) - timedelta(minutes=10)
    await Delivery.filter(id__in=ids, status=DeliveryStatus.SENDING).update(updated_at=long_ago)
    await expire_in_progress_jobs(redis_url)
    await enqueue_backlog(redis_url)
    second = await start_worker(env, tmp_path / "restarted.log", burst=True)
    try:
        await second.finish(90, redis_url)
    finally:
        await twilio.stop()

    statuses = Counter(
        str(s) for s in await Delivery.filter(id__in=ids).values_list("status", flat=True)
    )
    assert statuses == {"sent": 200}, (statuses, second.tail())
    assert set(sends_by_delivery(twilio)) == uuids  # every notice reached the provider
    print(f"\nkilled with {taken_at_kill} SMS taken, {left} deliveries not yet recorded sent")
    result: Count = await count("worker killed -9 mid-batch", twilio, ids, in_flight)
    result.check(record_property)
