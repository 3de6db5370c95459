"""Micro-batching: jobs that run at the same moment share one call.

Each ``deliver:<id>`` job stays a job of its own (its deterministic id, its retries), but the
database work of the jobs running together is done once for all of them: the first job to
arrive opens a batch, the jobs arriving until ``window`` seconds pass without a new one (at
most ``max_wait`` after the first, or until ``max_size``) join it, and one call of
``run(keys)`` serves them all: the in-process runner starts its jobs together, an arq worker
one after the other, a millisecond apart. Batches do not wait for each other: while
one is sending, the next one is already being claimed. With a ``capacity``, at most that many
keys are in batches at once (a job of many deliveries waits for room, key by key).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
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
        capacity: int | None = None,
    ) -> None:
        if max_size < 1 or (capacity is not None and capacity < 1):
            raise ValueError("max_size and capacity must be at least 1")
        self._run = run
        self.max_size = max_size
        self.window = window
        self.max_wait = max_wait
        self._opened = 0.0  # when the pending batch got its first key (loop time)
        self._last = 0.0  # when it got its latest one
        self._pending: dict[K, asyncio.Future[V]] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._room = asyncio.Semaphore(capacity) if capacity is not None else None
        self.batches = 0  # how many calls of run (for logs and tests)

    async def submit(self, key: K) -> V:
        """Wait for ``key``'s value from the batch it joins (the same key twice shares one)."""
        return (await self.submit_many([key]))[0]

    async def submit_many(self, keys: Sequence[K]) -> list[V]:
        """The values of ``keys``, in order, from the batches they join (a job of several
        deliveries). A caller that gives up does not cancel the batches."""
        futures = [await self._join(key) for key in keys]
        if len(futures) == 1:
            return [await asyncio.shield(futures[0])]
        return list(await asyncio.shield(asyncio.gather(*futures)))

    async def submit_within(
        self,
        keys: Sequence[K],
        patience: float,
        hand_back: Callable[[list[K]], Awaitable[None]],
    ) -> dict[K, V]:
        """The values of the keys that found room within ``patience`` seconds, in order (the
        first key left waiting stops the joining). The keys left out are given to
        ``hand_back`` at once, before waiting for the values (whatever it raises is raised
        here; the keys that joined still go with their batch). Without a capacity, every key
        joins."""
        deadline = asyncio.get_running_loop().time() + patience
        joined: list[tuple[K, asyncio.Future[V]]] = []
        for index, key in enumerate(keys):
            try:
                joined.append((key, await self._join(key, deadline)))
            except TimeoutError:
                await hand_back(list(keys[index:]))
                break
        if not joined:
            return {}
        values = await asyncio.shield(asyncio.gather(*(future for _, future in joined)))
        return dict(zip((key for key, _ in joined), values, strict=True))

    async def _join(self, key: K, deadline: float | None = None) -> asyncio.Future[V]:
        """The key's future in the pending batch; waits for room (until ``deadline``, loop
        time, else ``TimeoutError``)."""
        future = self._pending.get(key)
        if future is None and self._room is not None:
            async with asyncio.timeout_at(deadline):
                await self._room.acquire()
            future = self._pending.get(key)  # the key may have come in meanwhile
            if future is not None:
                self._room.release()
        if future is None:
            future = asyncio.get_running_loop().create_future()
            if self._room is not None:
                future.add_done_callback(self._release)
            self._pending[key] = future
            if len(self._pending) >= self.max_size:
                self._flush()
            else:
                self._wait_for_more()
        return future

    def _release(self, _: asyncio.Future[V]) -> None:
        assert self._room is not None
        self._room.release()

    def _wait_for_more(self) -> None:
        """Keep the batch open ``window`` after this key, never later than ``max_wait`` after
        its first key (one timer per batch, pushed back when it fires early)."""
        loop = asyncio.get_running_loop()
        self._last = loop.time()
        if self._timer is None:
            self._opened = self._last
            self._timer = loop.call_at(self._due(), self._expire)

    def _due(self) -> float:
        return min(self._last + self.window, self._opened + self.max_wait)

    def _expire(self) -> None:
        self._timer = None
        loop = asyncio.get_running_loop()
        if self._pending and self._due() > loop.time():
            self._timer = loop.call_at(self._due(), self._expire)
            return
        self._flush()

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
