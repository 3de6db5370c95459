"""Telegram: messages to the families who linked their chat (``transport.py``), when
``ABSENCES_TELEGRAM_TOKEN`` is set. The bot's own webhook lives in ``bot/``."""

from __future__ import annotations

from core.services.ports import Transport
from core.settings import Settings
from gateway.base import Provider
from gateway.telegram.transport import DEFAULT_API_URL, TelegramTransport, telegram_error

__all__ = ["DEFAULT_API_URL", "PROVIDER", "TelegramTransport", "telegram_error"]


def build(settings: Settings) -> dict[str, Transport]:
    """The chat channel once a bot token is set."""
    if not settings.telegram_token:
        return {}
    return {"chat": TelegramTransport(settings.telegram_token, api_url=settings.telegram_api_url)}


PROVIDER = Provider("telegram", ("chat",), build)
