"""The delivery board over real HTTP: "corriger le numéro" on a failed delivery, and the staff
alerts (on the board and the dashboard) with their "vu" button — who may, who may not."""

from __future__ import annotations

import html
import re
import uuid
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from core.models import (
    AuditEntry,
    Channel,
    ContactKind,
    ContactPoint,
    Delivery,
    DeliveryStatus,
    GuardianLink,
    Notice,
    NoticeKind,
    NoticeStatus,
    Person,
    StaffAlert,
    Usability,
)
from core.services.delivery.alerts import raise_alert
from core.services.schools.school import now_utc
from tests.web.follow_up_support import World, build_world, log_in
from tests.web.personas import UAI_A, UAI_B

Client = TestClient[Any, Any]
BOARD = f"/s/{UAI_A}/deliveries"
WRONG, RIGHT = "+33612345678", "+33611223344"


@pytest.fixture
async def world(db: str, app_client: Client) -> World:
    return await build_world()


async def mobile(world: World) -> ContactPoint:
    return await ContactPoint.get(kind=ContactKind.MOBILE, value=WRONG)


async def failed_sms(world: World) -> Delivery:
    """Marie's absence notice, whose SMS to her mother's mobile failed: the number is invalid."""
    point = await mobile(world)
    point.usability = Usability.INVALID
    await point.save()
    notice = await Notice.create(
        school=world.school,
        student=world.students["Marie"],
        event=world.events["marie_mon"],
        kind=NoticeKind.ABSENCE,
        dedupe_key=f"test:{uuid.uuid4()}",
        status=NoticeStatus.FAILED,
        payload={"day": "2026-03-02", "half": "am"},
    )
    return await Delivery.create(
        uuid=uuid.uuid4(),
        notice=notice,
        person_id=point.person_id,
        contact_id=point.id,
        channel=Channel.SMS,
        to=WRONG,
        status=DeliveryStatus.FAILED,
        attempts=1,
        not_before=now_utc(),
        provider="twilio",
        provider_ref="SM-fix-1",
        error="invalid number (21211)",
    )


def fix_forms(page: str) -> list[str]:
    return re.findall(r'action="([^"]+/fix)"', page)


async def nothing_changed(delivery: Delivery) -> None:
    point = await ContactPoint.get(id=delivery.contact_id)
    assert (point.value, point.usability) == (WRONG, Usability.INVALID)
    assert await Delivery.filter(notice_id=delivery.notice_id).count() == 1
    assert await AuditEntry.filter(action__startswith="contact_point").count() == 0


async def test_the_cpe_corrects_the_number_and_the_notice_leaves_again(
    world: World, app_client: Client
) -> None:
    failed = await failed_sms(world)
    token = await log_in(app_client, "cpe")
    page = await (await app_client.get(BOARD, params={"status": "failed"})).text()
    action = f"{BOARD}/{failed.id}/fix"
    assert fix_forms(page) == [action]
    assert "Corriger le numéro" in page and "numéro invalide" in page
    assert "/resend" not in page  # not again to a number known invalid: correct it first
    assert 'type="tel"' in page and 'name="resend" value="1" checked' in page

    back = BOARD + "?status=failed"
    form = {"csrf": token, "back": back, "value": "06 11 22 33 44", "resend": "1"}
    assert (await app_client.post(action, data=form | {"csrf": "forged"})).status == 403
    await nothing_changed(failed)
    response = await app_client.post(
        action, data=form | {"note": "donné par la mère"}, allow_redirects=False
    )
    assert response.status == 303 and response.headers["Location"] == back
    point = await ContactPoint.get(id=failed.contact_id)
    assert (point.value, point.usability, point.usability_note) == (
        RIGHT,
        Usability.OK,
        "donné par la mère",
    )
    fresh = await Delivery.filter(notice_id=failed.notice_id).exclude(id=failed.id).get()
    assert (fresh.to, fresh.contact_id, fresh.channel) == (RIGHT, point.id, Channel.SMS)
    [entry] = await AuditEntry.filter(action="contact_point.fix")
    assert entry.before is not None and entry.before["value"] == WRONG
    page = await (await app_client.get(back)).text()
    assert "Coordonnée corrigée ; l'avis repart." in html.unescape(page)
    assert fix_forms(page) == []  # corrected: the failed row offers it no more
    assert "Coordonnée corrigée" not in await (await app_client.get(back)).text()  # shown once


async def test_corrected_without_sending_then_sent_again_to_the_new_number(
    world: World, app_client: Client
) -> None:
    failed = await failed_sms(world)
    token = await log_in(app_client, "cpe")
    response = await app_client.post(
        f"{BOARD}/{failed.id}/fix",
        data={"csrf": token, "value": "+33611223344", "back": BOARD},
        allow_redirects=False,
    )
    assert response.status == 303 and response.headers["Location"] == BOARD
    assert await Delivery.filter(notice_id=failed.notice_id).count() == 1
    page = html.unescape(await (await app_client.get(BOARD)).text())
    assert "Coordonnée corrigée." in page and fix_forms(page) == []
    assert f'action="{BOARD}/{failed.id}/resend"' in page
    response = await app_client.post(
        f"{BOARD}/{failed.id}/resend", data={"csrf": token}, allow_redirects=False
    )
    assert response.status == 303
    fresh = await Delivery.filter(notice_id=failed.notice_id).exclude(id=failed.id).get()
    assert fresh.to == RIGHT


@pytest.mark.parametrize(
    ("typed", "status", "said"),
    [
        ("12", 400, "Ce n'est pas un numéro de téléphone valide."),
        ("01 40 00 00 00", 400, "Ce numéro est un fixe : il ne peut pas recevoir de SMS."),
        ("", 400, "Saisissez le bon numéro ou la bonne adresse."),
        ("+33 6 98 76 54 32", 409, "déjà celui d'une autre famille"),
    ],
)
async def test_a_refused_correction_says_why_keeps_the_input_and_changes_nothing(
    world: World, app_client: Client, typed: str, status: int, said: str
) -> None:
    failed = await failed_sms(world)
    # Léo's father: another family, whose mobile is refused for Marie's mother.
    stranger = await Person.create(school=world.school, last_name="Dupuis", first_name="Jo")
    await GuardianLink.create(student=world.students["Léo"], person=stranger)
    await ContactPoint.create(person=stranger, kind=ContactKind.MOBILE, value="+33698765432")
    token = await log_in(app_client, "vie")  # the vie scolaire may correct too
    back = BOARD + "?status=failed&channel=sms"
    response = await app_client.post(
        f"{BOARD}/{failed.id}/fix",
        data={"csrf": token, "back": back, "value": typed, "note": "n", "resend": "1"},
        allow_redirects=False,
    )
    page = html.unescape(await response.text())
    assert response.status == status, page
    assert said in page and 'role="alert"' in page
    assert f'value="{typed}"' in page and '<details class="dl-fix" open>' in page
    await nothing_changed(failed)


async def test_a_teacher_and_the_direction_may_not_correct(
    world: World, app_client: Client
) -> None:
    failed = await failed_sms(world)
    for persona in ("teacher", "direction"):
        token = await log_in(app_client, persona)
        response = await app_client.get(BOARD, params={"status": "failed"})
        page = await response.text()
        seen = persona == "direction"  # a teacher does not see the board at all
        assert (response.status, WRONG in page) == ((200, True) if seen else (403, False))
        assert fix_forms(page) == [] and "Corriger" not in page
        response = await app_client.post(
            f"{BOARD}/{failed.id}/fix", data={"csrf": token, "value": "0611223344"}
        )
        assert response.status == 403
    await nothing_changed(failed)


async def test_another_schools_cpe_may_not_correct(world: World, app_client: Client) -> None:
    failed = await failed_sms(world)
    token = await log_in(app_client, "other_cpe")
    form = {"csrf": token, "value": "0611223344", "resend": "1"}
    assert (await app_client.post(f"{BOARD}/{failed.id}/fix", data=form)).status == 403
    response = await app_client.post(
        f"/s/{UAI_B}/deliveries/{failed.id}/fix", data=form, allow_redirects=False
    )
    assert response.status == 404
    await nothing_changed(failed)


async def test_no_correction_for_what_did_not_fail_or_the_family_refused(
    world: World, app_client: Client
) -> None:
    failed = await failed_sms(world)
    await log_in(app_client, "cpe")
    await ContactPoint.filter(id=failed.contact_id).update(usability=Usability.OPTED_OUT)
    assert fix_forms(await (await app_client.get(BOARD)).text()) == []
    await ContactPoint.filter(id=failed.contact_id).update(usability=Usability.INVALID)
    await Delivery.filter(id=failed.id).update(status=DeliveryStatus.DELIVERED)
    assert fix_forms(await (await app_client.get(BOARD)).text()) == []


async def quota_alert(world: World, key: str = "quota:a:sms:2026-03:80") -> StaffAlert:
    await raise_alert(
        world.school.id,
        kind="quota",
        key=key,
        level="warning",
        message="sms: 80 / 100 (2026-03)",
        data={"channel": "sms"},
    )
    return await StaffAlert.get(key=key)


def seen_forms(page: str) -> list[str]:
    return re.findall(r'action="([^"]+/seen)"', page)


async def test_the_cpe_sees_the_alert_on_the_dashboard_and_the_board_and_marks_it_seen(
    world: World, app_client: Client
) -> None:
    alert = await quota_alert(world)
    token = await log_in(app_client, "cpe")
    action = f"/s/{UAI_A}/alerts/{alert.id}/seen"
    for url in ("/", BOARD):
        page = await (await app_client.get(url)).text()
        assert "Quota d'envois" in html.unescape(page) and "sms: 80 / 100 (2026-03)" in page
        assert "Attention" in page and seen_forms(page) == [action]
    assert (await app_client.post(action, data={"back": "/"})).status == 403  # no token
    response = await app_client.post(
        action, data={"csrf": token, "back": f"/?school={UAI_A}"}, allow_redirects=False
    )
    assert response.status == 303 and response.headers["Location"] == f"/?school={UAI_A}"
    assert (await StaffAlert.get(id=alert.id)).resolved_at is not None
    assert await AuditEntry.filter(action="staff_alert.resolve").count() == 1
    for url in ("/", BOARD):
        assert "sms: 80 / 100" not in await (await app_client.get(url)).text()
    again = await app_client.post(
        action, data={"csrf": token, "back": "https://evil.example/"}, allow_redirects=False
    )
    assert again.status == 303 and again.headers["Location"] == BOARD  # a second click: no harm


async def test_who_sees_alerts_and_who_may_mark_them(world: World, app_client: Client) -> None:
    alert = await quota_alert(world)
    action = f"/s/{UAI_A}/alerts/{alert.id}/seen"
    token = await log_in(app_client, "vie")
    page = await (await app_client.get(BOARD)).text()
    assert "sms: 80 / 100" in page and seen_forms(page) == []
    assert (await app_client.post(action, data={"csrf": token})).status == 403
    token = await log_in(app_client, "teacher")
    assert "sms: 80 / 100" not in await (await app_client.get("/")).text()
    assert (await app_client.post(action, data={"csrf": token})).status == 403
    token = await log_in(app_client, "other_cpe")
    assert "sms: 80 / 100" not in await (await app_client.get("/")).text()
    assert (await app_client.post(action, data={"csrf": token})).status == 403
    own = f"/s/{UAI_B}/alerts/{alert.id}/seen"
    assert (await app_client.post(own, data={"csrf": token})).status == 404
    assert (await StaffAlert.get(id=alert.id)).resolved_at is None


async def test_a_quota_alert_is_said_in_the_readers_words(world: World, app_client: Client) -> None:
    await raise_alert(
        world.school.id,
        kind="quota",
        key="quota:a:call:2026-03:100",
        level="error",
        message="call: 50 / 50 (2026-03)",
        data={"channel": "call", "month": "2026-03", "level": 100, "limit": 50, "used": 50},
    )
    await log_in(app_client, "cpe")
    french = html.unescape(await (await app_client.get(BOARD, params={"lang": "fr"})).text())
    assert "Appel automatisé : 50 envois sur 50 en 2026-03" in french and "call: 50" not in french
    english = html.unescape(await (await app_client.get(BOARD, params={"lang": "en"})).text())
    assert "Automated call: 50 of 50 deliveries in 2026-03" in english
