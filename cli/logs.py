"""How ``absences serve`` and ``absences worker`` write their logs (``ABSENCES_LOG_FORMAT``).

``text`` (the default): lines for a person, as every command writes them. ``json``: every
record as one JSON object on one line — ``time`` (UTC, ISO 8601), ``level``, ``logger``,
``message``, the record's extras (an access record's ``method``, ``path``, ``route``,
``status``, ``duration_ms``, ``remote``), ``exception`` with the traceback's text when there is
one — and one access record per request answered by ``serve`` (logger ``absences.access``).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from aiohttp import hdrs, web
from aiohttp.abc import AbstractAccessLogger

from core.rules.client_address import client_address
from core.settings import Settings
from web.keys import SETTINGS
from web.monitoring import route_label

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
ACCESS_LOGGER = "absences.access"
# The attributes every LogRecord has: what is not among them was passed as an extra
_STANDARD = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys() | {"message", "asctime"}
)


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(settings: Settings) -> None:
    """Give the root logger's handlers the settings' format and level (``main`` set them up)."""
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    formatter = JsonFormatter() if settings.log_format == "json" else logging.Formatter(TEXT_FORMAT)
    for handler in root.handlers:
        handler.setFormatter(formatter)
    root.setLevel(settings.log_level)


class AccessLogger(AbstractAccessLogger):
    """One record per request: the method, the path (never the query string, which may carry a
    name searched), the route's template, the status, the time taken and the client."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        route, remote = "", request.remote
        if isinstance(request, web.Request):  # the client behind the trusted proxies, as the
            route = route_label(request)  # application saw it (web.forwarded)
            chain = request.headers.getall(hdrs.X_FORWARDED_FOR, [])
            trusted = request.app[SETTINGS].trusted_networks
            remote = client_address(request.remote or "", chain, trusted)
        duration_ms = round(time * 1000, 1)
        self.logger.info(
            "%s %s %s %.1f ms",
            request.method,
            request.path,
            response.status,
            duration_ms,
            extra={
                "method": request.method,
                "path": request.path,
                "route": route,
                "status": response.status,
                "duration_ms": duration_ms,
                "remote": remote,
            },
        )


def access_log_options(settings: Settings) -> dict[str, Any]:
    """``AppRunner``'s access-log arguments: a record per request in the JSON format only (in
    text, the reverse proxy's access log is the one a person reads)."""
    if settings.log_format != "json":
        return {"access_log": None}
    return {"access_log": logging.getLogger(ACCESS_LOGGER), "access_log_class": AccessLogger}
