"""Schools: creation with their starting configuration, per-school settings, the calendar."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from tortoise.transactions import in_transaction

from core.bounds import MAX_COUNT, fits
from core.errors import Conflict, Invalid, NotFound, first_problem
from core.models import (
    ActionType,
    ClosedDay,
    GenericReason,
    JustificationType,
    Reason,
    School,
    SchoolYear,
    TimetableSlot,
)
from core.models.school import time_to_minutes
from core.rules import channels
from core.rules.calendar import Half, HalfDayKey, SchoolCalendar, Slot, default_slots
from core.services import audit
from core.services.audit import Actor
from core.services.schools.defaults import (
    ACTION_TYPES,
    GENERIC_REASONS,
    JUSTIFICATION_TYPES,
    LOCAL_REASONS,
)

UAI_PATTERN = re.compile(r"^[0-9]{7}[A-Z]$")
_HHMM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


def _check_hhmm(value: str) -> str:
    if not _HHMM.match(value):
        raise ValueError("must be a time HH:MM")
    return value


class QuietHours(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: str = "20:00"
    end: str = "08:00"
    sundays: bool = True

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        return _check_hhmm(value)


def _channel_enum(schema: dict[str, Any]) -> None:
    schema["enum"] = channels.channel_names()  # the table's, read when the schema is made


ChannelName = Annotated[
    str, AfterValidator(channels.check_channel), Field(json_schema_extra=_channel_enum)
]
NULLABLE_SETTINGS = frozenset(
    {"quiet_hours", "sms_monthly_quota", "call_monthly_quota", "holiday_zone"}
)


class SchoolSettingsPatch(BaseModel):
    """The per-school settings a script may change (all optional; only those given change)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    timezone: str | None = None
    midday: str | None = None
    counting_mode: Literal["raw", "complete", "proportional"] | None = None
    lateness_threshold_minutes: int | None = Field(default=None, ge=1, le=240)
    notice_delay_minutes: int | None = Field(default=None, ge=0, le=24 * 60)
    notify_lateness: bool | None = None
    quiet_hours: QuietHours | None = None
    channel_order: list[ChannelName] | None = Field(default=None, min_length=1)
    absence_threshold_half_days: int | None = Field(default=None, ge=1, le=60)
    persistent_threshold_half_days: int | None = Field(default=None, ge=1, le=200)
    sms_monthly_quota: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    call_monthly_quota: int | None = Field(
        default=None, ge=0, le=MAX_COUNT, description="automated calls a month; null: no limit"
    )
    quota_alert_percent: int | None = Field(
        default=None, ge=0, le=100, description="warn staff at this share of a quota (and 100)"
    )
    reminder_after_days: int | None = Field(
        default=None, ge=0, le=60, description="remind families of an unjustified absence; 0: off"
    )
    weekly_summary: bool | None = Field(
        default=None, description="a weekly summary of each student's events to the family"
    )
    holiday_zone: Literal["A", "B", "C"] | None = None
    language: Literal["fr", "en"] | None = None
    teachers_see_reasons: bool | None = Field(
        default=None,
        description="teachers see the reason of their own students' absences (never its "
        "comment nor a medical detail); false: only the national generic reason",
    )

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError("unknown time zone") from None
        return value

    @field_validator("midday")
    @classmethod
    def _midday(cls, value: str | None) -> str | None:
        return None if value is None else _check_hhmm(value)

    @model_validator(mode="after")
    def _no_null_for_required(self) -> SchoolSettingsPatch:
        for name in self.model_fields_set - NULLABLE_SETTINGS:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self

    @field_validator("channel_order")
    @classmethod
    def _unique(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("channels must not repeat")
        return value


class SchoolSettings(BaseModel):
    """The per-school settings as read by scripts."""

    uai: str
    name: str
    timezone: str
    midday: str
    counting_mode: str
    lateness_threshold_minutes: int
    notice_delay_minutes: int
    notify_lateness: bool
    quiet_hours: QuietHours | None
    channel_order: list[str]
    absence_threshold_half_days: int
    persistent_threshold_half_days: int
    sms_monthly_quota: int | None
    call_monthly_quota: int | None
    quota_alert_percent: int
    reminder_after_days: int
    weekly_summary: bool
    holiday_zone: str | None
    language: str
    teachers_see_reasons: bool


SETTINGS_FIELDS = tuple(SchoolSettingsPatch.model_fields)


def read_settings(school: School) -> SchoolSettings:
    values: dict[str, Any] = {name: getattr(school, name) for name in SETTINGS_FIELDS}
    values["counting_mode"] = str(values["counting_mode"])
    return SchoolSettings(uai=school.uai, **values)


def school_year_of(day: date) -> int:
    """The first year of the school year that contains ``day`` (2025 for 2025-26)."""
    return day.year if day.month >= 8 else day.year - 1


async def ensure_generic_reasons() -> None:
    """The national generic reasons exist (they are shared by every school)."""
    existing: set[str] = {str(c) for c in await GenericReason.all().values_list("code", flat=True)}
    missing = [
        GenericReason(
            code=g.code, label=g.label, legitimate_by_default=g.legitimate, counts=g.counts
        )
        for g in GENERIC_REASONS
        if g.code not in existing
    ]
    if missing:
        await GenericReason.bulk_create(missing)


async def create_school(
    uai: str,
    name: str,
    actor: Actor,
    *,
    timezone: str = "Europe/Paris",
    today: date | None = None,
    letterhead: dict[str, object] | None = None,
) -> School:
    """Create a school with the default timetable, reasons, justification and action types."""
    uai = uai.strip().upper()
    if not UAI_PATTERN.match(uai):
        raise Invalid(f"invalid UAI {uai!r}: expected 7 digits and a letter, e.g. 0751234X")
    parse_settings_patch({"timezone": timezone})  # validates the zone
    if await School.exists(uai=uai):
        raise Conflict(f"the school {uai} already exists")
    await ensure_generic_reasons()
    start_year = school_year_of(today or date.today())
    async with in_transaction():
        school = await School.create(
            uai=uai, name=name, timezone=timezone, letterhead=letterhead or {}
        )
        await SchoolYear.create(
            school=school,
            start_year=start_year,
            starts_on=date(start_year, 9, 1),
            ends_on=date(start_year + 1, 7, 4),
        )
        await _create_defaults(school)
        await audit.record(
            actor, "school.create", school, school_id=school.id, after=audit.snapshot(school)
        )
    return school


async def _create_defaults(school: School) -> None:
    await TimetableSlot.bulk_create(
        [
            TimetableSlot(
                school=school,
                weekday=s.weekday,
                start_minute=time_to_minutes(s.start),
                end_minute=time_to_minutes(s.end),
                label=f"{s.start:%H}h",
            )
            for s in default_slots()
        ]
    )
    generics = {g.code: g for g in await GenericReason.all()}
    await Reason.bulk_create(
        [
            Reason(
                school=school,
                generic=generics[r.generic],
                code=r.code,
                label=r.label,
                colour=r.colour,
                legitimate_by_default=generics[r.generic].legitimate_by_default,
                counts=generics[r.generic].counts,
                parents_may_choose=r.parents_may_choose,
                for_absence=r.for_absence,
                for_lateness=r.for_lateness,
            )
            for r in LOCAL_REASONS
        ]
    )
    await JustificationType.bulk_create(
        [
            JustificationType(school=school, code=c, label=label, provisional=p)
            for c, label, p in JUSTIFICATION_TYPES
        ]
    )
    await ActionType.bulk_create(
        [ActionType(school=school, code=c, label=label) for c, label in ACTION_TYPES]
    )


async def get_school(uai: str) -> School:
    code = uai.strip().upper()
    school = None
    if fits(School, "uai", code):  # else no school can have it
        school = await School.get_or_none(uai=code)
    if school is None:
        raise NotFound(f"no school with UAI {uai!r}")
    return school


def parse_settings_patch(data: object) -> SchoolSettingsPatch:
    """Validate a settings change; the first problem becomes one :class:`Invalid` message."""
    try:
        return SchoolSettingsPatch.model_validate(data)
    except ValidationError as error:
        raise Invalid(first_problem(error, "settings")) from None


async def update_settings(school: School, patch: SchoolSettingsPatch, actor: Actor) -> School:
    """Change the given settings in one transaction with its audit record."""
    changes = patch.model_dump(exclude_unset=True, mode="json")
    async with in_transaction():
        fresh = await School.select_for_update().get(id=school.id)
        threshold = changes.get("absence_threshold_half_days", fresh.absence_threshold_half_days)
        persistent = changes.get(
            "persistent_threshold_half_days", fresh.persistent_threshold_half_days
        )
        if persistent < threshold:
            raise Invalid("persistent_threshold_half_days must not be below the monthly one")
        before = {k: audit.plain(getattr(fresh, k)) for k in changes}
        for key, value in changes.items():
            setattr(fresh, key, value)
        await fresh.save(update_fields=[*changes, "updated_at"] if changes else None)
        after = {k: audit.plain(getattr(fresh, k)) for k in changes}
        await audit.record(
            actor, "school.settings", fresh, school_id=fresh.id, before=before, after=after
        )
    return fresh


def parse_hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


async def load_calendar(school: School) -> SchoolCalendar:
    """The school's calendar for the pure rules: zone, midday, slots, closed days."""
    slots = tuple(
        Slot(
            weekday=s.weekday,
            start=s.starts_at,
            end=s.ends_at,
        )
        for s in await TimetableSlot.filter(school=school)
    )
    closed_days: set[date] = set()
    closed_halves: set[HalfDayKey] = set()
    for closed in await ClosedDay.filter(school=school):
        if closed.half == "day":
            closed_days.add(closed.day)
        else:
            closed_halves.add(HalfDayKey(closed.day, Half(closed.half)))
    return SchoolCalendar(
        tz=ZoneInfo(school.timezone),
        midday=parse_hhmm(school.midday),
        slots=slots,
        closed_days=frozenset(closed_days),
        closed_half_days=frozenset(closed_halves),
    )


def now_utc() -> datetime:
    return datetime.now(UTC)
