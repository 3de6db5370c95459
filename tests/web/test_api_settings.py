"""GET and PATCH /schools/{uai}/settings."""

from __future__ import annotations

from core.models import AuditEntry
from tests.web.conftest import MONDAY, UAI_A, Api, at

SETTINGS = f"/schools/{UAI_A}/settings"


async def test_it_reads_the_settings(api: Api) -> None:
    status, settings = await api.call("GET", SETTINGS, as_="teacher")
    assert status == 200
    assert settings["uai"] == UAI_A
    assert settings["timezone"] == "Europe/Paris"
    assert settings["midday"] == "12:00"
    assert settings["notice_delay_minutes"] == 20
    assert settings["quiet_hours"] == {"start": "20:00", "end": "08:00", "sundays": True}
    assert settings["channel_order"] == ["chat", "sms", "call", "email", "letter"]
    assert settings["absence_threshold_half_days"] == 4


async def test_it_changes_only_the_settings_given(api: Api) -> None:
    change = {"quiet_hours": None, "notice_delay_minutes": 5, "channel_order": ["sms"]}
    status, _ = await api.call("PATCH", SETTINGS, as_="cpe", json=change)
    assert status == 403  # only the admin has the settings right
    status, settings = await api.call("PATCH", SETTINGS, as_="admin", json=change)
    assert status == 200, settings
    assert {k: settings[k] for k in change} == change  # null turns the quiet hours off
    assert settings["midday"] == "12:00"
    assert (await api.call("GET", SETTINGS))[1] == settings
    row = await AuditEntry.get(action="school.settings")
    assert (row.actor_label, row.after) == ("admin@a.example.org", change)
    quiet = {"start": "21:00", "end": "07:30", "sundays": False}
    status, settings = await api.call("PATCH", SETTINGS, as_="admin", json={"quiet_hours": quiet})
    assert settings["quiet_hours"] == quiet


async def test_bad_settings_are_refused(api: Api) -> None:
    for change, words in [
        ({"timezone": "Europe/Atlantis"}, "timezone: unknown time zone"),
        ({"midday": "25:00"}, "midday"),
        ({"quiet_hours": {"start": "8h"}}, "quiet_hours.start"),
        ({"notice_delay_minutes": None}, "cannot be null"),
        ({"channel_order": ["sms", "sms"]}, "repeat"),
        ({"colours": {}}, "colours"),
        ({"absence_threshold_half_days": 20}, "persistent_threshold_half_days"),
    ]:
        status, body = await api.call("PATCH", SETTINGS, as_="admin", json=change)
        code = "persistent_below_monthly" if "absence_threshold_half_days" in change else "invalid"
        assert (status, body["error"]["code"]) == (422, code), change
        assert words in body["error"]["message"], body
    status, body = await api.call("PATCH", SETTINGS, as_="admin", data="{")
    assert (status, body["error"]["code"]) == (400, "invalid")
    assert (await api.call("GET", SETTINGS))[1]["timezone"] == "Europe/Paris"


async def test_times_follow_the_school_time_zone(api: Api) -> None:
    new = {
        "student_id": api.sid("marie"),
        "kind": "absence",
        "start": at(MONDAY, 8).isoformat(),
        "end": at(MONDAY, 10).isoformat(),
    }
    status, event = await api.call("POST", f"/schools/{UAI_A}/events", json=new)
    assert status == 201
    assert event["start"] == "2026-03-02T08:00:00+01:00"
    change = {"timezone": "America/Cayenne"}
    assert (await api.call("PATCH", SETTINGS, as_="admin", json=change))[0] == 200
    status, shown = await api.call("GET", f"/schools/{UAI_A}/events/{event['id']}")
    assert (status, shown["start"]) == (200, "2026-03-02T04:00:00-03:00")


async def test_the_admin_lets_teachers_see_reasons(api: Api) -> None:
    status, settings = await api.call("GET", SETTINGS, as_="admin")
    assert (status, settings["teachers_see_reasons"]) == (200, False)
    change = {"teachers_see_reasons": True}
    status, _ = await api.call("PATCH", SETTINGS, as_="cpe", json=change)
    assert status == 403
    status, settings = await api.call("PATCH", SETTINGS, as_="admin", json=change)
    assert (status, settings["teachers_see_reasons"]) == (200, True)
    row = await AuditEntry.get(action="school.settings")
    assert (row.before, row.after) == (
        {"teachers_see_reasons": False},
        {"teachers_see_reasons": True},
    )
    status, body = await api.call(
        "PATCH", SETTINGS, as_="admin", json={"teachers_see_reasons": None}
    )
    assert status == 422, body
