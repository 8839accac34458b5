"""Outgoing mail over SMTP, configured by ``QUIZ_MAIL_URL``; sent off the request thread.

``QUIZ_MAIL_URL`` names the server and how to reach it:

- ``smtp://host:25`` plain SMTP (a relay on the same network);
- ``smtp://user:password@host:587?starttls=1`` SMTP upgraded with STARTTLS;
- ``smtps://user:password@host:465`` SMTP over TLS from the start.

``QUIZ_MAIL_FROM`` is the sender address. Without ``QUIZ_MAIL_URL`` the platform sends
no mail and the pages that need it say so (forgotten passwords then go through a teacher
or an admin).

``send_later`` hands the message to a background thread after the caller's commit, so a
request answers at once whatever the mail server does, and a request that sends mail
takes as long as one that does not (the forgotten-password page must not tell whether
an account exists). A delivery failure is logged, never shown to the visitor.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 20


class MailConfigError(ValueError):
    """``QUIZ_MAIL_URL`` cannot be understood."""


@dataclass(frozen=True)
class MailServer:
    host: str
    port: int
    tls: bool  # TLS from the start (smtps)
    starttls: bool
    username: str | None
    password: str | None

    @classmethod
    def from_url(cls, url: str) -> MailServer:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise MailConfigError("QUIZ_MAIL_URL must look like smtp://host:port or smtps://…")
        query = parse_qs(parts.query)
        starttls = query.get("starttls", ["0"])[0].lower() in ("1", "true", "yes")
        try:
            port = parts.port or (465 if parts.scheme == "smtps" else 25)
        except ValueError as exc:
            raise MailConfigError("QUIZ_MAIL_URL has a bad port") from exc
        return cls(
            host=parts.hostname,
            port=port,
            tls=parts.scheme == "smtps",
            starttls=starttls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )

    def deliver(self, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if self.tls:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=TIMEOUT_SECONDS, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_SECONDS)
        with smtp:
            if self.starttls:
                smtp.starttls(context=context)
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


def configured(config: dict) -> bool:
    return bool(config.get("QUIZ_MAIL_URL"))


def compose(sender: str, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    return message


def send_later(config: dict, message: EmailMessage) -> threading.Thread:
    """Deliver ``message`` from a background thread (started now: call after the commit)."""
    server = MailServer.from_url(str(config["QUIZ_MAIL_URL"]))

    def deliver() -> None:
        try:
            server.deliver(message)
        except (OSError, smtplib.SMTPException):
            log.exception("mail to %s could not be delivered", message["To"])

    thread = threading.Thread(target=deliver, name="quiz-mail", daemon=True)
    thread.start()
    return thread
