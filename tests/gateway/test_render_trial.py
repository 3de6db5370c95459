"""Templates tried apart: a child process limited in CPU time and memory renders them, so a
template that loops or grows without end is refused instead of holding the server."""

from __future__ import annotations

import asyncio
import pickle
import sys
from pathlib import Path

import pytest

from core.rules.merge_fields import Sample
from gateway.render import (
    TemplateError,
    TemplateSyntaxError,
    UndefinedVariableError,
    UnsafeTemplateError,
)
from gateway.render_trial import AT_ONCE, TemplateTooCostly, render_contained

CONTEXT = {"student": {"first_name": "Léa"}, "half_days": [{"day": "lundi 2 mars"}] * 4}


async def test_an_ordinary_template_renders_apart_without_error() -> None:
    await render_contained(
        [("Bonjour, {{ student.first_name }}.", CONTEXT), ("{{ x.y }}", {"x": Sample("x")})]
    )
    await render_contained([])


@pytest.mark.parametrize(
    "source",
    [
        "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}",
        "{{ 'x'|center(999999999) }}",
        "{{ '%0999999999d' % 1 }}",
        "{% set s = 'x' * 10000 %}{{ s|replace('x', s)|replace('x', s) }}",
    ],
)
async def test_a_template_too_costly_is_refused_within_its_limits(source: str) -> None:
    with pytest.raises(TemplateTooCostly) as refused:
        await render_contained([(source, CONTEXT)], seconds=1, memory=512 << 20)
    assert "more than 1 s or 512 MB" in str(refused.value)
    assert isinstance(refused.value, UnsafeTemplateError)  # the editor's "sandbox" refusal


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("{% for %}", TemplateSyntaxError),
        ("{{ nobody }}", UndefinedVariableError),
        ("{{ ''.__class__ }}", UnsafeTemplateError),
    ],
)
async def test_the_render_errors_come_back_as_they_are(source: str, error: type) -> None:
    with pytest.raises(error):
        await render_contained([("{{ student.first_name }}", CONTEXT), (source, CONTEXT)])


def test_a_sample_value_crosses_to_the_child_as_itself() -> None:
    sample = pickle.loads(pickle.dumps(Sample("pupil")))
    assert (type(sample), sample, sample.name) == (Sample, "[pupil]", "[name]")


def children() -> int:
    """This process's children now (Linux: /proc)."""
    listed = Path("/proc/self/task").glob("*/children")
    return sum(len(path.read_text().split()) for path in listed)


async def test_a_burst_of_trials_runs_two_children_at_a_time() -> None:
    bomb = "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}"
    before = children()  # the send-time render pool's processes, when an earlier test started it
    trials = [
        asyncio.ensure_future(render_contained([(bomb, CONTEXT)], seconds=1)) for _ in range(4)
    ]
    seen = []
    while not all(trial.done() for trial in trials):
        seen.append(children())
        await asyncio.sleep(0.02)
    assert AT_ONCE == 2 and max(seen) - before == AT_ONCE
    for trial in trials:
        assert isinstance(trial.exception(), TemplateTooCostly)


async def test_no_process_to_try_it_in_is_a_clear_template_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "executable", "/nonexistent/python3")
    with pytest.raises(TemplateError, match="could not be tried now"):
        await render_contained([("Bonjour", CONTEXT)])
