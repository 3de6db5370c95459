"""A guardian's language and preferred channel: set by staff (checked, audited), among the
school's languages (French, English and those it wrote templates in); a notice is written in
the guardian's language, in French when the school has no template in it."""

from __future__ import annotations

import pytest

from core.errors import Invalid, NotFound
from core.models import (
    AuditEntry,
    Delivery,
    LetterTemplate,
    MessageTemplate,
    Person,
    School,
    Student,
)
from core.queries.languages import school_languages
from core.services.audit import Actor
from core.services.notices.preferences import set_guardian_preferences
from core.services.templates.editing import list_templates
from core.services.templates.messages import compose
from tests.core.services.notice_support import MONDAY, Family, absence, at, make_family
from workers.senders import render


@pytest.fixture
async def family(school_a: School, pupil: Student) -> Family:
    return await make_family(school_a, pupil)


async def test_the_schools_languages_are_french_english_and_those_it_wrote(
    school_a: School, school_b: School
) -> None:
    assert await school_languages(school_a.id) == ["fr", "en"]
    await MessageTemplate.create(
        school=school_a, kind="absence", channel="sms", language="tr", body="Merhaba"
    )
    await LetterTemplate.create(
        school=school_a, kind="absence", language="es", name="letter", html="<p>Hola</p>"
    )
    assert await school_languages(school_a.id) == ["fr", "en", "es", "tr"]
    assert await school_languages(school_b.id) == ["fr", "en"]  # another school's are its own


async def test_staff_set_a_guardians_language_and_channel_audited(
    school_a: School, pupil: Student, family: Family, cpe_actor: Actor
) -> None:
    mother = family.mother
    changed = await set_guardian_preferences(
        school_a, cpe_actor, pupil.id, mother.id, language="en", channel="email"
    )
    assert changed
    saved = await Person.get(id=mother.id)
    assert (saved.language, saved.preferred_channel) == ("en", "email")
    [entry] = await AuditEntry.filter(action="person.preferences")
    assert entry.actor_id == cpe_actor.user_id and entry.school_id == school_a.id
    assert entry.before == {"language": "fr", "preferred_channel": None}
    assert entry.after == {"language": "en", "preferred_channel": "email", "by": "staff"}

    again = await set_guardian_preferences(
        school_a, cpe_actor, pupil.id, mother.id, language="en", channel="email"
    )
    assert not again and await AuditEntry.filter(action="person.preferences").count() == 1
    await set_guardian_preferences(
        school_a, cpe_actor, pupil.id, mother.id, language="en", channel=""
    )
    assert (await Person.get(id=mother.id)).preferred_channel is None  # the school's order


async def test_a_language_the_school_does_not_write_in_or_a_wrong_channel_is_refused(
    school_a: School, pupil: Student, family: Family, cpe_actor: Actor
) -> None:
    mother = family.mother
    with pytest.raises(Invalid) as refused:
        await set_guardian_preferences(
            school_a, cpe_actor, pupil.id, mother.id, language="es", channel=""
        )
    assert refused.value.code == "unknown_language"
    with pytest.raises(Invalid) as refused:
        await set_guardian_preferences(
            school_a, cpe_actor, pupil.id, mother.id, language="fr", channel="pigeon"
        )
    assert refused.value.code == "unknown_channel"
    assert (await Person.get(id=mother.id)).language == "fr"
    assert not await AuditEntry.exists(action="person.preferences")
    await MessageTemplate.create(
        school=school_a, kind="absence", channel="sms", language="es", body="Hola"
    )
    await set_guardian_preferences(
        school_a, cpe_actor, pupil.id, mother.id, language="es", channel=""
    )
    assert (await Person.get(id=mother.id)).language == "es"


async def test_another_schools_guardian_or_student_is_not_found(
    school_a: School,
    school_b: School,
    pupil: Student,
    pupil_b: Student,
    family: Family,
    cpe_actor: Actor,
) -> None:
    for school, student in ((school_b, pupil), (school_a, pupil_b)):
        with pytest.raises(NotFound):
            await set_guardian_preferences(
                school, cpe_actor, student.id, family.mother.id, language="en", channel=""
            )


async def _messages(school: School, pupil: Student, system: Actor) -> dict[int, str]:
    """An absence recorded: each parent's first delivery (SMS) composed, by person."""
    event = await absence(school, system, pupil, at(MONDAY, 8), at(MONDAY, 10), now=at(MONDAY, 9))
    bodies: dict[int, str] = {}
    for delivery in await Delivery.filter(notice__event_id=event.id).prefetch_related(
        "person", "contact", "notice__school", "notice__student", "notice__event"
    ):
        message = await compose(delivery, delivery.notice, render)
        assert delivery.person_id is not None
        bodies[delivery.person_id] = message.body
    return bodies


async def test_a_notice_is_in_english_for_english_and_in_french_for_spanish_without_template(
    school_a: School, pupil: Student, family: Family, system: Actor
) -> None:
    await Person.filter(id=family.mother.id).update(language="en")
    await Person.filter(id=family.father.id).update(language="es")
    bodies = await _messages(school_a, pupil, system)
    assert "has been absent since 08:00 this Monday 2 March" in bodies[family.mother.id]
    assert "Please tell us the reason" in bodies[family.mother.id]
    father = bodies[family.father.id]  # no Spanish template: French, French labels
    assert "est absent(e) depuis 8h00 ce lundi 2 mars" in father
    assert "Merci de nous en indiquer le motif" in father


async def test_a_spanish_template_of_the_school_reaches_the_spanish_speaking_guardian(
    school_a: School, pupil: Student, family: Family, system: Actor
) -> None:
    await MessageTemplate.create(
        school=school_a,
        kind="absence",
        channel="sms",
        language="es",
        body="{{ student.first_name }} está ausente. Indíquenos el motivo.",
    )
    await Person.filter(id=family.father.id).update(language="es")
    bodies = await _messages(school_a, pupil, system)
    assert bodies[family.father.id] == "Léa está ausente. Indíquenos el motivo."
    assert "Merci de nous en indiquer le motif" in bodies[family.mother.id]


async def test_the_template_list_covers_each_language_of_the_school(school_a: School) -> None:
    await MessageTemplate.create(
        school=school_a, kind="absence", channel="sms", language="es", body="Hola"
    )
    rows = {(r.key.kind, r.key.channel, r.key.language): r for r in await list_templates(school_a)}
    assert {language for _, _, language in rows} == {"fr", "en", "es"}
    assert rows[("absence", "sms", "es")].overridden
    email = rows[("absence", "email", "es")]  # goes out in French
    assert not email.overridden and not email.has_default
    assert rows[("absence", "email", "en")].has_default
    more = await list_templates(school_a, also=["ar"])
    assert {r.key.language for r in more} == {"fr", "en", "es", "ar"}
