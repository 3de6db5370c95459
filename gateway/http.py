"""What the HTTP adapters share: a lazily opened session, a bounded timeout, network errors.

A session is opened on the first send (never at import or construction time, which may run
outside an event loop) and closed by the adapter's ``close()``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp
from multidict import CIMultiDictProxy

from core.services.ports import SendFailed

DEFAULT_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class HttpAnswer:
    """A provider's answer: status, headers and the body parsed as JSON (``{}`` when not JSON)."""

    status: int
    headers: CIMultiDictProxy[str]
    payload: dict[str, Any]
    text: str


class HttpClient:
    """One lazily created :class:`aiohttp.ClientSession` with a total timeout."""

    def __init__(
        self,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        headers: Mapping[str, str] | None = None,
        redact: str = "",
    ) -> None:
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._headers = dict(headers or {})
        self._redact = redact  # a secret that URLs carry (Telegram's token): kept out of errors
        self._session: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        """The open session, created on first use."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout, headers=self._headers)
        return self._session

    async def request(self, method: str, url: str, **kwargs: Any) -> HttpAnswer:
        """Send one request; a timeout or a network error is a transient :class:`SendFailed`."""
        try:
            async with self.session().request(method, url, **kwargs) as response:
                text = await response.text()
                return HttpAnswer(response.status, response.headers, _json(text), text)
        except (aiohttp.ClientError, TimeoutError) as exc:
            reason = str(exc) if isinstance(exc, aiohttp.ClientError) else ""
            message = f"{method} {url.split('?')[0]}: {reason or type(exc).__name__}"
            if self._redact:
                message = message.replace(self._redact, "***")
            raise SendFailed(message, permanent=False, code="network") from exc

    async def close(self) -> None:
        """Close the session if one was opened."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None


def _json(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {"result": value}


def retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
