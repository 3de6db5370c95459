"""Groups of divisions over the JSON API: listed for the school, made, changed and deleted by
admins and CPEs, refusals by their code, another school's group not found."""

from __future__ import annotations

from core.models import Division, DivisionSet
from tests.web.conftest import UAI_A, UAI_B, Api

GROUPS = f"/schools/{UAI_A}/division-groups"


async def test_a_cpe_makes_changes_and_deletes_a_group(api: Api) -> None:
    status, made = await api.call("POST", GROUPS, json={"name": "Collège", "divisions": ["5B"]})
    assert status == 201 and made["name"] == "Collège" and made["divisions"] == ["5B"]
    one = f"{GROUPS}/{made['id']}"
    status, changed = await api.call("PATCH", one, json={"divisions": ["4A", "5B"]})
    assert (status, changed["name"], changed["divisions"]) == (200, "Collège", ["4A", "5B"])
    status, renamed = await api.call("PATCH", one, as_="admin", json={"name": "Tous"})
    assert (status, renamed["divisions"]) == (200, ["4A", "5B"])
    status, listed = await api.call("GET", GROUPS, as_="teacher")
    assert status == 200 and listed == {"items": [renamed], "total": 1}
    assert (await api.call("DELETE", one))[0] == 200
    assert not await DivisionSet.exists(id=made["id"])


async def test_refusals_say_why_and_change_nothing(api: Api) -> None:
    other = await Division.create(school=api.schools[UAI_B], code="3C")
    cases = [
        ({"name": " ", "divisions": ["5B"]}, 422, "division_set_name"),
        ({"name": "X", "divisions": []}, 422, "division_set_empty"),
        ({"name": "X", "divisions": ["5B", other.code]}, 422, "division_set_divisions"),
    ]
    for body, expected, code in cases:
        status, answer = await api.call("POST", GROUPS, json=body)
        assert (status, answer["error"]["code"]) == (expected, code), body
    status, made = await api.call("POST", GROUPS, json={"name": "Cinquièmes", "divisions": ["5B"]})
    assert status == 201
    status, answer = await api.call(
        "POST", GROUPS, json={"name": "Cinquièmes", "divisions": ["4A"]}
    )
    assert (status, answer["error"]["code"]) == (409, "division_set_exists")
    assert (await api.call("POST", GROUPS, as_="teacher", json={"name": "Y"}))[0] == 403
    theirs = f"/schools/{UAI_B}/division-groups/{made['id']}"
    assert (await api.call("DELETE", theirs, as_="other_cpe"))[0] == 404
    assert await DivisionSet.filter(school=api.schools[UAI_A]).count() == 1
