"""Login attempts and staff sessions, kept in the database so that they hold across processes."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.models.user import User


class LoginAttempt(Model):
    """One try at the login form: for which email, from which address, when, and the outcome."""

    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254)
    ip = fields.CharField(max_length=64)
    at = fields.DatetimeField()
    success = fields.BooleanField(default=False)

    class Meta:
        table = "login_attempt"
        indexes = (("email", "ip", "at"), ("email", "at"), ("ip", "at"), ("at",))


class StaffSession(Model):
    """A signed-in browser: the cookie holds only the random key, whose hash is kept here.

    Logout deletes the row, so a cookie saved before it opens nothing afterwards.
    """

    id = fields.IntField(primary_key=True)
    key_hash = fields.CharField(max_length=64, unique=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="sessions", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField()
    last_seen_at = fields.DatetimeField()
    ip = fields.CharField(max_length=64, default="")
    user_agent = fields.CharField(max_length=200, default="")

    class Meta:
        table = "staff_session"
        indexes = (("user_id", "last_seen_at"),)
