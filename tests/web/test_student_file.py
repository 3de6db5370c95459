"""The student's file over real HTTP: what it shows, who adds actions, a teacher's reach."""

from __future__ import annotations

import re
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from core.models import Action, AuditEntry, Lesson, Person
from tests.web.follow_up_support import World, build_world, log_in
from tests.web.personas import UAI_A, token_of

Client = TestClient[Any, Any]


@pytest.fixture
async def world(db: str, app_client: Client) -> World:
    return await build_world()


def file_of(world: World, first: str, year: int | None = None) -> str:
    """The student's file; ``year`` 2025 is the school year of the events (2025-26)."""
    path = f"/s/{UAI_A}/students/{world.sid(first)}"
    return path if year is None else f"{path}?year={year}"


async def test_the_file_shows_the_year_counts_family_and_usability(
    world: World, app_client: Client
) -> None:
    await log_in(app_client, "cpe")
    response = await app_client.get(file_of(world, "Marie", 2025))
    page = await response.text()
    assert response.status == 200
    assert "Dossier de l&#39;élève — DUPONT Marie" in page and "Année scolaire 2025-2026" in page
    assert "Maladie de l&#39;élève" in page  # the events of the year
    counts = page.split('id="counts"', 1)[1].split("</section>", 1)[0]
    assert "03/2026" in counts and "<td>3</td><td>1</td>" in counts  # raw 3, 1 unjustified
    assert "Mme DUPONT Anne" in page and "mauvais numéro" in page and "utilisable" in page
    assert "media print" not in page and "/static/follow_up.css" in page


async def test_the_file_speaks_the_readers_language_in_its_small_words(
    world: World, app_client: Client
) -> None:
    """The counting mode in words, and the colon as each language writes it."""
    await log_in(app_client, "cpe")
    french = await (await app_client.get(file_of(world, "Marie", 2025) + "&lang=fr")).text()
    assert "demi-journées non justifiées (brutes)." in french
    assert "Portable : +33612345678" in french
    english = await (await app_client.get(file_of(world, "Marie", 2025) + "&lang=en")).text()
    assert "unjustified half-days (raw)." in english and "(brutes)" not in english
    assert "Mobile: +33612345678" in english and "Mobile :" not in english


async def test_a_cpe_adds_an_action_that_the_file_then_shows(
    world: World, app_client: Client
) -> None:
    token = await log_in(app_client, "cpe")
    event = world.events["marie_mon"]
    response = await app_client.post(
        file_of(world, "Marie") + "/actions",
        data={
            "csrf": token,
            "type": "ENTRETIEN",
            "at": "2026-03-03T16:30",
            "comment": "Reçue avec sa mère",
            "event": str(event.id),
        },
        allow_redirects=False,
    )
    assert response.status == 303 and response.headers["Location"].endswith("?year=2025#actions")
    action = await Action.get(student_id=world.sid("Marie"))
    assert action.done_at.isoformat() == "2026-03-03T15:30:00+00:00"  # 16:30 in Paris
    page = await (await app_client.get(file_of(world, "Marie", 2025))).text()
    actions = page.split('id="actions"', 1)[1]
    assert "03/03/2026 16:30" in actions and "Reçue avec sa mère" in actions
    assert "Mme Lefèvre" in actions
    assert await AuditEntry.filter(action="action.record").count() == 1


async def test_a_bad_action_is_said_on_the_file(world: World, app_client: Client) -> None:
    token = await log_in(app_client, "vie")
    for data in ({"type": "NOPE", "at": "2026-03-03T16:30"}, {"type": "APPEL", "at": "soon"}):
        response = await app_client.post(
            file_of(world, "Marie") + "/actions", data={"csrf": token, **data}
        )
        assert response.status == 400 and 'role="alert"' in await response.text()
    assert await Action.all().count() == 0


async def test_direction_reads_the_file_but_adds_no_action(
    world: World, app_client: Client
) -> None:
    await log_in(app_client, "direction")
    page = await (await app_client.get(file_of(world, "Marie"))).text()
    assert "DUPONT Marie" in page and "/actions" not in page
    token = token_of(page)
    response = await app_client.post(
        file_of(world, "Marie") + "/actions",
        data={"csrf": token, "type": "APPEL", "at": "2026-03-03T16:30"},
    )
    assert response.status == 403
    assert await Action.all().count() == 0


async def test_a_teacher_reads_only_the_students_they_teach(
    world: World, app_client: Client
) -> None:
    await log_in(app_client, "teacher")
    assert (await app_client.get(file_of(world, "Marie"))).status == 404
    page = await (await app_client.get(f"/s/{UAI_A}/follow-up")).text()
    assert "Aucun évènement" in page
    await Lesson.create(
        school=world.school,
        teacher=world.users["teacher"],
        division=world.divisions["4A"],
        weekday=0,
        start_minute=8 * 60,
        end_minute=9 * 60,
    )
    assert (await app_client.get(file_of(world, "Inès"))).status == 200
    assert (await app_client.get(file_of(world, "Marie"))).status == 404
    page = await (await app_client.get(f"/s/{UAI_A}/follow-up")).text()
    assert re.findall(r'/students/\d+">([^<]+)</a>', page) == ["MARTIN Inès"]
    csv = await (await app_client.get(f"/s/{UAI_A}/follow-up/export.csv")).text()
    assert "MARTIN" in csv and "DUPONT" not in csv
    assert "/actions" not in await (await app_client.get(file_of(world, "Inès"))).text()


async def test_staff_set_a_guardians_language_and_channel_in_the_file(
    world: World, app_client: Client
) -> None:
    anne = await Person.get(first_name="Anne")
    token = await log_in(app_client, "cpe")
    page = await (await app_client.get(file_of(world, "Marie"))).text()
    guardians = page.split('id="guardians"', 1)[1].split("</section>", 1)[0]
    assert "Langue des avis : Français" in guardians
    assert "Canaux, dans l&#39;ordre : Messagerie, SMS, Appel automatisé" in guardians
    assert 'name="language"' in guardians and '<option value="en">English</option>' in guardians
    assert '<option value="es">' not in guardians  # no Spanish template in this school
    form = {"csrf": token, "person": str(anne.id), "language": "en", "channel": "email"}
    response = await app_client.post(
        file_of(world, "Marie") + "/guardians/preferences", data=form, allow_redirects=False
    )
    assert response.status == 303 and response.headers["Location"].endswith("#guardians")
    saved = await Person.get(id=anne.id)
    assert (saved.language, saved.preferred_channel) == ("en", "email")
    [entry] = await AuditEntry.filter(action="person.preferences")
    assert entry.actor_id == world.users["cpe"].id and entry.after is not None
    assert entry.after["by"] == "staff"
    page = await (await app_client.get(file_of(world, "Marie"))).text()
    assert "Langue des avis : English" in page
    assert "Canaux, dans l&#39;ordre : Courriel, Messagerie, SMS" in page

    refused = await app_client.post(
        file_of(world, "Marie") + "/guardians/preferences",
        data={**form, "language": "es"},
    )
    assert refused.status == 400 and "Langue inconnue." in await refused.text()
    other = await app_client.post(  # Jean's school is another: his file is not found
        f"/s/{UAI_A}/students/{world.sid('Jean')}/guardians/preferences", data=form
    )
    assert other.status == 404
    assert (await Person.get(id=anne.id)).language == "en"


async def test_the_direction_sees_the_language_but_sets_nothing(
    world: World, app_client: Client
) -> None:
    await log_in(app_client, "direction")
    page = await (await app_client.get(file_of(world, "Marie"))).text()
    assert "Langue des avis : Français" in page and "/guardians/preferences" not in page
