"""A teacher's weekly lessons and the roll calls (appels) taken for them."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from core.models.school import School
from core.models.structure import Division, TeachingGroup
from core.models.user import User


class WeekPattern(Model):
    """A timetable's week pattern (ALTERNANCE): the Mondays of the weeks it runs (every week,
    week A, week B…), as ISO dates."""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="week_patterns", on_delete=fields.CASCADE
    )
    code = fields.CharField(max_length=20)
    label = fields.CharField(max_length=120, default="")
    mondays: fields.Field[list[str]] = fields.JSONField(default=list)

    class Meta:
        table = "week_pattern"
        unique_together = (("school", "code"),)


class LessonOrigin(StrEnum):
    TIMETABLE = "timetable"  # brought by the timetable import: a re-import may change it
    MANUAL = "manual"  # added on the Lessons page (a one-off, a replacement): kept by imports


class Lesson(Model):
    """A weekly lesson of one teacher with a division or a teaching group, in local wall time.

    Like timetable slots, times are minutes since local midnight and ``weekday`` 0 is Monday.
    It is given on the weeks of its ``pattern`` (every week without one), from ``starts_on``
    to ``ends_on`` (open ends: the whole year), except the days it was cancelled; a one-off
    lesson starts and ends the same day. ``replaces`` names the lesson it stands for (moved
    once or from a date on).
    """

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="lessons", on_delete=fields.CASCADE
    )
    school_id: int
    teacher: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="lessons", on_delete=fields.CASCADE
    )
    teacher_id: int
    division: fields.ForeignKeyNullableRelation[Division] = fields.ForeignKeyField(
        "models.Division", related_name="lessons", null=True, on_delete=fields.CASCADE
    )
    division_id: int | None
    group: fields.ForeignKeyNullableRelation[TeachingGroup] = fields.ForeignKeyField(
        "models.TeachingGroup", related_name="lessons", null=True, on_delete=fields.CASCADE
    )
    group_id: int | None
    weekday = fields.SmallIntField()  # 0 = Monday
    start_minute = fields.SmallIntField()
    end_minute = fields.SmallIntField()
    subject = fields.CharField(max_length=120, default="")
    subject_code = fields.CharField(max_length=20, default="")  # STS-Web's MATIERE/@CODE
    room = fields.CharField(max_length=40, default="")
    pattern: fields.ForeignKeyNullableRelation[WeekPattern] = fields.ForeignKeyField(
        "models.WeekPattern", related_name="lessons", null=True, on_delete=fields.SET_NULL
    )
    pattern_id: int | None
    starts_on = fields.DateField(null=True)
    ends_on = fields.DateField(null=True)
    origin = fields.CharEnumField(LessonOrigin, max_length=12, default=LessonOrigin.MANUAL)
    replaces: fields.ForeignKeyNullableRelation[Lesson] = fields.ForeignKeyField(
        "models.Lesson", related_name="replacements", null=True, on_delete=fields.SET_NULL
    )
    replaces_id: int | None

    class Meta:
        table = "lesson"
        indexes = (("school_id", "weekday", "start_minute"), ("teacher_id", "weekday"))
        ordering = ["weekday", "start_minute"]


class LessonCancellation(Model):
    """A lesson not given on one day (a trip, a teacher away, moved to another time)."""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="lesson_cancellations", on_delete=fields.CASCADE
    )
    lesson: fields.ForeignKeyRelation[Lesson] = fields.ForeignKeyField(
        "models.Lesson", related_name="cancellations", on_delete=fields.CASCADE
    )
    lesson_id: int
    day = fields.DateField()
    reason = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "lesson_cancellation"
        unique_together = (("lesson", "day"),)
        indexes = (("school_id", "day"),)


class RollCall(Model):
    """The roll call of one lesson on one day: who took it, when, and whether it was validated."""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="roll_calls", on_delete=fields.CASCADE
    )
    lesson: fields.ForeignKeyRelation[Lesson] = fields.ForeignKeyField(
        "models.Lesson", related_name="roll_calls", on_delete=fields.CASCADE
    )
    lesson_id: int
    day = fields.DateField()
    taken_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="roll_calls", null=True, on_delete=fields.SET_NULL
    )
    taken_by_id: int | None
    taken_at = fields.DatetimeField(null=True)
    validated = fields.BooleanField(default=False)

    class Meta:
        table = "roll_call"
        unique_together = (("lesson", "day"),)
        indexes = (("school_id", "day"),)
