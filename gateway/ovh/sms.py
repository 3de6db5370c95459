"""SMS through OVHcloud's API: signed requests, ``/sms/{service}/jobs``, reports by polling.

OVHcloud posts no delivery report we could verify, so the worker asks for each message's
state with :meth:`OvhSmsTransport.reports` (or :meth:`~OvhSmsTransport.poll_status` for one)
until it is final: ``GET /sms/{service}/outgoing/{id}`` once the job has left (its
``deliveryReceipt``), ``GET /sms/{service}/jobs/{id}`` while it still waits.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from core.models.person import Usability
from core.services.ports import Accepted, Message, SendFailed
from gateway.http import DEFAULT_TIMEOUT, HttpAnswer, HttpClient, retry_after

DEFAULT_ENDPOINT = "https://eu.api.ovh.com"
PollStatus = Literal["sent", "delivered", "undelivered", "failed"]
# deliveryReceipt of an outgoing SMS, as the operators' DLR codes: 1 delivered, 2 not delivered,
# 4 buffered, 8 handed to the operator, 16 refused by the operator (0: no report yet).
RECEIPTS: dict[int, PollStatus] = {1: "delivered", 2: "undelivered", 16: "failed"}
REPORT_CONCURRENCY = 4  # requests in flight at once when polling many messages


@dataclass(frozen=True, slots=True)
class OvhReport:
    """What OVHcloud says of one SMS: ``status`` (None with ``error`` when it could not say),
    its ``deliveryReceipt`` code, and the object it answered."""

    ref: str
    status: PollStatus | None
    receipt: int | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    error: SendFailed | None = None


def ovh_signature(
    app_secret: str, consumer_key: str, method: str, url: str, body: str, timestamp: int
) -> str:
    """``X-Ovh-Signature``: ``$1$`` + SHA-1 of secret+consumer+METHOD+url+body+timestamp."""
    parts = (app_secret, consumer_key, method.upper(), url, body, str(timestamp))
    return "$1$" + hashlib.sha1("+".join(parts).encode()).hexdigest()


class OvhSmsTransport:
    """One SMS job per message on the OVHcloud SMS account ``service_name``."""

    provider = "ovh"

    def __init__(
        self,
        *,
        application_key: str,
        application_secret: str,
        consumer_key: str,
        service_name: str,
        sender: str | None = None,
        endpoint: str = DEFAULT_ENDPOINT,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.service_name = service_name
        self.sender = sender
        self._app_key = application_key
        self._app_secret = application_secret
        self._consumer_key = consumer_key
        self._base = endpoint.rstrip("/") + "/1.0"
        self._http = HttpClient(timeout=timeout)
        self._clock_delta: int | None = None

    async def _server_time(self) -> int:
        # OVHcloud refuses a timestamp far from its clock: learn the offset once, as its SDKs do.
        if self._clock_delta is None:
            answer = await self._http.request("GET", f"{self._base}/auth/time")
            server = answer.payload.get("result")
            if answer.status != 200 or not isinstance(server, int):
                raise failure(answer, "auth/time")
            self._clock_delta = server - int(time.time())
        return int(time.time()) + self._clock_delta

    async def signed(self, method: str, path: str, payload: Any = None) -> HttpAnswer:
        """One request signed as OVHcloud wants it (``path`` under ``/1.0``)."""
        url = f"{self._base}{path}"
        body = "" if payload is None else json.dumps(payload, separators=(",", ":"))
        stamp = await self._server_time()
        headers = {
            "X-Ovh-Application": self._app_key,
            "X-Ovh-Consumer": self._consumer_key,
            "X-Ovh-Timestamp": str(stamp),
            "X-Ovh-Signature": ovh_signature(
                self._app_secret, self._consumer_key, method, url, body, stamp
            ),
        }
        if body:
            headers["Content-Type"] = "application/json"
        return await self._http.request(method, url, data=body or None, headers=headers)

    def _job(self, message: Message) -> dict[str, Any]:
        job: dict[str, Any] = {
            "receivers": [message.to],
            "message": message.body,
            "charset": "UTF-8",
            "noStopClause": True,  # school notices are not commercial: no "STOP" mention
            "priority": "high",
        }
        if self.sender:
            job["sender"] = self.sender
        else:  # a short number that lets families answer
            job["senderForResponse"] = True
        return job

    async def send(self, message: Message) -> Accepted:
        """Create the job; ``provider_ref`` is the id OVHcloud gives the SMS."""
        answer = await self.signed("POST", f"/sms/{self.service_name}/jobs", self._job(message))
        if answer.status != 200:
            raise failure(answer, "jobs")
        ids = answer.payload.get("ids") or []
        if not ids:
            invalid = answer.payload.get("invalidReceivers") or [message.to]
            raise SendFailed(
                f"ovh: invalid receiver {', '.join(map(str, invalid))}",
                permanent=True,
                code="invalidReceiver",
                usability=Usability.INVALID,  # OVHcloud refuses the number itself
            )
        return Accepted(provider=self.provider, provider_ref=str(ids[0]), raw=answer.payload)

    async def report(self, ref: str) -> OvhReport:
        """Where the SMS ``ref`` stands: ``sent`` while no final report, then the final state;
        raises :class:`SendFailed` (permanent when OVHcloud knows no such SMS)."""
        answer = await self.signed("GET", f"/sms/{self.service_name}/outgoing/{ref}")
        if answer.status == 404:  # not sent yet: still a pending job
            answer = await self.signed("GET", f"/sms/{self.service_name}/jobs/{ref}")
            if answer.status == 200:
                return OvhReport(ref, "sent", None, dict(answer.payload))
            if answer.status == 404:
                raise SendFailed(f"ovh: no SMS {ref}", permanent=True, code="404")
            raise failure(answer, "jobs")
        if answer.status != 200:
            raise failure(answer, "outgoing")
        receipt = answer.payload.get("deliveryReceipt")
        if not isinstance(receipt, int) or isinstance(receipt, bool):
            return OvhReport(ref, "sent", None, dict(answer.payload))
        return OvhReport(ref, RECEIPTS.get(receipt, "sent"), receipt, dict(answer.payload))

    async def reports(
        self, refs: Sequence[str], *, concurrency: int = REPORT_CONCURRENCY
    ) -> list[OvhReport]:
        """The reports of several SMS, in the order of ``refs``, a few requests at a time; an
        SMS OVHcloud could not answer about has ``status`` None and the ``error``."""
        gate = asyncio.Semaphore(max(1, concurrency))

        async def one(ref: str) -> OvhReport:
            async with gate:
                try:
                    return await self.report(ref)
                except SendFailed as error:
                    return OvhReport(ref, None, error=error)

        return list(await asyncio.gather(*(one(ref) for ref in refs)))

    async def poll_status(self, ref: str) -> PollStatus:
        """Where the SMS ``ref`` stands (see :meth:`report`)."""
        status = (await self.report(ref)).status
        assert status is not None  # report() raises rather than answer without a status
        return status

    async def close(self) -> None:
        """Release the HTTP session."""
        await self._http.close()


def failure(answer: HttpAnswer, what: str) -> SendFailed:
    """OVHcloud's error answer as the port's error: transient or permanent, ours or not."""
    detail = str(answer.payload.get("message") or answer.text[:200] or "no detail")
    message = f"ovh {what} {answer.status}: {detail}"
    if answer.status == 429:
        wait = retry_after(answer.headers.get("Retry-After"))
        return SendFailed(message, permanent=False, code="429", retry_after=wait)
    if answer.status >= 500 or answer.status < 400:
        return SendFailed(message, permanent=False, code=str(answer.status))
    if answer.status in (401, 403) or _about_credentials(detail):  # ours, not the family's
        return SendFailed(message, permanent=False, code="auth")
    return SendFailed(message, permanent=True, code=str(answer.status))


def _about_credentials(detail: str) -> bool:
    # OVHcloud answers a bad signature or a skewed clock with a plain 400.
    lowered = detail.lower()
    return "signature" in lowered or "timestamp" in lowered
