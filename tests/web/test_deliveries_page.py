"""The delivery board over real HTTP: filters, the resend form and who may use it."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient

from core.models import (
    AuditEntry,
    Channel,
    Delivery,
    DeliveryStatus,
    Notice,
    NoticeKind,
    NoticeStatus,
)
from core.services.notices.convocations import convocation_payload
from core.services.schools.school import now_utc
from tests.web.follow_up_support import World, build_world, log_in
from tests.web.personas import UAI_A, UAI_B

Client = TestClient[Any, Any]
BOARD = f"/s/{UAI_A}/deliveries"


@pytest.fixture
async def world(db: str, app_client: Client) -> World:
    return await build_world()


async def _failed(world: World) -> Delivery:
    """A convocation by SMS that failed: a copy of it renders and goes (to the outbox)."""
    now = now_utc()
    meeting = convocation_payload(
        now + timedelta(days=3), ZoneInfo("Europe/Paris"), "Bureau de la CPE", "la CPE", "", now
    )
    notice = await Notice.create(
        school=world.school,
        student=world.students["Marie"],
        kind=NoticeKind.CONVOCATION,
        dedupe_key=f"test:{uuid.uuid4()}",
        status=NoticeStatus.FAILED,
        payload=meeting,
    )
    return await Delivery.create(
        uuid=uuid.uuid4(),
        notice=notice,
        channel=Channel.SMS,
        to="+33699999999",
        status=DeliveryStatus.UNDELIVERED,
        attempts=2,
        not_before=now_utc(),
        provider="twilio",
        provider_ref="SM-test-1",
        error="unreachable handset",
    )


def resend_forms(page: str) -> list[str]:
    return re.findall(r'action="([^"]+/resend)"', page)


async def test_the_cpe_sees_a_failed_delivery_and_resends_it(
    world: World, app_client: Client
) -> None:
    failed = await _failed(world)
    token = await log_in(app_client, "cpe")
    response = await app_client.get(BOARD, params={"status": "failed", "channel": "sms"})
    page = await response.text()
    assert response.status == 200 and "Envois aux familles" in page
    assert "+33699999999" in page and "SM-test-1" in page and "unreachable handset" in page
    action = f"{BOARD}/{failed.id}/resend"
    assert resend_forms(page) == [action] and "Renvoyer" in page
    waiting = await (await app_client.get(BOARD, params={"status": "waiting"})).text()
    assert "SM-test-1" not in waiting
    assert "Sept derniers jours" in page
    before = await Delivery.all().count()
    refused = await app_client.post(action, data={"back": BOARD}, allow_redirects=False)
    assert refused.status == 403 and await Delivery.all().count() == before
    response = await app_client.post(
        action, data={"csrf": token, "back": BOARD + "?status=failed"}, allow_redirects=False
    )
    assert response.status == 303 and response.headers["Location"] == BOARD + "?status=failed"
    fresh = await Delivery.filter(notice_id=failed.notice_id).exclude(id=failed.id).get()
    assert fresh.to == failed.to and fresh.uuid != failed.uuid
    assert (await Delivery.get(id=failed.id)).status == DeliveryStatus.UNDELIVERED
    assert await AuditEntry.filter(action="delivery.resend").count() == 1
    await asyncio.sleep(0.5)  # whether the queue took the copy yet or not, it is not failed
    assert (await Delivery.get(id=fresh.id)).status != DeliveryStatus.FAILED
    again = await app_client.post(action, data={"csrf": token}, allow_redirects=False)
    assert again.status == 409  # a double click sends once: the copy is scheduled or gone
    assert await Delivery.filter(notice_id=failed.notice_id).count() == 2


async def test_a_teacher_does_not_see_the_board_nor_may_resend(
    world: World, app_client: Client
) -> None:
    failed = await _failed(world)
    token = await log_in(app_client, "teacher")
    response = await app_client.get(BOARD, params={"status": "failed"})
    page = await response.text()
    assert response.status == 403 and "+33699999999" not in page
    assert "Votre rôle dans cet établissement ne donne pas accès à cette page." in page
    assert 'class="main-nav"' in page and "/deliveries" not in page  # the layout, no such link
    assert resend_forms(page) == [] and "Renvoyer" not in page
    response = await app_client.post(f"{BOARD}/{failed.id}/resend", data={"csrf": token})
    assert response.status == 403
    assert await Delivery.all().count() == await Delivery.exclude(id__gt=failed.id).count()


async def test_another_schools_cpe_is_refused(world: World, app_client: Client) -> None:
    failed = await _failed(world)
    token = await log_in(app_client, "other_cpe")
    assert (await app_client.get(BOARD)).status == 403
    response = await app_client.post(f"{BOARD}/{failed.id}/resend", data={"csrf": token})
    assert response.status == 403
    own = f"/s/{UAI_B}/deliveries"
    page = await (await app_client.get(own)).text()
    assert "+33699999999" not in page
    response = await app_client.post(
        f"{own}/{failed.id}/resend", data={"csrf": token}, allow_redirects=False
    )
    assert response.status == 404
    assert await Delivery.filter(notice_id=failed.notice_id).count() == 1


def cells(page: str, delivery: Delivery) -> list[str]:
    row = re.search(rf'data-delivery="{delivery.id}">(.*?)</tr>', page, re.S)
    assert row is not None
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row[1])]


async def test_the_board_names_kinds_channels_and_states_in_the_readers_words(
    world: World, app_client: Client
) -> None:
    """The board and its summary say « Relance », « Appel automatisé », « programmé », never the
    stored values (reminder, call, scheduled)."""
    notice = await Notice.create(
        school=world.school,
        student=world.students["Marie"],
        kind=NoticeKind.REMINDER,
        dedupe_key=f"test:{uuid.uuid4()}",
        status=NoticeStatus.PENDING,
    )
    delivery = await Delivery.create(
        uuid=uuid.uuid4(),
        notice=notice,
        channel=Channel.CALL,
        to="+33611111111",
        status=DeliveryStatus.SCHEDULED,
        not_before=now_utc() + timedelta(hours=1),
    )
    await log_in(app_client, "cpe")
    french = await (await app_client.get(BOARD, params={"status": "all", "lang": "fr"})).text()
    row = cells(french, delivery)
    assert (row[1], row[3], row[5]) == ("Relance", "Appel automatisé", "programmé")
    assert '<option value="call">Appel automatisé</option>' in french
    assert "<td>Appel automatisé</td><td>programmé</td>" in french  # the seven days' summary
    english = await (await app_client.get(BOARD, params={"status": "all", "lang": "en"})).text()
    row = cells(english, delivery)
    assert (row[1], row[3], row[5]) == ("Reminder", "Automated call", "scheduled")
    assert "<td>Automated call</td><td>scheduled</td>" in english


async def test_the_board_shows_each_recipients_language(world: World, app_client: Client) -> None:
    failed = await _failed(world)
    await Delivery.filter(id=failed.id).update(language="es")
    await log_in(app_client, "cpe")
    page = await (await app_client.get(BOARD, params={"status": "all"})).text()
    row = re.search(rf'data-delivery="{failed.id}">(.*?)</tr>', page, re.S)
    assert row is not None and '<td lang="es">Español</td>' in row[1]
    assert '<th scope="col">Langue</th>' in page
