"""Divisions (classes), teaching groups, groups of divisions, and levels (MEF)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.models.school import School


class Mef(Model):
    """A level (module élémentaire de formation), e.g. 10010012110 = 6EME."""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="mefs", on_delete=fields.CASCADE
    )
    code = fields.CharField(max_length=20)
    label = fields.CharField(max_length=120, default="")
    short_label = fields.CharField(max_length=60, default="")

    class Meta:
        table = "mef"
        unique_together = (("school", "code"),)


class Division(Model):
    """A class, e.g. 5B."""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="divisions", on_delete=fields.CASCADE
    )
    code = fields.CharField(max_length=30)
    label = fields.CharField(max_length=120, default="")
    mef: fields.ForeignKeyNullableRelation[Mef] = fields.ForeignKeyField(
        "models.Mef", related_name="divisions", null=True, on_delete=fields.SET_NULL
    )
    active = fields.BooleanField(default=True)

    class Meta:
        table = "division"
        unique_together = (("school", "code"),)
        ordering = ["code"]


class TeachingGroup(Model):
    """A teaching group across divisions (SIECLE's GROUPE)."""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="groups", on_delete=fields.CASCADE
    )
    code = fields.CharField(max_length=30)
    label = fields.CharField(max_length=120, default="")
    divisions: fields.ManyToManyRelation[Division] = fields.ManyToManyField(
        "models.Division", related_name="groups", through="teaching_group_division"
    )
    active = fields.BooleanField(default=True)

    class Meta:
        table = "teaching_group"
        unique_together = (("school", "code"),)


class DivisionSet(Model):
    """A group of divisions chosen for follow-up (a level, a building)."""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="division_sets", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=120)
    divisions: fields.ManyToManyRelation[Division] = fields.ManyToManyField(
        "models.Division", related_name="division_sets", through="division_set_division"
    )

    class Meta:
        table = "division_set"
        unique_together = (("school", "name"),)
