"""A family links its chat with the school's one-time code; a chat never linked, or whose code
was reused, expired or guessed, sees nothing of any student."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.models import AuditEntry, ChatLink, InboundMessage, School, Student
from core.services.access.chat_links import chat_guardians, issue_code
from tests.bot.conftest import SYSTEM
from tests.bot.support import BotService, Family
from tests.core.services.notice_support import Family as Guardians

NOT_LINKED = "Ce fil n'est relié à aucun responsable"


async def test_start_with_a_code_links_the_chat_and_stop_unlinks_it(
    service: BotService, school: School, pupil: Student, guardians: Guardians
) -> None:
    issued = await issue_code(school, SYSTEM, guardians.mother.id, now=datetime.now(UTC))
    anne = Family(4242)
    [greeting] = await service.say(anne, f"/start {issued.code}")
    assert "Bonjour Mme Martin Anne" in greeting or "Bonjour" in greeting
    assert "Collège Alpha" in greeting and "Léa" in greeting
    assert [p.id for p in await chat_guardians("4242")] == [guardians.mother.id]

    [help_] = await service.say(anne, "/aide")
    assert "/justifier" in help_ and "/absences" in help_

    [bye] = await service.say(anne, "/stop")
    assert "n'est plus relié" in bye
    assert await chat_guardians("4242") == []
    link = await ChatLink.get(chat_id="4242")
    assert (link.active, link.ended_reason) == (False, "stop")
    assert await AuditEntry.exists(action="chat_link.end", school_id=school.id)
    [after] = await service.say(anne, "/absences")
    assert after.startswith(NOT_LINKED)


async def test_a_guardian_reading_english_is_greeted_in_english(
    service: BotService, school: School, guardians: Guardians
) -> None:
    guardians.father.language = "en"
    await guardians.father.save()
    issued = await issue_code(school, SYSTEM, guardians.father.id, now=datetime.now(UTC))
    [greeting] = await service.say(Family(5151, "Marc"), f"/start {issued.code}")
    assert greeting.startswith("Hello") and "Léa" in greeting


async def test_a_reused_expired_or_guessed_code_links_nothing(
    service: BotService, school: School, guardians: Guardians
) -> None:
    now = datetime.now(UTC)
    used = await issue_code(school, SYSTEM, guardians.mother.id, now=now)
    await service.say(Family(1), f"/start {used.code}")
    expired = await issue_code(school, SYSTEM, guardians.father.id, now=now - timedelta(hours=49))
    stranger = Family(666)
    for code in (used.code, expired.code, "ABCDEFGHJK"):
        [refused] = await service.say(stranger, f"/start {code}")
        assert "n'est pas valable" in refused
    assert await chat_guardians("666") == []
    said = []
    for text in ("/absences", "/justifier", "/historique", "/preferences", "Léa est malade"):
        said += await service.say(stranger, text)
    assert await service.press(stranger, "jabs:1:1") == []  # a button: answered in an alert
    said.append(service.telegram.answered[-1]["text"])
    assert all(NOT_LINKED in line for line in said) and len(said) == 6
    assert not any("Léa" in line for line in service.telegram.texts(666))
    assert await InboundMessage.filter(sender="666").count() == 0


async def test_a_chat_that_tries_too_many_codes_waits(
    service: BotService, school: School, guardians: Guardians
) -> None:
    stranger = Family(777)
    for n in range(5):
        await service.say(stranger, f"/start ABCDEFGH{n}2")
    good = await issue_code(school, SYSTEM, guardians.mother.id, now=datetime.now(UTC))
    [refused] = await service.say(stranger, f"/start {good.code}")
    assert "Trop de codes" in refused
    assert await chat_guardians("777") == []


async def test_a_code_pasted_alone_links_the_chat_too(
    service: BotService, school: School, guardians: Guardians
) -> None:
    issued = await issue_code(school, SYSTEM, guardians.father.id, now=datetime.now(UTC))
    pasted = f"{issued.code[:5]}-{issued.code[5:].lower()}"
    [greeting] = await service.say(Family(8080, "Marc"), pasted)
    assert greeting.startswith("Bonjour") and "Léa" in greeting
    assert [p.id for p in await chat_guardians("8080")] == [guardians.father.id]
    [passed_on] = await service.say(Family(8080, "Marc"), "ABCDEFGHJK")  # linked: free text
    assert passed_on.startswith("Merci, votre message a été transmis")
