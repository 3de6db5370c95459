"""A small aiohttp server on a free loopback port, started and stopped by the fakes."""

from __future__ import annotations

import asyncio
import socket
from collections import deque
from dataclasses import dataclass, field

from aiohttp import web

HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port nobody listens on right now (for servers that cannot bind port 0)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@dataclass
class Failure:
    """One scripted failure: an HTTP status and body, or a hang longer than any client waits."""

    status: int = 500
    body: dict[str, object] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    hang: float = 0.0


class LocalServer:
    """Runs ``app`` on 127.0.0.1 and plays scripted failures before answering normally."""

    def __init__(self) -> None:
        self.app = web.Application()
        self.failures: deque[Failure] = deque()
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> str:
        """Listen on a free port; returns the base URL."""
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, HOST, 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://{HOST}:{port}"
        return self.url

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def fail(self, times: int = 1, **failure: object) -> None:
        """The next ``times`` requests get this failure (see :class:`Failure`)."""
        for _ in range(times):
            self.failures.append(Failure(**failure))  # type: ignore[arg-type]

    async def scripted_failure(self) -> web.Response | None:
        """The next scripted failure as a response, or None to answer normally."""
        if not self.failures:
            return None
        failure = self.failures.popleft()
        if failure.hang:
            await asyncio.sleep(failure.hang)
        return web.json_response(failure.body, status=failure.status, headers=failure.headers)
