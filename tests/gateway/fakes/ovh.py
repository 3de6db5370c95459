"""A local server that speaks OVHcloud's SMS API and checks each request's signature."""

from __future__ import annotations

import itertools
import json
import time
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from gateway.ovh.sms import ovh_signature
from tests.gateway.fakes.server import LocalServer

PARIS = ZoneInfo("Europe/Paris")


class FakeOvh(LocalServer):
    """``/1.0/auth/time``, ``POST /1.0/sms/{service}/jobs``, ``GET .../outgoing|jobs/{id}``,
    and the incoming SMS: ``GET .../incoming`` (ids), ``GET|DELETE .../incoming/{id}``.

    Its clock runs ``clock_offset`` seconds from ours, and it refuses a timestamp more than
    30 s away from its clock, as OVHcloud does.
    """

    def __init__(
        self,
        application_key: str = "app-key",
        application_secret: str = "app-secret",
        consumer_key: str = "consumer-key",
        service_name: str = "sms-ab12345-1",
        clock_offset: int = 0,
    ) -> None:
        super().__init__()
        self.keys = (application_key, application_secret, consumer_key)
        self.service_name = service_name
        self.clock_offset = clock_offset
        self.invalid_receivers: set[str] = set()
        self.jobs: list[dict[str, Any]] = []
        self.pending: set[int] = set()  # ids still waiting as jobs
        self.receipts: dict[int, int] = {}  # id -> deliveryReceipt of the outgoing SMS
        self.receivers: dict[int, str] = {}  # id -> the number it went to
        self.polled: list[tuple[str, int]] = []  # ("outgoing" | "jobs", id) of each GET
        self._ids = itertools.count(97_000_001)
        self.incoming: dict[int, dict[str, Any]] = {}  # id -> the sms.Incoming object
        self.deleted: list[int] = []  # incoming ids deleted, in order
        self.delete_failures = 0  # the next DELETEs of an incoming SMS answer 503
        self._incoming_ids = itertools.count(41_000_001)
        routes = self.app.router
        routes.add_get("/1.0/auth/time", self._time)
        routes.add_post("/1.0/sms/{service}/jobs", self._create)
        routes.add_get("/1.0/sms/{service}/outgoing/{id}", self._outgoing)
        routes.add_get("/1.0/sms/{service}/jobs/{id}", self._job)
        routes.add_get("/1.0/sms/{service}/incoming", self._incoming_list)
        routes.add_get("/1.0/sms/{service}/incoming/{id}", self._incoming_one)
        routes.add_delete("/1.0/sms/{service}/incoming/{id}", self._incoming_delete)

    def now(self) -> int:
        """The server's clock."""
        return int(time.time()) + self.clock_offset

    async def _time(self, request: web.Request) -> web.Response:
        return web.json_response(self.now())

    async def _refusal(self, request: web.Request, body: str) -> web.Response | None:
        app_key, app_secret, consumer = self.keys
        headers = request.headers
        if headers.get("X-Ovh-Application") != app_key:
            return _error(403, "Invalid application key")
        stamp = headers.get("X-Ovh-Timestamp", "")
        if not stamp.isdigit() or abs(int(stamp) - self.now()) > 30:
            return _error(400, "Invalid timestamp")
        expected = ovh_signature(
            app_secret, consumer, request.method, str(request.url), body, int(stamp)
        )
        if headers.get("X-Ovh-Signature") != expected:
            return _error(400, "Invalid signature")
        if request.match_info.get("service") != self.service_name:
            return _error(404, "This service does not exist")
        return await self.scripted_failure()

    async def _create(self, request: web.Request) -> web.Response:
        body = await request.text()
        refusal = await self._refusal(request, body)
        if refusal is not None:
            return refusal
        job = json.loads(body)
        self.jobs.append(job)
        valid = [r for r in job["receivers"] if r not in self.invalid_receivers]
        ids = [next(self._ids) for _ in valid]
        self.pending.update(ids)
        self.receivers.update(zip(ids, valid, strict=True))
        answer = {"ids": ids, "validReceivers": valid, "totalCreditsRemoved": len(ids)}
        answer["invalidReceivers"] = [r for r in job["receivers"] if r in self.invalid_receivers]
        return web.json_response(answer)

    def send_out(self, sms_id: int, receipt: int = 0) -> None:
        """The job leaves: the SMS is now an outgoing one with this ``deliveryReceipt``."""
        self.pending.discard(sms_id)
        self.receipts[sms_id] = receipt

    def forget(self, sms_id: int) -> None:
        """OVHcloud no longer knows the SMS (purged): both lookups answer 404."""
        self.pending.discard(sms_id)
        self.receipts.pop(sms_id, None)

    def polls(self, sms_id: int) -> int:
        """How many times the state of ``sms_id`` was asked for."""
        return sum(1 for _, polled in self.polled if polled == sms_id)

    def _stamp(self) -> str:
        return datetime.fromtimestamp(self.now(), UTC).isoformat()

    async def _outgoing(self, request: web.Request) -> web.Response:
        refusal = await self._refusal(request, "")
        if refusal is not None:
            return refusal
        sms_id = int(request.match_info["id"])
        self.polled.append(("outgoing", sms_id))
        if sms_id not in self.receipts:
            return _error(404, "The requested object (id) does not exist")
        receipt = self.receipts[sms_id]
        return web.json_response(
            {
                "id": sms_id,
                "deliveryReceipt": receipt,
                "receiver": self.receivers.get(sms_id, ""),
                "sentAt": self._stamp(),
                "deliveredAt": self._stamp() if receipt == 1 else None,
            }
        )

    async def _job(self, request: web.Request) -> web.Response:
        refusal = await self._refusal(request, "")
        if refusal is not None:
            return refusal
        sms_id = int(request.match_info["id"])
        self.polled.append(("jobs", sms_id))
        if sms_id not in self.pending:
            return _error(404, "The requested object (id) does not exist")
        return web.json_response({"id": sms_id, "ptt": 0})

    def receive(self, sender: str, message: str, *, at: datetime | None = None) -> int:
        """A family's SMS reaches the account; returns its id. The object is as OVHcloud
        gives it: Paris time with its offset, a tag, the credits it cost."""
        sms_id = next(self._incoming_ids)
        when = (at or datetime.fromtimestamp(self.now(), UTC)).astimezone(PARIS)
        self.incoming[sms_id] = {
            "id": sms_id,
            "creationDatetime": when.isoformat(timespec="seconds"),
            "sender": sender,
            "message": message,
            "tag": "",
            "credits": 0,
        }
        return sms_id

    async def _incoming_list(self, request: web.Request) -> web.Response:
        refusal = await self._refusal(request, "")
        return refusal or web.json_response(sorted(self.incoming))

    async def _incoming_one(self, request: web.Request) -> web.Response:
        refusal = await self._refusal(request, "")
        if refusal is not None:
            return refusal
        sms = self.incoming.get(int(request.match_info["id"]))
        if sms is None:
            return _error(404, "The requested object (id) does not exist")
        return web.json_response(sms)

    async def _incoming_delete(self, request: web.Request) -> web.Response:
        refusal = await self._refusal(request, "")
        if refusal is not None:
            return refusal
        sms_id = int(request.match_info["id"])
        if self.delete_failures > 0:
            self.delete_failures -= 1
            return _error(503, "Service temporarily unavailable")
        if self.incoming.pop(sms_id, None) is None:
            return _error(404, "The requested object (id) does not exist")
        self.deleted.append(sms_id)
        return web.json_response(None)


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"message": message}, status=status)
