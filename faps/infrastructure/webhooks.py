"""Signed webhooks (Standard Webhooks): subscriptions, a follower of the log, deliveries.

- The follower reads the notification log from its tracked position and, in the same
  transaction as the new position, queues one delivery per matching subscription: an event
  is never lost when the process dies, and never queued twice.
- The sender posts each due delivery, signed (`webhook-id`, `webhook-timestamp`,
  `webhook-signature: v1,<base64 HMAC-SHA256>`), one dossier at a time in log order: a later
  event of a dossier waits while an earlier one is failing. A delivery is marked delivered
  only after a 2xx, so a sender killed mid-batch sends the rest (at least once) on restart.
- A failure is retried with exponential backoff; a subscription failing for 24 hours is
  paused and the administrators are mailed (through the outbox).
- Only https URLs (http if FAPS_WEBHOOKS_ALLOW_HTTP), never a private, loopback or link-local
  address unless FAPS_WEBHOOKS_ALLOWED_HOSTS lists it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID, uuid4

import sqlalchemy as sa

from faps.application.event_catalogue import WEBHOOK_TYPES
from faps.domain.errors import InvalidInputError, NotFoundError
from faps.infrastructure.credentials import metadata

log = logging.getLogger("faps.webhooks")
PAUSE_AFTER = timedelta(hours=24)
MAX_BACKOFF = timedelta(hours=1)
TIMEOUT_SECONDS = 10
# One event type per business event of a dossier, by class name, from the event catalogue
# (private notes and the exchanges are never sent).
EVENT_TYPES = {cls.__name__: type_ for cls, type_ in WEBHOOK_TYPES.items()}

subscriptions = sa.Table(
    "faps_webhook_subscriptions", metadata,
    sa.Column("subscription_id", sa.Uuid, primary_key=True),
    sa.Column("url", sa.String(2000), nullable=False),
    sa.Column("event_types", sa.Text, nullable=False),  # space-separated
    sa.Column("secret", sa.String(100), nullable=False),  # needed to sign: kept, shown once
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True),
)
deliveries = sa.Table(
    "faps_webhook_deliveries", metadata,
    sa.Column("delivery_id", sa.Uuid, primary_key=True),  # the webhook-id
    sa.Column("subscription_id", sa.Uuid, nullable=False),
    sa.Column("notification_id", sa.BigInteger, nullable=False),
    sa.Column("dossier_id", sa.Uuid, nullable=False),
    sa.Column("event_type", sa.String(60), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("status", sa.String(12), nullable=False),  # pending, delivered
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("first_failure_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_status_code", sa.Integer, nullable=True),
    sa.Column("last_error", sa.String(500), nullable=True),
    sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_faps_webhook_due", "status", "subscription_id", "notification_id"),
    sa.UniqueConstraint("subscription_id", "notification_id", name="ux_faps_webhook_once"),
)
tracking = sa.Table(
    "faps_webhook_tracking", metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("position", sa.BigInteger, nullable=False),
)


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def sign(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    """Return the Standard Webhooks v1 signature of a message."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


@dataclass(frozen=True)
class WebhookRules:
    """Where deliveries may go."""

    allow_http: bool = False
    allowed_hosts: frozenset[str] = frozenset()

    def check(self, url: str) -> None:
        """Refuse a URL that is not https, or that points into a private network."""
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise InvalidInputError({"url": ["URL https complète attendue"]})
        if parts.scheme == "http" and not self.allow_http:
            raise InvalidInputError({"url": ["seules les URL https sont permises"]})
        host = parts.hostname
        if host in self.allowed_hosts:
            return
        try:
            addresses = {info[4][0] for info in socket.getaddrinfo(host, parts.port or 443)}
        except OSError:
            raise InvalidInputError({"url": [f"l’hôte {host} est introuvable"]}) \
                from None
        for address in addresses:
            ip = ipaddress.ip_address(str(address).split("%")[0])
            if (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved
                    or ip.is_multicast or ip.is_unspecified):
                raise InvalidInputError({"url": [
                    f"{host} mène à un réseau privé ou local ({ip}), refusé"]})


class Webhooks:
    """Subscriptions, the follower that queues deliveries, and the sender."""

    def __init__(self, engine: sa.Engine, app: Any, public_url: str, rules: WebhookRules,
                 now: Any = None, on_paused: Any = None) -> None:
        self.engine, self.app, self.public_url, self.rules = engine, app, public_url, rules
        self.now = now or (lambda: datetime.now(tz=UTC))
        self.on_paused = on_paused or (lambda subscription, error, at: None)
        metadata.create_all(engine, tables=[subscriptions, deliveries, tracking])

    # -- subscriptions (administrators) ----------------------------------------------------
    def subscribe(self, url: str, event_types: list[str]) -> tuple[UUID, str]:
        """Subscribe a URL to event types; return its id and secret (shown once)."""
        unknown = sorted(set(event_types) - set(EVENT_TYPES.values()))
        if not event_types or unknown:
            raise InvalidInputError({"event_types": [
                "types inconnus\u202f: " + ", ".join(unknown) if unknown
                else "cochez au moins un événement"]})
        self.rules.check(url)
        subscription_id = uuid4()
        secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
        with self.engine.begin() as conn:
            conn.execute(subscriptions.insert().values(
                subscription_id=subscription_id, url=url, event_types=" ".join(event_types),
                secret=secret, created_at=self.now()))
            self._start_at_head(conn)
        return subscription_id, secret

    def _start_at_head(self, conn: sa.Connection) -> None:
        # A subscription hears what happens from now on: the log's past is not replayed.
        if conn.execute(sa.select(tracking.c.position)).first() is None:
            head = self.app.recorder.max_notification_id() or 0
            conn.execute(tracking.insert().values(name="webhooks", position=head))

    def subscriptions(self) -> list[Any]:
        """Return every subscription (without its secret)."""
        with self.engine.connect() as conn:
            return list(conn.execute(sa.select(
                subscriptions.c.subscription_id, subscriptions.c.url,
                subscriptions.c.event_types, subscriptions.c.created_at,
                subscriptions.c.paused_at)).mappings())

    def resume(self, subscription_id: UUID) -> None:
        """Resume a paused subscription: its waiting deliveries are tried again now."""
        with self.engine.begin() as conn:
            conn.execute(subscriptions.update().where(
                subscriptions.c.subscription_id == subscription_id).values(paused_at=None))
            conn.execute(deliveries.update().where(
                deliveries.c.subscription_id == subscription_id,
                deliveries.c.status == "pending").values(next_attempt_at=self.now(),
                                                         first_failure_at=None))

    def deliveries(self, subscription_id: UUID, limit: int = 100) -> list[Any]:
        """Return a subscription's delivery log, latest first."""
        with self.engine.connect() as conn:
            return list(conn.execute(sa.select(deliveries).where(
                deliveries.c.subscription_id == subscription_id).order_by(
                deliveries.c.notification_id.desc()).limit(limit)).mappings())

    def redeliver(self, delivery_id: UUID) -> None:
        """Send a delivery again (a delivered one too)."""
        with self.engine.begin() as conn:
            done = conn.execute(deliveries.update().where(
                deliveries.c.delivery_id == delivery_id).values(
                status="pending", next_attempt_at=self.now(), first_failure_at=None))
        if not done.rowcount:
            raise NotFoundError("Envoi introuvable.")

    # -- the follower ------------------------------------------------------------------------
    def enqueue(self, batch: int = 500) -> int:
        """Queue deliveries for the events after the tracked position; return how many."""
        queued = 0
        while True:
            with self.engine.begin() as conn:
                row = conn.execute(sa.select(tracking.c.position)).first()
                if row is None:
                    return queued
                active = [s for s in conn.execute(sa.select(subscriptions).where(
                    subscriptions.c.paused_at.is_(None))).mappings()]
                notifications = self.app.recorder.select_notifications(row[0] + 1, batch)
                for notification in notifications:
                    queued += self._queue(conn, notification, active)
                if notifications:
                    conn.execute(tracking.update().values(position=notifications[-1].id))
            if len(notifications) < batch:
                return queued

    def _queue(self, conn: sa.Connection, notification: Any, active: list[Any]) -> int:
        module, _, name = notification.topic.partition(":")
        event_type = EVENT_TYPES.get(name.rsplit(".", 1)[-1])
        if event_type is None or "dossier" not in module:
            return 0
        targets = [s for s in active if event_type in s["event_types"].split()]
        if not targets:
            return 0
        event = self.app.mapper.to_domain_event(notification)
        dossier = self.app.repository.get(notification.originator_id,
                                          version=notification.originator_version)
        link = f"{self.public_url.rstrip('/')}/api/v1/dossiers/{dossier.id}"
        for subscription in targets:
            delivery_id = uuid4()
            payload = json.dumps({"type": event_type, "timestamp": event.timestamp.isoformat(),
                                  "data": {"dossier_id": str(dossier.id),
                                           "reference": dossier.reference,
                                           "commune": dossier.commune,
                                           "state": dossier.state.value,
                                           "version": notification.originator_version,
                                           "event_id": notification.id, "link": link}},
                                 ensure_ascii=False, separators=(",", ":"))
            conn.execute(deliveries.insert().values(
                delivery_id=delivery_id, subscription_id=subscription["subscription_id"],
                notification_id=notification.id, dossier_id=dossier.id, event_type=event_type,
                payload=payload, status="pending", attempts=0, next_attempt_at=self.now()))
        return len(targets)

    # -- the sender --------------------------------------------------------------------------
    def send_due(self, limit: int = 1000) -> tuple[int, int]:
        """Send the due deliveries (per dossier, in log order); return (sent, failed)."""
        sent = failed = 0
        for delivery, subscription in self._due(limit):
            if self._post(delivery, subscription):
                sent += 1
            else:
                failed += 1
        return sent, failed

    def _due(self, limit: int) -> list[tuple[Any, Any]]:
        with self.engine.connect() as conn:
            active = {s["subscription_id"]: s for s in conn.execute(sa.select(subscriptions)
                      .where(subscriptions.c.paused_at.is_(None))).mappings()}
            pending = conn.execute(sa.select(deliveries).where(
                deliveries.c.status == "pending").order_by(
                deliveries.c.notification_id).limit(limit)).mappings().all()
        now, blocked, due = self.now(), set(), []
        for delivery in pending:
            key = (delivery["subscription_id"], delivery["dossier_id"])
            if key in blocked or delivery["subscription_id"] not in active:
                continue
            blocked.add(key)  # the rest of this dossier waits for its earliest event
            if _aware(delivery["next_attempt_at"]) <= now:  # type: ignore[operator]
                due.append((delivery, active[delivery["subscription_id"]]))
        return due

    def _post(self, delivery: Any, subscription: Any) -> bool:
        msg_id, timestamp = str(delivery["delivery_id"]), int(time.time())
        body = delivery["payload"]
        request = urllib.request.Request(subscription["url"], data=body.encode(), method="POST",
                                         headers={
            "content-type": "application/json", "user-agent": "faps-webhooks/1",
            "webhook-id": msg_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(subscription["secret"], msg_id, timestamp, body)})
        status, error = None, None
        try:
            self.rules.check(subscription["url"])  # DNS may have changed since subscribing
            with _opener().open(request, timeout=TIMEOUT_SECONDS) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status, error = exc.code, f"HTTP {exc.code}"
        except (OSError, InvalidInputError) as exc:
            error = str(getattr(exc, "message", exc))[:500]
        if status is not None and 200 <= status < 300:
            self._record(delivery, status="delivered", last_status_code=status,
                         delivered_at=self.now(), attempts=delivery["attempts"] + 1,
                         last_error=None)
            return True
        self._failed(delivery, subscription, status, error or f"HTTP {status}")
        return False

    def _failed(self, delivery: Any, subscription: Any, status: int | None, error: str) -> None:
        now = self.now()
        attempts = delivery["attempts"] + 1
        first = _aware(delivery["first_failure_at"]) or now
        wait = min(timedelta(seconds=5 * 2 ** min(attempts, 20)), MAX_BACKOFF)
        self._record(delivery, attempts=attempts, last_status_code=status, last_error=error,
                     first_failure_at=first, next_attempt_at=now + wait)
        if now - first >= PAUSE_AFTER:
            with self.engine.begin() as conn:
                conn.execute(subscriptions.update().where(
                    subscriptions.c.subscription_id == subscription["subscription_id"])
                    .values(paused_at=now))
            log.error("Webhook subscription %s paused after 24 hours of failures (%s): %s",
                      subscription["subscription_id"], subscription["url"], error)
            self.on_paused(subscription, error, now)

    def _record(self, delivery: Any, **values: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(deliveries.update().where(
                deliveries.c.delivery_id == delivery["delivery_id"]).values(**values))


def _opener() -> urllib.request.OpenerDirector:
    # No redirects: a 3xx to a private address would get round the URL check.
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    return urllib.request.build_opener(NoRedirect)


def webhooks_of(faps: Any) -> Webhooks:
    """Return the webhooks of a running faps (made on first use, kept in its extras)."""
    if "webhooks" not in faps.extras:
        settings = faps.settings
        hosts = frozenset(h.strip() for h in settings.webhooks_allowed_hosts.split(",")
                          if h.strip())
        faps.extras["webhooks"] = Webhooks(
            faps.engine, faps.app, settings.public_url,
            WebhookRules(settings.webhooks_allow_http, hosts),
            on_paused=lambda subscription, error, at: mail_administrators(
                faps.engine, subscription, error, at))
    found: Webhooks = faps.extras["webhooks"]
    return found


def mail_administrators(engine: sa.Engine, subscription: Any, error: str, at: datetime) -> int:
    """Queue a mail to the active administrators: a subscription was paused (`faps mail send`)."""
    from faps.domain.actors import Role
    from faps.infrastructure.outbox import outbox, recipients

    with engine.begin() as conn:
        to = [r[0] for r in conn.execute(sa.select(recipients.c.email).where(
            recipients.c.role == Role.ADMINISTRATOR.value, recipients.c.active.is_(True))
            .order_by(recipients.c.email))]
        key = f"webhook-paused:{subscription['subscription_id']}:{at.date().isoformat()}"
        if not to or conn.execute(sa.select(outbox.c.id).where(outbox.c.key == key)).first():
            return 0
        body = (f"Les envois vers {subscription['url']} échouent depuis 24 heures : "
                f"l’abonnement {subscription['subscription_id']} est mis en pause.\n\n"
                f"Dernière erreur : {error}\n\nUne fois le destinataire réparé : "
                f"faps webhooks resume {subscription['subscription_id']}\n")
        conn.execute(outbox.insert().values(
            key=key, commune="", recipients=", ".join(to),
            subject="[FAPS] Webhooks en pause : le destinataire ne répond plus", body=body,
            status="pending", attempts=0, created_at=at, next_attempt_at=at, last_error=""))
        return 1
