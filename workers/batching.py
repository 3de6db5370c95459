"""Micro-batching: jobs that run at the same moment share one call.

Each ``deliver:<id>`` job stays a job of its own (its deterministic id, its retries), but the
database work of the jobs running together is done once for all of them: the first job to
arrive opens a batch, the jobs arriving until ``window`` seconds pass without a new one (at
most ``max_wait`` after the first, or until ``max_size``) join it, and one call of
``run(keys)`` serves them all: the in-process runner starts its jobs together, an arq worker
one after the other, a millisecond apart. Batches do not wait for each other: while
one is sending, the next one is already being claimed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Mapping
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Batcher(Generic[K, V]):
    """Collects keys from concurrent callers and runs them through ``run`` together.

    ``run`` must return a value for every key it is given; when it raises, every caller of
    that batch gets the exception.
    """

    def __init__(
        self,
        run: Callable[[list[K]], Awaitable[Mapping[K, V]]],
        *,
        max_size: int = 200,
        window: float = 0.002,
        max_wait: float = 0.1,
    ) -> None:
        if max_size < 1:
            raise ValueError("max_size must be at least 1")
        self._run = run
        self.max_size = max_size
        self.window = window
        self.max_wait = max_wait
        self._opened = 0.0  # when the pending batch got its first key (loop time)
        self._pending: dict[K, asyncio.Future[V]] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.batches = 0  # how many calls of run (for logs and tests)

    async def submit(self, key: K) -> V:
        """Wait for ``key``'s value from the batch it joins (the same key twice shares one)."""
        future = self._pending.get(key)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            self._pending[key] = future
            if len(self._pending) >= self.max_size:
                self._flush()
            else:
                self._wait_for_more()
        return await asyncio.shield(future)

    def _wait_for_more(self) -> None:
        """(Re)arm the flush: ``window`` after this key, never later than ``max_wait`` after
        the batch's first key."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        if self._timer is None:
            self._opened = now
        else:
            self._timer.cancel()
        when = min(now + self.window, self._opened + self.max_wait)
        self._timer = loop.call_at(when, self._flush)

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._pending:
            return
        batch, self._pending = self._pending, {}
        task = asyncio.create_task(self._serve(batch))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serve(self, batch: dict[K, asyncio.Future[V]]) -> None:
        self.batches += 1
        try:
            values = await self._run(list(batch))
        except BaseException as error:
            for future in batch.values():
                if future.done():
                    continue
                if isinstance(error, asyncio.CancelledError):
                    future.cancel()
                else:
                    future.set_exception(error)
            if not isinstance(error, Exception):
                raise
            return
        for key, future in batch.items():
            if future.done():
                continue
            if key in values:
                future.set_result(values[key])
            else:
                future.set_exception(LookupError(f"the batch gave no value for {key!r}"))
