"""The in-process queue, remembering what was enqueued: what tests of the entry points and tasks
look at (the queue itself is the real one)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from workers.queue import InlineQueue, TaskFunc
from workers.tasks import FUNCTIONS


class RecordingQueue(InlineQueue):
    """Each enqueue as ``(function, args, job id, defer_until)``; once ``hold``, jobs are only
    recorded, not run (a test looks at them)."""

    def __init__(
        self, ctx: dict[str, Any] | None = None, functions: Mapping[str, TaskFunc] = FUNCTIONS
    ) -> None:
        super().__init__(functions, ctx)
        self.enqueued: list[tuple[str, tuple[Any, ...], str, datetime | None]] = []
        self.hold = False

    @property
    def job_ids(self) -> list[str]:
        return [job_id for _, _, job_id, _ in self.enqueued]

    async def enqueue(
        self, function: str, *args: Any, job_id: str, defer_until: datetime | None = None
    ) -> bool:
        self.enqueued.append((function, args, job_id, defer_until))
        if self.hold:
            return True
        return await super().enqueue(function, *args, job_id=job_id, defer_until=defer_until)
