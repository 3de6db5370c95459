"""The embedded outbox (``transport.py``): SMS and email written as files in
``{var_dir}/outbox/`` when no provider carries them — the default, listed last in
``gateway.registry``."""

from __future__ import annotations

from core.services.ports import Transport
from core.settings import Settings
from gateway.base import Provider
from gateway.outbox.transport import OutboxTransport

__all__ = ["PROVIDER", "OutboxTransport"]

CHANNELS = ("sms", "email")


def build(settings: Settings) -> dict[str, Transport]:
    """One outbox per channel it may stand in for (the registry keeps those no provider took)."""
    return {channel: OutboxTransport(settings.var_dir, channel=channel) for channel in CHANNELS}


PROVIDER = Provider("outbox", CHANNELS, build)
