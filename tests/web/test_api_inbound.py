"""GET /schools/{uai}/inbound: the replies from families with what each was matched to,
filtered and paged — and who may read them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.models import (
    Event,
    GenericReason,
    InboundMessage,
    InboundStatus,
    Person,
    Reason,
)
from core.rules.counting import EventKind
from tests.web.conftest import MONDAY, UAI_A, UAI_B, Api, at

INBOUND = f"/schools/{UAI_A}/inbound"
T0 = datetime(2026, 3, 2, 7, 45, tzinfo=UTC)  # 08:45 in Paris


async def replies(api: Api) -> dict[str, InboundMessage]:
    """Marie's mother wrote three times; an unknown number once; a parent of school B once."""
    school, other = api.schools[UAI_A], api.schools[UAI_B]
    mother = await Person.get(school=school, siecle_id="P1")
    event = await Event.create(
        school=school,
        student=api.students["marie"],
        kind=EventKind.ABSENCE,
        starts_at=at(MONDAY, 8),
        ends_at=at(MONDAY, 10),
    )
    generic = await GenericReason.first()
    reason = await Reason.filter(school=school).first()
    assert generic is not None and reason is not None
    common = {"channel": "sms", "provider": "twilio", "sender": "+33612345678"}
    rows = {
        "ill": await InboundMessage.create(
            **common,
            provider_ref="SM1",
            school=school,
            text="Marie est malade",
            received_at=T0,
            person=mother,
            student=api.students["marie"],
            event_ids=[event.id],
            proposed_reason=reason,
            status=InboundStatus.PENDING,
        ),
        "thanks": await InboundMessage.create(
            **common,
            provider_ref="SM2",
            school=school,
            text="Merci",
            received_at=T0 + timedelta(hours=2),
            person=mother,
            student=api.students["marie"],
            status=InboundStatus.ACCEPTED,
            handled_at=T0 + timedelta(hours=3),
        ),
        "stop": await InboundMessage.create(
            **common,
            provider_ref="SM3",
            school=school,
            text="STOP",
            received_at=T0 + timedelta(days=1),
            person=mother,
            status=InboundStatus.OPT_OUT,
        ),
        "unknown": await InboundMessage.create(
            channel="sms",
            provider="twilio",
            provider_ref="SM4",
            sender="+33655555555",
            text="Bonjour",
            received_at=T0,
            status=InboundStatus.UNMATCHED,
        ),
        "other": await InboundMessage.create(
            channel="sms",
            provider="twilio",
            provider_ref="SM5",
            school=other,
            sender="+33677777777",
            text="Jean est absent",
            received_at=T0,
        ),
    }
    return rows


async def test_the_cpe_reads_the_replies_with_their_matching(api: Api) -> None:
    rows = await replies(api)
    status, page = await api.call("GET", INBOUND)
    assert status == 200, page
    assert page["total"] == 3
    assert [item["text"] for item in page["items"]] == ["STOP", "Merci", "Marie est malade"]
    ill = page["items"][2]
    reason = await Reason.get(id=rows["ill"].proposed_reason_id)  # type: ignore[attr-defined]
    assert ill == {
        "id": rows["ill"].id,
        "channel": "sms",
        "from": "+33612345678",
        "text": "Marie est malade",
        "received_at": "2026-03-02T08:45:00+01:00",
        "guardian_id": rows["ill"].person_id,
        "guardian_name": "Mme DUPONT Anne",
        "student_id": api.sid("marie"),
        "student_name": ill["student_name"],
        "event_ids": rows["ill"].event_ids,
        "proposed_reason": (await reason.generic).code,
        "reason_code": reason.code,
        "confidence": None,
        "status": "pending",
        "handled_at": None,
        "keypad": None,
    }
    assert "Marie" in ill["student_name"]
    assert page["items"][1]["handled_at"] == "2026-03-02T11:45:00+01:00"
    assert page["items"][0]["student_id"] is None and page["items"][0]["status"] == "opt_out"


async def test_filters_and_pages(api: Api) -> None:
    await replies(api)

    async def texts(**params: object) -> tuple[int, list[str]]:
        status, page = await api.call("GET", INBOUND, params=params)
        assert status == 200, page
        return page["total"], [item["text"] for item in page["items"]]

    assert await texts(status="pending") == (1, ["Marie est malade"])
    assert await texts(status="rejected") == (0, [])
    assert await texts(since="2026-03-02T09:45:00+01:00") == (2, ["STOP", "Merci"])
    assert await texts(since="2026-03-02T08:45:00Z") == (2, ["STOP", "Merci"])
    assert await texts(since="2026-03-02T07:45:00Z") == (3, ["STOP", "Merci", "Marie est malade"])
    assert await texts(student=api.sid("marie")) == (2, ["Merci", "Marie est malade"])
    assert await texts(student=api.sid("leo")) == (0, [])
    assert await texts(limit=1, offset=1) == (3, ["Merci"])
    assert await texts(limit=2, offset=2) == (3, ["Marie est malade"])
    assert await texts(status="accepted", student=api.sid("marie")) == (1, ["Merci"])


async def test_bad_filters_are_refused_with_the_reason(api: Api) -> None:
    await replies(api)
    for params in (
        {"status": "lost"},
        {"since": "2026-03-02T08:45:00"},  # no offset: which zone?
        {"since": "yesterday"},
        {"limit": "0"},
        {"limit": "501"},
        {"offset": "-1"},
        {"student": "0"},
        {"guardian": "3"},
    ):
        status, body = await api.call("GET", INBOUND, params=params)
        assert status == 400, (params, body)
        assert body["error"]["code"] == "invalid" and body["error"]["message"], body


async def test_only_the_roles_that_decide_read_the_replies(api: Api) -> None:
    await replies(api)
    for persona in ("teacher", "direction"):
        status, body = await api.call("GET", INBOUND, as_=persona)
        assert (status, body["error"]["code"]) == (403, "forbidden"), persona
    status, page = await api.call("GET", INBOUND, as_="admin")
    assert (status, page["total"]) == (200, 3)


async def test_another_school_sees_only_its_own(api: Api) -> None:
    await replies(api)
    status, body = await api.call("GET", INBOUND, as_="other_cpe")
    assert (status, body["error"]["code"]) == (403, "forbidden")
    status, page = await api.call("GET", f"/schools/{UAI_B}/inbound", as_="other_cpe")
    assert status == 200 and [item["text"] for item in page["items"]] == ["Jean est absent"]
    status, body = await api.call("GET", "/schools/0000000A/inbound")
    assert status == 404, body


async def test_the_document_describes_the_list(api: Api) -> None:
    status, document = await api.call("GET", "/openapi.json", as_=None)
    assert status == 200
    operation = document["paths"]["/schools/{uai}/inbound"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"uai", "status", "since", "student", "limit", "offset"} <= names
    item = document["components"]["schemas"]["InboundOut"]
    assert {"from", "guardian_id", "student_id", "event_ids", "proposed_reason"} <= set(
        item["properties"]
    )


async def test_the_cpe_accepts_a_reply_once_and_its_absence_gets_the_reason(api: Api) -> None:
    rows = await replies(api)
    ill = rows["ill"]
    path = f"{INBOUND}/{ill.id}/accept"
    status, body = await api.call("POST", path, json={})
    assert status == 200, body
    assert body == {
        "id": ill.id,
        "status": "accepted",
        "reason_id": ill.proposed_reason_id,  # type: ignore[attr-defined]
        "event_ids": ill.event_ids,
    }
    event = await Event.get(id=ill.event_ids[0]).prefetch_related("justification")
    assert event.reason_id == ill.proposed_reason_id  # type: ignore[attr-defined]
    assert event.justification is not None and event.justification.code == "PAROLE_FAMILLE"
    status, body = await api.call("POST", path, json={})
    assert (status, body["error"]["code"]) == (409, "decided")
    status, body = await api.call("POST", f"{INBOUND}/{ill.id}/reject", json={})
    assert (status, body["error"]["code"]) == (409, "decided")


async def test_a_reply_is_rejected_or_refused_with_a_clear_reason(api: Api) -> None:
    rows = await replies(api)
    ill = rows["ill"]
    status, body = await api.call("POST", f"{INBOUND}/{ill.id}/accept", json={"reason": "NOPE"})
    assert status == 422 and "NOPE" in body["error"]["message"]
    status, body = await api.call("POST", f"{INBOUND}/{ill.id}/accept", json={"why": 1})
    assert status in (400, 422)
    status, body = await api.call("POST", f"{INBOUND}/{ill.id}/reject", json={})
    assert (status, body["status"]) == (200, "rejected")
    event = await Event.get(id=ill.event_ids[0])
    assert event.reason_id is None  # type: ignore[attr-defined]
    status, body = await api.call("POST", f"{INBOUND}/{ill.id}/accept", as_="other_cpe", json={})
    assert status == 403
    status, body = await api.call("POST", f"{INBOUND}/999999/accept", json={})
    assert status == 404


async def test_a_reply_is_attached_to_another_absence_or_refused_in_words(api: Api) -> None:
    rows = await replies(api)
    ill, school = rows["ill"], api.schools[UAI_A]
    later = await Event.create(
        school=school,
        student=api.students["marie"],
        kind=EventKind.ABSENCE,
        starts_at=at(MONDAY, 14),
        ends_at=at(MONDAY, 16),
    )
    path = f"{INBOUND}/{ill.id}/attach"
    status, body = await api.call("POST", path, json={"event_ids": [later.id]})
    assert (status, body["status"], body["event_ids"]) == (200, "pending", [later.id])
    other = await Event.create(
        school=school,
        student=api.students["leo"] if "leo" in api.students else api.students["marie"],
        kind=EventKind.LATENESS,
        starts_at=at(MONDAY, 9),
    )
    status, body = await api.call("POST", path, json={"event_ids": [other.id]})
    assert (status, body["error"]["code"]) == (422, "unknown_event")
    status, body = await api.call("POST", path, json={"student_id": 999_999})
    assert (status, body["error"]["code"]) == (422, "not_their_child")
    status, body = await api.call("POST", path, json={"guardian_id": 999_999})
    assert (status, body["error"]["code"]) == (404, "unknown_guardian")
    status, body = await api.call("POST", path, json={"event_ids": [1] * 51})
    assert status in (400, 422)
    unknown = rows["unknown"]  # belongs to no school: not this school's to attach
    status, body = await api.call("POST", f"{INBOUND}/{unknown.id}/attach", json={})
    assert status == 404
