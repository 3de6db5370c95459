"""Réponses over real HTTP: the CPE reads a family's reply with the reason it was read as and
accepts it in one click (or several at once); what is refused is said in the page's words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from core.models import (
    Attachment,
    ContactKind,
    ContactPoint,
    Event,
    InboundMessage,
    InboundStatus,
    Person,
    School,
)
from core.services.notices.inbound import receive_sms
from tests.web.follow_up_support import World, at, build_world, log_in
from tests.web.personas import MONDAY, UAI_A
from web.keys import SETTINGS

Client = TestClient[Any, Any]
PAGE = f"/s/{UAI_A}/replies"


@pytest.fixture
async def world(db: str, app_client: Client) -> World:
    world = await build_world()
    await ContactPoint.filter(kind=ContactKind.MOBILE).update(siecle_field="TEL_PORTABLE")
    return world


async def _reply(text: str, ref: str) -> InboundMessage:
    received = await receive_sms("twilio", ref, "+33612345678", text, at(MONDAY, 18), {})
    return received.message


async def test_the_cpe_sees_the_reply_read_and_accepts_it(world: World, app_client: Client) -> None:
    reply = await _reply("Bonjour, Marie avait de la fièvre, je vous envoie un mot", "SM1")
    token = await log_in(app_client, "cpe")
    page = await (await app_client.get(PAGE)).text()
    assert "Réponses des familles" in page and "Marie avait de la fièvre" in page
    assert "Maladie de l&#39;élève" in page and "sûr à" in page
    assert f'href="{PAGE}"' in page  # in the menu
    response = await app_client.post(
        f"{PAGE}/{reply.id}/accept", data={"csrf": token, "reason": ""}, allow_redirects=False
    )
    assert response.status == 303
    page = await (await app_client.get(PAGE)).text()
    assert "Réponse acceptée : l&#39;absence est justifiée." in page
    assert "Marie avait de la fièvre" not in page  # no longer waiting
    event = await Event.get(id=world.events["marie_mon"].id).prefetch_related("reason")
    assert event.reason is not None and event.reason.code == "MALADIE"
    again = await app_client.post(
        f"{PAGE}/{reply.id}/accept", data={"csrf": token}, allow_redirects=False
    )
    assert again.status == 303
    page = await (await app_client.get(PAGE)).text()
    assert "Cette réponse a déjà été traitée." in page and "decided" not in page


async def test_several_at_once_and_a_reply_without_reason(world: World, app_client: Client) -> None:
    ill = await _reply("malade", "SM2")
    vague = await _reply("Je vous rappelle", "SM3")
    token = await log_in(app_client, "cpe")
    response = await app_client.post(
        f"{PAGE}/accept",
        data={"csrf": token, "id": [str(ill.id), str(vague.id)]},
        allow_redirects=False,
    )
    assert response.status == 303
    page = await (await app_client.get(PAGE)).text()
    assert "1 réponse acceptée." in page
    assert "Choisissez le motif que donne la famille." in page
    assert (await InboundMessage.get(id=ill.id)).status == InboundStatus.ACCEPTED
    assert (await InboundMessage.get(id=vague.id)).status == InboundStatus.PENDING
    response = await app_client.post(
        f"{PAGE}/{vague.id}/reject", data={"csrf": token}, allow_redirects=False
    )
    assert response.status == 303
    assert (await InboundMessage.get(id=vague.id)).status == InboundStatus.REJECTED


async def test_in_english_and_without_a_token(world: World, app_client: Client) -> None:
    reply = await _reply("il était malade", "SM4")
    await log_in(app_client, "cpe")
    page = await (await app_client.get(PAGE + "?lang=en&status=all")).text()
    assert "Families&#39; replies" in page and "Accept" in page
    refused = await app_client.post(f"{PAGE}/{reply.id}/accept", data={}, allow_redirects=False)
    assert refused.status == 403
    assert (await InboundMessage.get(id=reply.id)).status == InboundStatus.PENDING


async def test_a_reason_the_school_does_not_have_is_said_plainly(
    world: World, app_client: Client
) -> None:
    reply = await _reply("il était malade", "SM5")
    token = await log_in(app_client, "cpe")
    response = await app_client.post(
        f"{PAGE}/{reply.id}/accept", data={"csrf": token, "reason": "NOPE"}, allow_redirects=False
    )
    assert response.status == 303
    page = await (await app_client.get(PAGE)).text()
    assert "Ce motif n&#39;existe pas dans cet établissement." in page and "NOPE" not in page
    assert (await InboundMessage.get(id=reply.id)).status == InboundStatus.PENDING


async def test_a_reply_from_an_unknown_number_is_attached_to_the_guardian_by_hand(
    world: World, app_client: Client
) -> None:
    await School.filter(id=world.school.id).update(sms_sender="+33757000001")
    received = await receive_sms(
        "twilio",
        "SMU1",
        "+33655555555",
        "Marie était malade",
        at(MONDAY, 18),
        {},
        recipient="+33757000001",
    )
    reply = received.message
    token = await log_in(app_client, "cpe")
    listed = await (await app_client.get(f"{PAGE}?status=unmatched")).text()
    assert "Marie était malade" in listed and f"{PAGE}/{reply.id}/attach" in listed
    found = await (await app_client.get(f"{PAGE}/{reply.id}/attach?q=dupont")).text()
    mother = await Person.get(last_name="Dupont")
    assert "Rattacher une réponse" in found and mother.display_name in found
    assert f'name="guardian_id" value="{mother.id}"' in found and "responsable de" in found
    response = await app_client.post(
        f"{PAGE}/{reply.id}/attach",
        data={"csrf": token, "guardian_id": str(mother.id)},
        allow_redirects=False,
    )
    assert response.headers["Location"] == f"{PAGE}/{reply.id}/attach"
    page = await (await app_client.get(f"{PAGE}/{reply.id}/attach")).text()
    assert "vérifiez l&#39;élève et les absences" in page and "Marie" in page
    message = await InboundMessage.get(id=reply.id)
    assert (message.status, message.person_id) == (InboundStatus.PENDING, mother.id)
    assert message.student_id == world.sid("Marie")
    assert message.event_ids == [world.events["marie_mon"].id]  # open: Tuesday's has a reason
    assert await ContactPoint.filter(person=mother, value="+33655555555", verified=True).exists()
    # then one absence only
    response = await app_client.post(
        f"{PAGE}/{reply.id}/attach",
        data={
            "csrf": token,
            "student_id": str(world.sid("Marie")),
            "event": str(world.events["marie_mon"].id),
        },
        allow_redirects=False,
    )
    assert response.headers["Location"] == PAGE
    assert (await InboundMessage.get(id=reply.id)).event_ids == [world.events["marie_mon"].id]


async def test_attaching_to_a_child_not_theirs_is_refused_in_words(
    world: World, app_client: Client
) -> None:
    reply = await _reply("Marie était malade", "SMU2")
    token = await log_in(app_client, "cpe")
    response = await app_client.post(
        f"{PAGE}/{reply.id}/attach",
        data={"csrf": token, "student_id": str(world.sid("Léo"))},
        allow_redirects=False,
    )
    assert response.status == 303
    page = await (await app_client.get(f"{PAGE}/{reply.id}/attach")).text()
    assert "Cet élève n&#39;est pas un enfant de ce responsable." in page
    assert "not_their_child" not in page
    other = await app_client.post(
        f"{PAGE}/{reply.id}/attach",
        data={"csrf": token, "student_id": str(world.sid("Jean"))},
        allow_redirects=False,
    )
    assert other.status == 303  # another school's pupil: refused the same way
    assert (await InboundMessage.get(id=reply.id)).student_id == world.sid("Marie")
    missing = await app_client.get(f"{PAGE}/999999/attach")
    assert missing.status == 404


async def test_a_call_back_asked_on_the_keypad_is_said_and_filed_once_done(
    world: World, app_client: Client
) -> None:
    mother = await Person.get(last_name="Dupont")
    asked = await InboundMessage.create(
        school=world.school,
        channel="call",
        provider="twilio",
        provider_ref="CA1:2",
        sender="+33612345678",
        text="2",
        received_at=at(MONDAY, 10),
        person=mother,
        student=world.students["Marie"],
        status=InboundStatus.PENDING,
    )
    token = await log_in(app_client, "cpe")
    page = await (await app_client.get(PAGE)).text()
    assert "la famille demande à être rappelée au +33612345678" in page
    assert "Rappel fait" in page
    response = await app_client.post(
        f"{PAGE}/{asked.id}/close", data={"csrf": token}, allow_redirects=False
    )
    assert response.status == 303
    page = await (await app_client.get(PAGE)).text()
    assert "Réponse classée : il n&#39;y avait rien à justifier." in page
    assert "demande à être rappelée" not in page  # no longer waiting
    filed = await InboundMessage.get(id=asked.id)
    assert filed.status == InboundStatus.ACKNOWLEDGED and filed.handled_at is not None
    again = await app_client.post(
        f"{PAGE}/{asked.id}/close", data={"csrf": token}, allow_redirects=False
    )
    assert again.status == 303
    assert "Cette réponse a déjà été traitée." in await (await app_client.get(PAGE)).text()


async def test_the_students_file_shows_the_conversation(world: World, app_client: Client) -> None:
    await _reply("Marie était malade hier", "SMF1")
    await log_in(app_client, "cpe")
    file = f"/s/{UAI_A}/students/{world.sid('Marie')}?year=2025"  # March 2026
    page = await (await app_client.get(file)).text()
    assert "Conversation avec la famille" in page and "Marie était malade hier" in page


async def test_a_document_sent_with_a_reply_is_shown_to_the_cpe_only(
    world: World, app_client: Client, tmp_path: Path
) -> None:
    reply = await _reply("Marie était malade, voici le certificat", "SMD1")
    var_dir = app_client.app[SETTINGS].var_dir
    folder = var_dir / "attachments" / UAI_A / "2026"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "note.pdf").write_bytes(b"%PDF-1.4 certificate")
    doc = await Attachment.create(
        message=reply,
        file_name="certificat.pdf",
        content_type="application/pdf",
        size=20,
        sha256="0" * 64,
        path=f"attachments/{UAI_A}/2026/note.pdf",
    )
    await log_in(app_client, "cpe")
    page = await (await app_client.get(PAGE)).text()
    link = f"{PAGE}/{reply.id}/documents/{doc.id}"
    assert link in page and "certificat.pdf" in page
    response = await app_client.get(link)
    assert response.status == 200 and await response.read() == b"%PDF-1.4 certificate"
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    other = await app_client.get(f"{PAGE}/{reply.id}/documents/{doc.id + 1}")
    assert other.status == 404
    await Attachment.filter(id=doc.id).update(path="../../etc/passwd")  # never outside var/
    assert (await app_client.get(link)).status == 404
    await log_in(app_client, "teacher")
    assert (await app_client.get(link)).status == 403
