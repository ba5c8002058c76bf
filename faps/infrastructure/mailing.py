"""Mail as the rest of faps sees it: queue after saves, send, remind overdue dossiers."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import uuid4

from faps.application.clock import Clock
from faps.application.deadlines import DeadlineService
from faps.application.exchange_mails import opinion_mail
from faps.application.notifications import reminder_mail
from faps.domain.actors import SYSTEM_ACTOR
from faps.domain.errors import ConfigurationError
from faps.infrastructure.outbox import ConsoleTransport, Outbox, SmtpTransport, Transport
from faps.infrastructure.settings import Settings

log = logging.getLogger("faps.mail")
OPINION_REMINDER_DAYS = 3  # an opinion not given is recalled this many days before it is due


@dataclass(frozen=True)
class MailReport:
    """What one run did."""

    queued: int
    sent: int
    postponed: int


def make_transport(settings: Settings) -> Transport:
    """Return the transport the settings name (console in development, SMTP in production)."""
    if settings.mail_backend == "console":
        return ConsoleTransport(sys.stderr)
    if settings.mail_backend == "smtp":
        return SmtpTransport(settings.smtp_host, settings.smtp_port, settings.smtp_user,
                             settings.smtp_password, settings.smtp_starttls)
    raise ConfigurationError("FAPS_MAIL_BACKEND : « console » ou « smtp ».")


class Mailer:
    """The outbox, its transport and the reminders of overdue deadlines."""

    def __init__(self, outbox: Outbox, transport: Transport, clock: Clock,
                 deadlines: DeadlineService, send_on_save: bool) -> None:
        self.outbox = outbox
        self.transport = transport
        self.clock = clock
        self.deadlines = deadlines
        self.send_on_save = send_on_save

    def after_save(self, _recordings: Sequence[Any]) -> None:
        """Queue the new events' mails (and send them if configured); never fail the save."""
        try:
            self.outbox.catch_up(self.clock.now())
            if self.send_on_save:
                self.outbox.flush(self.transport, self.clock.now())
        except Exception:  # the events are saved: the next run queues or sends what was missed
            log.exception("mail outbox: catch-up after save failed")

    def send_to(self, to: str, subject: str, body: str) -> None:
        """Queue a mail to one person (sent now if configured so, else by `faps mail send`)."""
        now = self.clock.now()
        with self.outbox.engine.begin() as conn:
            self.outbox.enqueue_to(conn, f"direct:{uuid4()}", to, subject, body, now)
        if self.send_on_save:
            try:
                self.outbox.flush(self.transport, now)
            except Exception:  # queued: the next run sends it
                log.exception("mail outbox: sending a direct mail failed")

    def send(self) -> MailReport:
        """Queue what the log holds, then send every mail due."""
        queued = self.outbox.catch_up(self.clock.now())
        sent, postponed = self.outbox.flush(self.transport, self.clock.now())
        return MailReport(queued, sent, postponed)

    def remind(self, today: date | None = None) -> MailReport:
        """Queue one reminder per overdue deadline and day at most, then send."""
        today = today or self.clock.now().date()
        now = self.clock.now()
        queued = 0
        with self.outbox.engine.begin() as conn:
            for deadline in self.deadlines.deadlines(SYSTEM_ACTOR, today, near_days=-1):
                key = f"reminder:{deadline.dossier_id}:{deadline.kind}:{today.isoformat()}"
                queued += self.outbox.enqueue(conn, key, reminder_mail(
                    deadline, self.outbox.public_url), now)
            queued += self._remind_opinions(conn, today, now)
        report = self.send()
        return MailReport(queued + report.queued, report.sent, report.postponed)

    def _remind_opinions(self, conn: Any, today: date, now: Any) -> int:
        """Queue one reminder per opinion not given, OPINION_REMINDER_DAYS before its due date."""
        queued = 0
        for dossier, opinion in self.deadlines.opinions_waiting(today, OPINION_REMINDER_DAYS):
            mail = opinion_mail(dossier, opinion, self.outbox.public_url, self.outbox.link_key,
                                reminder=True)
            queued += self.outbox.enqueue(conn, f"opinion-reminder:{opinion.opinion_id}", mail,
                                          now)
        return queued


def install_mailer(app: Any, engine: Any, settings: Settings, clock: Clock,
                   deadlines: DeadlineService) -> Mailer:
    """Build the mailer (the followers queue mails after saves)."""
    outbox = Outbox(app, engine, settings.mail_from, settings.public_url,
                    settings.resolved_secret_key())
    send_on_save = settings.mail_backend == "console" or settings.mail_send_on_save
    return Mailer(outbox, make_transport(settings), clock, deadlines, send_on_save)
