"""National generic reasons, the school's local reasons, justification and action types."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from core.models.school import School

if TYPE_CHECKING:
    from core.models.event import Event
    from core.models.student import Student
    from core.models.user import User


class GenericReason(Model):
    """A national generic reason (domain.md §4): statistics group local reasons under these."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=30, unique=True)
    label = fields.CharField(max_length=120)
    legitimate_by_default = fields.BooleanField(null=True)  # None: judged case by case
    counts = fields.BooleanField(default=True)

    class Meta:
        table = "generic_reason"


class Reason(Model):
    """A reason of one school, tied to a national generic reason."""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="reasons", on_delete=fields.CASCADE
    )
    generic: fields.ForeignKeyRelation[GenericReason] = fields.ForeignKeyField(
        "models.GenericReason", related_name="local_reasons", on_delete=fields.RESTRICT
    )
    code = fields.CharField(max_length=30)
    label = fields.CharField(max_length=120)
    colour = fields.CharField(max_length=7, default="#d9534f")
    legitimate_by_default = fields.BooleanField(null=True)
    counts = fields.BooleanField(default=True)
    parents_may_choose = fields.BooleanField(default=False)
    for_absence = fields.BooleanField(default=True)
    for_lateness = fields.BooleanField(default=False)
    active = fields.BooleanField(default=True)

    class Meta:
        table = "reason"
        unique_together = (("school", "code"),)
        ordering = ["label"]


class JustificationType(Model):
    """What justifies an absence: a parents' note, a medical certificate…"""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="justification_types", on_delete=fields.CASCADE
    )
    code = fields.CharField(max_length=30)
    label = fields.CharField(max_length=120)
    provisional = fields.BooleanField(default=False)  # e.g. a phone call, pending a note
    active = fields.BooleanField(default=True)

    class Meta:
        table = "justification_type"
        unique_together = (("school", "code"),)


class ActionType(Model):
    """A kind of action taken with a family: call, meeting, letter, report to the DASEN."""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="action_types", on_delete=fields.CASCADE
    )
    code = fields.CharField(max_length=30)
    label = fields.CharField(max_length=120)
    active = fields.BooleanField(default=True)

    class Meta:
        table = "action_type"
        unique_together = (("school", "code"),)


class Action(Model):
    """An action taken about a student (and possibly an event), with who and when."""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="actions", on_delete=fields.CASCADE
    )
    student: fields.ForeignKeyRelation[Student] = fields.ForeignKeyField(
        "models.Student", related_name="actions", on_delete=fields.CASCADE
    )
    type: fields.ForeignKeyRelation[ActionType] = fields.ForeignKeyField(
        "models.ActionType", related_name="actions", on_delete=fields.RESTRICT
    )
    event: fields.ForeignKeyNullableRelation[Event] = fields.ForeignKeyField(
        "models.Event", related_name="actions", null=True, on_delete=fields.SET_NULL
    )
    done_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="actions", null=True, on_delete=fields.SET_NULL
    )
    done_at = fields.DatetimeField()
    comment = fields.TextField(default="")

    class Meta:
        table = "action"
        indexes = (("student_id", "done_at"),)
