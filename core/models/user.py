"""Staff users, their roles per school, API tokens, and the audit log."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from core.models.school import School


class Role(StrEnum):
    ADMIN = "admin"
    DIRECTION = "direction"
    CPE = "cpe"
    VIE_SCOLAIRE = "vie_scolaire"
    TEACHER = "teacher"


class User(Model):
    """A staff account — the password is kept only as an argon2 hash.

    A teacher the timetable import brought has no email and no password until an admin
    invites them: they own their lessons but cannot log in."""

    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True, null=True)
    display_name = fields.CharField(max_length=120, default="")
    password_hash = fields.CharField(max_length=200, default="")
    language = fields.CharField(max_length=5, default="fr")
    active = fields.BooleanField(default=True)
    # an operator of the install: creates schools (and becomes their admin); sees no school's
    # data without a role in it
    operator = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_login_at = fields.DatetimeField(null=True)

    memberships: fields.ReverseRelation[Membership]

    @property
    def known_as(self) -> str:
        """How staff pages name the user: their name, else their email."""
        return self.display_name or self.email or ""

    class Meta:
        table = "staff_user"


class Membership(Model):
    """A user's role in one school — a user may belong to several schools."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="memberships", on_delete=fields.CASCADE
    )
    user_id: int
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="memberships", on_delete=fields.CASCADE
    )
    role = fields.CharEnumField(Role, max_length=20)
    sts_id = fields.CharField(max_length=20, null=True)  # STS-Web's INDIVIDU/@ID in this school

    class Meta:
        table = "membership"
        unique_together = (("user", "school"),)


class ApiToken(Model):
    """A bearer token for scripts, with the same rights as its user — only a hash is stored."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="tokens", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=120, default="")
    token_hash = fields.CharField(max_length=64, unique=True)
    prefix = fields.CharField(max_length=12)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    expires_at = fields.DatetimeField(null=True)  # None: never expires

    class Meta:
        table = "api_token"


class Invitation(Model):
    """An invitation to join a school with a role — only a hash of its link's secret is kept.

    A school admin never learns whether the email already has an account: the person follows
    the link and either signs in to attach their account or chooses a password for a new one.
    """

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="invitations", on_delete=fields.CASCADE
    )
    email = fields.CharField(max_length=254)
    display_name = fields.CharField(max_length=120, default="")
    role = fields.CharEnumField(Role, max_length=20)
    token_hash = fields.CharField(max_length=64, unique=True)
    invited_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="invitations_sent", null=True, on_delete=fields.SET_NULL
    )
    # a staff member without a login (a teacher the timetable import brought): accepting gives
    # them this email and a password, or joins them to the account the person signs in with
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="invitations_for", null=True, on_delete=fields.CASCADE
    )
    user_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    accepted_at = fields.DatetimeField(null=True)
    cancelled_at = fields.DatetimeField(null=True)

    class Meta:
        table = "invitation"
        indexes = (("school_id", "email"),)


class AuditEntry(Model):
    """Who changed what, when, with the state before and after."""

    id = fields.IntField(primary_key=True)
    school: fields.ForeignKeyNullableRelation[School] = fields.ForeignKeyField(
        "models.School", related_name="audit", null=True, on_delete=fields.CASCADE
    )
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="audit", null=True, on_delete=fields.SET_NULL
    )
    actor_label = fields.CharField(max_length=120)  # "cpe@…", "import siecle", "system"
    action = fields.CharField(max_length=60)
    entity = fields.CharField(max_length=40)
    entity_id = fields.CharField(max_length=40, null=True)
    before: fields.Field[dict[str, object] | None] = fields.JSONField(null=True)
    after: fields.Field[dict[str, object] | None] = fields.JSONField(null=True)
    at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "audit_entry"
        indexes = (("school_id", "at"), ("entity", "entity_id"))
