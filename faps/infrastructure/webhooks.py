"""Signed webhooks (Standard Webhooks): subscriptions, and the follower of the log.

- The follower reads the notification log from its tracked position and, in the same
  transaction as the new position, queues one delivery per matching subscription: an event
  is never lost when the process dies, and never queued twice. Dossiers, council sessions and
  yearly budgets have their event types (`EVENT_TYPES`, `SESSION_EVENT_TYPES`,
  `BUDGET_EVENT_TYPES`).
- The sender (webhook_sender) posts each due delivery, signed (`webhook-id`,
  `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>`), in log order per
  aggregate, several aggregates at once.
- The signing secrets are sealed at rest (webhook_secrets) and shown once.
- Only https URLs (http if FAPS_WEBHOOKS_ALLOW_HTTP), never a private, loopback or link-local
  address unless FAPS_WEBHOOKS_ALLOWED_HOSTS lists it.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID, uuid4

import sqlalchemy as sa

from faps.application.event_catalogue import (
    BUDGET_WEBHOOK_TYPES,
    SESSION_WEBHOOK_TYPES,
    WEBHOOK_TYPES,
)
from faps.domain.errors import InvalidInputError, NotFoundError
from faps.infrastructure.credentials import metadata
from faps.infrastructure.schema import create_tables
from faps.infrastructure.settings import Settings
from faps.infrastructure.webhook_secrets import SecretBox
from faps.infrastructure.webhook_sender import WebhookSender, mail_administrators, sign
from faps.infrastructure.webhook_tables import deliveries, subscriptions, tracking

__all__ = [
    "EVENT_TYPES",
    "WebhookRules",
    "Webhooks",
    "build_webhooks",
    "mail_administrators",
    "sign",
]

# One event type per business event, by class name, from the event catalogue: a dossier's
# (private notes and the exchanges are never sent), a council session's, a year's budget's.
EVENT_TYPES = {cls.__name__: type_ for cls, type_ in WEBHOOK_TYPES.items()}
SESSION_EVENT_TYPES = {cls.__name__: type_ for cls, type_ in SESSION_WEBHOOK_TYPES.items()}
BUDGET_EVENT_TYPES = {cls.__name__: type_ for cls, type_ in BUDGET_WEBHOOK_TYPES.items()}


def all_event_types() -> list[str]:
    """Return every event type one may subscribe to (dossiers, sessions, budgets)."""
    return sorted({*EVENT_TYPES.values(), *SESSION_EVENT_TYPES.values(),
                   *BUDGET_EVENT_TYPES.values()})


def _kind_of(topic: str) -> tuple[str, str | None]:
    """Return the aggregate kind of a stored event's topic and its webhook type, if any."""
    module, _, name = topic.partition(":")
    short = name.rsplit(".", 1)[-1]
    if "dossier" in module:
        return "dossier", EVENT_TYPES.get(short)
    if module.endswith(".council"):
        return "session", SESSION_EVENT_TYPES.get(short)
    if module.endswith(".budget"):
        return "budget", BUDGET_EVENT_TYPES.get(short)
    return "", None


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


class Webhooks(WebhookSender):
    """Subscriptions, the follower that queues deliveries, and the sender."""

    def __init__(self, engine: sa.Engine, app: Any, public_url: str, rules: WebhookRules,
                 secret_key: str, now: Callable[[], datetime] | None = None,
                 on_paused: Any = None, workers: int = 4) -> None:
        self.engine, self.app, self.public_url, self.rules = engine, app, public_url, rules
        self.now = now or (lambda: datetime.now(tz=UTC))
        self.on_paused = on_paused or (lambda subscription, error, at: None)
        self.workers = workers
        self.box = SecretBox(secret_key)
        self.open_secret = self.box.open
        create_tables(engine, metadata, [subscriptions, deliveries, tracking])
        self.box.seal_clear_ones(engine)

    # -- subscriptions (administrators) ----------------------------------------------------
    def subscribe(self, url: str, event_types: list[str]) -> tuple[UUID, str]:
        """Subscribe a URL to event types; return its id and secret (shown once)."""
        unknown = sorted(set(event_types) - set(all_event_types()))
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
                secret=self.box.seal(secret), created_at=self.now()))
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
        kind, event_type = _kind_of(notification.topic)
        if event_type is None:
            return 0
        targets = [s for s in active if event_type in s["event_types"].split()]
        if not targets:
            return 0
        event = self.app.mapper.to_domain_event(notification)
        state = self.app.repository.get(notification.originator_id,
                                        version=notification.originator_version)
        data = {**self._data(kind, state), "version": notification.originator_version,
                "event_id": notification.id}
        payload = json.dumps({"type": event_type, "timestamp": event.timestamp.isoformat(),
                              "data": data}, ensure_ascii=False, separators=(",", ":"))
        for subscription in targets:
            # `dossier_id` is the aggregate whose deliveries keep their order: a dossier, a
            # session or a year's budget.
            conn.execute(deliveries.insert().values(
                delivery_id=uuid4(), subscription_id=subscription["subscription_id"],
                notification_id=notification.id, dossier_id=notification.originator_id,
                event_type=event_type, payload=payload, status="pending", attempts=0,
                next_attempt_at=self.now()))
        return len(targets)

    def _data(self, kind: str, state: Any) -> dict[str, Any]:
        """Return what a delivery says of its aggregate, with the API's link to it."""
        base = self.public_url.rstrip("/") + "/api/v1"
        if kind == "session":
            return {"session_id": str(state.id), "body": state.body,
                    "session_date": state.session_date.isoformat(), "closed": state.closed,
                    "link": f"{base}/sessions/{state.id}"}
        if kind == "budget":
            return {"budget_id": str(state.id), "year": state.year,
                    "voted": f"{state.voted:.2f}",
                    "deliberation_reference": state.deliberation_reference,
                    "link": f"{base}/budgets/{state.year}"}
        return {"dossier_id": str(state.id), "reference": state.reference,
                "commune": state.commune, "state": state.state.value,
                "link": f"{base}/dossiers/{state.id}"}


def build_webhooks(settings: Settings, engine: sa.Engine, app: Any) -> Webhooks:
    """Return the webhooks as the settings allow them (built once by the composition root)."""
    hosts = frozenset(h.strip() for h in settings.webhooks_allowed_hosts.split(",")
                      if h.strip())
    return Webhooks(engine, app, settings.public_url,
                    WebhookRules(settings.webhooks_allow_http, hosts),
                    settings.resolved_secret_key(), workers=settings.webhooks_workers,
                    on_paused=lambda subscription, error, at: mail_administrators(
                        engine, subscription, error, at))


