"""A local server that speaks the Telegram Bot API's ``sendMessage``."""

from __future__ import annotations

import itertools
from typing import Any

from aiohttp import web

from tests.gateway.fakes.server import LocalServer


class FakeTelegram(LocalServer):
    """``POST /bot{token}/sendMessage``; some chats have blocked the bot, some do not exist."""

    def __init__(self, token: str = "123456:test-token") -> None:
        super().__init__()
        self.token = token
        self.blocked: set[str] = set()
        self.unknown: set[str] = set()
        self.sent: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self.app.router.add_post("/bot{token}/{method}", self._call)

    def throttle(self, retry_after: int, times: int = 1) -> None:
        """The next ``times`` calls get a 429 "Too Many Requests" with ``retry_after``."""
        body = {
            "ok": False,
            "error_code": 429,
            "description": f"Too Many Requests: retry after {retry_after}",
            "parameters": {"retry_after": retry_after},
        }
        self.fail(times, status=429, body=body)

    async def _call(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        if request.match_info["method"] != "sendMessage":
            return _error(404, "Not Found: method not found")
        failure = await self.scripted_failure()
        if failure is not None:
            return failure
        payload = await request.json()
        chat = str(payload.get("chat_id", ""))
        if chat in self.blocked:
            return _error(403, "Forbidden: bot was blocked by the user")
        if chat in self.unknown or not chat:
            return _error(400, "Bad Request: chat not found")
        if not payload.get("text"):
            return _error(400, "Bad Request: message text is empty")
        self.sent.append(payload)
        message = {"message_id": next(self._ids), "chat": {"id": chat}, "text": payload["text"]}
        return web.json_response({"ok": True, "result": message})


def _error(code: int, description: str) -> web.Response:
    body = {"ok": False, "error_code": code, "description": description}
    return web.json_response(body, status=code)
