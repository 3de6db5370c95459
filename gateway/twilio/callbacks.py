"""Twilio's webhooks: their paths, signatures, delivery reports, call progress, inbound SMS,
call scripts.

The only Twilio module the web layer may import (its name says "callback"). Everything here
is pure: no network, no settings. A report's :attr:`StatusReport.usability` is what its error
code says of the number (``gateway.twilio.codes``): core reads no Twilio code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit, urlunsplit
from xml.sax.saxutils import escape

from core.models.person import Usability
from gateway.twilio.codes import usability_of
from gateway.twilio.twiml import render_gather_reply, render_goodbye, render_twiml

__all__ = [
    "CHANNELS",
    "GATHER_PATH",
    "INBOUND_SMS_PATH",
    "PERMANENT_ERROR_CODES",
    "STATUS_PATH",
    "CallbackError",
    "InboundSms",
    "StatusReport",
    "hook_url",
    "parse_call_status",
    "parse_inbound_sms",
    "parse_message_status",
    "render_gather_reply",
    "render_goodbye",
    "render_message_reply",
    "render_twiml",
    "signature",
    "verify_signature",
]

Status = Literal["sent", "delivered", "undelivered", "failed"]
CHANNELS = ("sms", "call")  # what Twilio carries, and reports on
# Where Twilio posts, under ABSENCES_PUBLIC_URL: a message's or a call's status report (the
# delivery's uuid ends the path), the key pressed during a call, an SMS from a family.
STATUS_PATH = "/hooks/twilio/status/"
GATHER_PATH = "/hooks/twilio/gather/"
INBOUND_SMS_PATH = "/hooks/twilio/sms"


def hook_url(public_url: str, path: str, delivery_uuid: str) -> str | None:
    """``{public_url}{path}{delivery_uuid}``, where Twilio posts about one delivery; None
    without a public URL (Twilio then posts nothing)."""
    return f"{public_url.rstrip('/')}{path}{delivery_uuid}" if public_url else None


# Twilio error codes that no retry fixes: an invalid or landline number, an opted-out (STOP)
# recipient, a destination not enabled, a handset unreachable, blocked or unknown to the carrier.
PERMANENT_ERROR_CODES = frozenset(
    {"21211", "21408", "21610", "21614", "30003", "30004", "30005", "30006", "30007", "30008"}
)
MESSAGE_STATUSES: dict[str, Status] = {
    "accepted": "sent",
    "scheduled": "sent",
    "queued": "sent",
    "sending": "sent",
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "undelivered",
    "failed": "failed",
    "canceled": "failed",
}
CALL_STATUSES: dict[str, Status] = {
    "queued": "sent",
    "initiated": "sent",
    "ringing": "sent",
    "in-progress": "sent",
    "completed": "delivered",
    "busy": "undelivered",
    "no-answer": "undelivered",
    "failed": "failed",
    "canceled": "failed",
}
Params = Mapping[str, str] | Iterable[tuple[str, str]]


class CallbackError(ValueError):
    """A callback lacks a field we need or names a status we do not know."""


@dataclass(frozen=True, slots=True)
class StatusReport:
    """One delivery report, in our vocabulary, with Twilio's fields kept in ``raw``."""

    provider_ref: str
    status: Status
    raw: dict[str, str] = field(default_factory=dict)
    error_code: str | None = None
    event_ref: str = ""  # stable per provider event: the same report twice has the same ref
    confirmed: bool = False  # a call answered with the key 1

    @property
    def permanent(self) -> bool:
        """True when no retry fixes the error (the number, not Twilio, is at fault)."""
        return self.error_code in PERMANENT_ERROR_CODES

    @property
    def usability(self) -> Usability | None:
        """What the error says of the number (None: nothing sure; only the fallback)."""
        return usability_of(self.error_code)


@dataclass(frozen=True, slots=True)
class InboundSms:
    """An SMS a family sent to our number."""

    provider_ref: str
    sender: str
    to: str
    text: str
    raw: dict[str, str] = field(default_factory=dict)


def _pairs(params: Params) -> list[tuple[str, str]]:
    items = params.items() if isinstance(params, Mapping) else params
    return [(str(name), str(value)) for name, value in items]


def signature(url: str, params: Params, auth_token: str) -> str:
    """``X-Twilio-Signature``: base64 HMAC-SHA1 of the URL then each POST name+value, sorted."""
    payload = url + "".join(name + value for name, value in sorted(_pairs(params)))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_signature(url: str, params: Params, header: str | None, auth_token: str) -> bool:
    """Whether ``header`` is Twilio's signature of this request (compared in constant time).

    ``url`` is the full public URL Twilio called, query string included, as configured
    (``ABSENCES_PUBLIC_URL`` + path), not the one the proxy handed to us.
    """
    if not header or not auth_token:
        return False
    pairs = _pairs(params)
    given = header.strip().encode()
    return any(
        hmac.compare_digest(signature(variant, pairs, auth_token).encode(), given)
        for variant in _port_variants(url)
    )


def _port_variants(url: str) -> list[str]:
    # Twilio signs https://host/... or https://host:443/... depending on how the URL was
    # configured; its own SDKs accept both, so do we.
    parts = urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    if default is None or parts.hostname is None or "@" in parts.netloc:
        return [url]
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    if parts.port is None:
        return [url, urlunsplit(parts._replace(netloc=f"{host}:{default}"))]
    if parts.port == default:
        return [url, urlunsplit(parts._replace(netloc=host))]
    return [url]


# Twilio's ids are 34 characters and its numbers E.164 (at most 16); an SMS body is at most
# 1,600 characters. Anything longer did not come from Twilio's API as documented: refused.
MAX_ID = 64
MAX_ADDRESS = 64
MAX_BODY = 5_000


def _fields(form: Params) -> dict[str, str]:
    """The callback's fields, without NUL characters (no database column holds one)."""
    return {name: value.replace("\x00", "") for name, value in _pairs(form)}


def _required(raw: dict[str, str], *names: str, limit: int = MAX_ID) -> str:
    for name in names:
        if raw.get(name):
            if len(raw[name]) > limit:
                raise CallbackError(f"{name} longer than {limit} characters")
            return raw[name]
    raise CallbackError(f"callback without {names[0]}")


def parse_message_status(form: Params) -> StatusReport:
    """A message's ``StatusCallback`` (``MessageSid``, ``MessageStatus``, ``ErrorCode``)."""
    raw = _fields(form)
    sid = _required(raw, "MessageSid", "SmsSid")
    twilio_status = _required(raw, "MessageStatus", "SmsStatus").lower()
    status = MESSAGE_STATUSES.get(twilio_status)
    if status is None:
        raise CallbackError(f"unknown message status {twilio_status!r}")
    return StatusReport(
        provider_ref=sid,
        status=status,
        raw=raw,
        error_code=raw.get("ErrorCode") or None,
        event_ref=f"{sid}:{twilio_status}",
    )


def parse_call_status(form: Params) -> StatusReport:
    """A call's ``StatusCallback`` or ``<Gather>`` action (``CallSid``, ``CallStatus``, ``Digits``).

    A completed call counts as delivered (a person or a voicemail heard it; ``AnsweredBy`` is
    kept in ``raw``); busy and no-answer are undelivered; a key 1 is a confirmed delivery.
    """
    raw = _fields(form)
    sid = _required(raw, "CallSid")
    twilio_status = _required(raw, "CallStatus").lower()
    status = CALL_STATUSES.get(twilio_status)
    if status is None:
        raise CallbackError(f"unknown call status {twilio_status!r}")
    digits = raw.get("Digits", "")
    confirmed = digits == "1"
    return StatusReport(
        provider_ref=sid,
        status="delivered" if confirmed else status,
        raw=raw,
        error_code=raw.get("ErrorCode") or None,
        event_ref=f"{sid}:{twilio_status}" + (f":{digits}" if digits else ""),
        confirmed=confirmed,
    )


def parse_inbound_sms(form: Params) -> InboundSms:
    """An incoming SMS webhook (``MessageSid``, ``From``, ``To``, ``Body``)."""
    raw = _fields(form)
    return InboundSms(
        provider_ref=_required(raw, "MessageSid", "SmsSid"),
        sender=_required(raw, "From", limit=MAX_ADDRESS),
        to=raw.get("To", "")[:MAX_ADDRESS],
        text=raw.get("Body", "")[:MAX_BODY],
        raw=raw,
    )


def render_message_reply(text: str | None = None) -> str:
    """The TwiML answer to an inbound SMS: ``text`` sent back as an SMS, or nothing."""
    message = f"<Message>{escape(text)}</Message>" if text else ""
    return f'<?xml version="1.0" encoding="UTF-8"?><Response>{message}</Response>'
