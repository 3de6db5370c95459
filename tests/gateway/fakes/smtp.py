"""A real SMTP server (aiosmtpd) on a free loopback port that records what it accepts."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.gateway.fakes.server import HOST, free_port


@dataclass
class Received:
    """One accepted message: the envelope and the parsed message."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class RecordingHandler:
    """Accepts every recipient except those in ``refuse`` (address -> SMTP reply)."""

    refuse: dict[str, str] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd's threaded controller on a port picked first (``port=0`` does not work)."""

    def __init__(self) -> None:
        self.handler = RecordingHandler()
        self.port = free_port()
        self.host = HOST
        self._controller = Controller(self.handler, hostname=HOST, port=self.port)

    def start(self) -> None:
        """Listen (blocks until the server answers)."""
        self._controller.start()

    def stop(self) -> None:
        """Stop listening."""
        self._controller.stop()
