"""GET /schools/{uai}/students: filters, paging, the shape of a student and their guardians."""

from __future__ import annotations

from tests.web.conftest import UAI_A, Api

STUDENTS = f"/schools/{UAI_A}/students"


async def names(api: Api, **params: str) -> list[str]:
    status, body = await api.call("GET", STUDENTS, params=params)
    assert status == 200, body
    assert body["total"] == len(body["items"])
    return [item["first_name"] for item in body["items"]]


async def test_a_student_shows_division_groups_and_guardians_in_calling_order(api: Api) -> None:
    status, marie = await api.call("GET", f"{STUDENTS}/{api.sid('marie')}")
    assert status == 200
    assert marie == {
        "id": api.sid("marie"),
        "siecle_id": "1001",
        "ine": "070123456AB",
        "last_name": "Dupont",
        "first_name": "Marie",
        "division": "5B",
        "groups": ["LATIN"],
        "active": True,
        "guardians": [
            {
                "id": marie["guardians"][0]["id"],
                "siecle_id": "P1",
                "name": "Mme DUPONT Anne",
                "level": 1,
                "relationship": "20",
                "mobile": "+33612345678",
                "email": "anne@example.org",
                "sms_ok": True,
            },
            # the wrong number is skipped; the one left works but SMS were refused
            {
                "id": marie["guardians"][1]["id"],
                "siecle_id": "P2",
                "name": "M. DUPONT Marc",
                "level": 1,
                "relationship": "10",
                "mobile": "+33698765432",
                "email": None,
                "sms_ok": False,
            },
            {
                "id": marie["guardians"][2]["id"],
                "siecle_id": None,
                "name": "LEROY Jeanne",
                "level": 3,
                "relationship": "50",
                "mobile": None,
                "email": None,
                "sms_ok": False,
            },
        ],
    }
    status, body = await api.call("GET", STUDENTS, params={"q": "marie"})
    assert body["items"] == [marie]


async def test_it_lists_students_by_name_with_filters(api: Api) -> None:
    assert await names(api) == ["Paul", "Marie", "Léo", "Inès"]
    assert await names(api, division="5B") == ["Marie", "Léo"]
    assert await names(api, division="6C") == []
    assert await names(api, q="dup") == ["Marie", "Léo"]
    assert await names(api, q="DUPONT") == ["Marie"]
    assert await names(api, q="dup l") == ["Léo"]
    assert await names(api, q="arie") == []  # a prefix, not a substring
    assert await names(api, q="%") == []
    assert await names(api, active="false") == ["Paul"]
    assert await names(api, active="true", division="4A") == ["Inès"]
    assert await names(api, division="", q="", active="") == ["Paul", "Marie", "Léo", "Inès"]


async def test_it_pages_students(api: Api) -> None:
    seen = []
    for offset in (0, 3):
        status, body = await api.call("GET", STUDENTS, params={"limit": "3", "offset": offset})
        assert status == 200
        assert body["total"] == 4
        seen += [item["first_name"] for item in body["items"]]
    assert seen == ["Paul", "Marie", "Léo", "Inès"]
    status, body = await api.call("GET", STUDENTS, params={"offset": "10"})
    assert body == {"items": [], "total": 4}


async def test_bad_query_parameters_are_refused(api: Api) -> None:
    for params, word in [
        ({"limit": "abc"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"active": "maybe"}, "active"),
        ({"colour": "red"}, "colour"),
    ]:
        status, body = await api.call("GET", STUDENTS, params=params)
        assert status == 400, params
        assert body["error"]["code"] == "invalid"
        assert body["error"]["message"].startswith(word), body
    assert (await api.call("GET", STUDENTS, params={"limit": "500"}))[0] == 200
