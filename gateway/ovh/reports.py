"""OVHcloud's delivery reports as core reads them: the SMS adapter as a
:class:`core.services.ports.ReportSource` (polled by ``workers.reports``)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from core.services.ports import ProviderStatus
from gateway.ovh.sms import OvhReport, OvhSmsTransport

logger = logging.getLogger("absences.reports")


class OvhReportSource:
    """The OVHcloud SMS adapter as core's :class:`~core.services.ports.ReportSource`."""

    provider = "ovh"
    channels = ("sms",)

    def __init__(self, transport: OvhSmsTransport) -> None:
        self.transport = transport

    async def statuses(self, refs: Sequence[str]) -> list[ProviderStatus]:
        """Each SMS's state; those OVHcloud could not answer about are logged and left out."""
        found: list[ProviderStatus] = []
        for report in await self.transport.reports(refs):
            if report.status is None:
                logger.info("no OVHcloud report for SMS %s: %s", report.ref, report.error)
                continue
            found.append(_status(report))
        return found


def _status(report: OvhReport) -> ProviderStatus:
    assert report.status is not None
    receipt = "none" if report.receipt is None else str(report.receipt)
    final = report.status in ("undelivered", "failed")
    return ProviderStatus(
        provider_ref=report.ref,
        status=report.status,
        event_ref=f"ovh:{report.ref}:dlr{receipt}",
        raw={"deliveryReceipt": report.receipt, **report.raw},
        error_code=f"dlr{receipt}" if final else None,
        usability=None,  # an operator's "not delivered" or "refused" says nothing sure of a number
    )
