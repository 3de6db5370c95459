"""Provider webhooks under ``/hooks/twilio/``: delivery reports, call key presses, inbound SMS.

Each request is checked with ``X-Twilio-Signature`` against the URL Twilio called
(``ABSENCES_PUBLIC_URL`` + path + query) and the auth token: forged or unsigned → 403 and a
warning. A checked request is answered 200 quickly, even for an unknown delivery (a provider
must not retry forever); a report seen twice is recorded once (``event_ref``). The fallback
deliveries a failed report plans are enqueued at once.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from aiohttp import web

from core.models import DeliveryStatus
from core.rules.keypad import MEANINGS
from core.services.delivery.reports import record_status, scheduled_after_report
from core.services.notices.inbound import answered_at_once, receive_sms, store_sms
from core.services.notices.keypad import call_text, press_key
from gateway.twilio.callbacks import (
    CHANNELS,
    GATHER_PATH,
    INBOUND_SMS_PATH,
    STATUS_PATH,
    CallbackError,
    StatusReport,
    parse_call_status,
    parse_inbound_sms,
    parse_message_status,
    render_gather_reply,
    render_goodbye,
    render_message_reply,
    verify_signature,
)
from web.keys import QUEUE, SETTINGS, TEMPLATE_TOOLS
from workers.queue import enqueue_reading, enqueue_scheduled

logger = logging.getLogger("absences.hooks")

PROVIDER = "twilio"
STATUS = STATUS_PATH + "{uuid}"
GATHER = GATHER_PATH + "{uuid}"
INBOUND_SMS = INBOUND_SMS_PATH
FAILED = (DeliveryStatus.UNDELIVERED, DeliveryStatus.FAILED)
XML = "text/xml"


async def signed_form(request: web.Request) -> dict[str, str]:
    """The POSTed form once its signature is checked; 403 (logged) when it is not Twilio's."""
    settings = request.app[SETTINGS]
    try:
        form = await request.post()
    except (UnicodeDecodeError, ValueError):  # not a form Twilio sends: no traceback, a 400
        logger.warning("refused an unreadable %s callback from %s", request.path, request.remote)
        raise web.HTTPBadRequest(text="unreadable form") from None
    pairs = [(name, str(value)) for name, value in form.items()]
    url = settings.public_url + request.raw_path
    token = settings.twilio_auth_token or ""
    if not verify_signature(url, pairs, request.headers.get("X-Twilio-Signature"), token):
        logger.warning(
            "refused a %s callback with a bad or missing signature from %s",
            request.path,
            request.remote,
        )
        raise web.HTTPForbidden(text="bad signature")
    return dict(pairs)


async def _record(request: web.Request, report: StatusReport) -> bool | None:
    """Record the report; enqueue what a failed one planned."""
    delivery_uuid = request.match_info["uuid"]
    recorded = await record_status(
        PROVIDER,
        report.provider_ref,
        report.status,
        channels=CHANNELS,
        raw={**report.raw},
        event_ref=report.event_ref,
        at=datetime.now(UTC),
        error_code=report.error_code,
        usability=report.usability,
        delivery_uuid=delivery_uuid,
    )
    if recorded and report.status in FAILED:
        due = await scheduled_after_report(PROVIDER, report.provider_ref, CHANNELS, delivery_uuid)
        await enqueue_scheduled(request.app[QUEUE], due)
    if recorded is None:
        logger.info("report on an unknown delivery %s (%s)", delivery_uuid, report.provider_ref)
    return recorded


def _parse(form: dict[str, str]) -> StatusReport:
    if "CallSid" in form and "MessageSid" not in form and "SmsSid" not in form:
        return parse_call_status(form)
    return parse_message_status(form)


async def twilio_status(request: web.Request) -> web.Response:
    """A message's or a call's status report."""
    form = await signed_form(request)
    try:
        report = _parse(form)
    except CallbackError as error:  # Twilio's, but not for us to act on: do not make it retry
        logger.warning("unreadable status callback: %s", error)
        return web.Response(text="")
    await _record(request, report)
    return web.Response(text="")


async def twilio_gather(request: web.Request) -> web.Response:
    """The key pressed during a call (``core.services.notices.keypad``): 1 the family knows
    (a reply, acknowledged; the delivery confirmed), 2 asks to be called back (a reply in the
    CPE's queue), 3 the message again, any other key the menu again. A call we know nothing of
    hears a goodbye."""
    form = await signed_form(request)
    digits = form.get("Digits", "").strip()[:1]
    delivery_uuid = request.match_info["uuid"]
    try:
        await _record(request, parse_call_status(form))
    except CallbackError as error:
        logger.warning("unreadable gather callback: %s", error)
    pressed = await press_key(
        delivery_uuid,
        digits,
        form.get("CallSid", ""),
        provider=PROVIDER,
        at=datetime.now(UTC),
        raw={**form},
    )
    if not pressed.known:
        logger.info("a key pressed on an unknown delivery %s", delivery_uuid)
        return web.Response(text=render_goodbye(), content_type=XML)
    text = None
    tools = request.config_dict.get(TEMPLATE_TOOLS)
    if digits not in MEANINGS and tools is not None:
        text = await call_text(delivery_uuid, tools)
    action = request.app[SETTINGS].public_url + request.raw_path
    script = render_gather_reply(digits, pressed.language, text, action)
    return web.Response(text=script, content_type=XML)


async def twilio_sms(request: web.Request) -> web.Response:
    """An SMS from a family: stored in one insert and read by the worker; STOP or START alone is
    read at once and confirmed in the answer."""
    form = await signed_form(request)
    try:
        sms = parse_inbound_sms(form)
    except CallbackError as error:
        logger.warning("unreadable inbound SMS: %s", error)
        return web.Response(text=render_message_reply(), content_type=XML)
    raw: dict[str, object] = {**sms.raw}
    args = (PROVIDER, sms.provider_ref, sms.sender, sms.text, datetime.now(UTC), raw)
    queue = request.app[QUEUE]
    if answered_at_once(sms.text):  # read at once: its confirmation is the answer
        received = await receive_sms(*args, recipient=sms.to or None)
        await enqueue_scheduled(queue, received.due)
        return web.Response(text=render_message_reply(received.reply), content_type=XML)
    received = await store_sms(*args, recipient=sms.to or None)
    if received.created:
        await enqueue_reading(queue, received.message.id)
    return web.Response(text=render_message_reply(), content_type=XML)


def setup(app: web.Application) -> None:
    """Mount the webhooks."""
    app.router.add_post(STATUS, twilio_status)
    app.router.add_post(GATHER, twilio_gather)
    app.router.add_post(INBOUND_SMS, twilio_sms)
