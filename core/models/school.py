"""The school aggregate: the school and its settings, year, periods, closed days, timetable."""

from __future__ import annotations

from datetime import time
from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from core.rules.calendar import MIDDAY_TOLERANCE_DEFAULT
from core.rules.channels import default_order
from core.rules.years import RETENTION_DEFAULT

if TYPE_CHECKING:
    from core.models.structure import Division


class CountingModeField(StrEnum):
    RAW = "raw"
    COMPLETE = "complete"
    PROPORTIONAL = "proportional"


class HalfField(StrEnum):
    MORNING = "am"
    AFTERNOON = "pm"
    FULL_DAY = "day"


DEFAULT_QUIET_HOURS = {"start": "20:00", "end": "08:00", "sundays": True}
DEFAULT_COLOURS = {"absence": "#d9534f", "lateness": "#f0ad4e", "other": "#5bc0de"}


def default_quiet_hours() -> dict[str, object]:
    return dict(DEFAULT_QUIET_HOURS)


def default_channel_order() -> list[str]:
    return default_order()


def default_colours() -> dict[str, str]:
    return dict(DEFAULT_COLOURS)


class School(Model):
    """A collège or lycée, keyed on its UAI — settings are columns so scripts can rely on them."""

    id = fields.IntField(primary_key=True)
    uai = fields.CharField(max_length=8, unique=True)
    name = fields.CharField(max_length=200)
    timezone = fields.CharField(max_length=64, default="Europe/Paris")
    # A, B, C, Corse or an overseas académie (core/rules/holiday_zones.py); None: not known
    holiday_zone = fields.CharField(max_length=30, null=True)
    letterhead: fields.Field[dict[str, object]] = fields.JSONField(default=dict)
    language = fields.CharField(max_length=5, default="fr")
    midday = fields.CharField(max_length=5, default="12:00")
    # a lesson running over midday by at most this many minutes belongs whole to the half-day
    # it mostly lies in (core.rules.calendar.SchoolCalendar.whole_half)
    midday_tolerance_minutes = fields.SmallIntField(default=MIDDAY_TOLERANCE_DEFAULT)
    counting_mode = fields.CharEnumField(CountingModeField, default=CountingModeField.RAW)
    lateness_threshold_minutes = fields.IntField(default=30)
    notice_delay_minutes = fields.IntField(default=20)
    notify_lateness = fields.BooleanField(default=False)  # lateness notices too, not only absences
    # an absence entered after its day is still notified when it is at most this many days old
    late_notice_days = fields.SmallIntField(default=7)
    quiet_hours: fields.Field[dict[str, object] | None] = fields.JSONField(
        null=True, default=default_quiet_hours
    )
    channel_order: fields.Field[list[str]] = fields.JSONField(default=default_channel_order)
    absence_threshold_half_days = fields.IntField(default=4)
    persistent_threshold_half_days = fields.IntField(default=10)
    sms_monthly_quota = fields.IntField(null=True)  # None: no limit
    call_monthly_quota = fields.IntField(null=True)  # None: no limit
    quota_alert_percent = fields.SmallIntField(default=80)  # warn staff at this share of a quota
    reminder_after_days = fields.SmallIntField(default=3)  # 0: no reminder of unjustified absences
    weekly_summary = fields.BooleanField(default=False)  # a weekly summary letter to families
    # the school's own SMS sender (E.164 number or name) when it has one: replies sent to it
    # from unknown numbers come to this school
    sms_sender = fields.CharField(max_length=20, null=True)
    reply_to = fields.CharField(max_length=254, null=True)  # vie scolaire: notices' Reply-To
    # Teachers see the reason of their own pupils' absences (never its comment nor a medical
    # detail); off: the generic reason's label only.
    teachers_see_reasons = fields.BooleanField(default=False)
    # school years kept, the current one included: older ones go with `absences purge`
    retention_years = fields.SmallIntField(default=RETENTION_DEFAULT)
    planned_on = fields.DateField(null=True)  # last local day the dated notices were planned
    colours: fields.Field[dict[str, str]] = fields.JSONField(default=default_colours)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    divisions: fields.ReverseRelation[Division]

    class Meta:
        table = "school"

    def __str__(self) -> str:
        return f"{self.uai} {self.name}"


class SchoolYear(Model):
    """A school year, e.g. start_year 2025 for 2025-26 (SIECLE's ANNEE_SCOLAIRE)."""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="years", on_delete=fields.CASCADE
    )
    start_year = fields.IntField()
    starts_on = fields.DateField()
    ends_on = fields.DateField()
    current = fields.BooleanField(default=True)

    class Meta:
        table = "school_year"
        unique_together = (("school", "start_year"),)


class Period(Model):
    """A period of the year (trimestre, semestre) for report cards and statistics."""

    id = fields.IntField(primary_key=True)
    year: fields.ForeignKeyRelation[SchoolYear] = fields.ForeignKeyField(
        "models.SchoolYear", related_name="periods", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=60)
    starts_on = fields.DateField()
    ends_on = fields.DateField()

    class Meta:
        table = "period"


class ClosedDay(Model):
    """A day (or half-day) without lessons: holidays, public holidays, school-specific closures."""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="closed_days", on_delete=fields.CASCADE
    )
    day = fields.DateField()
    half = fields.CharEnumField(HalfField, default=HalfField.FULL_DAY)
    label = fields.CharField(max_length=120, default="")
    # filled from the school's holiday zone and the public holidays (replaced when the zone
    # changes); False: added by staff, never touched by the fill
    national = fields.BooleanField(default=False)

    class Meta:
        table = "closed_day"
        unique_together = (("school", "day", "half"),)


class TimetableSlot(Model):
    """One slot of the entry grid, in local wall time — its half follows the midday boundary."""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="slots", on_delete=fields.CASCADE
    )
    weekday = fields.SmallIntField()  # 0 = Monday
    # Minutes since local midnight: portable across databases (no TIME / TIMETZ quirks).
    start_minute = fields.SmallIntField()
    end_minute = fields.SmallIntField()
    label = fields.CharField(max_length=20, default="")

    class Meta:
        table = "timetable_slot"
        unique_together = (("school", "weekday", "start_minute"),)
        ordering = ["weekday", "start_minute"]

    @property
    def starts_at(self) -> time:
        return minutes_to_time(self.start_minute)

    @property
    def ends_at(self) -> time:
        return minutes_to_time(self.end_minute)


def minutes_to_time(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def time_to_minutes(value: time) -> int:
    return value.hour * 60 + value.minute
