"""Notices to families, their deliveries (one per recipient and channel) and status history."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.exceptions import ValidationError
from tortoise.models import Model

from core.models.event import Event
from core.models.person import ContactPoint, Person
from core.models.school import School
from core.models.student import Student
from core.rules.channels import NAME_LENGTH, is_channel
from core.rules.channels import Channel as Channel  # the shipped channels' names


class NoticeKind(StrEnum):
    ABSENCE = "absence"
    LATENESS = "lateness"
    REMINDER = "reminder"
    THRESHOLD = "threshold"  # 4 unjustified half-days in a month (L131-8)
    PERSISTENT = "persistent"
    WEEKLY_SUMMARY = "weekly_summary"
    CONVOCATION = "convocation"
    ANSWER = "answer"  # a staff member's answer to a family's reply, written in the page
    THANKS = "thanks"  # the acknowledgement of a family's reply (once a day per number)
    CHAT_CODE = "chat_code"  # a guardian's code to link their Telegram chat, sent by staff


def known_channel(value: object) -> None:
    """A delivery's channel is a row of ``core.rules.channels.CHANNELS``."""
    if not is_channel(value):
        raise ValidationError(f"unknown channel {value!r}")


class NoticeStatus(StrEnum):
    PENDING = "pending"  # deliveries scheduled or under way
    DONE = "done"  # at least one delivery reached the family
    FAILED = "failed"  # every channel and guardian failed
    CANCELLED = "cancelled"  # the event was corrected, deleted or justified before sending


class DeliveryStatus(StrEnum):
    """Only forward: scheduled → sending → sent → delivered | undelivered | failed | expired."""

    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class Notice(Model):
    """A notice to a family — ``dedupe_key`` makes it one per (student, half-day, kind)."""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="notices", on_delete=fields.CASCADE
    )
    student: fields.ForeignKeyRelation[Student] = fields.ForeignKeyField(
        "models.Student", related_name="notices", on_delete=fields.CASCADE
    )
    event: fields.ForeignKeyNullableRelation[Event] = fields.ForeignKeyField(
        "models.Event", related_name="notices", null=True, on_delete=fields.SET_NULL
    )
    school_id: int
    student_id: int
    event_id: int | None
    kind = fields.CharEnumField(NoticeKind, max_length=20)
    dedupe_key = fields.CharField(max_length=120, unique=True)
    status = fields.CharEnumField(NoticeStatus, max_length=12, default=NoticeStatus.PENDING)
    urgent = fields.BooleanField(default=False)
    payload: fields.Field[dict[str, object]] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "notice"
        indexes = (("school_id", "status", "created_at"), ("student_id", "created_at"))


class Delivery(Model):
    """One attempt path of a notice: a recipient on a channel, tracked to delivery."""

    id = fields.IntField(primary_key=True)
    uuid = fields.UUIDField(unique=True)  # named in provider callbacks and Message-IDs
    notice: fields.ForeignKeyRelation[Notice] = fields.ForeignKeyField(
        "models.Notice", related_name="deliveries", on_delete=fields.CASCADE
    )
    person: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="deliveries", null=True, on_delete=fields.SET_NULL
    )
    contact: fields.ForeignKeyNullableRelation[ContactPoint] = fields.ForeignKeyField(
        "models.ContactPoint", related_name="deliveries", null=True, on_delete=fields.SET_NULL
    )
    notice_id: int
    person_id: int | None
    contact_id: int | None
    # a name of core.rules.channels.CHANNELS (a CharField, so that a channel is a row there)
    channel = fields.CharField(max_length=NAME_LENGTH, validators=[known_channel])
    to = fields.CharField(max_length=254)
    language = fields.CharField(max_length=5, default="fr")
    status = fields.CharEnumField(DeliveryStatus, max_length=12, default=DeliveryStatus.SCHEDULED)
    attempts = fields.IntField(default=0)
    not_before = fields.DatetimeField()
    provider = fields.CharField(max_length=20, default="")
    provider_ref = fields.CharField(max_length=100, null=True)
    error = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    sent_at = fields.DatetimeField(null=True)
    final_at = fields.DatetimeField(null=True)
    claim = fields.CharField(max_length=36, null=True)  # the batch that holds it while sending
    printed_at = fields.DatetimeField(null=True)  # letters: marked printed by staff
    posted_at = fields.DatetimeField(null=True)  # letters: marked posted by staff

    class Meta:
        table = "delivery"
        unique_together = (("provider", "provider_ref"),)
        indexes = (("status", "not_before"), ("notice_id", "status"), ("claim",))


class DeliveryStatusChange(Model):
    """Every transition of a delivery, with the provider's raw data."""

    id = fields.IntField(primary_key=True)
    delivery: fields.ForeignKeyRelation[Delivery] = fields.ForeignKeyField(
        "models.Delivery", related_name="history", on_delete=fields.CASCADE
    )
    delivery_id: int
    from_status = fields.CharField(max_length=12)
    to_status = fields.CharField(max_length=12)
    at = fields.DatetimeField(auto_now_add=True)
    source = fields.CharField(max_length=30, default="")  # worker, callback, staff
    event_ref = fields.CharField(max_length=120, null=True)  # de-duplicates provider callbacks
    raw_data: fields.Field[dict[str, object] | None] = fields.JSONField(null=True)

    class Meta:
        table = "delivery_status_change"
        unique_together = (("delivery", "event_ref"),)
        ordering = ["at", "id"]


class StaffAlert(Model):
    """Something staff must know (a quota nearly used up, a provider refusing) — one per key."""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="alerts", on_delete=fields.CASCADE
    )
    school_id: int
    kind = fields.CharField(max_length=30)
    key = fields.CharField(max_length=120, unique=True)  # e.g. quota:12:sms:2026-11:80
    level = fields.CharField(max_length=10, default="warning")  # info, warning, error
    message = fields.TextField(default="")
    data: fields.Field[dict[str, object]] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)
    resolved_at = fields.DatetimeField(null=True)

    class Meta:
        table = "staff_alert"
        indexes = (("school_id", "created_at"),)
