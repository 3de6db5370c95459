"""The groups of divisions page over real HTTP: a CPE creates, changes and deletes a group;
a refusal is a sentence by its form and changes nothing; a group made here is offered by the
grid and the follow-up."""

from __future__ import annotations

import re
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from core.models import DivisionSet
from tests.web.follow_up_support import World, build_world, log_in
from tests.web.personas import UAI_A

Client = TestClient[Any, Any]
PAGE = f"/s/{UAI_A}/division-groups"


@pytest.fixture
async def world(db: str, app_client: Client) -> World:
    return await build_world()


async def _post(client: Client, token: str, path: str, **fields: str) -> tuple[int, str, str]:
    response = await client.post(path, data={"csrf": token, **fields}, allow_redirects=False)
    return response.status, response.headers.get("Location", ""), await response.text()


async def test_a_cpe_makes_a_group_that_the_grid_and_the_follow_up_offer(
    world: World, app_client: Client
) -> None:
    token = await log_in(app_client, "cpe")
    page = await (await app_client.get(f"/s/{UAI_A}/follow-up")).text()
    assert f'href="{PAGE}"' in page  # the menu links the page
    listed = await (await app_client.get(PAGE)).text()
    boxes = dict(re.findall(r'name="division-(\d+)"[^>]*> (\w+)', listed))
    assert sorted(boxes.values()) == ["4A", "5B"]
    ticked = {f"division-{i}": "on" for i in boxes}
    status, where, _ = await _post(app_client, token, PAGE, name="Tout le collège", **ticked)
    assert (status, where) == (303, PAGE)
    row = await DivisionSet.get(school=world.school, name="Tout le collège")
    listed = await (await app_client.get(PAGE)).text()
    assert "Groupe de classes créé." in listed and "4A, 5B" in listed
    grid = await (await app_client.get(f"/s/{UAI_A}/grid")).text()
    assert f'<option value="set:{row.id}"' in grid or f'value="{row.id}"' in grid
    assert "Tout le collège" in grid
    follow_up = await (await app_client.get(f"/s/{UAI_A}/follow-up")).text()
    assert re.search(rf'<option value="{row.id}"[^>]*>Tout le collège', follow_up)

    four = next(i for i, code in boxes.items() if code == "4A")
    edit = f"{PAGE}/{row.id}"
    assert "checked" in await (await app_client.get(edit)).text()
    status, where, _ = await _post(
        app_client, token, edit, name="Quatrièmes", **{f"division-{four}": "on"}
    )
    assert (status, where) == (303, PAGE)
    assert [d.code for d in await row.divisions.all()] == ["4A"]
    status, where, _ = await _post(app_client, token, f"{edit}/delete")
    assert (status, where) == (303, PAGE)
    assert not await DivisionSet.exists(id=row.id)


async def test_a_refusal_is_said_by_its_form_and_changes_nothing(
    world: World, app_client: Client
) -> None:
    token = await log_in(app_client, "cpe")
    five = str(world.divisions["5B"].id)
    cases = [
        ({"name": " ", f"division-{five}": "on"}, 400, "Donnez un nom au groupe de classes"),
        ({"name": "Autre"}, 400, "Choisissez au moins une classe."),
        ({"name": "Autre", "division-999999": "on"}, 400, "Choisissez parmi les classes"),
        ({"name": "Cinquièmes", f"division-{five}": "on"}, 409, "porte déjà ce nom"),
    ]
    for form, expected, said in cases:
        status, _, page = await _post(app_client, token, PAGE, **form)
        assert status == expected, form
        assert 'id="error-add"' in page and said in page, form
        assert form["name"].strip() in page  # the form keeps what was typed
    assert await DivisionSet.filter(school=world.school).count() == 1
    fifth = await DivisionSet.get(school=world.school)
    status, _, page = await _post(app_client, token, f"{PAGE}/{fifth.id}", name="", **{})
    assert status == 400 and 'id="error-edit"' in page
    assert (await DivisionSet.get(id=fifth.id)).name == "Cinquièmes"


async def test_teachers_and_other_schools_reach_nothing(world: World, app_client: Client) -> None:
    await log_in(app_client, "teacher")
    page = await (await app_client.get(f"/s/{UAI_A}/follow-up")).text()
    assert f'href="{PAGE}"' not in page
    assert (await app_client.get(PAGE)).status == 403
    token = await log_in(app_client, "other_cpe")
    fifth = await DivisionSet.get(school=world.school)
    status, _, _ = await _post(app_client, token, f"{PAGE}/{fifth.id}/delete")
    assert status == 403
    assert await DivisionSet.exists(id=fifth.id)
