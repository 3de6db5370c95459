"""Message templates (per notice kind, channel, language) and letter templates."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.models.school import School


class MessageTemplate(Model):
    """A template for one notice kind, channel and language (jinja2, sandboxed)."""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="message_templates", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=20)
    channel = fields.CharField(max_length=10)
    language = fields.CharField(max_length=5, default="fr")
    subject = fields.CharField(max_length=200, default="")
    body = fields.TextField()
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "message_template"
        unique_together = (("school", "kind", "channel", "language"),)


class LetterTemplate(Model):
    """A letter model (HTML from the editor) with merge fields, rendered to PDF."""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="letter_templates", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=20)
    name = fields.CharField(max_length=120)
    language = fields.CharField(max_length=5, default="fr")
    html = fields.TextField()
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "letter_template"
        unique_together = (("school", "kind", "language", "name"),)
