"""A linked family sees only its own children's absences and justifies one with a reason and a
photo or a PDF: the reply reaches the CPE's queue with its document; a restart in the middle
of it loses nothing (the conversation is kept in the database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from core.models import (
    Attachment,
    BotState,
    Event,
    GuardianLink,
    InboundMessage,
    InboundStatus,
    Person,
    School,
    Student,
)
from core.rules.counting import EventKind
from core.services.access.chat_links import issue_code
from core.settings import Settings
from tests.bot.conftest import SYSTEM
from tests.bot.support import BotService, Family, bot_settings, serving
from tests.core.services.notice_support import Family as Guardians
from tests.gateway.fakes.telegram import FakeTelegram

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def _absence(school: School, pupil: Student, days_ago: int = 1) -> Event:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=days_ago, hours=2)
    return await Event.create(
        school=school,
        student=pupil,
        kind=EventKind.ABSENCE,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )


async def _linked(service: BotService, school: School, person: Person, chat: int) -> Family:
    issued = await issue_code(school, SYSTEM, person.id, now=datetime.now(UTC))
    family = Family(chat)
    await service.say(family, f"/start {issued.code}")
    return family


async def test_absences_lists_only_the_guardians_own_children(
    service: BotService, school: School, pupil: Student, guardians: Guardians
) -> None:
    hugo = await Student.create(school=school, last_name="Bernard", first_name="Hugo")
    other = await Person.create(school=school, last_name="Bernard", first_name="Paul")
    await GuardianLink.create(student=hugo, person=other)
    await _absence(school, pupil)
    theirs = await _absence(school, hugo)
    anne = await _linked(service, school, guardians.mother, 4242)
    [listed] = await service.say(anne, "/absences")
    assert "Léa" in listed and "à justifier" in listed and "Hugo" not in listed
    await service.say(anne, "/justifier")
    labels = [text for text, _ in service.telegram.last_buttons(4242)]
    assert any("Léa" in label for label in labels) and not any("Hugo" in t for t in labels)
    # a forged button naming another family's absence is refused
    forged = await service.press(anne, f"jabs:{theirs.id}:{guardians.mother.id}")
    assert forged == ["Cette absence n'est plus à justifier."]
    assert await InboundMessage.filter(sender="4242").count() == 0


async def test_a_justification_with_a_pdf_reaches_the_cpes_queue(
    service: BotService, school: School, pupil: Student, guardians: Guardians, tmp_path: Path
) -> None:
    event = await _absence(school, pupil)
    anne = await _linked(service, school, guardians.mother, 4242)
    [question] = await service.say(anne, "/justifier")
    assert question == "Quelle absence voulez-vous justifier ?"
    [reasons] = await service.press(anne, service.button(anne, "Léa"))
    assert reasons.startswith("Motif de l'absence — Léa")
    [ask] = await service.press(anne, "jrsn:MALADIE")
    assert "photo ou un PDF" in ask
    file_id = service.telegram.add_file(PDF, "documents/file_1.pdf")
    document = {
        "file_id": file_id,
        "file_unique_id": "u1",
        "file_name": "certificat.pdf",
        "mime_type": "application/pdf",
        "file_size": len(PDF),
    }
    [summary] = await service.send_file(anne, document=document)
    assert "certificat.pdf" in summary and "Envoyer cette justification" in summary
    [thanks] = await service.press(anne, "jstp:send")
    assert thanks.startswith("Merci : la vie scolaire a reçu votre justification")

    message = await InboundMessage.get(sender="4242", channel="chat")
    assert (message.status, message.event_ids) == (InboundStatus.PENDING, [event.id])
    assert (message.person_id, message.student_id) == (guardians.mother.id, pupil.id)
    [attachment] = await Attachment.filter(message_id=message.id)
    assert (attachment.file_name, attachment.content_type) == ("certificat.pdf", "application/pdf")
    assert (tmp_path / attachment.path).read_bytes() == PDF
    [listed] = await service.say(anne, "/absences")
    assert "réponse reçue" in listed


async def test_a_document_of_another_type_or_too_big_is_refused_before_download(
    service: BotService, school: School, pupil: Student, guardians: Guardians
) -> None:
    await _absence(school, pupil)
    anne = await _linked(service, school, guardians.mother, 4242)
    await service.say(anne, "/justifier")
    await service.press(anne, service.button(anne, "Léa"))
    await service.press(anne, "jrsn:MALADIE")
    word = {"file_id": "w", "file_unique_id": "w", "mime_type": "application/msword"}
    assert await service.send_file(anne, document=word) == [
        "Seuls une photo (JPEG, PNG) ou un PDF sont acceptés."
    ]
    big = {"file_id": "b", "file_unique_id": "b", "file_size": 11 * 1024 * 1024}
    photo = [big | {"width": 4000, "height": 3000}]
    [too_big] = await service.send_file(anne, photo=photo)
    assert "dépasse 10 Mo" in too_big
    assert [m for m, _ in service.telegram.calls if m == "getFile"] == []
    [hint] = await service.say(anne, "la photo arrive")
    assert "Continuer sans document" in hint


async def _restart(
    settings: Settings, telegram: FakeTelegram, school: School, pupil: Student, mother: Person
) -> None:
    """Half a justification, the app stopped and started again, the other half."""
    event = await _absence(school, pupil)
    async with serving(settings, telegram) as before:
        anne = await _linked(before, school, mother, 4242)
        await before.say(anne, "/justifier")
        await before.press(anne, before.button(anne, "Léa"))
        await before.press(anne, "jrsn:MALADIE")
    async with serving(settings, telegram) as after:  # a new app, a new dispatcher
        file_id = telegram.add_file(PNG, "photos/file_2.png")
        photo = [{"file_id": file_id, "file_unique_id": "p2", "width": 800, "height": 600}]
        [summary] = await after.send_file(anne, photo=photo)
        assert "Motif : Maladie" in summary and "photo-p2.jpg" in summary
        [thanks] = await after.press(anne, "jstp:send")
    assert thanks.startswith("Merci")
    message = await InboundMessage.get(sender="4242", channel="chat")
    assert message.event_ids == [event.id]
    [attachment] = await Attachment.filter(message_id=message.id)
    assert attachment.content_type == "image/png" and attachment.size == len(PNG)


async def test_a_restart_in_the_middle_of_a_justification_loses_nothing(
    telegram: FakeTelegram, tmp_path: Path, school: School, pupil: Student, guardians: Guardians
) -> None:
    """Without Redis, the conversation is kept in the database."""
    settings = bot_settings(telegram, tmp_path)
    await _restart(settings, telegram, school, pupil, guardians.mother)
    assert await BotState.exists()


async def test_with_redis_the_conversation_is_kept_in_redis(
    redis_url: str,
    telegram: FakeTelegram,
    tmp_path: Path,
    school: School,
    pupil: Student,
    guardians: Guardians,
) -> None:
    settings = bot_settings(telegram, tmp_path, redis_url=redis_url)
    await _restart(settings, telegram, school, pupil, guardians.mother)
    assert not await BotState.exists()


async def test_a_linked_family_reads_its_history_and_sets_its_preferences(
    service: BotService, school: School, guardians: Guardians
) -> None:
    anne = await _linked(service, school, guardians.mother, 4242)
    [history] = await service.say(anne, "/historique")
    assert history == "Aucun message envoyé pour le moment."
    [current] = await service.say(anne, "/preferences")
    assert "Canal préféré : celui que choisit l'établissement" in current
    await service.press(anne, "pref:channel:sms")
    await service.press(anne, "pref:language:en")
    person = await Person.get(id=guardians.mother.id)
    assert (person.preferred_channel, person.language) == ("sms", "en")
    assert service.telegram.texts(4242)[-1].startswith("Preferred channel: SMS")
    [help_] = await service.say(anne, "/aide")
    assert help_.startswith("What you can do here")
