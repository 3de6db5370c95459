"""A guardian's Telegram code from the API and the student's file: issued (only its hash kept,
audited without it), shown with its QR code, sent by SMS or email as a ``chat_code`` notice;
a chat link stopped by staff; who may, CSRF, unknown ids and another school's guardians."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient

from core.errors import DomainError
from core.models import (
    AuditEntry,
    ChatLink,
    ContactKind,
    ContactPoint,
    Delivery,
    GuardianLink,
    LinkCode,
    Notice,
    Person,
)
from core.services.access.chat_links import issue_code
from core.services.notices.chat_invitations import send_chat_code
from core.services.templates.messages import compose
from tests.web.conftest import Api, serving
from tests.web.follow_up_support import World, build_world, log_in
from tests.web.personas import SYSTEM, UAI_A, UAI_B
from workers.senders import render

Client = TestClient[Any, Any]
BOT = "college_alpha_bot"


@pytest.fixture
async def app_client(tmp_path: Path) -> AsyncIterator[Client]:
    """The application with a Telegram bot configured (its username, for the deep link)."""
    async with serving(tmp_path, telegram_bot_username=BOT) as client:
        yield client


@pytest.fixture
async def world(db: str, app_client: Client) -> World:
    return await build_world()


async def mother(world: World) -> Person:
    return (await GuardianLink.get(student_id=world.sid("Marie")).prefetch_related("person")).person


def file_of(world: World, first: str = "Marie", uai: str = UAI_A) -> str:
    return f"/s/{uai}/students/{world.sid(first)}"


def no_code_in(rows: list[AuditEntry], code: str) -> bool:
    return all(code not in repr((row.before, row.after)) for row in rows)


# --- the service ---------------------------------------------------------------------------------


async def test_a_code_sent_by_sms_is_a_chat_code_notice_and_the_audit_never_holds_it(
    world: World,
) -> None:
    anne, now = await mother(world), datetime.now(UTC)
    issued = await issue_code(world.school, SYSTEM, anne.id, now=now)
    sent = await send_chat_code(
        world.school, SYSTEM, world.sid("Marie"), anne.id, "sms", issued.code,
        bot_username=BOT, now=now,
    )  # fmt: skip
    notice = await Notice.get(id=sent.notice.id)
    assert (notice.kind, notice.student_id) == ("chat_code", world.sid("Marie"))
    assert notice.payload["link"] == f"https://t.me/{BOT}?start={issued.code}"
    assert set(notice.payload["localized"]) == {"fr", "en"}
    [sms] = await Delivery.filter(notice_id=notice.id)
    assert (sms.channel, sms.to, sms.person_id) == ("sms", "+33612345678", anne.id)
    rows = await AuditEntry.filter(action__in=("link_code.create", "chat_code.send"))
    assert len(rows) == 2 and no_code_in(rows, issued.code)
    assert (await LinkCode.get(person_id=anne.id)).code_hash != issued.code
    await sms.fetch_related("person", "contact")
    await notice.fetch_related("school", "student", "event")
    text = (await compose(sms, notice, render)).body  # what the worker sends
    expires = issued.expires_at.astimezone(ZoneInfo(world.school.timezone))
    assert f"/start {issued.code}" in text and f"https://t.me/{BOT}?start=" in text
    assert f"à {expires.hour}h{expires:%M}" in text and text.startswith(world.school.name)


@pytest.mark.parametrize(
    ("channel", "code", "bot", "refused"),
    [
        ("email", None, BOT, "no_contact"),  # Anne has no email address
        ("letter", "", BOT, "no_contact"),  # nor a postal address
        ("call", None, BOT, "channel"),
        ("sms", "ABCDEFGHJK", BOT, "unknown_code"),
        ("sms", None, None, "no_bot"),
    ],
)
async def test_a_code_that_cannot_be_sent_is_refused_in_words(
    world: World, channel: str, code: str | None, bot: str | None, refused: str
) -> None:
    anne, now = await mother(world), datetime.now(UTC)
    issued = await issue_code(world.school, SYSTEM, anne.id, now=now)
    given = issued.code if code is None else (code or None)  # "": a new code
    with pytest.raises(DomainError) as caught:
        await send_chat_code(
            world.school, SYSTEM, world.sid("Marie"), anne.id, channel, given,
            bot_username=bot, now=now,
        )  # fmt: skip
    assert getattr(caught.value, "code", None) == refused
    assert await Notice.filter(kind="chat_code").count() == 0
    assert await LinkCode.all().count() == 1  # no new code for a letter refused


async def test_an_expired_code_is_not_sent(world: World) -> None:
    anne, now = await mother(world), datetime.now(UTC)
    issued = await issue_code(world.school, SYSTEM, anne.id, now=now - timedelta(hours=49))
    with pytest.raises(DomainError) as caught:
        await send_chat_code(
            world.school, SYSTEM, world.sid("Marie"), anne.id, "sms", issued.code,
            bot_username=BOT, now=now,
        )  # fmt: skip
    assert getattr(caught.value, "code", None) == "unknown_code"


# --- the student's file ------------------------------------------------------------------------


def code_on(page: str) -> str:
    return page.split('name="code" value="', 1)[1].split('"', 1)[0]


async def test_the_cpe_shows_a_code_with_its_qr_and_sends_it_by_sms(
    world: World, app_client: Client
) -> None:
    anne = await mother(world)
    token = await log_in(app_client, "cpe")
    page = await (await app_client.get(file_of(world))).text()
    assert "Code Telegram" in page and f'action="{file_of(world)}/link-code"' in page

    shown = await app_client.post(
        f"{file_of(world)}/link-code", data={"csrf": token, "person": anne.id}
    )
    page = await shown.text()
    assert shown.status == 200 and shown.headers["Cache-Control"] == "no-store"
    code = code_on(page)
    assert f"{code[:5]} {code[5:]}" in page and f"https://t.me/{BOT}?start={code}" in page
    guardians = page.split('id="guardians"', 1)[1].split("</section>", 1)[0]
    assert "<svg" in guardians and "Envoyer par SMS au +33612345678" in guardians
    assert 'value="email" disabled' in guardians  # Anne has no email address

    form = {"csrf": token, "person": anne.id, "code": code, "channel": "sms"}
    sent = await app_client.post(
        f"{file_of(world)}/link-code/send", data=form, allow_redirects=False
    )
    assert sent.status == 303 and sent.headers["Location"] == f"{file_of(world)}#notices"
    notice = await Notice.get(kind="chat_code")
    [sms] = await Delivery.filter(notice_id=notice.id)
    assert (sms.channel, sms.to) == ("sms", "+33612345678")
    page = await (await app_client.get(file_of(world))).text()
    assert "Code Telegram d&#39;un responsable" in page.split('id="notices"', 1)[1]
    rows = await AuditEntry.filter(action__in=("link_code.create", "chat_code.send"))
    assert len(rows) == 2 and no_code_in(rows, code)


async def test_a_code_is_sent_by_email_to_a_guardian_who_has_one(
    world: World, app_client: Client
) -> None:
    anne = await mother(world)
    await ContactPoint.create(person=anne, kind=ContactKind.EMAIL, value="anne@example.org")
    token = await log_in(app_client, "vie")
    page = await (
        await app_client.post(
            f"{file_of(world)}/link-code", data={"csrf": token, "person": anne.id}
        )
    ).text()
    form = {"csrf": token, "person": anne.id, "code": code_on(page), "channel": "email"}
    sent = await app_client.post(
        f"{file_of(world)}/link-code/send", data=form, allow_redirects=False
    )
    assert sent.status == 303
    [mail] = await Delivery.filter(notice__kind="chat_code")
    assert (mail.channel, mail.to) == ("email", "anne@example.org")


async def test_a_letter_carries_a_new_code_valid_15_days_and_its_qr_code(
    world: World, app_client: Client
) -> None:
    anne = await mother(world)
    address = {"lines": ["12 rue des Lilas"], "postal_code": "75011", "city": "Paris"}
    await ContactPoint.create(
        person=anne, kind=ContactKind.POSTAL, value="12 rue des Lilas", address=address
    )
    token = await log_in(app_client, "cpe")
    page = await (await app_client.get(file_of(world))).text()
    assert "Courrier avec un code Telegram" in page
    form = {"csrf": token, "person": anne.id, "channel": "letter"}
    sent = await app_client.post(
        f"{file_of(world)}/link-code/send", data=form, allow_redirects=False
    )
    assert sent.status == 303
    [letter] = await Delivery.filter(notice__kind="chat_code")
    assert (letter.channel, letter.to) == ("letter", "12 rue des Lilas")
    code = await LinkCode.get(person_id=anne.id)
    assert code.expires_at - datetime.now(UTC) > timedelta(days=14)
    expires = code.expires_at.astimezone(ZoneInfo(world.school.timezone))
    assert (expires.hour, expires.minute) == (23, 59)  # the end of the 15th day
    notice = await Notice.get(kind="chat_code")
    assert str(notice.payload["qr"]).startswith("data:image/png;base64,")
    await letter.fetch_related("person", "contact")
    await notice.fetch_related("school", "student", "event")
    message = await compose(letter, notice, render)  # what the worker prints
    assert message.html is not None and '<img src="data:image/png;base64,' in message.html
    assert f"/start {notice.payload['code']}" in message.body
    assert "suivre les absences de vos enfants sur Telegram" in message.body
    rows = await AuditEntry.filter(action__in=("link_code.create", "chat_code.send"))
    assert len(rows) == 2 and no_code_in(rows, str(notice.payload["code"]))


async def test_a_used_code_is_not_sent_and_the_file_says_why(
    world: World, app_client: Client
) -> None:
    anne = await mother(world)
    token = await log_in(app_client, "cpe")
    form = {"csrf": token, "person": anne.id, "code": "ABCDEFGHJK", "channel": "sms"}
    response = await app_client.post(f"{file_of(world)}/link-code/send", data=form)
    assert response.status == 400 and "demandez un nouveau code" in await response.text()
    assert await Notice.filter(kind="chat_code").count() == 0


async def test_the_cpe_stops_a_linked_chat(world: World, app_client: Client) -> None:
    anne = await mother(world)
    chat = await ChatLink.create(person=anne, chat_id="4242")
    token = await log_in(app_client, "cpe")
    page = await (await app_client.get(file_of(world))).text()
    guardians = page.split('id="guardians"', 1)[1].split("</section>", 1)[0]
    assert "Telegram" in guardians and "liée le" in guardians and "Arrêter" in guardians

    end = f"{file_of(world)}/chat-links/end"
    form = {"csrf": token, "person": anne.id, "link": chat.id}
    done = await app_client.post(end, data=form, allow_redirects=False)
    assert done.status == 303 and done.headers["Location"] == f"{file_of(world)}#guardians"
    await chat.refresh_from_db()
    assert (chat.active, chat.ended_reason) == (False, "staff")
    assert await AuditEntry.filter(action="chat_link.end").count() == 1
    page = await (await app_client.get(file_of(world))).text()
    assert "arrêtée par l&#39;établissement" in page
    again = await app_client.post(end, data=form)
    assert again.status == 409 and "déjà arrêtée" in await again.text()


async def test_csrf_roles_unknown_ids_and_another_schools_guardian(
    world: World, app_client: Client
) -> None:
    anne = await mother(world)
    chat = await ChatLink.create(person=anne, chat_id="4242")
    stranger = await Person.create(
        school=world.schools[UAI_B], last_name="Autre", first_name="Paul"
    )
    await GuardianLink.create(student=world.students["Jean"], person=stranger, relationship="10")
    other_chat = await ChatLink.create(person=stranger, chat_id="777")
    issue, end = f"{file_of(world)}/link-code", f"{file_of(world)}/chat-links/end"

    token = await log_in(app_client, "cpe")
    assert (await app_client.post(issue, data={"person": anne.id})).status == 403  # no CSRF
    assert (await app_client.post(end, data={"person": anne.id, "link": chat.id})).status == 403
    for person in ("", "x", "999999", str(stranger.id)):
        response = await app_client.post(issue, data={"csrf": token, "person": person})
        assert response.status == 404, person
    for person, link in ((anne.id, 999999), (anne.id, other_chat.id), (stranger.id, other_chat.id)):
        response = await app_client.post(end, data={"csrf": token, "person": person, "link": link})
        assert response.status == 404
    send = {"csrf": token, "person": stranger.id, "code": "ABCDEFGHJK", "channel": "sms"}
    assert (await app_client.post(f"{issue}/send", data=send)).status == 404
    assert await LinkCode.all().count() == 0 and await ChatLink.filter(active=False).count() == 0

    for persona in ("teacher", "direction"):
        token = await log_in(app_client, persona)
        page = await (await app_client.get(file_of(world))).text()
        assert "Code Telegram" not in page and "Arrêter" not in page
        response = await app_client.post(issue, data={"csrf": token, "person": anne.id})
        assert response.status == 403
    assert await LinkCode.all().count() == 0


async def test_the_file_says_when_no_bot_is_configured(db: str, tmp_path: Path) -> None:
    async with serving(tmp_path) as client:
        world = await build_world()
        await log_in(client, "cpe")
        page = await (await client.get(file_of(world))).text()
    assert "Le bot Telegram n&#39;est pas configuré" in page
    assert f'action="{file_of(world)}/link-code"' not in page


# --- the API ------------------------------------------------------------------------------------


def link_code(api: Api, person_id: int, uai: str = UAI_A) -> str:
    return f"/schools/{uai}/guardians/{person_id}/link-code"


async def test_the_api_issues_a_code_with_its_deep_link(api: Api) -> None:
    anne = await Person.get(siecle_id="P1")
    status, found = await api.call("POST", link_code(api, anne.id))
    assert status == 201, found
    code = found["code"]
    assert len(code) == 10 and found["link"] == f"https://t.me/{BOT}?start={code}"
    expires = datetime.fromisoformat(found["expires_at"])
    assert timedelta(hours=47) < expires - datetime.now(UTC) <= timedelta(hours=48)
    assert expires.utcoffset() is not None
    [row] = await AuditEntry.filter(action="link_code.create")
    assert no_code_in([row], code)


async def test_the_api_refuses_other_roles_and_another_schools_guardian(api: Api) -> None:
    anne = await Person.get(siecle_id="P1")
    for persona in ("teacher", "direction"):
        status, found = await api.call("POST", link_code(api, anne.id), as_=persona)
        assert (status, found["error"]["code"]) == (403, "forbidden"), found
    status, found = await api.call("POST", link_code(api, anne.id, UAI_B), as_="other_cpe")
    assert (status, found["error"]["code"]) == (404, "unknown_guardian")
    status, found = await api.call("POST", link_code(api, 999999))
    assert (status, found["error"]["code"]) == (404, "unknown_guardian")
    assert await LinkCode.all().count() == 0


async def test_the_openapi_document_describes_the_link_code(api: Api) -> None:
    document = await (await api.client.get("/api/v1/openapi.json")).json()
    operation = document["paths"]["/schools/{uai}/guardians/{id}/link-code"]["post"]
    assert "201" in operation["responses"] and "48 hours" in operation["description"]
    assert {"code", "expires_at", "link"} <= set(
        document["components"]["schemas"]["LinkCodeOut"]["properties"]
    )
