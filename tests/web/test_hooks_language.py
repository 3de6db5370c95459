"""A family sets its language by SMS ("LANGUE EN") through the real inbound path: Twilio (a local
peer) posts the signed reply to the webhook, the keyword is read at once, audited, answered in
the new language in the webhook's answer, and the next notice is written in it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.models import (
    AuditEntry,
    ContactKind,
    ContactPoint,
    InboundMessage,
    InboundStatus,
    MessageTemplate,
    Person,
)
from tests.core.services.notice_support import FATHER_MOBILE, MOTHER_MOBILE
from tests.web.hooks_support import Service, running_service


@pytest.fixture
async def service(db: str, tmp_path: Path) -> AsyncIterator[Service]:
    async with running_service(tmp_path / "var") as running:
        await ContactPoint.filter(kind=ContactKind.MOBILE).update(siecle_field="TEL_PORTABLE")
        yield running


async def test_langue_en_sets_the_language_is_confirmed_in_english_and_audited(
    service: Service,
) -> None:
    assert await service.sms(MOTHER_MOBILE, "LANGUE EN", "SM" + "1" * 32) == 200
    assert "Noted. Language of the school" in service.twilio.last_answer
    assert "English." in service.twilio.last_answer

    mother = await Person.get(id=service.family.mother.id)
    assert mother.language == "en"
    assert (await Person.get(id=service.family.father.id)).language == "fr"  # another number
    [message] = await InboundMessage.all()
    assert (message.status, message.person_id) == (
        InboundStatus.ACKNOWLEDGED,
        mother.id,
    )  # kept in the conversation, nothing for the CPE to decide
    assert message.student_id == service.pupil.id  # her only child: in Léa's file
    [entry] = await AuditEntry.filter(action="person.preferences")
    assert entry.actor_label == "inbound sms" and entry.actor_id is None
    assert entry.before == {"language": "fr", "preferred_channel": None}
    assert entry.after == {
        "language": "en",
        "preferred_channel": None,
        "by": "sms",
        "ref": message.id,
    }

    sent = await service.absence_sent()  # the next notice: in English to her, French to him
    bodies = {r.get("To"): r.get("Body") or "" for r in sent if r.resource == "Messages"}
    assert "Please tell us the reason" in bodies[MOTHER_MOBILE]
    assert "Merci de nous en indiquer le motif" in bodies[FATHER_MOBILE]


async def test_a_language_the_school_does_not_write_in_is_refused_until_it_does(
    service: Service,
) -> None:
    assert await service.sms(MOTHER_MOBILE, "Idioma español", "SM" + "2" * 32) == 200
    answer = service.twilio.last_answer
    assert "Répondez LANGUE suivi de : FR (Français), EN (English)." in answer
    assert (await Person.get(id=service.family.mother.id)).language == "fr"
    assert not await AuditEntry.exists(action="person.preferences")

    await MessageTemplate.create(
        school=service.school, kind="absence", channel="sms", language="es", body="Hola"
    )
    assert await service.sms(MOTHER_MOBILE, "langue es", "SM" + "3" * 32) == 200
    # no Spanish words in Absences itself: the confirmation is French, naming the language
    assert "Español." in service.twilio.last_answer
    assert (await Person.get(id=service.family.mother.id)).language == "es"


async def test_a_keyword_from_an_unknown_number_changes_nothing(service: Service) -> None:
    assert await service.sms("+33677777777", "LANGUAGE FR", "SM" + "4" * 32) == 200
    assert "aucun établissement" in service.twilio.last_answer
    [message] = await InboundMessage.all()
    assert message.status == InboundStatus.UNMATCHED and message.person_id is None
    assert not await AuditEntry.exists(action="person.preferences")
