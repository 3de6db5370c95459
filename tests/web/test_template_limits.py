"""A school's template that passes its trial (sample values) but freezes with a family's real
values: at send time it renders apart and limited, the family gets the default text, the staff
get one alert, and the server answers meanwhile — messages sent by the in-process worker and
letters made again in the web alike."""

from __future__ import annotations

import asyncio
import html
import json
from collections.abc import AsyncIterator, Awaitable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from aiohttp.test_utils import TestClient, TestServer

from core.models import (
    Delivery,
    DeliveryStatusChange,
    LetterTemplate,
    MessageTemplate,
    StaffAlert,
    Student,
)
from core.services.delivery.send import deliver_many
from core.services.templates.failures import TemplateFailed, bounded
from core.settings import Settings, load_settings
from gateway.outbox.transport import OutboxTransport
from gateway.render_pool import POOL, RenderPool
from tests.core.services.letter_support import MONDAY
from tests.core.services.notice_support import (
    absence,
    at,
    deliveries_of,
    make_family,
    notices_of,
)
from tests.web.conftest import SYSTEM, UAI_A, Api, _personas
from tests.web.follow_up_support import build_world as build_people
from tests.web.follow_up_support import log_in
from tests.web.letters_support import (
    Client,
    World,
    box,
    build_world,
    letters_client,
    settings,
    texts,
    tokens,
)
from web.app import create_app
from workers.runtime import start_runtime
from workers.senders import SandboxRenderer, wrap
from workers.template_tools import build_template_tools

__all__ = ["box", "letters_client", "settings"]  # fixtures used by name

T = TypeVar("T")
NESTED = "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}"
# the sample pupil of a trial is Camille: with any real pupil the loops run
FREEZING = "Bonjour. {% if student.first_name != 'Camille' %}" + NESTED + "{% endif %}"
SMS = f"/schools/{UAI_A}/templates/absence/sms/fr"


@dataclass
class Polled:
    """What ``/healthz`` answered while something ran."""

    answers: int = 0
    while_rendering: int = 0


async def answering_meanwhile(
    client: TestClient[Any, Any], pool: RenderPool, work: Awaitable[T]
) -> tuple[T, Polled]:
    """Run ``work`` and ask ``/healthz`` until it is done; counts the answers that came while a
    template was in the pool and ``work`` was not done (an order of events, not a duration)."""
    running = asyncio.ensure_future(work)
    polled = Polled()
    while not running.done():
        rendering = pool.busy > 0
        response = await client.get("/healthz")
        assert response.status == 200
        polled.answers += 1
        if rendering and pool.busy > 0 and not running.done():
            polled.while_rendering += 1
        await asyncio.sleep(0.05)  # a turn of the loop for the work, not a measure
    return await running, polled


@pytest.fixture
async def tools_api(db: str, tmp_path: Path) -> AsyncIterator[Api]:
    """The app with its template tools (the editor's trial), as ``absences serve`` builds it."""
    runtime = await start_runtime(load_settings(var_dir=tmp_path / "var"), sweep=False)
    settings = runtime.ctx["settings"]
    app = create_app(settings, runtime.queue, template_tools=build_template_tools(settings))
    try:
        async with TestClient(TestServer(app)) as client:
            schools, api_tokens = await _personas()
            yield Api(client, api_tokens, schools)
    finally:
        await runtime.close()


@pytest.fixture
def pool() -> Iterator[RenderPool]:
    made = RenderPool(1)
    yield made
    made.close()


async def outbox_bodies(var: Path) -> list[str]:
    files = sorted((var / "outbox").glob("*.json"))
    return [str(json.loads(f.read_text())["body"]) for f in files]


async def template_history(delivery_id: int) -> list[dict[str, object]]:
    rows = await DeliveryStatusChange.filter(delivery_id=delivery_id, source="template")
    return [dict(row.raw_data or {}) for row in rows]


async def test_a_template_that_passed_its_trial_cannot_freeze_a_send(
    tools_api: Api, pool: RenderPool, tmp_path: Path
) -> None:
    status, saved = await tools_api.call("PUT", SMS, json={"body": FREEZING})
    assert status == 200 and saved["overridden"]  # the trial's sample pupil skips the loops
    school = tools_api.schools[UAI_A]
    pupil = await Student.create(school=school, last_name="Martin", first_name="Léa")
    await make_family(school, pupil)
    await absence(school, SYSTEM, pupil, at(MONDAY, 8), at(MONDAY, 10), now=at(MONDAY, 8, 30))
    [notice] = await notices_of(pupil)
    sms = [d for d in await deliveries_of(notice) if d.channel == "sms"]
    assert len(sms) == 2
    channels = wrap({"sms": OutboxTransport(tmp_path, channel="sms")})
    render = SandboxRenderer(pool)
    try:
        sending = deliver_many([sms[0].id], channels.senders, now=at(MONDAY, 9), render=render)
        outcomes, polled = await answering_meanwhile(tools_api.client, pool, sending)
        # the second one goes straight to the default text: the version failed already
        more = await deliver_many([sms[1].id], channels.senders, now=at(MONDAY, 9), render=render)
    finally:
        await channels.close()

    assert polled.while_rendering >= 1  # the server answered while the template rendered
    assert [o.status for o in (*outcomes.values(), *more.values())] == [
        "delivered"
    ] * 2  # the outbox
    bodies = await outbox_bodies(tmp_path)
    assert len(bodies) == 2
    assert all(body.startswith("Collège A : Léa Martin est absent(e)") for body in bodies)
    [alert] = await StaffAlert.filter(school_id=school.id)
    own = await MessageTemplate.get(school_id=school.id)
    assert (alert.kind, alert.level) == ("template", "error")
    assert "absence / sms / fr" in alert.message and alert.data["reason"] == "too_costly"
    assert alert.key.startswith(f"template:{school.id}:text:{own.id}:")
    for delivery in sms:
        [row] = await template_history(delivery.id)
        assert row["template"] == "absence / sms / fr" and row["alert"] == alert.key
        assert "modèle par défaut" in str(row["error"]) and "default template" in str(row["error"])


@pytest.fixture
async def world(db: str, letters_client: Client, settings: Settings, box: Any) -> World:
    return await build_world(settings.var_dir, box)


async def test_a_letter_made_again_in_the_web_is_bounded_too(
    world: World, letters_client: Client
) -> None:
    school = world.schools[UAI_A]
    source = "<p>Lettre {{ student.first_name }}</p><p>{% if student.first_name != 'Camille' %}"
    await LetterTemplate.create(
        school=school,
        kind="absence",
        name="letter",
        language="fr",
        html=source + NESTED + "{% endif %}</p>",
    )
    lost = world.letters.dupont
    (world.var_dir / "letters" / f"{lost.uuid}.pdf").unlink()
    headers = {"Authorization": f"Bearer {(await tokens(world))['cpe']}"}
    fetching = letters_client.get(
        f"/api/v1/schools/{UAI_A}/letters.pdf", params={"deliveries": str(lost.id)}, headers=headers
    )

    async def fetch() -> tuple[int, bytes, str]:
        async with fetching as response:
            return response.status, await response.read(), response.headers["X-Letters-Regenerated"]

    (status, body, regenerated), polled = await answering_meanwhile(letters_client, POOL, fetch())

    assert status == 200 and regenerated == str(lost.id)
    assert polled.while_rendering >= 1
    assert "Nous vous informons que" in texts(body)  # the default letter
    [alert] = await StaffAlert.filter(school_id=school.id, kind="template")
    assert "absence / letter / fr" in alert.message
    [row] = await template_history(lost.id)
    assert row["alert"] == alert.key
    assert (await Delivery.get(id=lost.id)).status == "sent"  # the history row moved nothing


async def test_the_staff_read_the_template_alert_in_their_language(
    db: str, app_client: Client, pool: RenderPool
) -> None:
    people = await build_people()
    school = people.school
    own = await MessageTemplate.create(school=school, kind="absence", channel="sms", body="x")
    with pytest.raises(TemplateFailed):
        await bounded(SandboxRenderer(pool), "{{ nobody }}", {}, school, own, {})
    with pytest.raises(TemplateFailed):  # failed before: the alert says so, nothing renders
        await bounded(SandboxRenderer(pool), "{{ student }}", {}, school, own, {})
    assert await StaffAlert.filter(kind="template").count() == 1
    await log_in(app_client, "cpe")
    page = html.unescape(await (await app_client.get(f"/s/{UAI_A}/deliveries")).text())
    assert "Modèle de l'établissement" in page
    assert "« absence / sms / fr » n'a pas pu être produit (erreur du modèle)" in page
