"""A local server that speaks Twilio's Messages and Calls API and posts signed callbacks."""

from __future__ import annotations

import asyncio
import hmac
import uuid
from dataclasses import dataclass

import aiohttp
from aiohttp import web

from gateway.twilio.callbacks import signature
from tests.gateway.fakes.server import LocalServer

REQUIRED = {
    "Messages": {"To": 21604, "From": 21603, "Body": 21602},
    "Calls": {"To": 21201, "From": 21210},
}


@dataclass(frozen=True)
class TwilioRequest:
    """One accepted request: the resource, the form as pairs, and the sid given back."""

    resource: str
    form: list[tuple[str, str]]
    sid: str

    def get(self, name: str) -> str | None:
        """The first value of a form field."""
        return next((value for key, value in self.form if key == name), None)

    def getall(self, name: str) -> list[str]:
        """Every value of a repeated form field."""
        return [value for key, value in self.form if key == name]


class FakeTwilio(LocalServer):
    """``POST /2010-04-01/Accounts/{sid}/{Messages,Calls}.json`` with basic auth sid:token.

    Knobs: :meth:`fail` (the next N requests get an error), ``fail_every`` (every n-th request
    gets a 500, the message not taken), ``delay`` (seconds before each
    answer: the message is taken on receipt, as a provider does, so a client that dies while
    waiting still had it sent), ``early_reports`` (statuses posted to the StatusCallback
    BEFORE the answer, as a fast report can overtake it).
    """

    def __init__(self, account_sid: str = "AC" + "0" * 32, auth_token: str = "test-token") -> None:
        super().__init__()
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.requests: list[TwilioRequest] = []
        self.attempts = 0
        self.delay = 0.0
        self.fail_every = 0
        self.early_reports: list[str] = []
        self.early_answers: list[int] = []  # what the app answered to each early report
        self.last_answer = ""  # the body of the app's answer to the last callback posted
        self.app.router.add_post("/2010-04-01/Accounts/{sid}/{resource}.json", self._create)

    @property
    def api_url(self) -> str:
        """What ``ABSENCES_TWILIO_API_URL`` would be."""
        return self.url

    def reject(self, code: int, message: str = "rejected", status: int = 400) -> None:
        """The next request gets a Twilio error body ``{code, message, status}``."""
        self.fail(1, status=status, body={"code": code, "message": message, "status": status})

    def _authorised(self, request: web.Request) -> bool:
        expected = aiohttp.encode_basic_auth(self.account_sid, self.auth_token)
        return hmac.compare_digest(request.headers.get("Authorization", ""), expected)

    async def _create(self, request: web.Request) -> web.Response:
        self.attempts += 1
        resource = request.match_info["resource"]
        if not self._authorised(request) or request.match_info["sid"] != self.account_sid:
            return _error(20003, "Authenticate", 401)
        failure = await self.scripted_failure()
        if failure is not None:
            return failure
        if self.fail_every and self.attempts % self.fail_every == 0:
            return _error(20500, "Internal error", 500)
        if resource not in REQUIRED:
            return _error(20404, "The requested resource was not found", 404)
        form = [(key, str(value)) for key, value in (await request.post()).items()]
        names = {key for key, value in form if value}
        for name, code in REQUIRED[resource].items():
            if name not in names:
                return _error(code, f"A '{name}' is required", 400)
        if resource == "Calls" and not names & {"Url", "Twiml"}:
            return _error(21205, "Url or Twiml is required", 400)
        sid = ("SM" if resource == "Messages" else "CA") + uuid.uuid4().hex
        accepted = TwilioRequest(resource, form, sid)
        self.requests.append(accepted)
        for status in self.early_reports if accepted.get("StatusCallback") else ():
            self.early_answers.append(await self.report(accepted, status))
        if self.delay:
            await asyncio.sleep(self.delay)
        fields = dict(form)
        body: dict[str, str | None] = {"sid": sid, "account_sid": self.account_sid}
        body["status"] = "queued"
        body |= {"to": fields["To"], "from": fields["From"], "body": fields.get("Body")}
        return web.json_response(body, status=201)

    async def post_callback(
        self, url: str, params: dict[str, str], *, token: str | None = None
    ) -> int:
        """POST ``params`` to ``url`` signed as Twilio signs (with another token to forge)."""
        header = signature(url, params, token or self.auth_token)
        async with (
            aiohttp.ClientSession() as session,
            session.post(url, data=params, headers={"X-Twilio-Signature": header}) as response,
        ):
            self.last_answer = await response.text()  # the TwiML the app answered with
            return response.status

    async def report(self, sent: TwilioRequest, status: str, **extra: str) -> int:
        """Post a delivery report for ``sent`` to its ``StatusCallback``."""
        callback = sent.get("StatusCallback")
        assert callback, "the request named no StatusCallback"
        key = "MessageSid" if sent.resource == "Messages" else "CallSid"
        state = "MessageStatus" if sent.resource == "Messages" else "CallStatus"
        params = {key: sent.sid, state: status, "AccountSid": self.account_sid}
        params |= {"To": sent.get("To") or "", "From": sent.get("From") or ""} | extra
        return await self.post_callback(callback, params)


def _error(code: int, message: str, status: int) -> web.Response:
    body = {"code": code, "message": message, "status": status}
    return web.json_response(body, status=status)
