"""The timetable on the Imports page: the two files uploaded → preview → apply → the summary,
in French and in English; files of another school or year worded in the page."""

from __future__ import annotations

import re
from pathlib import Path

from core.models import Invitation, Lesson, Membership, Role
from core.services.audit import Actor
from core.services.siecle.importer import import_siecle
from core.services.timetable.importer import import_timetable
from core.siecle.files import load_export
from core.timetable import load_timetable
from tests.web.conftest import PERSONAS, UAI_A, Api
from tests.web.test_imports_page import csrf_of, log_in, upload_form, wait_until_done

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SIECLE = FIXTURES / "siecle" / "college-jean-moulin-2026"
EDT = FIXTURES / "edt" / "college-jean-moulin"
PAGE = f"/s/{UAI_A}/imports"
FILES = {p.name: p.read_bytes() for p in sorted(EDT.glob("*.xml"))}


def with_year(form_token: str, files: dict[str, bytes] | None = None) -> object:
    form = upload_form(form_token, files or FILES)
    form.add_field("force_year", "1")
    return form


async def test_an_admin_previews_and_applies_the_timetable(api: Api) -> None:
    await import_siecle(load_export([SIECLE]), Actor.system("t"), school_uai=UAI_A, force_year=True)
    client = api.client
    await log_in(client, PERSONAS["admin"][0])
    page = await (await client.get(PAGE)).text()
    assert 'action="/s/0751234X/imports/timetable"' in page and "Emploi du temps" in page
    token = await csrf_of(client)
    sent = await client.post(PAGE + "/timetable", data=with_year(token), allow_redirects=False)
    assert sent.status == 303, await sent.text()
    job = sent.headers["Location"]
    preview = await (await client.get(job)).text()
    assert "Import de l&#39;emploi du temps" in preview and "Changements à appliquer" in preview
    assert re.search(r'data-kind="lessons">.*?<td>352</td>', preview, re.S)
    assert "Autres personnels, à qui donner un rôle : <strong>5</strong>" in preview
    assert "(direction)" in preview and "(documentation)" in preview
    assert "5_ESP · " in preview and "semaines Q1" in preview
    assert await Lesson.filter(school__uai=UAI_A).count() == 0

    token = await csrf_of(client, job)
    applied = await client.post(job + "/apply", data={"csrf": token})
    assert applied.status == 200
    states = await wait_until_done(client, job)
    assert states[-1]["state"] == "done", states[-1]
    assert await Lesson.filter(school__uai=UAI_A).count() == 352
    assert (
        await Membership.filter(school__uai=UAI_A, role=Role.TEACHER, sts_id__isnull=False).count()
        == 30
    )
    done = await (await client.get(job + "?lang=en")).text()
    assert "Import finished" in done and "Lessons added: <strong>352</strong>" in done
    assert "Other staff, to give a role" in done


async def test_files_of_another_year_or_not_a_timetable_are_worded(api: Api) -> None:
    await import_siecle(load_export([SIECLE]), Actor.system("t"), school_uai=UAI_A, force_year=True)
    client = api.client
    await log_in(client, PERSONAS["admin"][0])
    token = await csrf_of(client)
    refused = await client.post(PAGE + "/timetable", data=upload_form(token, FILES))
    text = await refused.text()
    assert refused.status == 422
    assert "Cet emploi du temps est de l&#39;année 2026-2027" in text
    bad = {"emp_sts_0751234X_2026.xml": b"<?xml version='1.0'?><NOT_A_TIMETABLE/>"}
    refused = await client.post(PAGE + "/timetable", data=with_year(token, bad))
    assert refused.status == 422
    assert "ne forment pas un emploi du temps lisible" in await refused.text()
    assert await Lesson.filter(school__uai=UAI_A).count() == 0


async def test_the_admin_gives_a_login_less_teacher_an_email(api: Api) -> None:
    await import_siecle(load_export([SIECLE]), Actor.system("t"), school_uai=UAI_A, force_year=True)
    await import_timetable(
        load_timetable([EDT]), Actor.system("t"), school_uai=UAI_A, force_year=True
    )
    member = await Membership.filter(school__uai=UAI_A, sts_id="41463").first()
    assert member is not None
    client = api.client
    await log_in(client, PERSONAS["admin"][0])
    staff = f"/s/{UAI_A}/settings/staff"
    page = await (await client.get(staff)).text()
    assert page.count("Sans compte de connexion") == 30
    token = await csrf_of(client, staff)
    url = f"{staff}/{member.user_id}/invite"
    bad = await client.post(url, data={"csrf": token, "email": "pas une adresse"})
    assert bad.status == 400 and "adresse" in await bad.text()
    sent = await client.post(url, data={"csrf": token, "email": "odile@college.example"})
    assert sent.status == 200 and "Invitation envoyée" in await sent.text()
    invitation = await Invitation.get(email="odile@college.example")
    assert invitation.user_id == member.user_id and invitation.role == Role.TEACHER
