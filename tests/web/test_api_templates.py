"""GET/PUT/DELETE /api/v1/schools/{uai}/templates/{kind}/{channel}/{language}, and the list."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from core.models import AuditEntry, LetterTemplate, MessageTemplate
from core.settings import load_settings
from tests.web.conftest import UAI_A, UAI_B, Api, _personas
from tests.web.personas import panel_client
from web.app import create_app
from workers.runtime import start_runtime
from workers.template_tools import build_template_tools

ONE = f"/schools/{UAI_A}/templates/absence/sms/fr"


@pytest.fixture
async def tools_api(db: str, tmp_path: Path) -> AsyncIterator[Api]:
    """Both schools and their personas, on an app given its template tools."""
    runtime = await start_runtime(load_settings(var_dir=tmp_path / "var"), sweep=False)
    settings = runtime.ctx["settings"]
    tools = build_template_tools(settings, runtime.ctx.get("channels"))
    app = create_app(settings, runtime.queue, template_tools=tools)
    try:
        async with panel_client(app) as client:
            schools, tokens = await _personas()
            yield Api(client, tokens, schools)
    finally:
        await runtime.close()


async def test_a_cpe_reads_replaces_and_resets_a_template(tools_api: Api) -> None:
    status, listed = await tools_api.call("GET", f"/schools/{UAI_A}/templates")
    assert status == 200 and listed["total"] == 80
    status, shown = await tools_api.call("GET", ONE)
    assert status == 200 and shown["format"] == "text" and not shown["overridden"]
    assert "{{ student.first_name }}" in shown["body"] and "student.first_name" in shown["fields"]
    body = "{{ school.name }} : " + "absence de {{ student.first_name }}, merci. " * 8
    status, saved = await tools_api.call("PUT", ONE, json={"body": body})
    assert status == 200 and saved["overridden"] and saved["body"] == body.strip()
    assert [w["code"] for w in saved["warnings"]] == ["sms_segments"]
    assert (await MessageTemplate.get()).body == body.strip()
    status, reset = await tools_api.call("DELETE", ONE)
    assert status == 200 and not reset["overridden"] and reset["body"] == shown["body"]
    assert await MessageTemplate.all().count() == 0
    actions = await AuditEntry.filter(action__startswith="template.").values_list(
        "action", flat=True
    )
    assert sorted(actions) == ["template.reset", "template.save"]


async def test_a_refused_template_is_a_422_and_nothing_is_stored(tools_api: Api) -> None:
    for body in ("{{ ''.__class__.__mro__ }}", "{{ nobody }}", "{% for %}"):
        status, error = await tools_api.call("PUT", ONE, json={"body": body})
        assert status == 422, body
        assert error["error"]["message"], body
    status, _ = await tools_api.call("PUT", ONE, json={"subject": "x"})
    assert status == 422
    assert await MessageTemplate.all().count() == 0


async def test_a_letter_is_html_and_sanitised(tools_api: Api) -> None:
    url = f"/schools/{UAI_A}/templates/lateness/letter/en"
    html = "<p onmouseover='x()'>Dear {{ guardian.name }}</p><script>alert(1)</script>"
    status, saved = await tools_api.call("PUT", url, json={"body": html})
    assert status == 200 and saved["format"] == "html"
    assert saved["body"] == "<p>Dear {{ guardian.name }}</p>"
    assert (await LetterTemplate.get()).html == "<p>Dear {{ guardian.name }}</p>"


@pytest.mark.parametrize("persona", ["teacher", "direction", "other_cpe"])
async def test_only_admins_and_cpes_of_the_school_write(tools_api: Api, persona: str) -> None:
    for method, kwargs in (("PUT", {"json": {"body": "x"}}), ("DELETE", {})):
        status, error = await tools_api.call(method, ONE, as_=persona, **kwargs)
        assert status == 403, (persona, method)
        assert error["error"]["code"] == "forbidden"
    assert await MessageTemplate.all().count() == 0


async def test_who_reads_the_templates(tools_api: Api) -> None:
    assert (await tools_api.call("GET", ONE, as_="direction"))[0] == 200
    assert (await tools_api.call("GET", ONE, as_="admin"))[0] == 200
    assert (await tools_api.call("GET", ONE, as_="teacher"))[0] == 403
    assert (await tools_api.call("GET", ONE, as_="other_cpe"))[0] == 403
    assert (await tools_api.call("GET", ONE, as_=None))[0] == 401
    own = f"/schools/{UAI_B}/templates/absence/sms/fr"
    assert (await tools_api.call("GET", own, as_="other_cpe"))[0] == 200
    status, error = await tools_api.call("GET", f"/schools/{UAI_A}/templates/absence/fax/fr")
    assert status == 404 and error["error"]["code"] == "not_found"


async def test_without_the_tools_writes_are_unavailable(
    api: Api, app_client: TestClient[Any, Any]
) -> None:
    status, error = await api.call("PUT", ONE, json={"body": "Bonjour"})
    assert status == 503 and error["error"]["code"] == "unavailable"
    assert (await api.call("GET", ONE))[0] == 200


async def test_a_template_too_costly_is_refused_and_the_server_answers_meanwhile(
    tools_api: Api,
) -> None:
    nested = "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}"
    saving = asyncio.ensure_future(tools_api.call("PUT", ONE, json={"body": nested}))
    await asyncio.sleep(0.3)  # the trial runs in its child process
    status, listed = await tools_api.call("GET", f"/schools/{UAI_A}/templates")
    assert status == 200 and listed["total"] == 80
    assert not saving.done()  # the list was answered while the trial was still running
    status, error = await saving
    assert status == 422 and error["error"]["code"] == "sandbox"
    assert "more than 2 s" in error["error"]["message"]
    assert await MessageTemplate.all().count() == 0
