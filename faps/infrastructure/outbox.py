"""The mail outbox: a follower of the notification log queues mails; a sender flushes them.

Why a follower rather than enqueuing in the use cases: the event store and the SQLAlchemy tables
are not one transaction, so a mail queued by a service could be lost (crash after the save) or
sent for a save that failed. The follower reads committed events only and writes its outbox rows
and its log position in one transaction, like a projection: each event is mailed exactly once,
and each row has a unique key, so a replayed batch inserts nothing twice.
Sending is at least once: a row is claimed, sent, then marked; a crash between the last two
re-sends it after `STALE_CLAIM`. A refused or unreachable server only postpones a row.

Attaching to a log with history (an upgrade, a store older than the outbox): the outbox starts
at the log's head, so the past is not mailed, but its directory of recipients is built from
every account event so far. `queue_history` mails the past on an operator's explicit demand.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime
from typing import Any

import sqlalchemy as sa
from eventsourcing.utils import get_topic

from faps.application.app import FapsApplication
from faps.application.event_catalogue import MAIL_TOPICS, mail_for_event
from faps.application.notifications import Mail
from faps.domain.accounts import Account
from faps.domain.actors import Role
from faps.domain.dossier import Dossier
from faps.infrastructure.mail_transports import (  # re-exported: where mailing.py imports them
    ConsoleTransport,
    SmtpTransport,
    Transport,
)
from faps.infrastructure.schema import create_tables

__all__ = ["ConsoleTransport", "Outbox", "SmtpTransport", "Transport"]

log = logging.getLogger("faps.mail")
metadata = sa.MetaData()
STALE_CLAIM = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=1)
# Folding a French subject at 78 columns can put two encoded words side by side, and the space
# between them is then lost for every reader (RFC 2047): "demandé)— FAPS-…". Headers are
# folded at SMTP's hard limit instead; mail clients read the longer encoded words.
MESSAGE_POLICY = default_policy.clone(max_line_length=998)

outbox = sa.Table(
    "mail_outbox", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(200), nullable=False, unique=True),
    sa.Column("commune", sa.String(10), nullable=False),
    sa.Column("recipients", sa.Text, nullable=False),
    sa.Column("subject", sa.String(300), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("status", sa.String(10), nullable=False, default="pending"),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("claimed_at", sa.DateTime(timezone=True)),
    sa.Column("sent_at", sa.DateTime(timezone=True)),
    sa.Column("last_error", sa.Text, nullable=False, default=""),
)
position = sa.Table(
    "mail_position", metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("notification_id", sa.BigInteger, nullable=False),
)
recipients = sa.Table(
    "mail_recipients", metadata,
    sa.Column("account_id", sa.String(36), primary_key=True),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("role", sa.String(30), nullable=False),
    sa.Column("commune", sa.String(10)),
    sa.Column("active", sa.Boolean, nullable=False),
)


class Outbox:
    """Queues mails from the log (exactly once) and flushes them with retries."""

    def __init__(self, app: FapsApplication, engine: sa.Engine, sender: str,
                 public_url: str, link_key: str = "") -> None:
        self.app = app
        self.link_key = link_key
        self.engine = engine
        self.sender = sender
        self.public_url = public_url
        create_tables(engine, metadata)
        self._topics = set(MAIL_TOPICS)
        self._accounts = {get_topic(Account) + s for s in
                          (".Opened", ".RoleChanged", ".Deactivated", ".Reactivated")}
        self._followed = -1  # the highest position this process saw committed
        self._attach()

    # -- queueing ---------------------------------------------------------------------------
    def catch_up(self, now: datetime, batch: int = 1000) -> int:
        """Queue the mails of the events not yet followed; return the rows queued.

        With nothing new it costs one read of the log's head: the position this process last
        committed is remembered (another process may only have moved it further).
        """
        head = self.app.recorder.max_notification_id() or 0
        if head <= self._followed:
            return 0
        queued = 0
        while True:
            with self.engine.connect() as conn:
                start = self._read_position(conn)
            if start is None:
                raise RuntimeError("mail outbox position missing (the outbox was not attached)")
            notifications = self.app.recorder.select_notifications(start + 1, batch)
            if not notifications:
                self._followed = max(self._followed, start)
                return queued
            # Decode and load before the write transaction: reading the event store while
            # holding SQLite's write lock deadlocks with another thread's save waiting for it.
            prepared = [(n, self._prepare(n)) for n in notifications]
            with self.engine.begin() as conn:
                if self._lock_position(conn) != start:
                    continue  # another follower moved it meanwhile: read on from there
                for n, found in prepared:
                    queued += self._write(conn, n, found, now)
                conn.execute(position.update().where(position.c.name == "outbox")
                             .values(notification_id=notifications[-1].id))
            self._followed = max(self._followed, notifications[-1].id)
            if len(notifications) < batch:  # the end of the log as it was read
                return queued

    def _attach(self) -> None:
        """Record where this outbox starts following the log, if nothing did yet."""
        with self.engine.connect() as conn:
            if self._read_position(conn) is not None:
                return
        try:
            with self.engine.begin() as conn:
                head = self.app.recorder.max_notification_id() or 0
                self._build_directory(conn, head)
                conn.execute(position.insert().values(name="outbox", notification_id=head))
        except sa.exc.IntegrityError:
            pass  # another process attached at the same moment: its start stands
        else:
            if head:
                log.info("mail outbox attached at notification %s: past events not mailed", head)

    def _build_directory(self, conn: sa.Connection, until: int) -> None:
        """Apply every account event up to `until` to the directory of recipients."""
        start = 1
        while start <= until:
            found = self.app.recorder.select_notifications(start, 1000, stop=until,
                                                           topics=sorted(self._accounts))
            for n in found:
                self._account(conn, self.app.mapper.to_domain_event(n))
            if len(found) < 1000:
                return
            start = found[-1].id + 1

    @staticmethod
    def _read_position(conn: sa.Connection) -> int | None:
        row = conn.execute(sa.select(position.c.notification_id)
                           .where(position.c.name == "outbox")).first()
        return None if row is None else int(row[0])

    def _lock_position(self, conn: sa.Connection) -> int:
        """Take the position's row lock (a no-op update), then read it: one follower at a time."""
        conn.execute(position.update().where(position.c.name == "outbox")
                     .values(notification_id=position.c.notification_id))
        found = self._read_position(conn)
        if found is None:
            raise RuntimeError("mail outbox position missing (the outbox was not attached)")
        return found

    def queue_history(self, now: datetime, batch: int = 1000) -> int:
        """Queue the mails of the events before the outbox's position (once each); return them.

        For an operator who wants the past mailed after attaching to a log with history; the
        recipients are today's agents of each commune.
        """
        with self.engine.connect() as conn:
            until = self._read_position(conn) or 0
        queued, start = 0, 1
        while start <= until:
            found = self.app.recorder.select_notifications(start, batch, stop=until,
                                                           topics=sorted(self._topics))
            mails = [(n, self._mail_of(n)) for n in found]
            with self.engine.begin() as conn:
                queued += sum(self.enqueue(conn, f"event:{n.id}", mail, now)
                              for n, mail in mails if mail)
            if len(found) < batch:
                return queued
            start = found[-1].id + 1
        return queued

    def _prepare(self, notification: Any) -> Any:
        """Return what a notification brings: an account's event, a mail, or None."""
        if notification.topic in self._accounts:
            return self.app.mapper.to_domain_event(notification)
        if notification.topic not in self._topics:
            return None
        return self._mail_of(notification)

    def _write(self, conn: sa.Connection, notification: Any, found: Any, now: datetime) -> int:
        if found is None:
            return 0
        if notification.topic in self._accounts:
            self._account(conn, found)
            return 0
        return self.enqueue(conn, f"event:{notification.id}", found, now)

    def _mail_of(self, notification: Any) -> Any:
        event = self.app.mapper.to_domain_event(notification)
        dossier: Dossier = self.app.repository.get(event.originator_id,
                                                   version=event.originator_version)
        return mail_for_event(event, dossier, self.public_url, self.link_key)

    def _account(self, conn: sa.Connection, event: Any) -> None:
        key = str(event.originator_id)
        values: dict[str, Any]
        if isinstance(event, Account.Opened):
            conn.execute(recipients.delete().where(recipients.c.account_id == key))
            conn.execute(recipients.insert().values(
                account_id=key, email=event.email, role=event.role, commune=event.commune,
                active=True))
            return
        if isinstance(event, Account.RoleChanged):
            values = {"role": event.role, "commune": event.commune}
        else:
            values = {"active": isinstance(event, Account.Reactivated)}
        conn.execute(recipients.update().where(recipients.c.account_id == key).values(**values))

    def recipients_of(self, conn: sa.Connection, commune: str) -> list[str]:
        """Return the e-mail addresses of the commune's active agents."""
        rows = conn.execute(sa.select(recipients.c.email).where(
            recipients.c.commune == commune, recipients.c.active.is_(True),
            recipients.c.role == Role.COMMUNE_AGENT.value).order_by(recipients.c.email))
        return [r[0] for r in rows]

    def officers_of(self, conn: sa.Connection, officer_id: Any) -> list[str]:
        """Return the address of the dossier's officer if active, else of every officer."""
        query = sa.select(recipients.c.email).where(
            recipients.c.active.is_(True), recipients.c.role == Role.FINANCE_OFFICER.value)
        if officer_id is not None:
            mine = [r[0] for r in conn.execute(query.where(
                recipients.c.account_id == str(officer_id)))]
            if mine:
                return mine
        return [r[0] for r in conn.execute(query.order_by(recipients.c.email))]

    def _addressees(self, conn: sa.Connection, mail: Mail) -> list[str]:
        if mail.audience == "officers":
            return self.officers_of(conn, mail.officer_id)
        if mail.audience == "address":
            return [mail.to] if mail.to else []
        return self.recipients_of(conn, mail.commune)

    def enqueue(self, conn: sa.Connection, key: str, mail: Mail, now: datetime) -> int:
        """Queue a mail to its addressees unless its key was queued before; return 0/1."""
        to = self._addressees(conn, mail)
        seen = conn.execute(sa.select(outbox.c.id).where(outbox.c.key == key)).first()
        if not to or seen:
            return 0
        conn.execute(outbox.insert().values(
            key=key, commune=mail.commune, recipients=", ".join(to), subject=mail.subject,
            body=mail.body, status="pending", attempts=0, created_at=now, next_attempt_at=now,
            last_error=""))
        return 1

    def enqueue_to(self, conn: sa.Connection, key: str, to: str, subject: str, body: str,
                   now: datetime) -> None:
        """Queue a mail to one address (a message to a person, not about a dossier)."""
        conn.execute(outbox.insert().values(
            key=key, commune="", recipients=to, subject=subject, body=body, status="pending",
            attempts=0, created_at=now, next_attempt_at=now, last_error=""))

    # -- sending ----------------------------------------------------------------------------
    def flush(self, transport: Transport, now: datetime, limit: int = 200) -> tuple[int, int]:
        """Send the mails due; return (sent, postponed). Failures are retried later."""
        rows = self._claim(now, limit)
        if not rows:
            return 0, 0
        results = transport.send([self._message(r) for r in rows])
        sent = 0
        with self.engine.begin() as conn:
            for row, error in zip(rows, results, strict=True):
                if error is None:
                    sent += 1
                    conn.execute(outbox.update().where(outbox.c.id == row.id).values(
                        status="sent", sent_at=now, attempts=row.attempts + 1, last_error=""))
                else:
                    delay = min(timedelta(minutes=2 ** min(row.attempts, 10)), MAX_BACKOFF)
                    conn.execute(outbox.update().where(outbox.c.id == row.id).values(
                        status="pending", attempts=row.attempts + 1, claimed_at=None,
                        next_attempt_at=now + delay, last_error=str(error)[:500]))
                    log.warning("courriel %s reporté : %s", row.key, error)
        return sent, len(rows) - sent

    def _claim(self, now: datetime, limit: int) -> list[Any]:
        due = sa.or_(sa.and_(outbox.c.status == "pending", outbox.c.next_attempt_at <= now),
                     sa.and_(outbox.c.status == "sending", outbox.c.claimed_at < now - STALE_CLAIM))
        claimed = []
        with self.engine.begin() as conn:
            for row in conn.execute(sa.select(outbox).where(due).order_by(outbox.c.id)
                                    .limit(limit)).all():
                done = conn.execute(outbox.update().where(outbox.c.id == row.id,
                                                          outbox.c.status == row.status)
                                    .values(status="sending", claimed_at=now))
                if done.rowcount == 1:
                    claimed.append(row)
        return claimed

    def _message(self, row: Any) -> EmailMessage:
        message = EmailMessage(policy=MESSAGE_POLICY)
        message["From"] = self.sender
        message["To"] = row.recipients
        message["Subject"] = row.subject
        # The origination date is when the mail was queued; a retry keeps its Date and its
        # Message-ID (one per outbox key), so a reader's client sees the same mail.
        queued: datetime = row.created_at
        message["Date"] = format_datetime((queued if queued.tzinfo else queued.replace(
            tzinfo=UTC)).astimezone(UTC))
        domain = self.sender.rpartition("@")[2].strip(" >") or "faps"
        message["Message-ID"] = f"<{row.key.replace(':', '.')}@{domain}>"
        message.set_content(row.body)
        return message

    def pending(self) -> list[dict[str, Any]]:
        """Return the mails not yet sent (for `faps mail send` and tests)."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(outbox).where(outbox.c.status != "sent")
                                .order_by(outbox.c.id))
            return [dict(r._mapping) for r in rows]

    def postponed(self) -> int:
        """Return how many mails wait for a retry after a failed attempt."""
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(outbox).where(
                outbox.c.status != "sent", outbox.c.attempts > 0)).scalar_one())

    def sent(self) -> list[dict[str, Any]]:
        """Return the mails sent, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(outbox).where(outbox.c.status == "sent")
                                .order_by(outbox.c.id))
            return [dict(r._mapping) for r in rows]
