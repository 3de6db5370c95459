"""Events (absence, lateness and the other kinds) with their four states, who and when."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

from core.models.reason import JustificationType, Reason
from core.models.school import School
from core.models.student import Student
from core.rules.counting import EventKind

if TYPE_CHECKING:
    from core.models.user import User


def _user_fk(related_name: str) -> Any:
    """A nullable link to the staff user who did something (kept if the account is removed)."""
    return fields.ForeignKeyField(
        "models.User", related_name=related_name, null=True, on_delete=fields.SET_NULL
    )


class EventSource(StrEnum):
    """Where an event was recorded from (the constat)."""

    DESK = "desk"  # vie scolaire, on the grid
    ROLL_CALL = "roll_call"  # a teacher's appel
    API = "api"
    FAMILY_NOTICE = "family_notice"  # the family announced it beforehand
    FAMILY_REPLY = "family_reply"
    IMPORT = "import"
    DEMO = "demo"


class Event(Model):
    """One absence, lateness… Never erased: "entered by mistake" is a soft delete.

    The four questions of domain.md §4 are kept apart: the reason (known?), ``accepted``
    (justified: True / not justified: False / undecided: None), ``settled`` (written
    justification received) and ``counts`` (toward attendance and the thresholds).
    """

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="events", on_delete=fields.CASCADE
    )
    school_id: int
    student: fields.ForeignKeyRelation[Student] = fields.ForeignKeyField(
        "models.Student", related_name="events", on_delete=fields.CASCADE
    )
    student_id: int
    kind = fields.CharEnumField(EventKind, max_length=20)
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField(null=True)  # None: open-ended, still absent
    reason: fields.ForeignKeyNullableRelation[Reason] = fields.ForeignKeyField(
        "models.Reason", related_name="events", null=True, on_delete=fields.RESTRICT
    )
    reason_id: int | None
    reason_by: fields.ForeignKeyNullableRelation[User] = _user_fk("reasons_given")
    reason_at = fields.DatetimeField(null=True)
    justification: fields.ForeignKeyNullableRelation[JustificationType] = fields.ForeignKeyField(
        "models.JustificationType", related_name="events", null=True, on_delete=fields.RESTRICT
    )
    accepted = fields.BooleanField(null=True)
    accepted_by: fields.ForeignKeyNullableRelation[User] = _user_fk("events_decided")
    accepted_at = fields.DatetimeField(null=True)
    settled = fields.BooleanField(default=False)
    settled_by: fields.ForeignKeyNullableRelation[User] = _user_fk("events_settled")
    settled_at = fields.DatetimeField(null=True)
    counts = fields.BooleanField(default=True)
    counts_by: fields.ForeignKeyNullableRelation[User] = _user_fk("events_classified")
    counts_at = fields.DatetimeField(null=True)
    comment = fields.TextField(default="")
    source = fields.CharEnumField(EventSource, max_length=20, default=EventSource.DESK)
    recorded_by: fields.ForeignKeyNullableRelation[User] = _user_fk("events_recorded")
    recorded_at = fields.DatetimeField(auto_now_add=True)
    recorded_from = fields.CharField(max_length=64, default="")  # IP or device, for the constat
    deleted = fields.BooleanField(default=False)
    deleted_by: fields.ForeignKeyNullableRelation[User] = _user_fk("events_deleted")
    deleted_at = fields.DatetimeField(null=True)
    version = fields.IntField(default=1)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "event"
        indexes = (
            ("school_id", "starts_at"),
            ("student_id", "starts_at"),
            ("school_id", "deleted", "kind", "starts_at"),
            ("school_id", "ends_at"),  # the open-ended ones (ends_at IS NULL), for statistics
        )
        ordering = ["starts_at"]


class MissedHalfDay(Model):
    """One school half-day a student missed, kept in the transaction of each event change so
    that statistics are SQL aggregates (core/services/stats/half_days.py keeps it true).

    Seconds of lesson time: ``lesson_seconds`` in the half-day, ``missed_all`` covered by the
    union of the absences that count (justified or not), ``missed_unjustified`` by those not
    justified (undecided included). Every counting mode follows: raw (missed > 0), complete
    (missed = lesson), proportional (missed / lesson). Open-ended absences are left out (they
    grow with time): the statistics add them when they read.
    """

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="missed_half_days", on_delete=fields.CASCADE
    )
    school_id: int
    student: fields.ForeignKeyRelation[Student] = fields.ForeignKeyField(
        "models.Student", related_name="missed_half_days", on_delete=fields.CASCADE
    )
    student_id: int
    day = fields.DateField()
    half = fields.CharField(max_length=2)  # am / pm (rules.calendar.Half)
    lesson_seconds = fields.IntField()
    missed_all = fields.IntField()
    missed_unjustified = fields.IntField()

    class Meta:
        table = "missed_half_day"
        unique_together = (("student_id", "day", "half"),)
        indexes = (("school_id", "day"),)


class HalfDayLedger(Model):
    """Per school: the calendar the missed half-days were computed with (a fingerprint of its
    time zone, midday, slots and closed days). Another calendar means computing them again."""

    id = fields.IntField(primary_key=True)
    school: fields.OneToOneRelation[School] = fields.OneToOneField(
        "models.School", related_name="half_day_ledger", on_delete=fields.CASCADE
    )
    school_id: int
    calendar = fields.CharField(max_length=64)
    built_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "half_day_ledger"
