"""Login attempts, kept in the database so that throttling holds across processes."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class LoginAttempt(Model):
    """One try at the login form: for which email, from which address, when, and the outcome."""

    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254)
    ip = fields.CharField(max_length=64)
    at = fields.DatetimeField()
    success = fields.BooleanField(default=False)

    class Meta:
        table = "login_attempt"
        indexes = (("email", "at"), ("ip", "at"), ("at",))
