"""The schools' own templates rendered at send time in a pool of reused worker processes, with
the limits of the trial (:mod:`gateway.render_trial`).

A template passes its trial with sample values; with a family's real values it may still take
another branch (``{% if student.first_name != '…' %}`` then a loop without end). A render of a
school's template when a notice is sent (messages, letters, their regeneration in the panel)
therefore never runs in the process that asked for it: it goes to one of :data:`WORKERS`
processes started once and reused (not one per message), each limited by the kernel
(``RLIMIT_AS`` for its memory; ``RLIMIT_CPU`` moved to "CPU used so far + the allowance" before
each render) and by a wall-clock timeout counted by the caller. A worker that goes past a
limit, dies or is killed is replaced at its next use; the render fails with
:class:`~gateway.render_trial.TemplateTooCostly`. A render longer than :data:`MAX_OUTPUT`
characters fails too (:class:`TemplateTooLong`).

Why processes rather than an operation budget counted by the sandbox: a budget can count the
loops jinja2 compiles, but not one filter that runs in C (``'x'|center(…)``, ``replace``) nor
the memory a template takes; the kernel's limits cover all of it. The cost is a round trip to
another process per render, measured by ``bench/bench_render.py``.

The async callers (:meth:`RenderPool.render`) wait in a thread of the pool's own, so that the
event loop of ``absences serve`` goes on answering while a school's template renders.
"""

from __future__ import annotations

import asyncio
import atexit
import multiprocessing
import queue
import resource
import signal
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from gateway.render import TemplateError, render_message
from gateway.render_trial import (
    ERRORS,
    TRIAL_MEMORY,
    TRIAL_SECONDS,
    TemplateTooCostly,
    too_costly,
)

WORKERS = 2  # processes of the pool; more renders at once wait their turn
RENDER_SECONDS = TRIAL_SECONDS  # CPU seconds one render may take
RENDER_MEMORY = TRIAL_MEMORY  # bytes of address space of a worker
WALL_MARGIN = 3.0  # wall-clock seconds past the CPU allowance before the caller kills a worker
START_UP_SECONDS = 10.0  # more for a worker just started (imports on a busy machine)
MAX_OUTPUT = 4_000_000  # characters of one render (a letter with pasted images is the largest)


class TemplateTooLong(TemplateTooCostly):
    """The template's text is longer than a notice may be."""


ANSWERS: dict[str, type[TemplateError]] = {**ERRORS, TemplateTooLong.__name__: TemplateTooLong}

Render = tuple[str, Mapping[str, object]]


def _serve(conn: Connection, seconds: int, memory: int) -> None:
    """A worker: render what comes on ``conn`` until it closes; each answer is a list of
    ``("ok", text)`` or ``("error", type name, message)``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # ^C stops the parent, which stops us
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # SIGXCPU leaves no core file
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    while True:
        try:
            renders: list[Render] = conn.recv()
        except (EOFError, OSError):
            return
        usage = resource.getrusage(resource.RUSAGE_SELF)
        soft = int(usage.ru_utime + usage.ru_stime) + 1 + seconds
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))  # SIGXCPU past it: we die
        conn.send([_one(source, context, seconds, memory) for source, context in renders])


def _one(source: str, context: Mapping[str, object], seconds: int, memory: int) -> tuple[str, ...]:
    try:
        text = render_message(source, context)
    except TemplateError as error:
        return ("error", type(error).__name__, str(error))
    except MemoryError:
        return ("error", TemplateTooCostly.__name__, too_costly(seconds, memory))
    if len(text) > MAX_OUTPUT:
        return ("error", TemplateTooLong.__name__, _too_long())
    return ("ok", text)


def _too_long() -> str:
    return f"the template gives a text longer than {MAX_OUTPUT} characters"


class _Worker:
    """One process of the pool and the parent's end of its pipe."""

    def __init__(self, seconds: int, memory: int) -> None:
        context = multiprocessing.get_context("spawn")  # no copy of a parent's threads or loop
        self.conn, child = context.Pipe()
        self.process: BaseProcess = context.Process(
            target=_serve, args=(child, seconds, memory), name="absences-render", daemon=True
        )
        self.process.start()
        child.close()
        self.fresh = True

    def exchange(self, renders: Sequence[Render], wall: float) -> list[tuple[str, ...]]:
        """Send the renders and wait for the answer; TimeoutError, EOFError or OSError when
        the worker does not answer in time or died."""
        self.conn.send(renders)
        if not self.conn.poll(wall + (START_UP_SECONDS if self.fresh else 0.0)):
            raise TimeoutError
        self.fresh = False
        answer: list[tuple[str, ...]] = self.conn.recv()
        return answer

    def killed_from_outside(self) -> bool:
        """Whether the worker, having died, was killed by someone else (an operator, the
        kernel's out-of-memory killer) rather than by its limits (SIGXCPU, a crash): its
        render deserves another worker."""
        self.process.join(1)
        return self.process.exitcode in (-signal.SIGKILL, -signal.SIGTERM)

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class RenderPool:
    """:data:`WORKERS` limited processes, started when first needed and reused.

    Thread-safe: each render takes a worker for itself (waiting for one when all are busy).
    """

    def __init__(
        self,
        size: int = WORKERS,
        *,
        seconds: int = RENDER_SECONDS,
        memory: int = RENDER_MEMORY,
        wall: float | None = None,
    ) -> None:
        self.seconds, self.memory = seconds, memory
        self.wall = seconds + WALL_MARGIN if wall is None else wall
        self._idle: queue.LifoQueue[_Worker | None] = queue.LifoQueue()
        self._workers: set[_Worker] = set()
        self._busy = 0  # renders in flight
        self._count = threading.Lock()
        # one thread per worker: the renders waiting their turn wait in its queue, holding no
        # thread of the loop's default executor (imports, files)
        self._threads = ThreadPoolExecutor(size, thread_name_prefix="absences-render")
        for _ in range(size):
            self._idle.put(None)

    @property
    def busy(self) -> int:
        """How many renders are in a worker now."""
        return self._busy

    def pids(self) -> list[int]:
        """The process ids of the workers running now."""
        return sorted(w.process.pid for w in list(self._workers) if w.process.pid is not None)

    def render_many(self, renders: Sequence[Render]) -> list[str]:
        """Render each ``(source, context)`` in one worker (blocking); raises the
        :class:`~gateway.render.TemplateError` of the first that fails, or
        :class:`TemplateTooCostly` when the worker went past a limit."""
        payload = [(source, dict(context)) for source, context in renders]
        if not payload:
            return []
        worker = self._idle.get()
        try:
            for tries_left in (1, 0):
                if worker is not None and not worker.process.is_alive():  # killed while idle
                    self._drop(worker)
                    worker = None
                if worker is None:
                    worker = _Worker(self.seconds, self.memory)
                    self._workers.add(worker)
                self._turn(+1)
                try:
                    answers = worker.exchange(payload, self.wall)
                    break
                except (TimeoutError, EOFError, OSError) as error:  # past a limit, or killed
                    killed = not isinstance(error, TimeoutError) and worker.killed_from_outside()
                    self._drop(worker)
                    worker = None
                    if not (killed and tries_left):
                        raise TemplateTooCostly(too_costly(self.seconds, self.memory)) from None
                finally:
                    self._turn(-1)
        finally:
            self._idle.put(worker)
        texts: list[str] = []
        for answer in answers:
            if answer[0] != "ok":
                raise ANSWERS.get(answer[1], TemplateError)(answer[2])
            texts.append(answer[1])
        return texts

    def _turn(self, step: int) -> None:
        with self._count:
            self._busy += step

    async def render(self, source: str, context: Mapping[str, object]) -> str:
        """:meth:`render_many` of one render, waited for in the pool's thread (the loop goes
        on)."""
        loop = asyncio.get_running_loop()
        texts = await loop.run_in_executor(self._threads, self.render_many, [(source, context)])
        return texts[0]

    def _drop(self, worker: _Worker) -> None:
        self._workers.discard(worker)
        worker.stop()

    def close(self) -> None:
        """Stop the idle workers (the next render starts one again)."""
        slots = 0
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            slots += 1
            if worker is not None:
                self._drop(worker)
        for _ in range(slots):
            self._idle.put(None)


POOL = RenderPool()  # the process's pool (its workers start with the first render)
atexit.register(POOL.close)
