"""A user's saved follow-up searches: criteria and chosen extra columns, per school."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.models.school import School
from core.models.user import User


class SavedSearch(Model):
    # No semicolon in this docstring: it becomes the table's comment in the migration's SQL.
    """A search a user named to run again: its criteria (JSON) and the extra columns chosen."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="saved_searches", on_delete=fields.CASCADE
    )
    user_id: int
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="saved_searches", on_delete=fields.CASCADE
    )
    school_id: int
    name = fields.CharField(max_length=120)
    criteria: fields.Field[dict[str, object]] = fields.JSONField(default=dict)
    columns: fields.Field[list[str]] = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "saved_search"
        unique_together = (("user", "school", "name"),)
        ordering = ["name"]
