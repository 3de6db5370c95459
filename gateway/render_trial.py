"""Templates tried in a child process with a CPU-time and a memory limit.

The sandbox keeps a template from reaching what it must not; it does not keep it from taking
forever or filling the memory (nested loops, ``'x'|center(999999999)``, a string replaced into
itself). A staff member tries a template when previewing or saving it: those renders run here,
in ``python -m gateway.render_trial``, limited by the kernel (``RLIMIT_CPU``, ``RLIMIT_AS``), so
that a template too costly is refused without holding the web server. Passing the trial proves
nothing of a family's real values: the renders of a school's template when notices are sent run
in the pool of :mod:`gateway.render_pool`, with the same limits.
"""

from __future__ import annotations

import asyncio
import json
import pickle
import resource
import sys
import weakref
from collections.abc import Mapping, Sequence

from gateway.render import (
    TemplateError,
    TemplateSyntaxError,
    UndefinedVariableError,
    UnsafeTemplateError,
    render_message,
)

TRIAL_SECONDS = 2  # CPU seconds for all the renders of one trial
TRIAL_MEMORY = 1 << 30  # bytes of address space for the child process
START_UP_SECONDS = 10.0  # wall-clock margin for the child to start on a busy machine
AT_ONCE = 2  # trials running together in a process; more wait their turn


class TemplateTooCostly(UnsafeTemplateError):
    """The template takes more time or memory than a notice may."""


ERRORS: dict[str, type[TemplateError]] = {
    cls.__name__: cls
    for cls in (
        TemplateError,
        TemplateSyntaxError,
        UndefinedVariableError,
        UnsafeTemplateError,
        TemplateTooCostly,
    )
}


Render = tuple[str, Mapping[str, object]]


async def render_contained(
    renders: Sequence[Render], *, seconds: int = TRIAL_SECONDS, memory: int = TRIAL_MEMORY
) -> None:
    """Render each ``(source, context)`` in a limited child process; raises the
    :class:`~gateway.render.TemplateError` the render raised, or :class:`TemplateTooCostly`."""
    if not renders:
        return
    payload = pickle.dumps([(source, dict(context)) for source, context in renders])
    async with _turn():
        try:
            out = await _run_child(payload, seconds, memory)
        except OSError as error:  # no process could be started (limits of the machine)
            raise TemplateError(f"the template could not be tried now: {error}") from error
    try:
        answer = json.loads(out)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):  # killed: CPU time, or a crash out of memory
        raise TemplateTooCostly(too_costly(seconds, memory))
    if answer.get("error"):
        raise ERRORS.get(str(answer.get("type")), TemplateError)(str(answer["error"]))


_turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def _turn() -> asyncio.Semaphore:
    """At most :data:`AT_ONCE` children per event loop: a burst of previews waits rather than
    starting a process each."""
    loop = asyncio.get_running_loop()
    turn = _turns.get(loop)
    if turn is None:
        turn = _turns[loop] = asyncio.Semaphore(AT_ONCE)
    return turn


async def _run_child(payload: bytes, seconds: int, memory: int) -> bytes:
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "gateway.render_trial",
        str(seconds),
        str(memory),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        async with asyncio.timeout(seconds + START_UP_SECONDS):
            out, _ = await child.communicate(payload)
    except TimeoutError:
        out = b""
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()
    return out


def too_costly(seconds: int, memory: int) -> str:
    return (
        f"the template takes more than {seconds} s or {memory >> 20} MB to render "
        "(loops or repetitions too large)"
    )


def _child(seconds: int, memory: int) -> None:
    """Read the renders (a pickle from the parent) on stdin, write the outcome as JSON."""
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    renders = pickle.loads(sys.stdin.buffer.read())
    answer: dict[str, str] = {}
    try:
        for source, context in renders:
            render_message(source, context)
    except TemplateError as error:
        answer = {"error": str(error), "type": type(error).__name__}
    except MemoryError:
        answer = {"error": too_costly(seconds, memory), "type": "TemplateTooCostly"}
    sys.stdout.write(json.dumps(answer))


if __name__ == "__main__":
    _child(int(sys.argv[1]), int(sys.argv[2]))
