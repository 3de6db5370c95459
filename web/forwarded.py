"""The client's address behind reverse proxies: an aiohttp middleware over
:mod:`core.rules.client_address`, so that ``request.remote`` is the client everywhere (login
throttling, sessions' addresses) — ``X-Forwarded-For`` is read only from a trusted proxy."""

from __future__ import annotations

from collections.abc import Sequence

from aiohttp import hdrs, web
from aiohttp.typedefs import Handler, Middleware

from core.rules.client_address import Network, client_address


def client_address_middleware(trusted: Sequence[Network]) -> Middleware:
    """A middleware that puts the client's address in ``request.remote``."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not trusted:
            return await handler(request)
        peer = request.remote or ""
        chain = request.headers.getall(hdrs.X_FORWARDED_FOR, [])
        address = client_address(peer, chain, trusted)
        if address != peer:
            request = request.clone(remote=address)
        return await handler(request)

    return middleware
