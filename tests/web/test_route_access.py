"""Every route of the application × every staff role × (own scope, own school out of scope,
another school) → the status the RULES table expects.

The routes come from the aiohttp router itself (the JSON API's sub-application included), so
a route added without its line in RULES (or in PUBLIC) fails :func:`test_every_route_has_a_rule`.
A line says which roles may use the route and what they get with an empty request; the other
roles get 403, and so does everyone on another school's URL. A route about one student
(``scoped``) answers a teacher 404 for a student they do not teach (or ``out`` when it says
otherwise). Panel forms are posted with the session's CSRF token and an Origin header equal to
the public URL.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from core.models import (
    ActionType,
    Channel,
    ContactKind,
    ContactPoint,
    Delivery,
    DeliveryStatus,
    Division,
    GuardianLink,
    InboundMessage,
    JustificationType,
    Lesson,
    Notice,
    NoticeKind,
    NoticeStatus,
    Person,
    Reason,
    School,
    Student,
    TimetableSlot,
)
from core.rules.counting import EventKind
from core.rules.periods import PeriodSpan
from core.services.events.record import record_event
from core.services.schools.periods import set_periods
from core.services.schools.school import now_utc
from core.services.schools.users import create_token
from tests.web.personas import MONDAY, PASSWORD, SYSTEM, UAI_A, UAI_B, at, schools_and_staff
from web.keys import SETTINGS

Client = TestClient[Any, Any]
ROLES = ("admin", "direction", "cpe", "vie_scolaire", "teacher")
STAFF = {
    **{role: (f"{role}@a.example.org", UAI_A, role, role) for role in ROLES},
    "teacher2": ("teacher2@a.example.org", UAI_A, "teacher", "Mme Simon"),
    "spare": ("spare@a.example.org", UAI_A, "vie_scolaire", "M. Spare"),
}
EVERYONE = frozenset(ROLES)
ADMIN = frozenset({"admin"})
WRITERS = frozenset({"admin", "cpe", "vie_scolaire"})  # write events, decide, post letters
DELIVERIES = frozenset({"admin", "direction", "cpe", "vie_scolaire"})  # and letters
CONVOKERS = frozenset({"admin", "direction", "cpe"})  # and read the templates
EDITORS = frozenset({"admin", "cpe"})  # edit the templates, read the outbox
ROLL_CALL = frozenset({"admin", "cpe", "vie_scolaire", "teacher"})
STATISTICS = frozenset({"admin", "direction", "cpe"})
LEGAL = frozenset({"admin", "direction", "cpe"})  # the legal follow-up and the DASEN report
TERM = PeriodSpan("2e trimestre", date(2025, 12, 1), date(2026, 3, 13))


@dataclass(frozen=True)
class Rule:
    """``ok``: the status of an allowed role in its scope (the request is empty: a form
    refused is a 400, a redirection a 303…); ``ids``: what ``{id}`` names; ``scoped``: about
    one student, so a teacher who does not teach them gets ``out``."""

    ok: int
    roles: frozenset[str]
    ids: str = ""
    scoped: bool = False
    out: int = 404
    json: bool = False  # the grid's endpoints take JSON (and the CSRF token in a header)


R = Rule
API = "/api/v1/schools/{uai}"
TEMPLATE = "/{kind}/{channel}/{language}"
RULES: dict[tuple[str, str], Rule] = {
    # The JSON API
    ("GET", f"{API}/students"): R(200, EVERYONE),
    ("GET", f"{API}/students/{{id}}"): R(200, EVERYONE, "student", scoped=True),
    ("GET", f"{API}/events"): R(200, EVERYONE),
    ("POST", f"{API}/events"): R(422, WRITERS),
    ("GET", f"{API}/events/{{id}}"): R(200, EVERYONE, "event", scoped=True),
    ("PATCH", f"{API}/events/{{id}}"): R(200, WRITERS, "event", scoped=True),
    ("DELETE", f"{API}/events/{{id}}"): R(200, WRITERS, "event", scoped=True),
    ("GET", f"{API}/notices"): R(200, EVERYONE),
    ("GET", f"{API}/inbound"): R(200, WRITERS),
    ("POST", f"{API}/inbound/{{id}}/accept"): R(422, WRITERS, "inbound"),
    ("POST", f"{API}/inbound/{{id}}/attach"): R(422, WRITERS, "inbound"),
    ("POST", f"{API}/inbound/{{id}}/reject"): R(200, WRITERS, "inbound"),
    ("POST", f"{API}/inbound/{{id}}/close"): R(409, WRITERS, "inbound"),  # rejected just before
    ("POST", f"{API}/inbound/{{id}}/answer"): R(422, WRITERS, "inbound"),
    ("POST", f"{API}/students/{{id}}/convocations"): R(422, CONVOKERS, "student", scoped=True),
    ("POST", f"{API}/guardians/{{id}}/link-code"): R(201, WRITERS, "guardian"),
    ("GET", f"{API}/letters"): R(200, DELIVERIES),
    ("GET", f"{API}/letters.pdf"): R(503, DELIVERIES),
    ("POST", f"{API}/letters/marks"): R(422, WRITERS),
    ("GET", f"{API}/settings"): R(200, EVERYONE),
    ("PATCH", f"{API}/settings"): R(200, ADMIN),
    ("GET", f"{API}/templates"): R(200, CONVOKERS),
    ("GET", f"{API}/templates{TEMPLATE}"): R(200, CONVOKERS),
    ("PUT", f"{API}/templates{TEMPLATE}"): R(422, EDITORS),
    ("DELETE", f"{API}/templates{TEMPLATE}"): R(200, EDITORS),
    ("POST", f"{API}/imports/siecle"): R(415, ADMIN),
    ("POST", f"{API}/imports/timetable"): R(415, ADMIN),
    ("GET", f"{API}/lessons"): R(400, EVERYONE),
    ("GET", f"{API}/stats/absenteeism"): R(400, frozenset({"admin", "direction", "cpe"})),
    # The panel: entry grid, roll call, follow-up, student file
    ("GET", "/s/{uai}/grid"): R(200, EVERYONE),
    ("POST", "/s/{uai}/grid/events"): R(422, WRITERS, json=True),
    ("GET", "/s/{uai}/grid/events/{id}"): R(200, EVERYONE, "event", scoped=True, json=True),
    ("POST", "/s/{uai}/grid/events/{id}"): R(409, WRITERS, "event", scoped=True, json=True),
    ("POST", "/s/{uai}/grid/events/{id}/delete"): R(409, WRITERS, "event", scoped=True, json=True),
    ("POST", "/s/{uai}/grid/events/{id}/arrival"): R(422, WRITERS, "event", scoped=True, json=True),
    ("GET", "/s/{uai}/roll-call"): R(200, ROLL_CALL),
    ("GET", "/s/{uai}/roll-call/{lesson}"): R(200, ROLL_CALL, "lesson", scoped=True, out=403),
    ("POST", "/s/{uai}/roll-call/{lesson}"): R(303, ROLL_CALL, "lesson", scoped=True, out=403),
    ("GET", "/s/{uai}/lessons"): R(200, EVERYONE),
    ("GET", "/s/{uai}/lessons/new"): R(200, WRITERS),
    ("POST", "/s/{uai}/lessons/new"): R(400, WRITERS),
    ("GET", "/s/{uai}/lessons/{id}"): R(400, WRITERS, "lesson"),
    ("POST", "/s/{uai}/lessons/{id}/move"): R(400, WRITERS, "lesson"),
    ("POST", "/s/{uai}/lessons/{id}/cancel"): R(400, WRITERS, "lesson"),
    ("POST", "/s/{uai}/lessons/{id}/restore"): R(400, WRITERS, "lesson"),
    ("GET", "/s/{uai}/follow-up"): R(200, EVERYONE),
    ("GET", "/s/{uai}/follow-up/export.csv"): R(200, EVERYONE),
    ("GET", "/s/{uai}/follow-up/export.xlsx"): R(200, EVERYONE),
    ("POST", "/s/{uai}/follow-up/searches"): R(400, EVERYONE),
    ("POST", "/s/{uai}/follow-up/searches/{id}/delete"): R(404, EVERYONE, "nothing"),
    ("GET", "/s/{uai}/follow-up/legal"): R(200, LEGAL),
    ("GET", "/s/{uai}/stats"): R(200, STATISTICS),
    ("GET", "/s/{uai}/stats.csv"): R(200, STATISTICS),
    ("GET", "/s/{uai}/stats.xlsx"): R(200, STATISTICS),
    ("GET", "/s/{uai}/stats/report.pdf"): R(503, STATISTICS),  # no files
    ("GET", "/s/{uai}/stats/year-report.pdf"): R(503, STATISTICS),  # no files
    ("POST", "/s/{uai}/follow-up/legal/actions"): R(404, LEGAL),  # no student named
    ("GET", "/s/{uai}/students/{id}/dasen-report.pdf"): R(503, LEGAL, "student"),  # no files
    ("POST", "/s/{uai}/students/{id}/dasen-report/sent"): R(400, LEGAL, "student"),  # no date
    ("GET", "/s/{uai}/students/{id}"): R(200, EVERYONE, "student", scoped=True),
    ("POST", "/s/{uai}/students/{id}/actions"): R(400, WRITERS, "student", scoped=True),
    ("POST", "/s/{uai}/students/{id}/convocations"): R(400, CONVOKERS, "student", scoped=True),
    # a guardian's Telegram code and chat links: the empty form names no guardian (404)
    ("POST", "/s/{uai}/students/{id}/link-code"): R(404, WRITERS, "student", scoped=True),
    ("POST", "/s/{uai}/students/{id}/link-code/send"): R(404, WRITERS, "student", scoped=True),
    ("POST", "/s/{uai}/students/{id}/chat-links/end"): R(404, WRITERS, "student", scoped=True),
    ("POST", "/s/{uai}/students/{id}/guardians/preferences"): R(
        404, WRITERS, "student", scoped=True
    ),
    # Deliveries, alerts, letters, outbox
    ("GET", "/s/{uai}/deliveries"): R(200, DELIVERIES),
    ("GET", "/s/{uai}/replies"): R(200, WRITERS),
    ("POST", "/s/{uai}/replies/accept"): R(303, WRITERS),
    ("POST", "/s/{uai}/replies/{id}/accept"): R(303, WRITERS, "inbound"),
    ("POST", "/s/{uai}/replies/{id}/reject"): R(303, WRITERS, "inbound"),
    ("GET", "/s/{uai}/replies/{id}/attach"): R(200, WRITERS, "inbound"),
    # the reply has no document of that id: the deciding roles get 404, the others 403
    ("GET", "/s/{uai}/replies/{id}/documents/{doc}"): R(404, WRITERS, "inbound"),
    ("POST", "/s/{uai}/replies/{id}/attach"): R(303, WRITERS, "inbound"),
    ("POST", "/s/{uai}/replies/{id}/close"): R(303, WRITERS, "inbound"),
    ("POST", "/s/{uai}/replies/{id}/answer"): R(303, WRITERS, "inbound"),
    ("POST", "/s/{uai}/deliveries/{id}/resend"): R(303, WRITERS, "delivery"),
    ("POST", "/s/{uai}/deliveries/{id}/fix"): R(409, WRITERS, "delivery"),
    ("POST", "/s/{uai}/alerts/{id}/seen"): R(404, EDITORS, "nothing"),
    ("GET", "/s/{uai}/letters"): R(200, DELIVERIES),
    ("GET", "/s/{uai}/letters.pdf"): R(503, DELIVERIES),
    ("POST", "/s/{uai}/letters"): R(400, DELIVERIES),
    ("GET", "/s/{uai}/outbox"): R(200, EDITORS),
    # Groups of divisions (admins and CPEs; everyone reads them)
    ("GET", f"{API}/division-groups"): R(200, EVERYONE),
    ("POST", f"{API}/division-groups"): R(422, EDITORS),
    ("PATCH", f"{API}/division-groups/{{id}}"): R(404, EDITORS, "nothing"),
    ("DELETE", f"{API}/division-groups/{{id}}"): R(404, EDITORS, "nothing"),
    # Reporting periods and their SIECLE absences files (direction, CPEs, admins)
    ("GET", f"{API}/periods"): R(200, EVERYONE),
    ("GET", f"{API}/periods/{{id}}/siecle-absences"): R(200, STATISTICS, "period"),
    ("GET", "/s/{uai}/periods/{id}/siecle-absences.xml"): R(200, STATISTICS, "period"),
    ("GET", "/s/{uai}/division-groups"): R(200, EDITORS),
    ("POST", "/s/{uai}/division-groups"): R(400, EDITORS),
    ("GET", "/s/{uai}/division-groups/{id}"): R(404, EDITORS, "nothing"),
    ("POST", "/s/{uai}/division-groups/{id}"): R(404, EDITORS, "nothing"),
    ("POST", "/s/{uai}/division-groups/{id}/delete"): R(404, EDITORS, "nothing"),
    # Notice templates and the letters' logo
    ("GET", "/s/{uai}/templates"): R(200, CONVOKERS),
    ("GET", "/s/{uai}/templates/logo"): R(404, CONVOKERS),
    ("POST", "/s/{uai}/templates/logo"): R(303, EDITORS),
    ("POST", "/s/{uai}/templates/logo/remove"): R(303, EDITORS),
    ("GET", f"/s/{{uai}}/templates{TEMPLATE}"): R(200, CONVOKERS),
    ("POST", f"/s/{{uai}}/templates{TEMPLATE}"): R(503, EDITORS),
    ("POST", f"/s/{{uai}}/templates{TEMPLATE}/reset"): R(303, EDITORS),
    ("POST", f"/s/{{uai}}/templates{TEMPLATE}/preview"): R(503, CONVOKERS),
    ("POST", f"/s/{{uai}}/templates{TEMPLATE}/preview.pdf"): R(404, CONVOKERS),
    # SIECLE imports
    ("GET", "/s/{uai}/imports"): R(200, ADMIN),
    ("POST", "/s/{uai}/imports"): R(415, ADMIN),
    ("POST", "/s/{uai}/imports/timetable"): R(415, ADMIN),
    ("GET", "/s/{uai}/imports/{id}"): R(404, ADMIN, "job"),
    ("POST", "/s/{uai}/imports/{id}/apply"): R(404, ADMIN, "job"),
    ("GET", "/s/{uai}/imports/{id}/progress"): R(404, ADMIN, "job"),
    # School settings
    ("GET", "/s/{uai}/settings"): R(200, ADMIN),
    ("GET", "/s/{uai}/settings/general"): R(200, ADMIN),
    ("POST", "/s/{uai}/settings/general"): R(400, ADMIN),
    ("GET", "/s/{uai}/settings/notices"): R(200, ADMIN),
    ("POST", "/s/{uai}/settings/notices"): R(400, ADMIN),
    ("GET", "/s/{uai}/settings/colours"): R(200, ADMIN),
    ("POST", "/s/{uai}/settings/colours"): R(400, ADMIN),
    ("GET", "/s/{uai}/settings/timetable"): R(200, ADMIN),
    ("POST", "/s/{uai}/settings/timetable"): R(400, ADMIN),
    ("POST", "/s/{uai}/settings/timetable/save"): R(400, ADMIN),
    ("POST", "/s/{uai}/settings/timetable/{id}/delete"): R(303, ADMIN, "slot"),
    ("GET", "/s/{uai}/settings/calendar"): R(200, ADMIN),
    ("POST", "/s/{uai}/settings/calendar"): R(400, ADMIN),
    ("POST", "/s/{uai}/settings/calendar/import"): R(400, ADMIN),
    ("POST", "/s/{uai}/settings/calendar/{id}/delete"): R(404, ADMIN, "nothing"),
    ("GET", "/s/{uai}/settings/reasons"): R(200, ADMIN),
    ("POST", "/s/{uai}/settings/reasons"): R(400, ADMIN),
    ("GET", "/s/{uai}/settings/reasons/{id}"): R(200, ADMIN, "reason"),
    ("POST", "/s/{uai}/settings/reasons/{id}"): R(400, ADMIN, "reason"),
    ("POST", "/s/{uai}/settings/reasons/{id}/active"): R(303, ADMIN, "reason"),
    ("GET", "/s/{uai}/settings/justifications"): R(200, ADMIN),
    ("POST", "/s/{uai}/settings/justifications"): R(400, ADMIN),
    ("POST", "/s/{uai}/settings/justifications/{id}"): R(400, ADMIN, "justification"),
    ("GET", "/s/{uai}/settings/actions"): R(200, ADMIN),
    ("POST", "/s/{uai}/settings/actions"): R(400, ADMIN),
    ("POST", "/s/{uai}/settings/actions/{id}"): R(400, ADMIN, "action_type"),
    ("GET", "/s/{uai}/settings/staff"): R(200, ADMIN),
    ("POST", "/s/{uai}/settings/staff"): R(400, ADMIN),
    ("POST", "/s/{uai}/settings/staff/{id}/role"): R(400, ADMIN, "spare"),
    ("POST", "/s/{uai}/settings/staff/{id}/invite"): R(400, ADMIN, "spare"),
    ("POST", "/s/{uai}/settings/staff/{id}/remove"): R(303, ADMIN, "spare"),
    ("POST", "/s/{uai}/settings/staff/invitations/{id}/cancel"): R(404, ADMIN, "nothing"),
    ("POST", "/s/{uai}/settings/staff/invitations/{id}/resend"): R(404, ADMIN, "nothing"),
    ("GET", "/s/{uai}/settings/year"): R(200, ADMIN),
    ("POST", "/s/{uai}/settings/year"): R(400, ADMIN),
    ("GET", "/s/{uai}/settings/year/start"): R(200, ADMIN),
    ("POST", "/s/{uai}/settings/year/start"): R(400, ADMIN),
    ("GET", "/s/{uai}/settings/periods"): R(200, ADMIN),
    ("POST", "/s/{uai}/settings/periods"): R(303, ADMIN),  # no row filled: no period left
}
# Routes of no school: any logged-in user (``ok``), whatever their role.
OWN_ACCOUNT: dict[tuple[str, str], int] = {
    ("GET", "/"): 200,
    ("GET", "/account"): 200,
    ("POST", "/account/password"): 400,
    ("POST", "/account/language"): 400,
    ("POST", "/account/tokens"): 400,  # no lifetime chosen
    ("POST", "/account/tokens/{id}/revoke"): 404,  # not one of theirs
    ("POST", "/account/sessions/{id}/end"): 404,  # not one of theirs
    ("POST", "/account/sessions/end-others"): 303,
    # operators of the install only (no persona here is one): tests/web/test_school_new.py
    ("GET", "/schools/new"): 403,
    ("POST", "/schools/new"): 403,
    ("POST", "/logout"): 303,  # walked last: it ends the session
}
# Of the whole install: each school where the caller's role has the right (an operator: all),
# checked by tests/web/test_api_stats.py.
INSTALL = {("GET", "/api/v1/stats/absenteeism"), ("GET", "/stats/academy")}
# The install's monitoring: no session, its own bearer token or a direct client of the
# monitoring networks (tests/web/test_monitoring.py checks both and the refusals).
MONITORING = {("GET", "/metrics")}
# Open to anyone, checked by their own tests: login, health, provider callbacks, static files.
PUBLIC = {
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/healthz"),
    ("GET", "/api/v1/openapi.json"),
    ("POST", "/hooks/twilio/status/{uuid}"),
    ("POST", "/hooks/twilio/gather/{uuid}"),
    ("POST", "/hooks/twilio/sms"),
    ("POST", "/hooks/telegram"),  # its secret header: tests/bot/test_webhook.py
    ("GET", "/static"),
    # An invitation's link is its own credential (tests/web/test_invitations.py).
    ("GET", "/invitations/{secret}"),
    ("POST", "/invitations/{secret}/account"),
    ("POST", "/invitations/{secret}/new"),
}


def registered(app: web.Application) -> Iterator[tuple[str, str]]:
    """(method, path) of every route of ``app`` and its sub-applications; HEAD goes with GET."""
    for resource in app.router.resources():
        info = resource.get_info()
        if "app" in info:  # a sub-application: its resources know their full path
            yield from registered(info["app"])
            continue
        for route in resource:
            if route.method != "HEAD":
                yield route.method, resource.canonical


def expected(rule: Rule, role: str, target: str) -> int:
    if target == "other" or role not in rule.roles:
        return 403
    if target == "out" and rule.scoped and role == "teacher":
        return rule.out
    return rule.ok


def test_every_route_has_a_rule(app_client: Client) -> None:
    """A new route fails here until it says who may use it."""
    routes = set(registered(app_client.app))
    declared = set(RULES) | set(OWN_ACCOUNT) | PUBLIC | INSTALL | MONITORING
    missing = sorted(routes - declared)
    assert missing == [], f"routes without a line in RULES: {missing}"
    assert sorted(declared - routes) == []  # no stale


@dataclass
class World:
    """School A with its staff, two divisions, a pupil the teacher teaches (Marie, 5B) and one
    they do not (Inès, 4A), their events and a delivery; school B exists."""

    schools: dict[str, School]
    ids: dict[tuple[str, str], int | str]  # (kind, "own" | "out") → id
    tokens: dict[str, str]


async def _pupil(school: School, division: Division, first: str) -> Student:
    student = await Student.create(
        school=school, last_name="Élève", first_name=first, division=division
    )
    parent = await Person.create(school=school, last_name="Parent", first_name=first)
    await GuardianLink.create(student=student, person=parent, relationship="20")
    await ContactPoint.create(person=parent, kind=ContactKind.MOBILE, value="+33612345678")
    return student


async def _delivery(school: School, student: Student) -> int:
    notice = await Notice.create(
        school=school,
        student=student,
        kind=NoticeKind.THRESHOLD,
        dedupe_key=f"test:{uuid.uuid4()}",
        status=NoticeStatus.FAILED,
    )
    delivery = await Delivery.create(
        uuid=uuid.uuid4(),
        notice=notice,
        channel=Channel.SMS,
        to="+33699999999",
        status=DeliveryStatus.UNDELIVERED,
        attempts=2,
        not_before=now_utc(),
        provider="twilio",
    )
    return delivery.id


async def _reply(school: School, student: Student, event_id: int) -> int:
    """A reply waiting for the CPE, with no reason read (accepting it asks for one)."""
    message = await InboundMessage.create(
        school=school,
        channel="sms",
        provider="twilio",
        provider_ref=f"SM{uuid.uuid4().hex}",
        sender="+33699999999",
        text="Je vous rappelle",
        received_at=now_utc(),
        student=student,
        event_ids=[event_id],
    )
    return message.id


async def build_world() -> World:
    schools, users = await schools_and_staff(STAFF)
    school = schools[UAI_A]
    ids: dict[tuple[str, str], int | str] = {}
    for target, code, teacher in (("own", "5B", "teacher"), ("out", "4A", "teacher2")):
        division = await Division.create(school=school, code=code)
        student = await _pupil(school, division, target)
        lesson = await Lesson.create(
            school=school,
            teacher=users[teacher],
            division=division,
            weekday=MONDAY.weekday(),
            start_minute=8 * 60,
            end_minute=9 * 60,
        )
        event = (
            await record_event(
                school,
                SYSTEM,
                student_id=student.id,
                kind=EventKind.ABSENCE,
                start=at(MONDAY, 8),
                end=at(MONDAY, 10),
            )
        ).event
        ids.update({("student", target): student.id, ("event", target): event.id})
        ids.update({("lesson", target): lesson.id})
        ids[("delivery", target)] = await _delivery(school, student)
        ids[("inbound", target)] = await _reply(school, student, event.id)
        ids[("guardian", target)] = (await GuardianLink.get(student=student)).person_id
    slot = await TimetableSlot.filter(school=school).first()
    reason = await Reason.filter(school=school).first()
    justification = await JustificationType.filter(school=school).first()
    action_type = await ActionType.filter(school=school).first()
    assert reason is not None and justification is not None and action_type is not None
    shared: dict[str, int | str] = {
        "job": "0123456789abcdef",  # an import that does not exist
        "slot": slot.id if slot else 999_999,
        "reason": reason.id,
        "justification": justification.id,
        "action_type": action_type.id,
        "spare": users["spare"].id,
        "nothing": 999_999,
        "period": (await set_periods(school, [TERM], SYSTEM, today=MONDAY))[0].id,
    }
    for kind, value in shared.items():
        ids[(kind, "own")] = ids[(kind, "out")] = value
    tokens = {role: await create_token(STAFF[role][0], SYSTEM) for role in ROLES}
    return World(schools, ids, tokens)


def _path(path: str, rule: Rule, world: World, target: str) -> str:
    ids = world.ids.get((rule.ids, "own" if target == "other" else target), 999_999)
    uai = UAI_B if target == "other" else UAI_A
    names = {"kind": "absence", "channel": "sms", "language": "fr"}
    day = f"?date={MONDAY}" if rule.ids == "lesson" else ""  # the lesson's day
    return path.format(uai=uai, id=ids, lesson=ids, doc=ids, **names) + day


async def _log_in(client: Client, email: str) -> str:
    client.session.cookie_jar.clear()
    page = await (await client.get("/login")).text()
    token = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    form = {"csrf": token, "email": email, "password": PASSWORD}
    response = await client.post("/login", data=form, allow_redirects=False)
    assert response.status == 303, await response.text()
    page = await (await client.get("/account")).text()
    return page.split('name="csrf" value="', 1)[1].split('"', 1)[0]


async def _status(
    client: Client, method: str, path: str, *, token: str, csrf: str, origin: str, json: bool
) -> int:
    headers = {"Origin": origin, "X-CSRF-Token": csrf}
    if json and method == "POST":
        response = await client.post(path, json={}, headers=headers, allow_redirects=False)
    elif path.startswith("/api/"):
        headers = {"Authorization": f"Bearer {token}"}
        body = {} if method in ("POST", "PATCH", "PUT") else None
        response = await client.request(method, path, json=body, headers=headers)
    elif method == "GET":
        response = await client.get(path, allow_redirects=False)
    else:
        response = await client.post(
            path, data={"csrf": csrf, "date": str(MONDAY)}, headers=headers, allow_redirects=False
        )
    await response.read()
    return response.status


@pytest.mark.parametrize("role", ROLES)
async def test_each_role_gets_what_the_table_says_on_every_route(
    db: str, app_client: Client, role: str
) -> None:
    world = await build_world()
    csrf = await _log_in(app_client, STAFF[role][0])
    server = app_client.server
    own = f"{server.scheme}://{server.host}:{server.port}"
    origin = app_client.app[SETTINGS].configured_public_url() or own  # as a browser would
    who = {"token": world.tokens[role], "csrf": csrf, "origin": origin}
    wrong = []
    for (method, path), rule in RULES.items():
        targets = ("other", "out", "own") if rule.scoped else ("other", "own")
        for target in targets:
            url = _path(path, rule, world, target)
            got = await _status(app_client, method, url, json=rule.json, **who)
            if got != (want := expected(rule, role, target)):
                wrong.append(f"{method} {path} [{target}] → {got}, not {want}")
    for (method, path), ok in OWN_ACCOUNT.items():
        got = await _status(app_client, method, path.format(id=999_999), json=False, **who)
        if got != ok:
            wrong.append(f"{method} {path} → {got}, not {ok}")
    assert wrong == [], f"{role}:\n" + "\n".join(wrong)
