"""Pigeon Post's side, on 127.0.0.1: takes messages, then posts its reports where each asked."""

from __future__ import annotations

import itertools
from typing import Any

import aiohttp
from aiohttp import web

from tests.gateway.fakes.server import LocalServer


class FakePigeonPost(LocalServer):
    """Answers ``POST /v1/messages`` as Pigeon Post does; ``unknown`` and ``blocked`` numbers
    are refused; :meth:`report` posts a message's report to its ``report_to``."""

    def __init__(self, token: str = "pigeon-token") -> None:
        super().__init__()
        self.token = token
        self.unknown: set[str] = set()
        self.blocked: set[str] = set()
        self.messages: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)
        self.app.router.add_post("/v1/messages", self._create)

    async def _create(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return web.json_response({"error": "unauthorized"}, status=401)
        failure = await self.scripted_failure()
        if failure is not None:
            return failure
        body = await request.json()
        if body["recipient"] in self.unknown:
            return web.json_response({"error": "unknown_recipient"}, status=404)
        if body["recipient"] in self.blocked:
            return web.json_response({"error": "blocked"}, status=410)
        ref = f"pg-{next(self._ids)}"
        self.messages[ref] = body
        return web.json_response({"message": {"id": ref}}, status=201)

    async def report(self, ref: str, state: str, reason: str | None = None) -> int:
        """Post the report of message ``ref``; returns the status the receiver answered."""
        payload = {"id": ref, "state": state} | ({"reason": reason} if reason else {})
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.messages[ref]["report_to"], json=payload) as response,
        ):
            return response.status
