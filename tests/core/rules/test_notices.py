"""Notice policies: send-after delay, quiet hours, one notice per half-day, who and how."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.rules.calendar import Half, HalfDayKey
from core.rules.notices import (
    MAX_ATTEMPTS,
    ContactOption,
    GuardianOption,
    PlannedDelivery,
    QuietHours,
    channel_plan,
    dedupe_key,
    in_quiet_hours,
    moves_forward,
    next_allowed,
    not_before,
    notice_kind_for,
    recipients,
    retry_delay,
)

PARIS = ZoneInfo("Europe/Paris")
DEFAULT_QUIET = QuietHours(time(20), time(8), sundays=True)


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


TUESDAY = date(2026, 3, 3)
SATURDAY = date(2026, 3, 7)
SUNDAY = date(2026, 3, 8)
MONDAY = date(2026, 3, 9)


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [
        (paris(TUESDAY, 21), True),
        (paris(TUESDAY, 7, 59), True),
        (paris(TUESDAY, 8), False),
        (paris(TUESDAY, 19, 59), False),
        (paris(TUESDAY, 20), True),
        (paris(SUNDAY, 12), True),
        (paris(SATURDAY, 12), False),
    ],
)
def test_quiet_hours_span_the_night_and_sundays(moment: datetime, quiet: bool) -> None:
    assert in_quiet_hours(moment, PARIS, DEFAULT_QUIET) is quiet


def test_no_quiet_hours_means_any_time() -> None:
    assert not in_quiet_hours(paris(SUNDAY, 3), PARIS, None)


def test_an_sms_recorded_at_night_leaves_at_eight() -> None:
    due = not_before(
        paris(TUESDAY, 22), delay_minutes=20, channel="sms", tz=PARIS, quiet=DEFAULT_QUIET
    )
    assert due == paris(date(2026, 3, 4), 8)


def test_saturday_evening_waits_for_monday_morning() -> None:
    due = not_before(
        paris(SATURDAY, 19, 50), delay_minutes=20, channel="call", tz=PARIS, quiet=DEFAULT_QUIET
    )
    assert due == paris(MONDAY, 8)


def test_email_and_urgent_notices_ignore_quiet_hours() -> None:
    recorded = paris(TUESDAY, 22)
    kwargs = {"delay_minutes": 20, "tz": PARIS, "quiet": DEFAULT_QUIET}
    assert not_before(recorded, channel="email", **kwargs) == paris(TUESDAY, 22, 20)  # type: ignore[arg-type]
    assert not_before(recorded, channel="sms", urgent=True, **kwargs) == paris(TUESDAY, 22, 20)  # type: ignore[arg-type]


def test_the_delay_applies_in_the_day() -> None:
    due = not_before(
        paris(TUESDAY, 9, 5), delay_minutes=20, channel="sms", tz=PARIS, quiet=DEFAULT_QUIET
    )
    assert due == paris(TUESDAY, 9, 25)


def test_quiet_hours_follow_daylight_saving() -> None:
    # Sunday 29 March 2026 is the spring change: Monday 08:00 is 06:00 UTC.
    due = next_allowed(datetime(2026, 3, 28, 20, 30, tzinfo=UTC), PARIS, DEFAULT_QUIET)
    assert due == datetime(2026, 3, 30, 6, 0, tzinfo=UTC)


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)))
def test_next_allowed_is_never_quiet_and_never_early(naive: datetime) -> None:
    moment = naive.replace(tzinfo=UTC)
    allowed = next_allowed(moment, PARIS, DEFAULT_QUIET)
    assert allowed >= moment
    assert not in_quiet_hours(allowed, PARIS, DEFAULT_QUIET)


def test_one_key_per_student_half_day_and_kind() -> None:
    key = HalfDayKey(TUESDAY, Half.MORNING)
    assert dedupe_key("absence", 7, key) == "absence:7:2026-03-03:am"
    assert dedupe_key("absence", 7, key) != dedupe_key("lateness", 7, key)
    assert dedupe_key("absence", 7, key) != dedupe_key("absence", 8, key)


def guardian(
    person_id: int,
    level: int = 1,
    priority: int = 1,
    *contacts: ContactOption,
    receives: bool = True,
    preferred: str | None = None,
) -> GuardianOption:
    return GuardianOption(person_id, level, priority, receives, preferred, tuple(contacts))


MOBILE = ContactOption(1, "mobile", "+33612345678", usable=True)
LANDLINE = ContactOption(2, "landline", "+33142000000", usable=True)
EMAIL = ContactOption(3, "email", "parent@example.org", usable=True)
POSTAL = ContactOption(4, "postal", "12 rue des Lilas", usable=True)
OPTED_OUT = ContactOption(5, "mobile", "+33699999999", usable=False)


def test_legal_representatives_are_told_in_priority_order_and_contacts_never() -> None:
    father = guardian(2, 1, 2)
    mother = guardian(1, 1, 1)
    aunt = guardian(3, 3, 1)
    assert recipients([father, aunt, mother]) == [mother, father]


def test_persons_in_charge_are_told_when_there_is_no_legal_representative() -> None:
    foster = guardian(4, 2, 1)
    assert recipients([foster, guardian(3, 3, 1)]) == [foster]
    assert recipients([guardian(1, 1, 1, receives=False), foster]) == [foster]


def test_the_plan_follows_the_school_order_with_usable_contacts_only() -> None:
    parent = guardian(1, 1, 1, OPTED_OUT, LANDLINE, EMAIL, POSTAL)
    plan = channel_plan(parent, ["chat", "sms", "call", "email", "letter"])
    assert [p.channel for p in plan] == ["call", "email", "letter"]
    assert plan[0] == PlannedDelivery(1, 2, "call", "+33142000000")


def test_a_landline_is_never_an_sms() -> None:
    parent = guardian(1, 1, 1, LANDLINE)
    assert [p.channel for p in channel_plan(parent, ["sms"])] == []


def test_the_guardians_preference_comes_first() -> None:
    parent = guardian(1, 1, 1, MOBILE, EMAIL, preferred="email")
    assert [p.channel for p in channel_plan(parent, ["sms", "email"])] == ["email", "sms"]


# --- which events call for a notice, retries, status order, contact marks ---------------------


def kind_for(event_kind: str = "absence", **changes: object) -> str | None:
    values: dict[str, object] = dict(
        accepted=None, counts=True, deleted=False, source="desk", notify_lateness=False
    )
    values.update(changes)
    return notice_kind_for(event_kind, **values)  # type: ignore[arg-type]


def test_an_unjustified_absence_calls_for_a_notice_and_nothing_else_does() -> None:
    assert kind_for() == "absence"
    assert kind_for(accepted=False) == "absence"
    assert kind_for(accepted=True) is None
    assert kind_for(deleted=True) is None
    assert kind_for(counts=False) is None  # e.g. a school outing
    assert kind_for(source="family_notice") is None  # the family told us
    assert kind_for("lateness") is None
    assert kind_for("lateness", notify_lateness=True) == "lateness"
    assert kind_for("infirmary", notify_lateness=True) is None


def test_retries_back_off_then_give_up() -> None:
    waits = [retry_delay(n) for n in range(1, MAX_ATTEMPTS + 1)]
    assert [w.total_seconds() if w else None for w in waits] == [30, 120, 600, 3600, None]
    assert retry_delay(1, retry_after=90) == timedelta(seconds=90)
    assert retry_delay(1, retry_after=5) == timedelta(seconds=30)
    assert retry_delay(2, retry_after=86400) == timedelta(hours=1)


@pytest.mark.parametrize(
    ("current", "new", "ok"),
    [
        ("scheduled", "sending", True),
        ("sending", "delivered", True),
        ("sent", "delivered", True),
        ("sent", "undelivered", True),
        ("delivered", "sent", False),
        ("delivered", "failed", False),
        ("sent", "sent", False),
        ("cancelled", "delivered", False),
    ],
)
def test_reports_only_move_forward(current: str, new: str, ok: bool) -> None:
    assert moves_forward(current, new) is ok
