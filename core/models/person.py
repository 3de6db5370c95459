"""Persons (guardians and contacts), their links to students, and their contact points."""

from __future__ import annotations

from enum import IntEnum, StrEnum

from tortoise import fields
from tortoise.models import Model

from core.models.school import School
from core.models.student import Student
from core.rules.postal import display_name


class ResponsibilityLevel(IntEnum):
    """SIECLE's NIVEAU_RESPONSABILITE."""

    LEGAL = 1
    IN_CHARGE = 2
    CONTACT = 3


class ContactKind(StrEnum):
    MOBILE = "mobile"
    LANDLINE = "landline"
    EMAIL = "email"
    POSTAL = "postal"
    CHAT = "chat"


class Usability(StrEnum):
    """Whether a contact point can be used — anything but OK keeps it out of sending."""

    OK = "ok"
    INVALID = "invalid"  # malformed or not a number of that kind
    WRONG_NUMBER = "wrong_number"  # reported by the provider or by the family
    OPTED_OUT = "opted_out"  # STOP reply, or consent withdrawn
    BOUNCED = "bounced"
    BLOCKED = "blocked"  # e.g. the family blocked the bot


class Person(Model):
    """A guardian or a contact of one school, keyed on SIECLE's PERSONNE_ID."""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="persons", on_delete=fields.CASCADE
    )
    school_id: int
    siecle_id = fields.CharField(max_length=20, null=True)
    civility = fields.CharField(max_length=10, default="")
    last_name = fields.CharField(max_length=100)
    first_name = fields.CharField(max_length=100, default="")
    language = fields.CharField(max_length=5, default="fr")
    preferred_channel = fields.CharField(max_length=10, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    links: fields.ReverseRelation[GuardianLink]
    contacts: fields.ReverseRelation[ContactPoint]

    class Meta:
        table = "person"
        unique_together = (("school", "siecle_id"),)

    @property
    def display_name(self) -> str:
        return display_name(self.civility, self.last_name, self.first_name)


class GuardianLink(Model):
    """A person's link to a student — more than two legal representatives are allowed."""

    id = fields.IntField(primary_key=True)
    student: fields.ForeignKeyRelation[Student] = fields.ForeignKeyField(
        "models.Student", related_name="guardian_links", on_delete=fields.CASCADE
    )
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="links", on_delete=fields.CASCADE
    )
    student_id: int
    person_id: int
    level = fields.IntEnumField(ResponsibilityLevel, default=ResponsibilityLevel.LEGAL)
    relationship = fields.CharField(max_length=4, default="90")  # SIECLE CODE_PARENTE
    pays_fees = fields.BooleanField(default=False)
    priority = fields.SmallIntField(default=1)  # 1 first; ordering of domain.md §5
    receives_notices = fields.BooleanField(default=True)

    class Meta:
        table = "guardian_link"
        unique_together = (("student", "person"),)
        ordering = ["priority"]


class ContactPoint(Model):
    """A way to reach a person, with consent and whether it is usable."""

    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="contacts", on_delete=fields.CASCADE
    )
    person_id: int
    kind = fields.CharEnumField(ContactKind)
    value = fields.CharField(max_length=254)  # E.164, email, chat id, or the address's first line
    raw_value = fields.CharField(max_length=254, default="")
    address: fields.Field[dict[str, object] | None] = fields.JSONField(null=True)
    label = fields.CharField(max_length=30, default="")  # personal / work / …
    consent = fields.BooleanField(default=True)  # e.g. ACCEPTE_SMS
    usability = fields.CharEnumField(Usability, default=Usability.OK)
    usability_note = fields.CharField(max_length=200, default="")
    usability_changed_at = fields.DatetimeField(null=True)
    verified = fields.BooleanField(default=False)
    priority = fields.SmallIntField(default=1)
    # The SIECLE field it comes from (TEL_PORTABLE, MEL, ADRESSE…): the import keeps such
    # points up to date; None for points entered by staff or linked chats, never touched.
    siecle_field = fields.CharField(max_length=20, null=True)

    class Meta:
        table = "contact_point"
        unique_together = (("person", "kind", "value"),)
        indexes = (("kind", "value"),)

    @property
    def usable(self) -> bool:
        return self.consent and self.usability == Usability.OK
