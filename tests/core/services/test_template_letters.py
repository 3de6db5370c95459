"""Letters made from the school's HTML template (or the shipped HTML letter, or the text one),
with the logo in the letterhead, rendered to a PDF whose text says what the school wrote."""

from __future__ import annotations

import io
import uuid
from dataclasses import replace
from datetime import date
from pathlib import Path

import pypdf
import pytest
from PIL import Image

from core.errors import Invalid
from core.models import (
    AuditEntry,
    Channel,
    ContactKind,
    ContactPoint,
    Delivery,
    LetterTemplate,
    MessageTemplate,
    Notice,
    NoticeKind,
    Person,
    School,
    Student,
)
from core.services.audit import Actor
from core.services.ports import Message, TemplateTools
from core.services.schools.letterhead import update_letterhead
from core.services.schools.logo import remove_logo, set_logo
from core.services.schools.school import now_utc
from core.services.siecle.importer import import_siecle
from core.services.templates.editing import parse_key, save_template
from core.services.templates.messages import TemplateCache, compose
from core.siecle.files import load_export
from gateway.letter.transport import LetterTransport
from tests.core.siecle.support import SMALL
from workers.senders import render


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


PNG = _png()


async def _letter(
    school: School, student: Student, kind: NoticeKind, language: str = "fr"
) -> tuple[Delivery, Notice]:
    person = await Person.create(
        school=school, civility="Mme", last_name="Martin", first_name="Anne", language=language
    )
    postal = await ContactPoint.create(
        person=person,
        kind=ContactKind.POSTAL,
        value="12 rue des Lilas",
        address={"lines": ["12 rue des Lilas"], "postal_code": "75011", "city": "Paris"},
    )
    notice = await Notice.create(
        school=school,
        student=student,
        kind=kind,
        dedupe_key=f"test:{uuid.uuid4()}",
        payload={"day": "2026-03-02", "half": "am"},
    )
    delivery = await Delivery.create(
        uuid=uuid.uuid4(),
        notice=notice,
        person=person,
        contact=postal,
        channel=Channel.LETTER,
        to="12 rue des Lilas",
        language=language,
        not_before=now_utc(),
    )
    await delivery.fetch_related("person", "contact")
    await notice.fetch_related("school", "student", "event")
    return delivery, notice


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


async def _pdf(message_html: str | None, body: str, extra: dict[str, str], tmp: Path) -> bytes:
    outgoing = Message(
        channel="letter", delivery_uuid="t", to="", body=body, html=message_html, extra=extra
    )
    return await LetterTransport(tmp).preview(outgoing)


async def test_a_letter_prints_the_schools_edited_template(
    tools: TemplateTools, school_a: School, cpe_actor: Actor, tmp_path: Path
) -> None:
    pupil = await Student.create(school=school_a, last_name="Dupont", first_name="Zoé <b>&</b>")
    html = (
        "<p><strong>Convocation pour {{ student.first_name }}</strong></p>"
        "<p>Nous attendons {{ guardian.name }} au bureau de la vie scolaire.</p>"
        "<table><tbody><tr><td>Jour</td><td>{{ day }}</td></tr></tbody></table>"
    )
    await save_template(
        school_a,
        cpe_actor,
        parse_key("absence", "letter", "fr"),
        subject="",
        body=html,
        tools=tools,
    )
    delivery, notice = await _letter(school_a, pupil, NoticeKind.ABSENCE)
    message = await compose(delivery, notice, render)
    assert message.html is not None
    assert "Zoé &lt;b&gt;&amp;&lt;/b&gt;" in message.html  # a value stays text
    assert "<b>" not in message.html
    assert "Convocation pour Zoé <b>&</b>" in message.body
    assert message.extra["address"].splitlines() == [
        "Mme MARTIN Anne",
        "12 rue des Lilas",
        "75011 PARIS",
    ]
    assert "Collège Alpha" in message.extra["letterhead"]
    text = _pdf_text(await _pdf(message.html, message.body, message.extra, tmp_path))
    assert "Convocation pour Zoé <b>&</b>" in text
    assert "Nous attendons Mme MARTIN Anne au bureau de la vie scolaire." in text
    assert "lundi 2 mars" in text and "75011 PARIS" in text and "Collège Alpha" in text


async def test_without_its_own_letter_the_shipped_html_letter_is_used(
    school_a: School, pupil: Student, tmp_path: Path
) -> None:
    delivery, notice = await _letter(school_a, pupil, NoticeKind.LATENESS, "en")
    message = await compose(delivery, notice, render)
    assert message.html is not None and "Re: lateness of Léa Martin" in message.html
    text = _pdf_text(await _pdf(message.html, message.body, message.extra, tmp_path))
    assert "Re: lateness of Léa Martin" in text and "Dear Mrs MARTIN Anne" not in text


async def test_a_kind_without_an_html_letter_falls_back_to_its_text_letter(
    school_a: School, pupil: Student
) -> None:
    await MessageTemplate.create(
        school=school_a,
        kind="convocation",
        channel="letter",
        language="fr",
        body="Texte de la convocation de {{ student.first_name }}.",
    )
    delivery, notice = await _letter(school_a, pupil, NoticeKind.CONVOCATION)
    message = await compose(delivery, notice, render)
    assert message.html is None and message.body == "Texte de la convocation de Léa."
    assert "Collège Alpha" in message.extra["letterhead"]


async def test_the_schools_own_text_letter_still_wins_over_the_shipped_html(
    school_a: School, pupil: Student
) -> None:
    await MessageTemplate.create(
        school=school_a, kind="absence", channel="letter", language="fr", body="Notre texte."
    )
    delivery, notice = await _letter(school_a, pupil, NoticeKind.ABSENCE)
    message = await compose(delivery, notice, render)
    assert message.html is None and message.body == "Notre texte."


async def test_a_batch_reads_the_templates_once(
    tools: TemplateTools, school_a: School, pupil: Student, cpe_actor: Actor
) -> None:
    key = parse_key("absence", "letter", "fr")
    await save_template(school_a, cpe_actor, key, subject="", body="<p>Version A</p>", tools=tools)
    await MessageTemplate.create(
        school=school_a, kind="absence", channel="sms", language="fr", body="SMS A"
    )
    cache = TemplateCache()
    first, notice = await _letter(school_a, pupil, NoticeKind.ABSENCE)
    assert "Version A" in (await compose(first, notice, render, templates=cache)).body
    await LetterTemplate.all().delete()  # a batch already under way keeps what it read
    await MessageTemplate.all().delete()
    second, notice2 = await _letter(school_a, pupil, NoticeKind.ABSENCE)
    assert "Version A" in (await compose(second, notice2, render, templates=cache)).body
    sms = await Delivery.create(
        uuid=uuid.uuid4(),
        notice=notice2,
        channel=Channel.SMS,
        to="+33600000000",
        not_before=now_utc(),
    )
    await sms.fetch_related("person", "contact")
    assert (await compose(sms, notice2, render, templates=cache)).body == "SMS A"
    assert "Version A" not in (await compose(second, notice2, render)).body  # a new read


async def test_the_logo_is_in_every_letterhead_and_in_the_pdf(
    tools: TemplateTools, school_a: School, pupil: Student, cpe_actor: Actor, tmp_path: Path
) -> None:
    await set_logo(school_a, cpe_actor, PNG)
    assert str(school_a.letterhead["logo"]).startswith("data:image/png;base64,")
    html = '<p>Avec le logo :</p><img src="/s/0750001A/templates/logo">'
    await save_template(
        school_a,
        cpe_actor,
        parse_key("absence", "letter", "fr"),
        subject="",
        body=html,
        tools=tools,
    )
    delivery, notice = await _letter(school_a, pupil, NoticeKind.ABSENCE)
    await notice.fetch_related("school")
    message = await compose(delivery, notice, render)
    assert 'class="logo" src="data:image/png;base64,' in message.extra["letterhead"]
    assert message.html is not None and '<img src="data:image/png;base64,' in message.html
    pdf = await _pdf(message.html, message.body, message.extra, tmp_path)
    images = [image for page in pypdf.PdfReader(io.BytesIO(pdf)).pages for image in page.images]
    assert len(images) == 1  # the same logo, in the letterhead and the body, stored once
    entry = await AuditEntry.get(action="school.logo")
    assert entry.before == {"logo": None} and str(entry.after["logo"]).startswith("data:sha256,")  # type: ignore[index]
    assert await remove_logo(school_a, cpe_actor)
    assert "logo" not in school_a.letterhead and not await remove_logo(school_a, cpe_actor)
    notice.school = await School.get(id=school_a.id)
    message = await compose(delivery, notice, render)
    assert message.html is not None and "<img" not in message.html
    pdf = await _pdf(message.html, message.body, message.extra, tmp_path)
    assert not [image for page in pypdf.PdfReader(io.BytesIO(pdf)).pages for image in page.images]


@pytest.mark.parametrize(
    "content",
    [b"GIF89a" + b"\0" * 20, b"<svg onload='x()'/>", b"\x89PNG\r\n\x1a\n" + b"\0" * 300_000],
)
async def test_a_logo_that_is_not_a_small_png_or_jpeg_is_refused(
    school_a: School, cpe_actor: Actor, content: bytes
) -> None:
    with pytest.raises(Invalid) as refused:
        await set_logo(school_a, cpe_actor, content)
    assert refused.value.code == "logo"
    assert "logo" not in (await School.get(id=school_a.id)).letterhead
    assert await AuditEntry.filter(action="school.logo").count() == 0


async def test_a_siecle_import_keeps_the_uploaded_logo(db: str) -> None:
    export = load_export([SMALL])
    await import_siecle(export, Actor.system("import siecle"), today=date(2025, 9, 22))
    school = await School.get(uai="0759999Z")
    await set_logo(school, Actor.system("tests"), PNG)
    moved = replace(export.letterhead, phone="01 99 99 99 99")  # type: ignore[type-var]
    await import_siecle(
        replace(export, letterhead=moved), Actor.system("import siecle"), today=date(2025, 9, 22)
    )
    school = await School.get(uai="0759999Z")
    assert school.letterhead["phone"] == "01 99 99 99 99"
    assert str(school.letterhead["logo"]).startswith("data:image/png;base64,")


async def test_a_letter_says_where_and_when_who_signs_and_prints_the_phone_nationally(
    school_a: School, pupil: Student, cpe_actor: Actor, tmp_path: Path
) -> None:
    """« À Lyon, le … » above the text, the vie scolaire's signatory under it, the school's
    phone as a French reader writes it; the head signs the legal letters."""
    await update_letterhead(
        school_a,
        cpe_actor,
        {
            "city": "LYON",
            "phone": "+33472000000",
            "signatory_name": "Mme Lefèvre",
            "signatory_title": "Conseillère principale d'éducation",
            "head_name": "M. Bernard",
            "head_title": "Principal",
        },
    )
    delivery, notice = await _letter(school_a, pupil, NoticeKind.ABSENCE)
    message = await compose(delivery, notice, render)
    assert message.html is not None
    text = _pdf_text(await _pdf(message.html, message.body, message.extra, tmp_path))
    assert "À Lyon, le " in text
    assert "Mme Lefèvre" in text and "Conseillère principale d'éducation" in text
    assert "Tél. 04 72 00 00 00" in text and "+33" not in text
    await Notice.filter(id=notice.id).update(kind=NoticeKind.THRESHOLD, payload=THRESHOLD)
    legal = await compose(delivery, await _fresh(notice), render)
    assert legal.body.startswith("À Lyon, le 31 mars 2026")
    assert "Principal\nM. Bernard" in legal.body

    with pytest.raises(Invalid):
        await update_letterhead(school_a, cpe_actor, {"phone": "not a number"})
    await update_letterhead(school_a, cpe_actor, {"city": "", "head_title": ""})
    plain = await compose(delivery, await _fresh(notice), render)
    assert plain.body.startswith("Le 31 mars 2026") and "Le chef d'établissement" in plain.body


THRESHOLD = {
    "month_label": "mars 2026",
    "count": 4,
    "half_days": [{"day": "lundi 2 mars 2026", "half": "matin"}],
    "written_on": "31 mars 2026",
}


async def _fresh(notice: Notice) -> Notice:
    found = await Notice.get(id=notice.id)
    await found.fetch_related("school", "student", "event")
    return found
