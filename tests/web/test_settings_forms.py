"""The settings forms over real HTTP: reasons, types, general settings, notices, colours, staff."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest

from core.models import (
    ActionType,
    AuditEntry,
    ClosedDay,
    JustificationType,
    Membership,
    Reason,
    Role,
    School,
    User,
)
from core.queries.common import school_year_dates
from core.rules.calendar import school_year_of
from core.services.schools.closed_days import national_closures
from tests.web.settings_support import (
    GENERAL_FORM,
    UAI_A,
    Client,
    log_in,
    post,
    settings,
    two_schools,
)

REASON = {
    "code": "STAGE",
    "label": "Stage en entreprise",
    "generic": "ACTIVITE_ETAB",
    "colour": "#8cd17d",
    "legitimate": "judged",
    "for_absence": "on",
}


@pytest.fixture
async def admin(db: str, app_client: Client) -> dict[str, School]:
    schools = await two_schools()
    assert (await log_in(app_client, "admin")).status == 303
    return schools


async def test_a_reason_is_added_edited_and_deactivated(
    admin: dict[str, School], app_client: Client
) -> None:
    bad = await post(app_client, settings("/reasons"), {**REASON, "colour": "vert"})
    assert bad.status == 400 and "Couleur attendue" in await bad.text()
    assert 'value="Stage en entreprise"' in await bad.text()  # what was typed stays
    assert (await post(app_client, settings("/reasons"), REASON)).status == 303
    taken = await post(app_client, settings("/reasons"), REASON)
    assert taken.status == 409 and "déjà utilisé" in await taken.text()
    reason = await Reason.get(school=admin[UAI_A], code="STAGE")
    assert (reason.counts, reason.for_lateness, reason.legitimate_by_default) == (
        False,
        False,
        None,
    )
    edit = {**REASON, "label": "Stage", "counts": "on", "legitimate": "yes"}
    assert (await post(app_client, settings(f"/reasons/{reason.id}"), edit)).status == 303
    await reason.refresh_from_db()
    assert (reason.label, reason.counts, reason.legitimate_by_default) == ("Stage", True, True)
    page = await (await app_client.get(settings(f"/reasons/{reason.id}"))).text()
    assert "Modifier le motif STAGE" in page
    assert (await post(app_client, settings(f"/reasons/{reason.id}/active"), {})).status == 303
    await reason.refresh_from_db()
    assert not reason.active
    actions = set(await AuditEntry.all().values_list("action", flat=True))
    assert {"reason.create", "reason.edit"} <= actions


async def test_justification_and_action_types(admin: dict[str, School], app_client: Client) -> None:
    form = {"code": "MAIL", "label": "Courriel", "provisional": "on"}
    assert (await post(app_client, settings("/justifications"), form)).status == 303
    row = await JustificationType.get(school=admin[UAI_A], code="MAIL")
    assert row.provisional
    edit = {"label": "Courriel des parents", "active": "on"}
    assert (await post(app_client, settings(f"/justifications/{row.id}"), edit)).status == 303
    await row.refresh_from_db()
    assert (row.label, row.provisional, row.active) == ("Courriel des parents", False, True)
    bad = await post(app_client, settings("/actions"), {"code": "é", "label": "x"})
    assert bad.status == 400 and "lettres majuscules" in await bad.text()
    created = await post(app_client, settings("/actions"), {"code": "VISITE", "label": "Visite"})
    assert created.status == 303
    action = await ActionType.get(school=admin[UAI_A], code="VISITE")
    assert (await post(app_client, settings(f"/actions/{action.id}"), {"label": "V"})).status == 303
    await action.refresh_from_db()
    assert (action.label, action.active) == ("V", False)


async def test_general_settings_go_through_the_settings_service(
    admin: dict[str, School], app_client: Client
) -> None:
    form = {
        "name": "Collège A",
        "timezone": "Europe/Paris",
        "midday": "11:55",
        "midday_tolerance_minutes": "5",
        "counting_mode": "complete",
        "lateness_threshold_minutes": "20",
        "absence_threshold_half_days": "4",
        "persistent_threshold_half_days": "3",
        "holiday_zone": "B",
    }
    bad = await post(app_client, settings("/general"), form)
    assert bad.status == 400 and "seuil persistant" in await bad.text()
    form["persistent_threshold_half_days"] = "12"
    assert (await post(app_client, settings("/general"), form)).status == 303
    school = await School.get(uai=UAI_A)
    assert (school.midday, school.counting_mode, school.holiday_zone) == ("11:55", "complete", "B")
    assert school.midday_tolerance_minutes == 5
    over = await post(app_client, settings("/general"), {**form, "midday_tolerance_minutes": "61"})
    assert over.status == 400 and "Nombre attendu entre 0 et 60" in html.unescape(await over.text())
    row = await AuditEntry.filter(action="school.settings").order_by("-id").first()
    assert row is not None and row.after is not None and row.after["midday"] == "11:55"
    bad_zone = await post(app_client, settings("/general"), {**form, "timezone": "Mars/Olympus"})
    said = html.unescape(await bad_zone.text())
    assert bad_zone.status == 400 and "Fuseau horaire : fuseau horaire inconnu" in said
    assert "unknown time zone" not in said


async def test_quiet_hours_and_channels(admin: dict[str, School], app_client: Client) -> None:
    form = {
        "notice_delay_minutes": "10",
        "quiet_on": "on",
        "quiet_start": "21:00",
        "quiet_end": "07:30",
        "use_sms": "on",
        "rank_sms": "1",
        "use_email": "on",
        "rank_email": "2",
        "use_chat": "on",
        "rank_chat": "3",
    }
    assert (await post(app_client, settings("/notices"), form)).status == 303
    school = await School.get(uai=UAI_A)
    assert school.quiet_hours == {"start": "21:00", "end": "07:30", "sundays": False}
    assert school.channel_order == ["sms", "email", "chat"]
    assert school.notice_delay_minutes == 10
    off = {k: v for k, v in form.items() if k != "quiet_on"}
    assert (await post(app_client, settings("/notices"), off)).status == 303
    assert (await School.get(uai=UAI_A)).quiet_hours is None
    none = {"notice_delay_minutes": "10"}
    response = await post(app_client, settings("/notices"), none)
    assert response.status == 400 and "au moins un canal" in await response.text()
    equal = {**form, "quiet_start": "20:00", "quiet_end": "20:00"}
    response = await post(app_client, settings("/notices"), equal)
    said = html.unescape(await response.text())
    assert response.status == 400 and "le début et la fin doivent différer" in said
    tie = {**form, "rank_email": "1"}
    response = await post(app_client, settings("/notices"), tie)
    said = html.unescape(await response.text())
    assert response.status == 400 and "Deux canaux ne peuvent pas avoir le même rang" in said
    school = await School.get(uai=UAI_A)
    assert school.channel_order == ["sms", "email", "chat"] and school.quiet_hours is None


async def test_colours(admin: dict[str, School], app_client: Client) -> None:
    form = {"absence": "#112233", "lateness": "#445566", "other": "#778899"}
    assert (await post(app_client, settings("/colours"), form)).status == 303
    assert (await School.get(uai=UAI_A)).colours == form
    bad = await post(app_client, settings("/colours"), {**form, "other": "bleu"})
    assert bad.status == 400


async def test_staff_accounts(admin: dict[str, School], app_client: Client) -> None:
    user = await User.get(email="prof@a.example.org")
    role = await post(app_client, settings(f"/staff/{user.id}/role"), {"role": "cpe"})
    assert role.status == 303
    assert (await Membership.get(user=user)).role == Role.CPE
    admin_user = await User.get(email="admin@a.example.org")
    last = await post(app_client, settings(f"/staff/{admin_user.id}/remove"), {})
    assert last.status == 409 and "au moins un administrateur" in await last.text()
    gone = await post(app_client, settings(f"/staff/{user.id}/remove"), {})
    assert gone.status == 303
    assert not await Membership.exists(user=user)
    twice = await post(
        app_client, settings("/staff"), {"email": "cpe@a.example.org", "role": "cpe"}
    )
    assert twice.status == 409
    other = await post(
        app_client, settings("/staff"), {"email": "admin@b.example.org", "role": "teacher"}
    )
    assert other.status == 303  # an invitation, as for anyone: nothing attached, nothing said
    b_admin = await User.get(email="admin@b.example.org")
    assert await Membership.filter(user=b_admin).count() == 1


async def test_the_admin_lets_teachers_see_reasons_from_the_general_settings(
    admin: dict[str, School], app_client: Client
) -> None:
    page = await (await app_client.get(settings("/general"))).text()
    assert "Les professeurs voient le motif des absences de leurs élèves" in page
    assert re.search(r'name="teachers_see_reasons"[^>]*checked', page) is None  # off at first
    form = {**GENERAL_FORM, "teachers_see_reasons": "on"}
    assert (await post(app_client, settings("/general"), form)).status == 303
    assert (await School.get(uai=UAI_A)).teachers_see_reasons is True
    row = await AuditEntry.filter(action="school.settings").order_by("-id").first()
    assert row is not None and row.before is not None and row.after is not None
    assert (row.before["teachers_see_reasons"], row.after["teachers_see_reasons"]) == (False, True)
    page = await (await app_client.get(settings("/general"))).text()
    assert re.search(r'name="teachers_see_reasons"[^>]*checked', page) is not None
    del form["teachers_see_reasons"]  # an unticked box is not sent
    assert (await post(app_client, settings("/general"), form)).status == 303
    assert (await School.get(uai=UAI_A)).teachers_see_reasons is False


async def test_the_admin_sets_what_letters_say_of_the_school(
    admin: dict[str, School], app_client: Client
) -> None:
    page = await (await app_client.get(settings("/general"))).text()
    assert "Signataire des courriers de la vie scolaire" in page
    letters = {
        "part": "letters",
        "city": "Lyon",
        "phone": "04 72 00 00 00",
        "signatory_name": "Mme Lefèvre",
        "signatory_title": "CPE",
        "head_name": "M. Bernard",
        "head_title": "Principal",
    }
    bad = await post(app_client, settings("/general"), {**letters, "phone": "pas un numéro"})
    text = await bad.text()
    assert bad.status == 400 and "Téléphone : un numéro de téléphone est attendu" in text
    assert 'value="pas un numéro"' in text  # what was typed stays in its form
    school = await School.get(uai=UAI_A)
    assert "signatory_name" not in school.letterhead  # nothing half-applied

    assert (await post(app_client, settings("/general"), letters)).status == 303
    school = await School.get(uai=UAI_A)
    assert school.letterhead["signatory_name"] == "Mme Lefèvre"
    assert school.letterhead["phone"] == "04 72 00 00 00"
    row = await AuditEntry.filter(action="school.letterhead").order_by("-id").first()
    assert row is not None and row.after is not None and row.after["city"] == "Lyon"
    assert school.midday == "12:00"  # the general settings are left alone


async def _national(school: School) -> dict[date, str]:
    rows = await ClosedDay.filter(school=school, national=True)
    return {r.day: r.label for r in rows}


async def test_the_zone_chosen_in_the_settings_fills_the_calendar(
    admin: dict[str, School], app_client: Client
) -> None:
    school = admin[UAI_A]
    page = html.unescape(await (await app_client.get(settings("/general"))).text())
    assert '<option value="La Réunion"' in page and '<option value="Corse"' in page
    first, last = await school_year_dates(school, school_year_of(date.today()))
    form = {**GENERAL_FORM, "holiday_zone": "C"}
    assert (await post(app_client, settings("/general"), form)).status == 303
    assert await _national(school) == national_closures("C", first, last)
    hand = {"day": first.isoformat(), "half": "pm", "label": "Journée pédagogique"}
    if first.weekday() == 6:
        hand["day"] = date.fromordinal(first.toordinal() + 1).isoformat()
    assert (await post(app_client, settings("/calendar"), hand)).status == 303

    assert (
        await post(app_client, settings("/general"), {**form, "holiday_zone": "B"})
    ).status == 303
    assert await _national(school) == national_closures("B", first, last)
    assert await ClosedDay.filter(school=school, national=False).count() == 1
    assert (await School.get(id=school.id)).holiday_zone == "B"

    bad = await post(app_client, settings("/general"), {**form, "holiday_zone": "Z"})
    said = html.unescape(await bad.text())
    assert bad.status == 400
    assert "choisissez la zone A, B, C, Corse ou une académie d'outre-mer" in said
    assert (await School.get(id=school.id)).holiday_zone == "B"
    assert await _national(school) == national_closures("B", first, last)

    calendar = html.unescape(await (await app_client.get(settings("/calendar"))).text())
    assert "Vacances de la Toussaint" in calendar and "Journée pédagogique" in calendar
