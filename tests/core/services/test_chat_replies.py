"""A linked chat justifies an absence (with a photo or a PDF) and writes freely: both land in the
CPE's queue; a family sees and touches only its own children's absences."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from core.errors import Invalid, NotFound
from core.models import (
    Attachment,
    AuditEntry,
    ChatLink,
    Event,
    GuardianLink,
    InboundMessage,
    InboundStatus,
    Person,
    Reason,
    School,
    Student,
)
from core.queries.family import family_reasons, open_absences
from core.rules.counting import EventKind
from core.services.access.chat_links import issue_code, redeem_code
from core.services.audit import Actor
from core.services.notices.chat_replies import Document, justify_from_chat, set_preferences
from core.services.notices.inbound import receive_chat
from tests.core.services.notice_support import MONDAY, Family, at, make_family

CHAT = "777"
NOW = at(MONDAY, 18)
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def _linked(school: School, actor: Actor, pupil: Student) -> tuple[Family, Event]:
    family = await make_family(school, pupil)
    issued = await issue_code(school, actor, family.mother.id, now=NOW)
    await redeem_code(CHAT, issued.code, now=NOW)
    event = await Event.create(
        school=school,
        student=pupil,
        kind=EventKind.ABSENCE,
        starts_at=NOW - timedelta(days=1, hours=3),
        ends_at=NOW - timedelta(days=1, hours=1),
    )
    await Reason.filter(school_id=school.id, code="MALADIE").update(parents_may_choose=True)
    return family, event


async def test_a_justification_with_a_pdf_reaches_the_cpes_queue(
    school_a: School, cpe_actor: Actor, pupil: Student, tmp_path: Path
) -> None:
    family, event = await _linked(school_a, cpe_actor, pupil)
    [absence] = await open_absences([family.mother], NOW)
    assert (absence.event_id, absence.state, absence.first_name) == (event.id, "to_justify", "Léa")
    assert "MALADIE" in [r.code for r in await family_reasons(school_a.id)]

    message = await justify_from_chat(
        family.mother.id,
        CHAT,
        event.id,
        "MALADIE",
        now=NOW,
        var_dir=tmp_path,
        document=Document(PDF, "certificat.pdf"),
    )
    assert (message.channel, message.status, message.event_ids) == (
        "chat",
        InboundStatus.PENDING,
        [event.id],
    )
    assert message.proposed_generic == "MALADIE" and message.confidence == 1.0
    [attachment] = await Attachment.filter(message_id=message.id)
    assert (attachment.content_type, attachment.size) == ("application/pdf", len(PDF))
    assert (tmp_path / attachment.path).read_bytes() == PDF
    assert attachment.path.startswith(f"attachments/{school_a.uai}/")
    assert await AuditEntry.exists(action="inbound.justify", school_id=school_a.id)
    [absence] = await open_absences([family.mother], NOW)
    assert absence.state == "reply_sent"


async def test_a_document_not_a_photo_nor_a_pdf_is_refused_and_nothing_is_kept(
    school_a: School, cpe_actor: Actor, pupil: Student, tmp_path: Path
) -> None:
    family, event = await _linked(school_a, cpe_actor, pupil)
    for content, code in (
        (b"MZ\x90\x00 an executable", "bad_document"),
        (b"%PDF-" + b"0" * (10 * 1024 * 1024), "too_large"),
    ):
        with pytest.raises(Invalid) as refused:
            await justify_from_chat(
                family.mother.id,
                CHAT,
                event.id,
                "MALADIE",
                now=NOW,
                var_dir=tmp_path,
                document=Document(content, "note.pdf"),
            )
        assert refused.value.code == code
    assert not await InboundMessage.exists() and not _files(tmp_path / "attachments")


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


async def test_a_family_touches_only_its_own_children(
    school_a: School, cpe_actor: Actor, pupil: Student, classmate: Student, tmp_path: Path
) -> None:
    family, _ = await _linked(school_a, cpe_actor, pupil)
    theirs = await Event.create(
        school=school_a,
        student=classmate,
        kind=EventKind.ABSENCE,
        starts_at=NOW - timedelta(hours=5),
        ends_at=NOW - timedelta(hours=4),
    )
    assert [a.student_id for a in await open_absences([family.mother], NOW)] == [pupil.id]
    with pytest.raises(NotFound) as refused:
        await justify_from_chat(
            family.mother.id, CHAT, theirs.id, "MALADIE", now=NOW, var_dir=tmp_path
        )
    assert refused.value.code == "unknown_event"
    with pytest.raises(NotFound) as refused:  # the father's chat was never linked
        await justify_from_chat(
            family.father.id, CHAT, theirs.id, "MALADIE", now=NOW, var_dir=tmp_path
        )
    assert refused.value.code == "not_linked"
    with pytest.raises(Invalid) as refused:  # a reason families may not give
        await justify_from_chat(
            family.mother.id,
            CHAT,
            (await Event.filter(student=pupil).first()).id,  # type: ignore[union-attr]
            "CONVENANCE",
            now=NOW,
            var_dir=tmp_path,
        )
    assert refused.value.code == "unknown_reason"


async def test_free_text_from_a_chat_is_read_and_waits_for_the_cpe(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    family, event = await _linked(school_a, cpe_actor, pupil)
    received = await receive_chat(family.mother.id, CHAT, "Léa avait de la fièvre", NOW, "u1")
    message = received.message
    assert (message.channel, message.status, message.person_id) == (
        "chat",
        InboundStatus.PENDING,
        family.mother.id,
    )
    assert (message.student_id, message.event_ids) == (pupil.id, [event.id])
    assert message.proposed_generic == "MALADIE" and not received.due  # the bot answers itself
    again = await receive_chat(family.mother.id, CHAT, "Léa avait de la fièvre", NOW, "u1")
    assert not again.created and await InboundMessage.filter(channel="chat").count() == 1


async def test_preferences_from_the_chat_are_audited(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    family, _ = await _linked(school_a, cpe_actor, pupil)
    person = await set_preferences(family.mother.id, CHAT, channel="email", language="en")
    assert (person.preferred_channel, person.language) == ("email", "en")
    with pytest.raises(Invalid):
        await set_preferences(family.mother.id, CHAT, channel="pigeon")
    with pytest.raises(Invalid):
        await set_preferences(family.mother.id, CHAT, language="de")
    assert await AuditEntry.exists(action="person.preferences")
    await ChatLink.filter(chat_id=CHAT).update(active=False)
    with pytest.raises(NotFound):
        await set_preferences(family.mother.id, CHAT, language="fr")
    assert await Person.exists(id=family.mother.id)
    assert await GuardianLink.exists(person_id=family.mother.id)
