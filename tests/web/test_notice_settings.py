"""Reminders, the weekly summary and the SMS / call quotas: in the settings API and on the
panel's notices settings page (admins only)."""

from __future__ import annotations

import pytest

from core.models import AuditEntry, School
from tests.web.conftest import Api
from tests.web.settings_support import UAI_A, UAI_B, Client, log_in, post, settings, two_schools

SETTINGS = f"/schools/{UAI_A}/settings"
NEW = ("reminder_after_days", "weekly_summary", "call_monthly_quota", "quota_alert_percent")


async def test_the_api_reads_and_changes_the_dated_notice_settings(api: Api) -> None:
    status, found = await api.call("GET", SETTINGS, as_="teacher")
    assert status == 200
    assert {k: found[k] for k in (*NEW, "sms_monthly_quota")} == {
        "reminder_after_days": 3,
        "weekly_summary": False,
        "call_monthly_quota": None,
        "quota_alert_percent": 80,
        "sms_monthly_quota": None,
    }
    change = {
        "reminder_after_days": 0,
        "weekly_summary": True,
        "call_monthly_quota": 200,
        "quota_alert_percent": 90,
    }
    assert (await api.call("PATCH", SETTINGS, as_="cpe", json=change))[0] == 403
    status, changed = await api.call("PATCH", SETTINGS, as_="admin", json=change)
    assert status == 200 and {k: changed[k] for k in NEW} == change
    row = await AuditEntry.filter(action="school.settings").order_by("-id").first()
    assert row is not None and row.after == change
    status, changed = await api.call(
        "PATCH", SETTINGS, as_="admin", json={"call_monthly_quota": None}
    )
    assert status == 200 and changed["call_monthly_quota"] is None  # null: no limit
    school = await School.get(uai=UAI_A)
    assert (school.reminder_after_days, school.weekly_summary) == (0, True)


@pytest.mark.parametrize(
    "change",
    [
        {"reminder_after_days": -1},
        {"reminder_after_days": 61},
        {"reminder_after_days": None},
        {"weekly_summary": None},
        {"weekly_summary": "sometimes"},
        {"quota_alert_percent": 101},
        {"call_monthly_quota": -5},
    ],
)
async def test_the_api_refuses_bad_values(api: Api, change: dict[str, object]) -> None:
    status, body = await api.call("PATCH", SETTINGS, as_="admin", json=change)
    assert (status, body["error"]["code"]) == (422, "invalid"), body
    assert next(iter(change)) in body["error"]["message"]
    status, found = await api.call("GET", SETTINGS)
    assert (found["reminder_after_days"], found["quota_alert_percent"]) == (3, 80)


async def test_the_openapi_document_describes_them(api: Api) -> None:
    response = await api.client.get("/api/v1/openapi.json")
    schemas = (await response.json())["components"]["schemas"]
    patch = schemas["SchoolSettingsPatch"]["properties"]
    assert set(NEW) <= set(patch) and set(NEW) <= set(schemas["SchoolSettings"]["properties"])
    assert "0: off" in str(patch["reminder_after_days"])


FORM = {
    "notice_delay_minutes": "20",
    "quiet_on": "on",
    "quiet_start": "20:00",
    "quiet_end": "08:00",
    "quiet_sundays": "on",
    "use_sms": "on",
    "rank_sms": "1",
    "reminder_after_days": "5",
    "weekly_summary": "on",
    "sms_monthly_quota": "1000",
    "call_monthly_quota": "",
    "quota_alert_percent": "75",
}


@pytest.fixture
async def admin(db: str, app_client: Client) -> dict[str, School]:
    schools = await two_schools()
    assert (await log_in(app_client, "admin")).status == 303
    return schools


async def test_the_admin_sets_reminders_summary_and_quotas_on_the_notices_page(
    admin: dict[str, School], app_client: Client
) -> None:
    page = await (await app_client.get(settings("/notices"))).text()
    assert "Relancer la famille d&#39;une absence toujours non justifiée" in page
    assert 'name="reminder_after_days" type="number" min="0" max="60" required value="3"' in page
    assert 'name="quota_alert_percent"' in page and 'value="80"' in page
    response = await post(app_client, settings("/notices"), FORM)
    assert response.status == 303
    school = await School.get(uai=UAI_A)
    assert (school.reminder_after_days, school.weekly_summary) == (5, True)
    assert (school.sms_monthly_quota, school.call_monthly_quota) == (1000, None)
    assert school.quota_alert_percent == 75
    page = await (await app_client.get(settings("/notices"))).text()
    assert 'name="sms_monthly_quota" type="number" min="0" value="1000"' in page
    assert 'name="call_monthly_quota" type="number" min="0" value=""' in page
    off = {k: v for k, v in FORM.items() if k != "weekly_summary"} | {"reminder_after_days": "0"}
    assert (await post(app_client, settings("/notices"), off)).status == 303
    school = await School.get(uai=UAI_A)
    assert (school.reminder_after_days, school.weekly_summary) == (0, False)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("reminder_after_days", "-2"),
        ("reminder_after_days", "trois"),
        ("quota_alert_percent", "150"),
        ("sms_monthly_quota", "-1"),
    ],
)
async def test_a_bad_value_is_said_by_the_form_and_nothing_changes(
    admin: dict[str, School], app_client: Client, field: str, value: str
) -> None:
    response = await post(app_client, settings("/notices"), {**FORM, field: value})
    page = await response.text()
    assert response.status == 400 and 'role="alert"' in page and "Nombre attendu" in page
    assert f'value="{value}"' in page  # what was typed stays
    school = await School.get(uai=UAI_A)
    assert (school.reminder_after_days, school.quota_alert_percent) == (3, 80)


@pytest.mark.parametrize("who", ["cpe", "admin_b"])
async def test_only_the_schools_admin_changes_them(db: str, app_client: Client, who: str) -> None:
    await two_schools()
    assert (await log_in(app_client, who)).status == 303
    response = await post(app_client, settings("/notices"), FORM)
    assert response.status == 403
    assert (await School.get(uai=UAI_A)).reminder_after_days == 3
    assert (await School.get(uai=UAI_B)).reminder_after_days == 3
