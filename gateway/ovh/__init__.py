"""OVHcloud: SMS through its signed API (``sms.py``), the delivery reports the worker polls
for (``reports.py``) and the families' SMS it fetches (``incoming.py``), when
``ABSENCES_SMS_PROVIDER=ovh``."""

from __future__ import annotations

from typing import Any

from core.services.ports import Transport
from core.settings import Settings, SettingsError
from gateway.base import Provider
from gateway.ovh.reports import OvhReportSource
from gateway.ovh.sms import DEFAULT_ENDPOINT, OvhSmsTransport

__all__ = ["PROVIDER", "OvhSmsTransport"]

OVH_SETTINGS = ("application_key", "application_secret", "consumer_key", "service_name")


def build(settings: Settings) -> dict[str, Transport]:
    """SMS when chosen; every ``ABSENCES_OVH_*`` credential is then needed."""
    if settings.sms_provider != "ovh":
        return {}
    values: dict[str, Any] = {name: getattr(settings, f"ovh_{name}") for name in OVH_SETTINGS}
    missing = [f"ABSENCES_OVH_{name.upper()}" for name, value in values.items() if not value]
    if missing:
        raise SettingsError(f"ABSENCES_SMS_PROVIDER=ovh needs {', '.join(missing)}")
    sms = OvhSmsTransport(
        **values,
        sender=settings.ovh_sender or None,
        endpoint=settings.ovh_endpoint or DEFAULT_ENDPOINT,
    )
    return {"sms": sms}


PROVIDER = Provider("ovh", OvhReportSource.channels, build)
