"""How a mail leaves: SMTP in production, the console (or a file) in development."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol, TextIO

log = logging.getLogger("faps.mail")


class Transport(Protocol):
    """Something that delivers a message (SMTP, or the console in development)."""

    def send(self, messages: Sequence[EmailMessage]) -> list[Exception | None]:
        """Deliver messages; return per message None or the error (OSError: server down)."""


@dataclass
class SmtpTransport:
    """Delivers through one SMTP connection per flush."""

    host: str
    port: int
    user: str = ""
    password: str = ""
    starttls: bool = False
    timeout: float = 10.0

    def send(self, messages: Sequence[EmailMessage]) -> list[Exception | None]:
        """Send each message; a connection failure fails them all (they stay queued)."""
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.user:
                    smtp.login(self.user, self.password)
                results: list[Exception | None] = []
                for message in messages:
                    try:
                        smtp.send_message(message)
                        results.append(None)
                    except smtplib.SMTPException as exc:
                        results.append(exc)
                return results
        except (OSError, smtplib.SMTPException) as exc:
            return [exc for _ in messages]


@dataclass
class ConsoleTransport:
    """Development: prints every message instead of sending it."""

    stream: TextIO | None = None
    banner: str = "non envoyé : mail_backend=console"

    def send(self, messages: Sequence[EmailMessage]) -> list[Exception | None]:
        """Print the messages (to the given stream, else the log)."""
        for message in messages:
            text = (f"--- courriel ({self.banner}) ---\n"
                    f"De : {message['From']}\nÀ : {message['To']}\nObjet : {message['Subject']}"
                    f"\n\n{message.get_content()}")
            if self.stream is not None:
                self.stream.write(text + "\n")
            else:
                log.info("%s", text)
        return [None for _ in messages]
