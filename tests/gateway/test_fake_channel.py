"""What a new channel costs: ``pigeon``, carried by the made-up provider Pigeon Post, is its row
in the channel table plus its provider's folder (``tests/gateway/fake_channel/``), and it works
end to end — notice, delivery planned by the school's order, sent through the registry's
senders, the provider's report posted back, the delivery's status; a refusal marks the number
and the notice falls back to the next channel. Nothing else in core, workers or gateway knows
it; a school's own template stands in for the shipped ones a real channel would add."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web

from core.models import (
    ContactPoint,
    Delivery,
    DeliveryStatus,
    MessageTemplate,
    Notice,
    NoticeStatus,
    School,
    Student,
    Usability,
)
from core.rules import channels as channel_table
from core.services.audit import Actor
from core.services.delivery.send import Outcome, deliver, record_status
from core.services.schools.school import create_school
from core.settings import Settings
from gateway.registry import PROVIDERS, build_transports
from tests.core.services.notice_support import (
    MONDAY,
    MOTHER_EMAIL,
    MOTHER_MOBILE,
    Family,
    absence,
    at,
    deliveries_of,
    history,
    make_family,
    notices_of,
)
from tests.gateway.fake_channel import provider as pigeon
from tests.gateway.fake_channel.server import FakePigeonPost
from tests.gateway.fakes.server import LocalServer
from workers.senders import Channels, render, wrap

RECORDED = at(MONDAY, 8, 30)
DUE = RECORDED + timedelta(minutes=20)
TEXT = "{{ school.name }} : {{ student.first_name }} est absente ce {{ day }}."


class PigeonHooks(LocalServer):
    """Where Pigeon Post posts its reports: what a route in ``web/hooks.py`` would do with them
    (parse with the provider's parser, record through core's ``record_status``)."""

    def __init__(self) -> None:
        super().__init__()
        self.app.router.add_post(pigeon.REPORT_PATH + "{uuid}", self._report)

    async def _report(self, request: web.Request) -> web.Response:
        report = pigeon.parse_report(await request.json())
        await record_status(
            pigeon.NAME,
            report.provider_ref,
            report.status,
            channels=(pigeon.CHANNEL,),
            raw={"state": report.status},
            event_ref=report.event_ref,
            at=datetime.now(UTC),
            error_code=report.error_code,
            usability=report.usability,
            delivery_uuid=request.match_info["uuid"],
        )
        return web.Response(text="")


@dataclass
class World:
    family: Family
    notice: Notice
    mother: Delivery  # her first delivery: by pigeon
    channels: Channels
    post: FakePigeonPost

    async def deliver(self, delivery: Delivery) -> Outcome:
        return await deliver(delivery.id, self.channels.senders, now=DUE, render=render)


@pytest.fixture
async def world(db: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> AsyncIterator[World]:
    monkeypatch.setitem(channel_table.CHANNELS, pigeon.CHANNEL, pigeon.ROW)  # its row
    post, hooks = FakePigeonPost(), PigeonHooks()
    await post.start()
    await hooks.start()
    system = Actor.system("tests")
    school = await create_school("0750001A", "Collège Alpha", system, today=MONDAY)
    await School.filter(id=school.id).update(channel_order=[pigeon.CHANNEL, "sms", "email"])
    school = await School.get(id=school.id)
    await MessageTemplate.create(
        school=school, kind="absence", channel=pigeon.CHANNEL, language="fr", body=TEXT
    )
    pupil = await Student.create(school=school, siecle_id="1", last_name="Martin", first_name="Léa")
    family = await make_family(school, pupil)
    await absence(school, system, pupil, at(MONDAY, 8), at(MONDAY, 10), now=RECORDED)
    [notice] = await notices_of(pupil)
    mother, _ = await deliveries_of(notice)
    settings = Settings(var_dir=tmp_path, public_url=hooks.url)
    providers = (pigeon.provider(post.url, post.token), *PROVIDERS)
    channels = wrap(build_transports(settings, providers))
    yield World(family, notice, mother, channels, post)
    await channels.close()
    await hooks.stop()
    await post.stop()


async def test_a_notice_goes_by_the_new_channel_and_its_report_delivers_it(world: World) -> None:
    assert (world.mother.channel, world.mother.to) == (pigeon.CHANNEL, MOTHER_MOBILE)
    assert world.mother.not_before == DUE.astimezone(UTC)  # not held by the quiet hours

    outcome = await world.deliver(world.mother)

    assert outcome.status == "sent"
    [(ref, sent)] = world.post.messages.items()
    assert (sent["recipient"], sent["text"]) == (
        MOTHER_MOBILE,
        "Collège Alpha : Léa est absente ce lundi 2 mars.",
    )
    delivery = await Delivery.get(id=world.mother.id)
    assert (delivery.provider, delivery.provider_ref) == (pigeon.NAME, ref)
    assert await world.post.report(ref, "read") == 200
    delivery = await Delivery.get(id=world.mother.id)
    assert delivery.status == DeliveryStatus.DELIVERED
    assert await history(delivery) == [
        ("", "scheduled", "plan"),
        ("scheduled", "sending", "worker"),
        ("sending", "sent", "worker"),
        ("sent", "delivered", "callback"),
    ]
    assert (await Notice.get(id=world.notice.id)).status == NoticeStatus.DONE


async def test_a_refused_number_is_marked_and_the_notice_falls_back(world: World) -> None:
    world.post.unknown.add(MOTHER_MOBILE)

    outcome = await world.deliver(world.mother)

    assert outcome.status == "failed"
    point = await ContactPoint.get(id=world.family.mother_mobile.id)
    assert point.usability == Usability.INVALID
    [follow_up] = outcome.follow_ups  # her mobile is out for SMS too: email is next
    fallback = await Delivery.get(id=follow_up.delivery_id)
    assert (fallback.channel, fallback.to) == ("email", MOTHER_EMAIL)


async def test_an_undeliverable_report_marks_the_number_and_falls_back(world: World) -> None:
    await world.deliver(world.mother)
    [ref] = world.post.messages
    assert await world.post.report(ref, "undeliverable", "blocked") == 200

    delivery = await Delivery.get(id=world.mother.id)
    assert delivery.status == DeliveryStatus.UNDELIVERED
    point = await ContactPoint.get(id=world.family.mother_mobile.id)
    assert point.usability == Usability.BLOCKED
    [_, _, fallback] = await deliveries_of(world.notice)
    assert (fallback.channel, fallback.to, fallback.status) == ("email", MOTHER_EMAIL, "scheduled")
