"""The tasks the queue runs, by name: thin wrappers that call one core service each.

Both backends (the arq worker and the in-process runner) run exactly this table.
"""

from __future__ import annotations

from collections.abc import Mapping

from workers.queue import TaskFunc

FUNCTIONS: Mapping[str, TaskFunc] = {}
