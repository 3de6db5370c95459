"""GET /schools/{uai}/notices, and the jobs POST /events enqueues once the event is committed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from core.settings import load_settings
from tests.web.conftest import UAI_A, Api, at
from tests.web.personas import panel_client
from tests.workers.queue_support import RecordingQueue
from web.app import create_app

NOTICES = f"/schools/{UAI_A}/notices"
EVENTS = f"/schools/{UAI_A}/events"


@pytest.fixture
def queue() -> RecordingQueue:
    return RecordingQueue()


@pytest.fixture
async def app_client(tmp_path: Path, queue: RecordingQueue) -> AsyncIterator[TestClient[Any, Any]]:
    await queue.start()
    app = create_app(load_settings(var_dir=tmp_path / "var"), queue)
    try:
        async with panel_client(app) as client:
            yield client
    finally:
        await queue.close()


def next_monday() -> date:
    today = datetime.now(UTC).date()
    return today + timedelta(days=7 - today.weekday())


async def test_recording_an_absence_enqueues_its_deliveries_and_lists_the_notice(
    api: Api, queue: RecordingQueue
) -> None:
    monday = next_monday()
    body = {"student_id": api.sid("marie"), "kind": "absence", "start": at(monday, 8).isoformat()}
    status, event = await api.call("POST", EVENTS, json=body)
    assert status == 201, event

    status, page = await api.call("GET", NOTICES, as_="direction")
    assert status == 200, page
    [notice] = page["items"]
    assert (page["total"], notice["kind"], notice["status"]) == (1, "absence", "pending")
    assert (notice["event_id"], notice["day"], notice["half"]) == (
        event["id"],
        monday.isoformat(),
        "am",
    )
    # The father's numbers are wrong or refused: only the mother is told, by SMS.
    [delivery] = notice["deliveries"]
    assert (delivery["channel"], delivery["to"], delivery["status"]) == (
        "sms",
        "+33612345678",
        "scheduled",
    )
    assert delivery["attempts"] == 0 and delivery["provider_ref"] is None
    assert datetime.fromisoformat(delivery["not_before"]) == at(monday, 8, 20)
    assert queue.enqueued == [
        ("deliver", (delivery["id"],), f"deliver:{delivery['id']}", at(monday, 8, 20))
    ]


async def test_a_justification_cancels_and_the_filters_find_it(api: Api) -> None:
    body = {
        "student_id": api.sid("marie"),
        "kind": "absence",
        "start": at(next_monday(), 8).isoformat(),
    }
    _, event = await api.call("POST", EVENTS, json=body)
    await api.call("PATCH", f"{EVENTS}/{event['id']}", json={"accepted": True})

    _, pending = await api.call("GET", f"{NOTICES}?status=pending")
    _, cancelled = await api.call("GET", f"{NOTICES}?status=cancelled&student={api.sid('marie')}")
    assert pending["items"] == []
    [notice] = cancelled["items"]
    assert notice["reason"] and notice["deliveries"][0]["status"] == "cancelled"
    _, other = await api.call("GET", f"{NOTICES}?student={api.sid('leo')}")
    assert other == {"items": [], "total": 0}


async def test_another_schools_notices_are_not_listed(api: Api) -> None:
    status, body = await api.call("GET", NOTICES, as_="other_cpe")
    assert status == 403, body
    status, body = await api.call("GET", f"{NOTICES}?status=nope")
    assert status == 400, body
