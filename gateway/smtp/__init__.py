"""Email through an SMTP server (``transport.py``), when ``ABSENCES_SMTP_HOST`` is set."""

from __future__ import annotations

from core.services.ports import Transport
from core.settings import Settings, SettingsError
from gateway.base import Provider
from gateway.smtp.transport import SmtpTransport

__all__ = ["PROVIDER", "SmtpTransport"]


def build(settings: Settings) -> dict[str, Transport]:
    """Email once a host is set (it then needs the sender's address)."""
    if not settings.smtp_host:
        return {}
    if not settings.smtp_from:
        raise SettingsError("ABSENCES_SMTP_HOST needs ABSENCES_SMTP_FROM (the sender address)")
    smtp = SmtpTransport(
        settings.smtp_host,
        settings.smtp_port,
        sender=settings.smtp_from,
        username=settings.smtp_user,
        password=settings.smtp_password,
        starttls=settings.smtp_starttls,
    )
    return {"email": smtp}


PROVIDER = Provider("smtp", ("email",), build)
