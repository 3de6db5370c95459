"""The pool of limited processes that renders the schools' own templates at send time: reused,
limited in CPU time, memory, wall time and length, and replaced when a worker dies."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator

import pytest

from gateway.render import UndefinedVariableError, UnsafeTemplateError
from gateway.render_pool import MAX_OUTPUT, RenderPool, TemplateTooLong
from gateway.render_trial import TemplateTooCostly

NESTED = "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}"
CONTEXT = {"student": {"first_name": "Léa"}}


@pytest.fixture
def pool() -> Iterator[RenderPool]:
    pool = RenderPool(1, seconds=1, memory=512 << 20)
    yield pool
    pool.close()


def test_renders_reuse_one_process(pool: RenderPool) -> None:
    assert pool.render_many([("Bonjour {{ student.first_name }}", CONTEXT)]) == ["Bonjour Léa"]
    [pid] = pool.pids()
    assert pool.render_many([("{{ 1 + 1 }}", {}), ("x", {})]) == ["2", "x"]
    assert pool.pids() == [pid] != [os.getpid()]
    assert pool.render_many([]) == []


async def test_the_async_render_waits_apart(pool: RenderPool) -> None:
    assert await pool.render("{{ student.first_name }}", CONTEXT) == "Léa"
    assert pool.busy == 0


@pytest.mark.parametrize(
    "source",
    [NESTED, "{{ 'x'|center(999999999) }}", "{{ '%0999999999d' % 1 }}"],
)
def test_a_render_past_its_limits_fails_and_the_worker_is_replaced(
    pool: RenderPool, source: str
) -> None:
    pool.render_many([("warm", {})])
    [before] = pool.pids()
    with pytest.raises(TemplateTooCostly) as refused:
        pool.render_many([(source, CONTEXT)])
    assert isinstance(refused.value, UnsafeTemplateError)
    assert pool.render_many([("again", {})]) == ["again"]
    if source == NESTED:  # killed by its CPU limit (a memory error leaves it alive)
        assert pool.pids() != [before]


def test_a_worker_past_the_wall_time_is_killed() -> None:
    pool = RenderPool(1, seconds=60, wall=0.5)
    try:
        pool.render_many([("warm", {})])
        [before] = pool.pids()
        with pytest.raises(TemplateTooCostly):
            pool.render_many([(NESTED, {})])
        assert pool.render_many([("again", {})]) == ["again"]
        assert pool.pids() != [before]
    finally:
        pool.close()


def test_too_long_a_text_fails(pool: RenderPool) -> None:
    rounds = MAX_OUTPUT // 10_000 + 1
    source = f"{{% for i in range({rounds}) %}}{{{{ 'x' * 10000 }}}}{{% endfor %}}"
    with pytest.raises(TemplateTooLong):
        pool.render_many([(source, {})])


def test_the_template_errors_come_back_as_they_are(pool: RenderPool) -> None:
    with pytest.raises(UndefinedVariableError):
        pool.render_many([("{{ nobody }}", {})])
    assert pool.render_many([("ok", {})]) == ["ok"]


def test_the_pool_survives_a_killed_process(pool: RenderPool) -> None:
    pool.render_many([("warm", {})])
    [pid] = pool.pids()
    os.kill(pid, signal.SIGKILL)
    assert pool.render_many([("{{ student.first_name }}", CONTEXT)]) == ["Léa"]
    assert pool.pids() != [pid]


async def test_renders_beyond_the_pool_wait_their_turn(pool: RenderPool) -> None:
    texts = await asyncio.gather(*(pool.render("{{ n }}", {"n": n}) for n in range(5)))
    assert texts == ["0", "1", "2", "3", "4"]
    assert len(pool.pids()) == 1
