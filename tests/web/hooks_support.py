"""The whole service on loopback with Twilio played by a local peer that posts signed callbacks:
the app believes its public URL is the test server's, the worker sends through the real
transports (the registry, Twilio's API URL pointing at the peer), the in-process queue runs it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from core.models import Delivery, School, Student
from core.services.audit import Actor
from core.services.notices.absence import scheduled_deliveries
from core.services.schools.school import create_school
from core.settings import Settings, load_settings
from tests.core.services.notice_support import MONDAY, Family, absence, at, make_family
from tests.gateway.fakes.server import HOST, free_port
from tests.gateway.fakes.twilio import FakeTwilio, TwilioRequest
from tests.web.personas import panel_client
from web.app import create_app
from workers.queue import InlineQueue, enqueue_deliveries
from workers.senders import Channels, build_channels
from workers.tasks import FUNCTIONS
from workers.template_tools import build_template_tools

SYSTEM = Actor.system("tests")
RECORDED = at(MONDAY, 8, 30)  # long past: the deliveries are due now
OUR_NUMBER = "+33700000001"


@dataclass
class Service:
    """The app, its queue and channels, the Twilio peer, and a family to notify."""

    client: TestClient[Any, Any]
    twilio: FakeTwilio
    queue: InlineQueue
    settings: Settings
    school: School
    pupil: Student
    family: Family

    @property
    def public_url(self) -> str:
        return self.settings.public_url

    async def absence_sent(self) -> list[TwilioRequest]:
        """Record an absence and run its deliveries: the two parents' SMS reach Twilio."""
        event = await absence(
            self.school, SYSTEM, self.pupil, at(MONDAY, 8), at(MONDAY, 10), now=RECORDED
        )
        due = await scheduled_deliveries(event.id)
        await enqueue_deliveries(self.queue, [(d.delivery_id, d.not_before) for d in due])
        await self.queue.drain(timeout=10)
        return list(self.twilio.requests)

    async def sms(self, sender: str, body: str, sid: str, *, token: str | None = None) -> int:
        """An inbound SMS posted (signed) by Twilio to our webhook, then read by the worker."""
        params = {"MessageSid": sid, "From": sender, "To": OUR_NUMBER, "Body": body}
        params["AccountSid"] = self.twilio.account_sid
        url = f"{self.public_url}/hooks/twilio/sms"
        status = await self.twilio.post_callback(url, params, token=token)
        await self.queue.drain(timeout=10)  # the reply is read by the worker
        return status


async def delivery_for(request: TwilioRequest) -> Delivery:
    """The delivery a Twilio request was for (its uuid ends the StatusCallback)."""
    callback = request.get("StatusCallback") or ""
    return await Delivery.get(uuid=callback.rsplit("/", 1)[1])


def settings_for(twilio: FakeTwilio, port: int, var_dir: Path) -> Settings:
    return load_settings(
        public_url=f"http://{HOST}:{port}",
        sms_provider="twilio",
        twilio_account_sid=twilio.account_sid,
        twilio_auth_token=twilio.auth_token,
        twilio_from=OUR_NUMBER,
        twilio_api_url=twilio.url,
        var_dir=var_dir,
        secret_key="tests-secret",
    )


@asynccontextmanager
async def running_service(var_dir: Path) -> AsyncIterator[Service]:
    """Everything started on loopback; stopped in the reverse order."""
    twilio = FakeTwilio()
    await twilio.start()
    port = free_port()
    settings = settings_for(twilio, port, var_dir)
    channels: Channels = build_channels(settings)
    ctx: dict[str, Any] = {"channels": channels}
    queue = InlineQueue(FUNCTIONS, ctx, max_concurrency=10)
    ctx["queue"] = queue
    await queue.start()
    school = await create_school("0750001A", "Collège Alpha", SYSTEM, today=MONDAY)
    pupil = await Student.create(school=school, last_name="Martin", first_name="Léa")
    family = await make_family(school, pupil)
    app = create_app(settings, queue, template_tools=build_template_tools(settings, channels))
    try:
        async with panel_client(app, host=HOST, port=port) as client:
            yield Service(client, twilio, queue, settings, school, pupil, family)
    finally:
        await queue.close()
        await channels.close()
        await twilio.stop()
