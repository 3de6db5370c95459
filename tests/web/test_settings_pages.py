"""The settings pages over real HTTP: who may open them, and each kind of change."""

from __future__ import annotations

import html
import re

import pytest

from core.models import AuditEntry, Membership, Reason, Role, School, TimetableSlot, User
from tests.web.settings_support import (
    PEOPLE,
    UAI_A,
    UAI_B,
    Client,
    csrf_of,
    log_in,
    post,
    settings,
    two_schools,
)
from web.panel.settings import ROUTES


@pytest.fixture
async def schools(db: str, app_client: Client) -> dict[str, School]:
    return await two_schools()


async def knock(client: Client, method: str, path: str, token: str) -> int:
    """The status of one request on a settings route of school A, with any id."""
    url = path.replace("{uai}", UAI_A).replace("{id}", "1")
    data = {"csrf": token, "label": "x", "role": "admin", "zone": "A"}
    response = await client.request(method, url, data=data, allow_redirects=False)
    return response.status


async def test_every_route_is_admin_only(schools: dict[str, School], app_client: Client) -> None:
    assert len(ROUTES) >= 30
    for who in ("admin_b", "cpe", "direction", "vie", "teacher"):
        await log_in(app_client, who)  # (ends the browser's previous session: audited)
        token = await csrf_of(app_client, "/account")
        before = await AuditEntry.all().count()
        for method, path, _ in ROUTES:
            assert await knock(app_client, method, path, token) == 403, (who, method, path)
        assert await AuditEntry.all().count() == before  # nothing changed anywhere


async def test_school_b_admin_reads_nothing_of_school_a(
    schools: dict[str, School], app_client: Client
) -> None:
    await log_in(app_client, "admin_b")
    for method, path, _ in ROUTES:
        if method == "GET":
            response = await app_client.get(path.replace("{uai}", UAI_A).replace("{id}", "1"))
            assert response.status == 403
            assert "Collège A" not in await response.text()
    assert (await app_client.get(f"/s/{UAI_B}/settings/timetable")).status == 200


async def test_a_stranger_is_sent_to_log_in(schools: dict[str, School], app_client: Client) -> None:
    response = await app_client.get(settings("/general"), allow_redirects=False)
    assert (response.status, response.headers["Location"]) == (303, "/login")


async def test_the_admin_opens_every_page(schools: dict[str, School], app_client: Client) -> None:
    await log_in(app_client, "admin")
    reason = await Reason.filter(school=schools[UAI_A]).first()
    assert reason is not None
    for method, path, _ in ROUTES:
        if method == "GET":
            url = path.replace("{uai}", UAI_A).replace("{id}", str(reason.id))
            response = await app_client.get(url)
            assert response.status == 200, url
            assert "Paramètres de l&#39;établissement" in await response.text()
    missing = await app_client.get(settings("/reasons/999999"))
    assert missing.status == 404


async def test_a_form_without_its_token_changes_nothing(
    schools: dict[str, School], app_client: Client
) -> None:
    await log_in(app_client, "admin")
    form = {"weekday": "5", "start": "08:00", "end": "09:00"}
    response = await app_client.post(settings("/timetable"), data=form)
    assert response.status == 403
    assert not await TimetableSlot.exists(weekday=5)


async def test_a_slot_is_added_and_an_overlap_is_refused_in_french(
    schools: dict[str, School], app_client: Client
) -> None:
    await log_in(app_client, "admin")
    form = {"weekday": "5", "start": "08:00", "end": "09:00", "label": "S1"}
    response = await post(app_client, settings("/timetable"), form)
    assert (response.status, response.headers["Location"]) == (303, settings("/timetable"))
    page = await (await app_client.get(settings("/timetable"))).text()
    assert "Créneau ajouté." in page and 'value="S1"' in page
    clash = {"weekday": "5", "start": "08:30", "end": "09:30", "label": "S2"}
    response = await post(app_client, settings("/timetable"), clash)
    assert response.status == 400
    assert "chevauche un autre créneau" in await response.text()
    bad = await post(app_client, settings("/timetable"), {**clash, "start": "8h"})
    assert "Heure attendue" in await bad.text()
    slot = await TimetableSlot.get(school=schools[UAI_A], weekday=5)
    edit = {f"weekday-{slot.id}": "5", f"start-{slot.id}": "10:00", f"end-{slot.id}": "11:00"}
    assert (await post(app_client, settings("/timetable/save"), edit)).status == 303
    assert (await TimetableSlot.get(id=slot.id)).start_minute == 600
    gone = await post(app_client, settings(f"/timetable/{slot.id}/delete"), {})
    assert gone.status == 303 and not await TimetableSlot.exists(id=slot.id)
    actions = await AuditEntry.filter(actor_label=PEOPLE["admin"][0]).values_list(
        "action", flat=True
    )
    assert sorted(str(a) for a in actions) == [
        "timetable.add",
        "timetable.edit",
        "timetable.remove",
    ]


async def test_the_timetable_is_saved_in_one_form_every_row_or_none(
    schools: dict[str, School], app_client: Client
) -> None:
    await log_in(app_client, "admin")
    slots = await TimetableSlot.filter(school=schools[UAI_A], weekday=0).order_by("start_minute")
    first, second = slots[0], slots[1]
    page = await (await app_client.get(settings("/timetable"))).text()
    assert page.count('action="' + settings("/timetable/save") + '"') == 1  # one form, one button
    assert page.count("Enregistrer l&#39;emploi du temps") == 1

    async def save(second_start: str, second_end: str) -> tuple[int, str]:
        """Post the form: the first slot moved to 07:45–08:50, the second as given."""
        form: dict[str, str] = {}
        for slot, start, end in ((first, "07:45", "08:50"), (second, second_start, second_end)):
            values = {"weekday": "0", "start": start, "end": end, "label": f"M{slot.id}"}
            form |= {f"{name}-{slot.id}": value for name, value in values.items()}
        response = await post(app_client, settings("/timetable/save"), form)
        return response.status, html.unescape(await response.text())

    status, said = await save("10:00", "9h")
    assert status == 400 and "Rien n'a été enregistré" in said
    assert f'id="error-slot-{second.id}"' in said and "Heure attendue au format HH:MM." in said
    assert (await TimetableSlot.get(id=first.id)).start_minute == first.start_minute  # none
    status, said = await save("08:30", "09:30")
    assert status == 400 and "chevauche un autre créneau" in said
    assert 'value="08:30"' in said  # the row as typed, to correct
    assert (await save("08:50", "09:50"))[0] == 303
    assert (
        "Emploi du temps enregistré." in await (await app_client.get(settings("/timetable"))).text()
    )
    assert [
        (s.start_minute, s.label)
        for s in await TimetableSlot.filter(id__in=[first.id, second.id]).order_by("start_minute")
    ] == [(465, f"M{first.id}"), (530, f"M{second.id}")]
    assert await AuditEntry.filter(action="timetable.edit").count() == 2


async def test_an_id_of_another_school_is_not_found(
    schools: dict[str, School], app_client: Client
) -> None:
    slot_b = await TimetableSlot.filter(school=schools[UAI_B]).first()
    assert slot_b is not None
    await log_in(app_client, "admin")
    response = await post(app_client, settings(f"/timetable/{slot_b.id}/delete"), {})
    assert response.status == 404
    assert await TimetableSlot.exists(id=slot_b.id)


async def test_closed_days_and_the_holiday_import(
    schools: dict[str, School], app_client: Client
) -> None:
    await log_in(app_client, "admin")
    form = {"day": "2026-03-06", "half": "pm", "label": "Journée pédagogique"}
    assert (await post(app_client, settings("/calendar"), form)).status == 303
    again = await post(app_client, settings("/calendar"), form)
    assert again.status == 409 and "déjà fermé" in await again.text()
    response = await post(app_client, settings("/calendar/import"), {"zone": "C"})
    assert response.status == 303
    page = await (await app_client.get(settings("/calendar"))).text()
    assert re.search(r"\d+ jours? fermés? ajoutés?", page)
    assert "Journée pédagogique" in page and "Fête du Travail" in page
    assert (await post(app_client, settings("/calendar/import"), {"zone": "Z"})).status == 400


async def test_a_user_of_two_schools_has_the_rights_of_each_role_in_each(
    schools: dict[str, School], app_client: Client
) -> None:
    admin = await User.get(email=PEOPLE["admin"][0])
    await Membership.create(user=admin, school=schools[UAI_B], role=Role.CPE)
    await log_in(app_client, "admin")
    assert (await app_client.get(settings("/staff"))).status == 200
    assert (await app_client.get(f"/s/{UAI_B}/settings/staff")).status == 403
