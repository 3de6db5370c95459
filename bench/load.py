"""A load process for the benchmarks that serve the app: it posts, the app's process serves.

The loader runs in its own process so that making requests does not take the served app's CPU.
Each job is a list of requests (``{"json": …}`` or ``{"data": …}``, with their own ``headers``)
posted to one URL with ``concurrency`` requests in flight (as many clients at once); the answer
is the seconds the whole job took, the statuses counted, each request's latency in seconds and
how many answers contained ``marker``.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import statistics
import time
from collections import Counter
from typing import Any

import aiohttp

Job = dict[str, Any]


class Outcome:
    """What a job gave: total seconds, statuses, latencies, answers containing the marker."""

    def __init__(
        self, seconds: float, statuses: dict[int, int], latencies: list[float], marked: int
    ):
        self.seconds, self.statuses, self.latencies, self.marked = (
            seconds,
            statuses,
            latencies,
            marked,
        )

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.latencies, n=100)[94]


def _load(pipe: Any) -> None:
    """The child process: run each job received, send back its outcome's fields."""

    async def run(job: Job) -> tuple[float, dict[int, int], list[float], int]:
        gate = asyncio.Semaphore(job["concurrency"])
        statuses: Counter[int] = Counter()
        latencies: list[float] = []
        marked = 0
        common = job.get("headers", {})

        async def post(session: aiohttp.ClientSession, request: dict[str, Any]) -> None:
            nonlocal marked
            headers = {**common, **request.get("headers", {})}
            async with gate:
                started = time.perf_counter()
                async with session.post(
                    job["url"], json=request.get("json"), data=request.get("data"), headers=headers
                ) as response:
                    text = await response.text()
                latencies.append(time.perf_counter() - started)
                statuses[response.status] += 1
                marked += bool(job.get("marker")) and job["marker"] in text

        connector = aiohttp.TCPConnector(limit=job["concurrency"])
        async with aiohttp.ClientSession(connector=connector) as session:
            started = time.perf_counter()
            await asyncio.gather(*(post(session, r) for r in job["requests"]))
            return time.perf_counter() - started, dict(statuses), latencies, marked

    while True:
        job = pipe.recv()
        if job is None:
            return
        pipe.send(asyncio.run(run(job)))


class Loader:
    """The load process, one job at a time."""

    def __init__(self) -> None:
        self.pipe, child = multiprocessing.Pipe()
        self.process = multiprocessing.Process(target=_load, args=(child,), daemon=True)
        self.process.start()

    async def post(
        self,
        url: str,
        requests: list[dict[str, Any]],
        concurrency: int,
        *,
        headers: dict[str, str] | None = None,
        marker: str = "",
    ) -> Outcome:
        job = {
            "url": url,
            "requests": requests,
            "concurrency": concurrency,
            "headers": headers or {},
            "marker": marker,
        }
        self.pipe.send(job)
        return Outcome(*await asyncio.to_thread(self.pipe.recv))

    def close(self) -> None:
        self.pipe.send(None)
        self.process.join(10)
        if self.process.is_alive():
            self.process.terminate()
