"""A local server that speaks the Telegram Bot API: what the gateway's transport and the bot
(aiogram) call, and the file downloads. It records what the bot says and can post updates to
a webhook as Telegram does."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from typing import Any

from aiohttp import ClientSession, web

from tests.gateway.fakes.server import LocalServer

BOT_ID = 123456
BOT_USERNAME = "absences_test_bot"


class FakeTelegram(LocalServer):
    """``POST /bot{token}/{method}`` and ``GET /file/bot{token}/{path}``; some chats have blocked
    the bot, some do not exist."""

    def __init__(self, token: str = f"{BOT_ID}:test-token") -> None:
        super().__init__()
        self.token = token
        self.blocked: set[str] = set()
        self.unknown: set[str] = set()
        self.sent: list[dict[str, Any]] = []  # sendMessage and sendDocument
        self.edited: list[dict[str, Any]] = []  # editMessageText
        self.answered: list[dict[str, Any]] = []  # answerCallbackQuery
        self.calls: list[tuple[str, dict[str, Any]]] = []  # every call, in order
        self.webhook: dict[str, Any] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}  # by language code ("" default)
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id → (file_path, content)
        self.updates: list[dict[str, Any]] = []  # what getUpdates hands out
        self._ids = itertools.count(1)
        self._update_ids = itertools.count(1000)
        self.app.router.add_post("/bot{token}/{method}", self._call)
        self.app.router.add_get("/file/bot{token}/{path:.+}", self._file)

    def throttle(self, retry_after: int, times: int = 1) -> None:
        """The next ``times`` calls get a 429 "Too Many Requests" with ``retry_after``."""
        body = {
            "ok": False,
            "error_code": 429,
            "description": f"Too Many Requests: retry after {retry_after}",
            "parameters": {"retry_after": retry_after},
        }
        self.fail(times, status=429, body=body)

    # What the bot said --------------------------------------------------------------------

    def texts(self, chat: int | str) -> list[str]:
        """What the bot sent or wrote over in this chat, in order."""
        return [
            str(p.get("text", p.get("caption", "")))
            for method, p in self.calls
            if method in ("sendMessage", "editMessageText", "sendDocument")
            and str(p.get("chat_id")) == str(chat)
        ]

    def last_buttons(self, chat: int | str) -> list[tuple[str, str]]:
        """(text, callback data) of the last inline keyboard shown in this chat."""
        for method, payload in reversed(self.calls):
            if method not in ("sendMessage", "editMessageText"):
                continue
            if str(payload.get("chat_id")) != str(chat):
                continue
            markup = payload.get("reply_markup") or {}
            rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
            if rows:
                return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]
        return []

    # Files and updates the tests make -----------------------------------------------------

    def add_file(self, content: bytes, path: str) -> str:
        """A file a family sent: its ``file_id`` (served by getFile and the file URL)."""
        file_id = f"file-{len(self.files) + 1}"
        self.files[file_id] = (path, content)
        return file_id

    def update(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        """An update as Telegram writes it (a new ``update_id``)."""
        return {"update_id": next(self._update_ids), kind: body}

    async def post_update(
        self, url: str, update: dict[str, Any], secret: str | None
    ) -> tuple[int, str]:
        """POST ``update`` to a webhook as Telegram does; (status, body)."""
        headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
        async with (
            ClientSession() as session,
            session.post(url, json=update, headers=headers) as response,
        ):
            return response.status, await response.text()

    # The Bot API ----------------------------------------------------------------------------

    async def _payload(self, request: web.Request) -> dict[str, Any]:
        """JSON (the gateway's transport) or a form whose fields may be JSON (aiogram)."""
        if request.content_type == "application/json":
            body = await request.json()
            return body if isinstance(body, dict) else {}
        form = await request.post()
        payload: dict[str, Any] = {}
        for name, value in form.items():
            if not isinstance(value, str):
                payload[name] = value.file.read()
                continue
            try:
                payload[name] = json.loads(value) if value[:1] in "[{" else value
            except ValueError:
                payload[name] = value
        return payload

    async def _call(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        failure = await self.scripted_failure()
        if failure is not None:
            return failure
        method = request.match_info["method"]
        payload = await self._payload(request)
        self.calls.append((method, payload))
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _error(404, "Not Found: method not found")
        result: web.Response = await handler(payload)
        return result

    def _chat_error(self, chat: str) -> web.Response | None:
        if chat in self.blocked:
            return _error(403, "Forbidden: bot was blocked by the user")
        if chat in self.unknown or not chat:
            return _error(400, "Bad Request: chat not found")
        return None

    def _message(self, chat: str, **content: Any) -> dict[str, Any]:
        chat_id: int | str = int(chat) if chat.lstrip("-").isdigit() else chat
        return {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Absences"},
            **content,
        }

    async def _m_sendMessage(self, payload: dict[str, Any]) -> web.Response:
        chat = str(payload.get("chat_id", ""))
        refused = self._chat_error(chat)
        if refused is not None:
            return refused
        if not payload.get("text"):
            return _error(400, "Bad Request: message text is empty")
        self.sent.append(payload)
        return _ok(self._message(chat, text=payload["text"]))

    async def _m_sendDocument(self, payload: dict[str, Any]) -> web.Response:
        chat = str(payload.get("chat_id", ""))
        refused = self._chat_error(chat)
        if refused is not None:
            return refused
        self.sent.append(payload)
        document = {"file_id": "sent-doc", "file_unique_id": "sent-doc-u"}
        return _ok(self._message(chat, document=document, caption=payload.get("caption")))

    async def _m_editMessageText(self, payload: dict[str, Any]) -> web.Response:
        chat = str(payload.get("chat_id", ""))
        self.edited.append(payload)
        return _ok(self._message(chat, text=payload.get("text", "")))

    async def _m_answerCallbackQuery(self, payload: dict[str, Any]) -> web.Response:
        self.answered.append(payload)
        return _ok(True)

    async def _m_getMe(self, payload: dict[str, Any]) -> web.Response:
        me = {"id": BOT_ID, "is_bot": True, "first_name": "Absences", "username": BOT_USERNAME}
        return _ok(me)

    async def _m_setWebhook(self, payload: dict[str, Any]) -> web.Response:
        self.webhook = payload
        return _ok(True)

    async def _m_deleteWebhook(self, payload: dict[str, Any]) -> web.Response:
        self.webhook = {}
        return _ok(True)

    async def _m_setMyCommands(self, payload: dict[str, Any]) -> web.Response:
        self.commands[str(payload.get("language_code", ""))] = list(payload.get("commands", []))
        return _ok(True)

    async def _m_getUpdates(self, payload: dict[str, Any]) -> web.Response:
        if self.webhook:
            return _error(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(payload.get("offset") or 0)
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if not self.updates:
            await asyncio.sleep(min(float(payload.get("timeout") or 0), 0.2))
        return _ok(list(self.updates))

    async def _m_getFile(self, payload: dict[str, Any]) -> web.Response:
        file_id = str(payload.get("file_id", ""))
        if file_id not in self.files:
            return _error(400, "Bad Request: invalid file_id")
        path, content = self.files[file_id]
        found = {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "file_size": len(content),
            "file_path": path,
        }
        return _ok(found)

    async def _file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        for path, content in self.files.values():
            if path == request.match_info["path"]:
                return web.Response(body=content, content_type="application/octet-stream")
        return web.Response(status=404)


def _ok(result: object) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(code: int, description: str) -> web.Response:
    body = {"ok": False, "error_code": code, "description": description}
    return web.json_response(body, status=code)
