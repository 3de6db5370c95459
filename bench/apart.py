"""A measure in a process of its own: one process does not switch its models from SQLite to
PostgreSQL, so each database is measured apart."""

from __future__ import annotations

import multiprocessing
import queue
from typing import Any


def in_own_process(target: Any, *args: Any) -> Any:
    """``target(*args, out)`` in a new process; what it put in ``out``. A process that dies
    without answering stops the bench instead of leaving it waiting."""
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    child = context.Process(target=target, args=(*args, out))
    child.start()
    while True:
        try:
            found = out.get(timeout=1)
            break
        except queue.Empty:
            if not child.is_alive():
                raise SystemExit(f"the measure stopped (exit code {child.exitcode})") from None
    child.join()
    return found
