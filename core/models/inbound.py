"""Replies from families (SMS, chat, keypad) and chat links."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from core.models.notice import Delivery
from core.models.person import Person
from core.models.reason import Reason
from core.models.school import School
from core.models.student import Student


class InboundStatus(StrEnum):
    RECEIVED = "received"  # stored by the webhook, not read yet (core.services.notices.inbound)
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    UNMATCHED = "unmatched"
    OPT_OUT = "opt_out"
    ACKNOWLEDGED = "acknowledged"  # the family pressed 1 on the call: known, nothing to decide


class InboundMessage(Model):
    """A message from a family — matched to a guardian, a student and their open absences."""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyNullableRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="inbound", null=True, on_delete=fields.CASCADE
    )
    school_id: int | None
    channel = fields.CharField(max_length=10)  # sms, chat, call
    provider = fields.CharField(max_length=20, default="")
    provider_ref = fields.CharField(max_length=100, null=True)
    sender = fields.CharField(max_length=254)
    # the number (or address) it was sent to: a school's own sender names the school
    recipient = fields.CharField(max_length=254, null=True)
    text = fields.TextField(default="")
    received_at = fields.DatetimeField()
    person: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="inbound", null=True, on_delete=fields.SET_NULL
    )
    person_id: int | None
    student: fields.ForeignKeyNullableRelation[Student] = fields.ForeignKeyField(
        "models.Student", related_name="inbound", null=True, on_delete=fields.SET_NULL
    )
    student_id: int | None
    event_ids: fields.Field[list[int]] = fields.JSONField(default=list)
    proposed_reason: fields.ForeignKeyNullableRelation[Reason] = fields.ForeignKeyField(
        "models.Reason", related_name="inbound", null=True, on_delete=fields.SET_NULL
    )
    proposed_reason_id: int | None
    # What the reply was read as (core.rules.replies): a national generic code and how sure.
    proposed_generic = fields.CharField(max_length=30, null=True)
    confidence = fields.FloatField(null=True)
    acknowledged_at = fields.DatetimeField(null=True)  # when the family was thanked in reply
    status = fields.CharEnumField(InboundStatus, max_length=12, default=InboundStatus.PENDING)
    handled_by_id = fields.IntField(null=True)
    handled_at = fields.DatetimeField(null=True)
    raw_data: fields.Field[dict[str, object] | None] = fields.JSONField(null=True)
    # the notice's delivery it answers, when known (a key pressed during its call)
    delivery: fields.ForeignKeyNullableRelation[Delivery] = fields.ForeignKeyField(
        "models.Delivery", related_name="replies", null=True, on_delete=fields.SET_NULL
    )
    delivery_id: int | None
    attachments: fields.ReverseRelation[Attachment]

    class Meta:
        table = "inbound_message"
        unique_together = (("provider", "provider_ref"),)
        indexes = (("school_id", "status", "received_at"),)


class ReplyQuestion(Model):
    """A question asked to a family after a reply ("Répondez 1 pour Léa, 2 pour Hugo"): the
    children in the order of their numbers, open for a day (core.rules.conversation)."""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="reply_questions", on_delete=fields.CASCADE
    )
    school_id: int
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="reply_questions", on_delete=fields.CASCADE
    )
    person_id: int
    message: fields.ForeignKeyRelation[InboundMessage] = fields.ForeignKeyField(
        "models.InboundMessage", related_name="questions", on_delete=fields.CASCADE
    )
    message_id: int
    sender = fields.CharField(max_length=254)  # the number asked
    choices: fields.Field[list[int]] = fields.JSONField(default=list)  # student ids, from 1
    asked_at = fields.DatetimeField()
    answered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "reply_question"
        indexes = (("sender", "asked_at"),)


class ChatLink(Model):
    """A guardian's chat (Telegram) linked with a one-time code."""

    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="chat_links", on_delete=fields.CASCADE
    )
    person_id: int
    platform = fields.CharField(max_length=20, default="telegram")
    chat_id = fields.CharField(max_length=64)
    linked_at = fields.DatetimeField(auto_now_add=True)
    active = fields.BooleanField(default=True)
    # why it stopped: "stop" (the family), "staff", "blocked" (the bot was blocked), "relinked"
    ended_reason = fields.CharField(max_length=20, null=True)
    ended_at = fields.DatetimeField(null=True)

    class Meta:
        table = "chat_link"
        unique_together = (("platform", "chat_id", "person"),)


class LinkCode(Model):
    """A one-time code a guardian sends to the bot to link their chat — only its hash is kept."""

    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="link_codes", on_delete=fields.CASCADE
    )
    person_id: int
    code_hash = fields.CharField(max_length=64, unique=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "link_code"


class ChatAttempt(Model):
    """A code tried in a chat: codes are rate-limited per chat (core.services.access.chat_links)."""

    id = fields.IntField(primary_key=True)
    platform = fields.CharField(max_length=20, default="telegram")
    chat_id = fields.CharField(max_length=64)
    at = fields.DatetimeField()
    success = fields.BooleanField(default=False)

    class Meta:
        table = "chat_attempt"
        indexes = (("platform", "chat_id", "at"),)


class BotUpdate(Model):
    """An update the bot processed (Telegram retries a webhook): each is handled once."""

    id = fields.IntField(primary_key=True)
    platform = fields.CharField(max_length=20, default="telegram")
    update_id = fields.BigIntField()
    received_at = fields.DatetimeField()

    class Meta:
        table = "bot_update"
        unique_together = (("platform", "update_id"),)
        indexes = (("received_at",),)


class BotState(Model):
    """A chat's conversation state (which absence is being justified) when Redis is not used:
    it survives restarts."""

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=200, unique=True)
    state = fields.CharField(max_length=200, null=True)
    data: fields.Field[dict[str, object]] = fields.JSONField(default=dict)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "bot_state"


class Attachment(Model):
    """A document a family sent with a reply (a photo or a PDF of a note): stored under the
    install's var directory, its type and size checked."""

    id = fields.IntField(primary_key=True)
    message: fields.ForeignKeyRelation[InboundMessage] = fields.ForeignKeyField(
        "models.InboundMessage", related_name="attachments", on_delete=fields.CASCADE
    )
    message_id: int
    file_name = fields.CharField(max_length=200)
    content_type = fields.CharField(max_length=100)
    size = fields.IntField()
    sha256 = fields.CharField(max_length=64)
    path = fields.CharField(max_length=300)  # relative to the var directory
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "attachment"
