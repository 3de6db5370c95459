"""/langue: a linked family chooses the language of the school's messages among the school's
(French, English and those it wrote templates in); audited as the family's choice by the bot."""

from __future__ import annotations

from datetime import UTC, datetime

from core.models import AuditEntry, MessageTemplate, Person, School
from core.services.access.chat_links import issue_code
from tests.bot.conftest import SYSTEM
from tests.bot.support import BotService, Family
from tests.core.services.notice_support import Family as Guardians


async def test_langue_offers_the_schools_languages_and_records_the_choice(
    service: BotService, school: School, guardians: Guardians
) -> None:
    await MessageTemplate.create(
        school=school, kind="absence", channel="sms", language="es", body="Hola"
    )
    issued = await issue_code(school, SYSTEM, guardians.mother.id, now=datetime.now(UTC))
    anne = Family(4343)
    await service.say(anne, f"/start {issued.code}")

    [shown] = await service.say(anne, "/langue")
    assert shown.startswith("Langue des messages de l'établissement : Français")
    buttons = [text for text, _ in service.telegram.last_buttons(anne.chat)]
    assert buttons == ["Français", "English", "Español"]  # only the school's, no channels

    await service.press(anne, service.button(anne, "Español"))
    person = await Person.get(id=guardians.mother.id)
    assert person.language == "es"
    [entry] = await AuditEntry.filter(action="person.preferences")
    assert entry.actor_label == "telegram bot"
    assert entry.after is not None and entry.after["by"] == "bot"
    assert entry.after["language"] == "es"

    await service.press(anne, "pref:language:de")  # not the school's: nothing changes
    assert (await Person.get(id=guardians.mother.id)).language == "es"
    assert await AuditEntry.filter(action="person.preferences").count() == 1

    await service.press(anne, service.button(anne, "English"))
    assert (await Person.get(id=guardians.mother.id)).language == "en"
    [again] = await service.say(anne, "/language")
    assert again.startswith("Language of the school's messages: English")
