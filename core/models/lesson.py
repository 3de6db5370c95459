"""A teacher's weekly lessons and the roll calls (appels) taken for them."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.models.school import School
from core.models.structure import Division, TeachingGroup
from core.models.user import User


class Lesson(Model):
    """A weekly lesson of one teacher with a division or a teaching group, in local wall time.

    Like timetable slots, times are minutes since local midnight and ``weekday`` 0 is Monday.
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

    class Meta:
        table = "lesson"
        indexes = (("school_id", "weekday", "start_minute"), ("teacher_id", "weekday"))
        ordering = ["weekday", "start_minute"]


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
