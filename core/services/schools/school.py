"""Schools: creation with their starting configuration, per-school settings, the calendar."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
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
from pydantic_core import PydanticCustomError
from tortoise.transactions import in_transaction

from core.bounds import MAX_COUNT, fits
from core.errors import Conflict, Invalid, NotFound, invalid_field
from core.models import (
    ActionType,
    GenericReason,
    JustificationType,
    Reason,
    School,
    SchoolYear,
    TimetableSlot,
)
from core.models.school import time_to_minutes
from core.rules import channels
from core.rules.calendar import (
    MIDDAY_TOLERANCE_MAX,
    default_slots,
    parse_hhmm,
    school_year_of,
    year_bounds,
)
from core.rules.holiday_zones import ZONES
from core.rules.notices import QuietHours
from core.rules.years import RETENTION_MAX, RETENTION_MIN
from core.services import audit
from core.services.audit import Actor
from core.services.schools.closed_days import fill_within
from core.services.schools.defaults import (
    ACTION_TYPES,
    GENERIC_REASONS,
    JUSTIFICATION_TYPES,
    LOCAL_REASONS,
)
from core.siecle.phones import clean, normalise_phone

UAI_PATTERN = re.compile(r"^[0-9]{7}[A-Z]$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SENDER_NAME = re.compile(r"^[A-Za-z0-9]{3,11}$")  # an alphanumeric sender, as operators allow
SHORT_CODE_DIGITS = 6  # a longer number of digits alone is a phone number, written with + or 0
_HHMM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


def _check_hhmm(value: str) -> str:
    if not _HHMM.match(value):
        raise PydanticCustomError("time_hhmm", "must be a time HH:MM")
    return value


class QuietHoursSetting(BaseModel):
    """The quiet hours as a school sets and stores them (local ``HH:MM``); the rules read them
    as a :class:`core.rules.notices.QuietHours`."""

    model_config = ConfigDict(extra="forbid")
    start: str = "20:00"
    end: str = "08:00"
    sundays: bool = True

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        return _check_hhmm(value)

    def rule(self) -> QuietHours:
        return QuietHours(parse_hhmm(self.start), parse_hhmm(self.end), self.sundays)


def quiet_hours(school: School) -> QuietHours | None:
    """The school's quiet hours (None: turned off)."""
    if school.quiet_hours is None:
        return None
    return QuietHoursSetting.model_validate(school.quiet_hours).rule()


def _zone_enum(schema: dict[str, Any]) -> None:
    schema["enum"] = [*ZONES, None]


def _channel_enum(schema: dict[str, Any]) -> None:
    schema["enum"] = channels.channel_names()  # the table's, read when the schema is made


ChannelName = Annotated[
    str, AfterValidator(channels.check_channel), Field(json_schema_extra=_channel_enum)
]
NULLABLE_SETTINGS = frozenset(
    {
        "quiet_hours",
        "sms_monthly_quota",
        "call_monthly_quota",
        "holiday_zone",
        "reply_to",
        "sms_sender",
    }
)


def checked_reply_to(value: str) -> str | None:
    """The vie scolaire's address as stored (None when blank); raises :class:`Invalid`."""
    address = value.strip()
    if not address:
        return None
    if not _EMAIL.match(address) or not fits(School, "reply_to", address):
        raise Invalid(f"{address[:60]!r} is not an email address", code="reply_to")
    return address


def checked_sms_sender(value: str) -> str | None:
    """The school's own SMS sender as stored (None when blank): a number in E.164 (a national
    one is read as French first), a short code (3 to 6 digits) or a name of 3 to 11 letters
    and digits with a letter; raises :class:`Invalid`."""
    sender = value.strip()
    if not sender:
        return None
    short_code = sender.isdigit() and len(sender) <= SHORT_CODE_DIGITS
    if (
        _SENDER_NAME.match(sender)
        and not sender.startswith("0")
        and (short_code or not sender.isdigit())
    ):
        return sender
    number = normalise_phone(sender).e164 if clean(sender)[:1] in ("+", "0") else None
    if number is None or not fits(School, "sms_sender", number):
        raise Invalid(
            f"{sender[:40]!r} is neither a number in E.164 nor a sender name of 3 to 11 "
            "letters and digits",
            code="sms_sender",
        )
    return number


def _value_error(check: Any, value: str | None) -> str | None:
    """A check's :class:`Invalid` as the ``ValueError`` a pydantic validator raises."""
    if value is None:
        return None
    try:
        result: str | None = check(value)
    except Invalid as error:
        raise PydanticCustomError(error.code, error.message) from None
    return result


class SchoolSettingsPatch(BaseModel):
    """The per-school settings a script may change (all optional; only those given change)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    timezone: str | None = None
    midday: str | None = None
    midday_tolerance_minutes: int | None = Field(
        default=None,
        ge=0,
        le=MIDDAY_TOLERANCE_MAX,
        description="a lesson running over midday by at most this many minutes belongs whole "
        "to the half-day it mostly lies in; 0: every lesson is shared at midday",
    )
    counting_mode: Literal["raw", "complete", "proportional"] | None = None
    lateness_threshold_minutes: int | None = Field(default=None, ge=1, le=240)
    notice_delay_minutes: int | None = Field(default=None, ge=0, le=24 * 60)
    notify_lateness: bool | None = None
    late_notice_days: int | None = Field(
        default=None,
        ge=0,
        le=30,
        description="an absence entered after its day is notified when at most this many days "
        "old (its text names the day); 0: only absences of the day",
    )
    quiet_hours: QuietHoursSetting | None = None
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
    holiday_zone: str | None = Field(
        default=None,
        description="A, B, C, Corse or an overseas académie (Guadeloupe, Martinique, Guyane, "
        "La Réunion, Mayotte, Saint-Pierre-et-Miquelon); its holidays and the public holidays "
        "become the school's closed days; null: none",
        json_schema_extra=_zone_enum,
    )
    language: Literal["fr", "en"] | None = None
    teachers_see_reasons: bool | None = Field(
        default=None,
        description="teachers see the reason of their own students' absences (never its "
        "comment nor a medical detail); false: only the national generic reason",
    )
    reply_to: str | None = Field(
        default=None,
        description="the vie scolaire's address: the Reply-To of notices' emails; null or "
        "empty: none",
    )
    sms_sender: str | None = Field(
        default=None,
        description="the school's own SMS sender: a number in E.164 or a name of 3 to 11 "
        "letters and digits; null or empty: the install's",
    )
    retention_years: int | None = Field(
        default=None,
        ge=RETENTION_MIN,
        le=RETENTION_MAX,
        description="school years kept, the current one included; `absences purge` deletes "
        "the older ones",
    )

    @field_validator("reply_to")
    @classmethod
    def _reply_to(cls, value: str | None) -> str | None:
        return _value_error(checked_reply_to, value)

    @field_validator("sms_sender")
    @classmethod
    def _sms_sender(cls, value: str | None) -> str | None:
        return _value_error(checked_sms_sender, value)

    @field_validator("holiday_zone")
    @classmethod
    def _holiday_zone(cls, value: str | None) -> str | None:
        if value is not None and value not in ZONES:
            raise PydanticCustomError("holiday_zone", "unknown holiday zone")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise PydanticCustomError("time_zone", "unknown time zone") from None
        return value

    @field_validator("midday")
    @classmethod
    def _midday(cls, value: str | None) -> str | None:
        return None if value is None else _check_hhmm(value)

    @model_validator(mode="after")
    def _no_null_for_required(self) -> SchoolSettingsPatch:
        for name in self.model_fields_set - NULLABLE_SETTINGS:
            if getattr(self, name) is None:
                raise PydanticCustomError("null", "{field} cannot be null", {"field": name})
        return self

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours(cls, value: QuietHoursSetting | None) -> QuietHoursSetting | None:
        if value is not None and value.start == value.end:
            raise PydanticCustomError("quiet_equal", "the quiet hours' start and end must differ")
        return value

    @field_validator("channel_order")
    @classmethod
    def _unique(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and len(set(value)) != len(value):
            raise PydanticCustomError("channels_repeat", "channels must not repeat")
        return value


class SchoolSettings(BaseModel):
    """The per-school settings as read by scripts."""

    uai: str
    name: str
    timezone: str
    midday: str
    midday_tolerance_minutes: int
    counting_mode: str
    lateness_threshold_minutes: int
    notice_delay_minutes: int
    notify_lateness: bool
    late_notice_days: int
    quiet_hours: QuietHoursSetting | None
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
    reply_to: str | None
    sms_sender: str | None
    retention_years: int


SETTINGS_FIELDS = tuple(SchoolSettingsPatch.model_fields)


def read_settings(school: School) -> SchoolSettings:
    values: dict[str, Any] = {name: getattr(school, name) for name in SETTINGS_FIELDS}
    values["counting_mode"] = str(values["counting_mode"])
    return SchoolSettings(uai=school.uai, **values)


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
    holiday_zone: str | None = None,
) -> School:
    """Create a school with the default timetable, reasons, justification and action types,
    and, given its holiday zone, the zone's holidays and the public holidays of the year as
    closed days."""
    uai = uai.strip().upper()
    if not UAI_PATTERN.match(uai):
        raise Invalid(
            f"invalid UAI {uai!r}: expected 7 digits and a letter, e.g. 0751234X", code="uai"
        )
    parse_settings_patch({"timezone": timezone, "holiday_zone": holiday_zone})  # validates them
    if await School.exists(uai=uai):
        raise Conflict(f"the school {uai} already exists", code="school_exists")
    await ensure_generic_reasons()
    start_year = school_year_of(today or date.today())
    starts_on, ends_on = year_bounds(start_year)
    async with in_transaction():
        school = await School.create(
            uai=uai,
            name=name,
            timezone=timezone,
            letterhead=letterhead or {},
            holiday_zone=holiday_zone,
        )
        await SchoolYear.create(
            school=school,
            start_year=start_year,
            starts_on=starts_on,
            ends_on=ends_on,
        )
        await _create_defaults(school)
        await audit.record(
            actor, "school.create", school, school_id=school.id, after=audit.snapshot(school)
        )
        if holiday_zone:
            await fill_within(school, actor, today or date.today(), strict=False)
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
        raise invalid_field(error, "settings") from None


async def update_settings(
    school: School, patch: SchoolSettingsPatch, actor: Actor, *, today: date | None = None
) -> School:
    """Change the given settings in one transaction with its audit record; a new holiday zone
    replaces the closed days filled from the former one (``today`` says the school year)."""
    changes = patch.model_dump(exclude_unset=True, mode="json")
    async with in_transaction():
        fresh = await School.select_for_update().get(id=school.id)
        threshold = changes.get("absence_threshold_half_days", fresh.absence_threshold_half_days)
        persistent = changes.get(
            "persistent_threshold_half_days", fresh.persistent_threshold_half_days
        )
        if persistent < threshold:
            raise Invalid(
                "persistent_threshold_half_days must not be below the monthly one",
                code="persistent_below_monthly",
            )
        before = {k: audit.plain(getattr(fresh, k)) for k in changes}
        for key, value in changes.items():
            setattr(fresh, key, value)
        await fresh.save(update_fields=[*changes, "updated_at"] if changes else None)
        after = {k: audit.plain(getattr(fresh, k)) for k in changes}
        await audit.record(
            actor, "school.settings", fresh, school_id=fresh.id, before=before, after=after
        )
        if before.get("holiday_zone", fresh.holiday_zone) != fresh.holiday_zone:
            await fill_within(fresh, actor, today or date.today())
    return fresh


def now_utc() -> datetime:
    return datetime.now(UTC)
