"""The composition of the channels: which provider's adapter serves which channel, from the
settings and the providers' declarations (``PROVIDER`` in each ``gateway/<provider>/``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from core.rules.channels import unknown
from core.services.ports import Transport
from core.settings import Settings
from gateway import letter, outbox, ovh, smtp, telegram, twilio
from gateway.base import Provider

# In precedence: a channel goes to the first provider that serves it in this configuration;
# the embedded outbox comes last, for the SMS and the email no provider took.
PROVIDERS: tuple[Provider, ...] = (
    twilio.PROVIDER,
    ovh.PROVIDER,
    smtp.PROVIDER,
    telegram.PROVIDER,
    letter.PROVIDER,
    outbox.PROVIDER,
)


def build_transports(
    settings: Settings, providers: Sequence[Provider] = PROVIDERS
) -> dict[str, Transport]:
    """One adapter per available channel: ``sms``, ``email`` and ``letter`` always; ``call``
    with a Twilio account; ``chat`` with a Telegram bot token (with the shipped providers).

    Builds no connection (sessions open on the first send). Raises
    :class:`core.settings.SettingsError` when a chosen provider lacks a setting, ValueError
    when a provider declares a channel that ``core.rules.channels`` does not know.
    """
    transports: dict[str, Transport] = {}
    for provider in providers:
        wrong = unknown(provider.channels)
        if wrong:
            raise ValueError(f"{provider.name} declares unknown channels: {', '.join(wrong)}")
        for channel, transport in provider.build(settings).items():
            if channel not in provider.channels:
                raise ValueError(f"{provider.name} built {channel!r}, which it does not declare")
            transports.setdefault(channel, transport)
    return transports


async def close_transports(transports: Mapping[str, Transport]) -> None:
    """Close every adapter once (one object may serve several channels)."""
    seen: set[int] = set()
    for transport in transports.values():
        if id(transport) not in seen:
            seen.add(id(transport))
            await transport.close()
