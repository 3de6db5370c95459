"""Students and their enrolment history (which division, from when to when)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.models.school import School
from core.models.structure import Division, Mef, TeachingGroup


class Student(Model):
    """A pupil of one school, keyed on SIECLE's ELEVE_ID — one who left stays, inactive."""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="students", on_delete=fields.CASCADE
    )
    siecle_id = fields.CharField(max_length=20, null=True)
    elenoet = fields.CharField(max_length=20, null=True)
    ine = fields.CharField(max_length=20, null=True)
    last_name = fields.CharField(max_length=100)
    usual_name = fields.CharField(max_length=100, null=True)
    first_name = fields.CharField(max_length=100)
    birth_date = fields.DateField(null=True)
    sex = fields.CharField(max_length=1, null=True)  # M / F
    mef: fields.ForeignKeyNullableRelation[Mef] = fields.ForeignKeyField(
        "models.Mef", related_name="students", null=True, on_delete=fields.SET_NULL
    )
    regime = fields.CharField(max_length=10, null=True)
    division: fields.ForeignKeyNullableRelation[Division] = fields.ForeignKeyField(
        "models.Division", related_name="students", null=True, on_delete=fields.SET_NULL
    )
    groups: fields.ManyToManyRelation[TeachingGroup] = fields.ManyToManyField(
        "models.TeachingGroup", related_name="students", through="student_group"
    )
    email = fields.CharField(max_length=254, null=True)
    mobile = fields.CharField(max_length=20, null=True)
    entered_on = fields.DateField(null=True)
    left_on = fields.DateField(null=True)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "student"
        unique_together = (("school", "siecle_id"),)
        indexes = (("school_id", "division_id", "active"), ("school_id", "last_name", "first_name"))

    @property
    def display_name(self) -> str:
        return f"{(self.usual_name or self.last_name).upper()} {self.first_name}"


class Enrolment(Model):
    """A student's stay in a division: the history kept when they move or leave."""

    id = fields.IntField(primary_key=True)
    student: fields.ForeignKeyRelation[Student] = fields.ForeignKeyField(
        "models.Student", related_name="enrolments", on_delete=fields.CASCADE
    )
    division: fields.ForeignKeyRelation[Division] = fields.ForeignKeyField(
        "models.Division", related_name="enrolments", on_delete=fields.CASCADE
    )
    student_id: int
    division_id: int
    starts_on = fields.DateField()
    ends_on = fields.DateField(null=True)

    class Meta:
        table = "enrolment"
        indexes = (("division_id", "starts_on"),)
