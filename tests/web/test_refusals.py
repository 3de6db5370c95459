"""Every refusal a person can meet is a sentence in the interface's language: each domain error
core raises carries a code the panel has words for, validation problems are worded by field and
kind, and the grid, the roll call and the follow-up say so in French (never pydantic's English,
an event id or an exception's text)."""

from __future__ import annotations

import ast
import html
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from pydantic import BaseModel

from core.errors import Conflict, Invalid, NotFound
from core.i18n import LANGUAGES, words
from core.queries.search import SearchCriteria, parse_criteria
from core.services.events.record import EventPatch
from core.services.schools.periods import REFUSALS
from core.services.schools.school import (
    QuietHoursSetting,
    SchoolSettingsPatch,
    now_utc,
    parse_settings_patch,
)
from tests.web import test_grid_api as grid_api
from tests.web.grid_support import World, log_in
from tests.web.personas import UAI_A
from web.panel.grid import GridMark
from web.panel.labels import families
from web.panel.refusals import worded

CORE = Path(__file__).resolve().parents[2] / "core"
RAISED = {"DomainError", "Invalid", "Conflict", "Forbidden", "NotFound", "Gone"}
CODE_FREE = {"NotFound"}  # its class's code (not found) says it well enough
COMPUTED = {  # a code computed at the raise, with the values it can take
    "core/queries/stats_page.py": {"stats_division", "stats_group", "stats_level"},
    "core/services/schools/periods.py": set(REFUSALS),
    "core/services/schools/slots.py": {"weekday", "slot_order"},
    "core/services/templates/editing.py": {
        "unsafe",
        "unknown_field",
        "unknown_variable",
        "syntax",
    },
}
FORMS: tuple[type[BaseModel], ...] = (
    EventPatch,
    GridMark,
    SearchCriteria,
    SchoolSettingsPatch,
    QuietHoursSetting,
)

world, client = grid_api.world, grid_api.client  # the grid's fixtures


def _raises() -> Iterator[tuple[str, int, str, ast.Call]]:
    for path in sorted(CORE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                func = node.exc.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if name in RAISED:
                    where = str(path.relative_to(CORE.parent))
                    yield where, node.lineno, name, node.exc


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_domain_error_core_raises_has_a_code_the_panel_words(language: str) -> None:
    known = families(language)["error"]
    computed: set[str] = set()
    problems = []
    for where, line, name, call in _raises():
        code = next((k.value for k in call.keywords if k.arg == "code"), None)
        if code is None:
            if name not in CODE_FREE:
                problems.append(f"{where}:{line}: {name} without a code")
        elif isinstance(code, ast.Constant) and isinstance(code.value, str):
            if code.value not in known:
                problems.append(f"{where}:{line}: no words for {code.value!r}")
        elif where in COMPUTED:
            computed |= COMPUTED[where]
        else:
            problems.append(f"{where}:{line}: a computed code")
    assert not problems, "\n".join(problems)
    assert computed <= known.keys() and {"not_found", "conflict", "invalid"} <= known.keys()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_field_a_form_validates_has_words(language: str) -> None:
    fields = families(language)["error.field"]
    missing = {f"{m.__name__}.{f}" for m in FORMS for f in m.model_fields if f not in fields}
    assert not missing


def test_validation_problems_are_worded_by_field_and_kind() -> None:
    fr = words("fr")
    with pytest.raises(Invalid) as zone:
        parse_settings_patch({"timezone": "Mars/Olympus"})
    assert worded(fr, zone.value) == (
        "Fuseau horaire : fuseau horaire inconnu (par exemple Europe/Paris)."
    )
    assert zone.value.message.startswith("timezone:")  # the API and the logs keep English
    with pytest.raises(Invalid) as period:
        parse_criteria({"date_from": "2026-03-10", "date_to": "2026-03-01"})
    assert worded(fr, period.value) == "La fin de la période vient avant son début."
    with pytest.raises(Invalid) as long:
        parse_settings_patch({"name": "x" * 500})
    assert worded(fr, long.value) == "Nom : au plus 200 caractères."
    with pytest.raises(Invalid) as unknown:
        parse_settings_patch({"colour": "red"})
    assert worded(fr, unknown.value) == "Une valeur : ce champ n'est pas attendu ici."
    en = words("en")
    assert "time zone" in worded(en, zone.value).lower()


def test_a_code_without_words_falls_back_to_its_class_sentence() -> None:
    fr = words("fr")
    assert worded(fr, NotFound("no such thing", code="nowhere")) == (
        "Ce que vous demandez n'existe pas, ou plus."
    )
    assert "entre-temps" in worded(fr, Conflict("moved", code="moved_on"))
    assert worded(fr, Invalid("x", code="letters_too_many", most=50)) == (
        "Au plus 50 courriers à la fois."
    )
    # a sentence naming a value the error lacks falls back rather than failing
    assert worded(fr, Invalid("x", code="letters_too_many")) == "Cette valeur est refusée."


async def test_the_grid_says_an_overlap_in_french(
    client: TestClient[Any, Any], world: World
) -> None:
    token = await log_in(client, "cpe")
    record, headers = f"/s/{UAI_A}/grid/events", {"X-CSRF-Token": token}
    first = await client.post(record, json=grid_api.absence(world, "Hugo", 9, 11), headers=headers)
    assert first.status == 201
    clash = await client.post(record, json=grid_api.absence(world, "Hugo", 10, 12), headers=headers)
    error = (await clash.json())["error"]
    assert clash.status == 409 and error["code"] == "overlap"
    assert error["message"] == (
        "Cet événement en chevauche un autre du même élève : modifiez plutôt celui-ci."
    )
    bad = await client.post(record, json={"student_id": "x"}, headers=headers)
    assert bad.status == 422
    assert (await bad.json())["error"]["message"] == "Élève : nombre entier attendu."


async def test_a_roll_call_before_the_lesson_says_so_in_french(
    client: TestClient[Any, Any], world: World
) -> None:
    token = await log_in(client, "teacher")
    today = now_utc().date()
    monday = today + timedelta(days=7 - today.weekday())  # a lesson that has not started yet
    url = f"/s/{UAI_A}/roll-call/{world.lessons['maths'].id}?date={monday}"
    form = {"csrf": token, "date": monday.isoformat()}
    form[f"mark-{world.students['Léa'].id}"] = "absent"
    response = await client.post(url, data=form)
    page = html.unescape(await response.text())
    assert response.status == 422, page[-500:]
    assert "Le cours n'a pas encore commencé" in page and "not started" not in page


async def test_the_follow_up_says_a_period_ending_before_its_start_in_french(
    client: TestClient[Any, Any], world: World
) -> None:
    await log_in(client, "cpe")
    end, start = date(2026, 3, 1), date(2026, 3, 10)
    response = await client.get(
        f"/s/{UAI_A}/follow-up", params={"from": str(start), "to": str(end)}
    )
    page = html.unescape(await response.text())
    assert response.status == 400
    assert "La fin de la période vient avant son début." in page
    assert "Value error" not in page
