"""Email through an SMTP server (aiosmtplib): text and HTML parts, an optional PDF letter, a
``Reply-To`` of the school's vie scolaire when it set one.

The Message-ID carries the delivery's UUID, so that a bounce or a reply that quotes it can be
traced back to the notice. A recipient the server refuses with a 5xx is a bounce (permanent),
and the address is marked bounced (a full mailbox, 552, excepted); an address no SMTP command
may carry is marked invalid.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

import aiosmtplib
from aiosmtplib.email import quote_address

from core.models.person import Usability
from core.services.ports import REPLY_TO, Accepted, Message, SendFailed
from gateway.http import DEFAULT_TIMEOUT

MAILBOX_FULL = 552  # the address exists: a later try may get through


def message_id(delivery_uuid: str, sender: str) -> str:
    """``<{delivery_uuid}@{domain of the sender}>``."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "absences.invalid"
    return f"<{delivery_uuid}@{domain}>"


def build_email(message: Message, sender: str) -> EmailMessage:
    """The MIME message: text, HTML as its alternative, the PDF as an attachment."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Date"] = format_datetime(datetime.now(UTC))
    email["Message-ID"] = message_id(message.delivery_uuid, sender)
    email["Content-Language"] = message.language
    email["Auto-Submitted"] = "auto-generated"  # keeps vacation replies away
    reply_to = message.extra.get(REPLY_TO, "")
    if reply_to and not set(reply_to) & {"\r", "\n"}:  # the school's vie scolaire
        email["Reply-To"] = reply_to
    email.set_content(message.body)
    if message.html is not None:
        email.add_alternative(message.html, subtype="html")
    if message.attachment is not None:
        filename = message.extra.get("filename", "courrier.pdf")
        email.add_attachment(
            message.attachment, maintype="application", subtype="pdf", filename=filename
        )
    return email


class SmtpTransport:
    """One SMTP session per message (notices are few; pooling would outlive server timeouts)."""

    provider = "smtp"

    def __init__(
        self,
        host: str,
        port: int = 587,
        *,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self._username = username
        self._password = password
        self._starttls = starttls
        self._timeout = timeout

    async def send(self, message: Message) -> Accepted:
        """Send; ``provider_ref`` is the Message-ID (without angle brackets)."""
        try:
            email = build_email(message, self.sender)
            quote_address(message.to)  # aiosmtplib's own check of what a RCPT command may carry
        except ValueError as exc:  # a header that cannot be written (a newline in an address)
            raise SendFailed(
                f"smtp: {exc}", permanent=True, code="address", usability=Usability.INVALID
            ) from exc
        try:
            await aiosmtplib.send(
                email,
                sender=parseaddr(self.sender)[1],
                recipients=[message.to],
                hostname=self.host,
                port=self.port,
                username=self._username,
                password=self._password,
                start_tls=self._starttls,
                timeout=self._timeout,
            )
        except aiosmtplib.SMTPException as exc:
            raise smtp_error(exc) from exc
        except (OSError, TimeoutError) as exc:
            raise SendFailed(f"smtp: {exc}", permanent=False, code="network") from exc
        ref = str(email["Message-ID"]).strip("<>")
        return Accepted(provider=self.provider, provider_ref=ref)

    async def close(self) -> None:
        """Nothing held between messages."""


def bounced(code: int) -> Usability | None:
    """What a 5xx refusal of the recipient says of the address: it bounces, unless the mailbox
    is only full (552)."""
    return Usability.BOUNCED if 500 <= code < 600 and code != MAILBOX_FULL else None


def smtp_error(exc: aiosmtplib.SMTPException) -> SendFailed:
    """5xx for the recipient is a bounce (permanent); 4xx, timeouts, disconnects are transient.

    A refused login or sender is ours to fix, not the family's: transient, code ``auth``.
    """
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused | aiosmtplib.SMTPRecipientRefused):
        refused = exc if isinstance(exc, aiosmtplib.SMTPRecipientRefused) else None
        if refused is None and isinstance(exc, aiosmtplib.SMTPRecipientsRefused) and exc.recipients:
            refused = exc.recipients[0]
        code = refused.code if refused is not None else 550
        text = refused.message if refused is not None else str(exc)
        return SendFailed(
            f"smtp {code}: {text}", permanent=code >= 500, code=str(code), usability=bounced(code)
        )
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError | aiosmtplib.SMTPSenderRefused):
        return SendFailed(f"smtp {exc.code}: {exc.message}", permanent=False, code="auth")
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        code = exc.code
        permanent = 500 <= code < 600 and isinstance(exc, aiosmtplib.SMTPDataError)
        return SendFailed(
            f"smtp {code}: {exc.message}",
            permanent=permanent,
            code=str(code),
            usability=bounced(code) if permanent else None,
        )
    return SendFailed(f"smtp: {exc}", permanent=False, code="network")
