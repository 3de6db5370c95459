"""The SMS families send to the OVHcloud SMS service, as core's
:class:`core.services.ports.InboxSource` (polled by ``workers.reports``).

OVHcloud posts nothing we could verify: its incoming SMS are fetched instead, with the same
signed requests as the jobs — ``GET /sms/{service}/incoming`` (their ids),
``GET /sms/{service}/incoming/{id}`` (``id``, ``creationDatetime``, ``sender``, ``message``,
``tag``, ``credits``) — and ``DELETE /sms/{service}/incoming/{id}`` once stored.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from core.services.ports import IncomingSms, SendFailed
from gateway.ovh.sms import REPORT_CONCURRENCY, OvhSmsTransport, failure

logger = logging.getLogger("absences.inbound")

INCOMING_LIMIT = 100  # SMS read per run at most: a backlog spreads over a few runs
OVH_TIME = ZoneInfo("Europe/Paris")  # OVHcloud's API speaks Paris time when it gives no offset


class Unreadable(ValueError):
    """An incoming SMS whose object lacks what storing it needs."""


class OvhIncomingSource:
    """The OVHcloud SMS account's incoming SMS, as core's ``InboxSource``."""

    provider = "ovh"

    def __init__(
        self,
        transport: OvhSmsTransport,
        *,
        limit: int = INCOMING_LIMIT,
        skipped: set[str] | None = None,
    ) -> None:
        self.transport = transport
        self.limit = limit
        # ids this process could not read before (kept by the worker between runs): asked for
        # after the others, so that a few unreadable ones never hold the new ones back, and
        # warned about once
        self.skipped: set[str] = skipped if skipped is not None else set()

    def _path(self, sms_id: str = "") -> str:
        path = f"/sms/{self.transport.service_name}/incoming"
        return f"{path}/{sms_id}" if sms_id else path

    async def ids(self) -> list[str]:
        """The ids of the incoming SMS waiting, oldest first, those skipped before last
        (``limit`` at most)."""
        answer = await self.transport.signed("GET", self._path())
        if answer.status != 200:
            raise failure(answer, "incoming")
        ids = answer.payload.get("result")
        if not isinstance(ids, list):
            raise SendFailed("ovh incoming: not a list of ids", permanent=False, code="payload")
        numbers = sorted(i for i in ids if isinstance(i, int) and not isinstance(i, bool))
        waiting = [str(i) for i in numbers]
        self.skipped.intersection_update(waiting)  # those gone since are forgotten
        ordered = sorted(waiting, key=lambda sms_id: sms_id in self.skipped)  # stable
        return ordered[: self.limit]

    async def read(self, sms_id: str) -> IncomingSms:
        """One incoming SMS; raises :class:`SendFailed` or :class:`Unreadable`."""
        answer = await self.transport.signed("GET", self._path(sms_id))
        if answer.status != 200:
            raise failure(answer, "incoming")
        return parse_incoming(sms_id, answer.payload, recipient=self.transport.sender)

    async def incoming(self) -> list[IncomingSms]:
        """The incoming SMS waiting, oldest first; one that cannot be read is logged (a
        warning the first time) and left out: it stays at OVHcloud and is asked for again on
        the next run."""
        gate = asyncio.Semaphore(REPORT_CONCURRENCY)

        async def one(sms_id: str) -> IncomingSms | None:
            async with gate:
                try:
                    sms = await self.read(sms_id)
                except (SendFailed, Unreadable) as error:
                    level = logging.INFO if sms_id in self.skipped else logging.WARNING
                    logger.log(level, "OVHcloud incoming SMS %s skipped: %s", sms_id, error)
                    self.skipped.add(sms_id)
                    return None
            self.skipped.discard(sms_id)
            return sms

        found = await asyncio.gather(*(one(sms_id) for sms_id in await self.ids()))
        return [sms for sms in found if sms is not None]

    async def forget(self, provider_ref: str) -> None:
        """Delete the incoming SMS at OVHcloud (already gone is as good)."""
        answer = await self.transport.signed("DELETE", self._path(provider_ref))
        if answer.status not in (200, 204, 404):
            raise failure(answer, "incoming delete")


def parse_incoming(
    sms_id: str, payload: dict[str, Any], *, recipient: str | None = None
) -> IncomingSms:
    """OVHcloud's ``sms.Incoming`` object as core's :class:`IncomingSms`; raises
    :class:`Unreadable` when its sender, text or date is missing or malformed."""
    sender, text, stamp = (payload.get(k) for k in ("sender", "message", "creationDatetime"))
    if str(payload.get("id")) != sms_id:
        raise Unreadable(f"answered for id {payload.get('id')!r}")
    if not isinstance(sender, str) or not sender.strip():
        raise Unreadable("no sender")
    if not isinstance(text, str):
        raise Unreadable("no message")
    if not isinstance(stamp, str):
        raise Unreadable("no creationDatetime")
    try:
        at = datetime.fromisoformat(stamp)
    except ValueError:
        raise Unreadable(f"creationDatetime {stamp[:40]!r} is not a date") from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=OVH_TIME)
    return IncomingSms(
        provider_ref=sms_id,
        sender=sender,
        text=text,
        at=at,
        raw=dict(payload),
        recipient=recipient or None,
    )
