"""Pigeon Post, a made-up chat provider carrying the ``pigeon`` channel to a mobile number:
everything a provider's folder under ``gateway/`` holds.

Its API: ``POST {api}/v1/messages`` with ``{recipient, text, report_to}`` and a bearer token →
201 ``{"message": {"id"}}``; 404 ``unknown_recipient`` (no account on that number), 410
``blocked`` (the family blocked the school), 5xx and 429 transient. It reports by posting
``{id, state, reason}`` to ``report_to``: ``state`` ``read`` or ``undeliverable``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.models.person import Usability
from core.rules.channels import ChannelKind
from core.services.ports import Accepted, Message, SendFailed, Transport
from core.settings import Settings
from gateway.base import Provider
from gateway.http import HttpClient

CHANNEL = "pigeon"
# The channel's row in core.rules.channels.CHANNELS: it reaches a mobile number, is not held by
# the quiet hours, has no monthly quota and is not in a new school's default order.
ROW = ChannelKind(CHANNEL, ("mobile",))
NAME = "pigeonpost"
REPORT_PATH = "/hooks/pigeonpost/"
# What its refusals and reports say of the number.
VERDICTS = {"unknown_recipient": Usability.INVALID, "blocked": Usability.BLOCKED}
STATES = {"read": "delivered", "undeliverable": "undelivered"}


class PigeonTransport:
    """One message per delivery; reports go to ``{public_url}/hooks/pigeonpost/{uuid}``."""

    provider = NAME

    def __init__(self, api_url: str, token: str, public_url: str) -> None:
        self.api_url = api_url.rstrip("/")
        self.public_url = public_url.rstrip("/")
        self._http = HttpClient(headers={"Authorization": f"Bearer {token}"}, redact=token)

    async def send(self, message: Message) -> Accepted:
        body = {
            "recipient": message.to,
            "text": message.body,
            "report_to": f"{self.public_url}{REPORT_PATH}{message.delivery_uuid}",
        }
        answer = await self._http.request("POST", f"{self.api_url}/v1/messages", json=body)
        found = answer.payload.get("message")
        if answer.status == 201 and isinstance(found, dict) and found.get("id"):
            return Accepted(self.provider, str(found["id"]), raw=answer.payload)
        error = str(answer.payload.get("error") or answer.status)
        text = f"pigeonpost {answer.status}: {error}"
        if answer.status == 429 or answer.status >= 500:
            raise SendFailed(text, permanent=False, code=error)
        raise SendFailed(text, permanent=True, code=error, usability=VERDICTS.get(error))

    async def close(self) -> None:
        await self._http.close()


@dataclass(frozen=True, slots=True)
class PigeonReport:
    """One posted report, in our vocabulary."""

    provider_ref: str
    status: str
    error_code: str | None
    usability: Usability | None
    event_ref: str


def parse_report(payload: Mapping[str, Any]) -> PigeonReport:
    """A report as core's ``record_status`` takes it; ValueError when it is not one."""
    ref, state = str(payload.get("id") or ""), str(payload.get("state") or "")
    if not ref or state not in STATES:
        raise ValueError(f"not a Pigeon Post report: {dict(payload)!r}")
    reason = str(payload["reason"]) if payload.get("reason") else None
    return PigeonReport(ref, STATES[state], reason, VERDICTS.get(reason or ""), f"{ref}:{state}")


def provider(api_url: str, token: str) -> Provider:
    """The declaration ``gateway.registry`` lists; a shipped provider would read its URL and
    token from ``core.settings`` (``ABSENCES_PIGEONPOST_*``)."""

    def build(settings: Settings) -> Mapping[str, Transport]:
        return {CHANNEL: PigeonTransport(api_url, token, settings.public_url)}

    return Provider(NAME, (CHANNEL,), build)
