"""The sender of webhooks: due deliveries posted, signed, several dossiers at once.

Deliveries of one subscription and one aggregate (a dossier, a session, a year's budget) go in
log order, one after the other, by one worker; different aggregates go at the same time, on a
bounded pool of threads (`FAPS_WEBHOOKS_WORKERS`, 4 by default). A delivery is marked delivered
only after a 2xx: a sender killed mid-batch sends the rest again on restart (at least once,
under the same `webhook-id`). A failure stops its aggregate's queue (a later event waits) and
is retried with exponential backoff; a subscription failing for 24 hours is paused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from faps.domain.errors import InvalidInputError
from faps.infrastructure.webhook_tables import aware, deliveries, subscriptions

log = logging.getLogger("faps.webhooks")
PAUSE_AFTER = timedelta(hours=24)
MAX_BACKOFF = timedelta(hours=1)
TIMEOUT_SECONDS = 10


def sign(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    """Return the Standard Webhooks v1 signature of a message."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def _opener() -> urllib.request.OpenerDirector:
    # No redirects: a 3xx to a private address would get round the URL check.
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    return urllib.request.build_opener(NoRedirect)


class WebhookSender:
    """Post the due deliveries (mixed into Webhooks, which holds the engine and the rules)."""

    engine: sa.Engine
    rules: Any
    workers: int
    now: Callable[[], datetime]
    on_paused: Callable[[Any, str, datetime], Any]
    open_secret: Callable[[str], str]

    def send_due(self, limit: int = 1000) -> tuple[int, int]:
        """Send the due deliveries (per aggregate, in log order); return (sent, failed)."""
        queues = self._due(limit)
        if not queues:
            return 0, 0
        with ThreadPoolExecutor(max_workers=max(1, min(self.workers, len(queues)))) as pool:
            results = list(pool.map(self._send_queue, queues))
        return sum(r[0] for r in results), sum(r[1] for r in results)

    def _send_queue(self, queue: list[tuple[Any, Any]]) -> tuple[int, int]:
        sent = 0
        for delivery, subscription in queue:
            if not self._post(delivery, subscription):
                return sent, 1  # the rest of this aggregate waits for this one
            sent += 1
        return sent, 0

    def _due(self, limit: int) -> list[list[tuple[Any, Any]]]:
        """Return the due deliveries, one queue per subscription and aggregate, in log order."""
        with self.engine.connect() as conn:
            active = {s["subscription_id"]: s for s in conn.execute(sa.select(subscriptions)
                      .where(subscriptions.c.paused_at.is_(None))).mappings()}
            pending = conn.execute(sa.select(deliveries).where(
                deliveries.c.status == "pending").order_by(
                deliveries.c.notification_id).limit(limit)).mappings().all()
        now, blocked = self.now(), set()
        queues: dict[tuple[Any, Any], list[tuple[Any, Any]]] = {}
        for delivery in pending:
            key = (delivery["subscription_id"], delivery["dossier_id"])
            if key in blocked or delivery["subscription_id"] not in active:
                continue
            if aware(delivery["next_attempt_at"]) > now:  # type: ignore[operator]
                blocked.add(key)  # backing off: the later ones wait behind it
                continue
            queues.setdefault(key, []).append((delivery, active[delivery["subscription_id"]]))
        return list(queues.values())

    def _post(self, delivery: Any, subscription: Any) -> bool:
        msg_id, timestamp = str(delivery["delivery_id"]), int(time.time())
        body = delivery["payload"]
        secret = self.open_secret(subscription["secret"])
        request = urllib.request.Request(subscription["url"], data=body.encode(), method="POST",
                                         headers={
            "content-type": "application/json", "user-agent": "faps-webhooks/1",
            "webhook-id": msg_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(secret, msg_id, timestamp, body)})
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
        first = aware(delivery["first_failure_at"]) or now
        wait = min(timedelta(seconds=5 * 2 ** min(attempts, 20)), MAX_BACKOFF)
        self._record(delivery, attempts=attempts, last_status_code=status, last_error=error,
                     first_failure_at=first, next_attempt_at=now + wait)
        if now - first >= PAUSE_AFTER:
            with self.engine.begin() as conn:
                done = conn.execute(subscriptions.update().where(
                    subscriptions.c.subscription_id == subscription["subscription_id"],
                    subscriptions.c.paused_at.is_(None)).values(paused_at=now))
            if done.rowcount:  # several workers may fail at once: pause and mail once
                log.error("Webhook subscription %s paused after 24 hours of failures (%s): %s",
                          subscription["subscription_id"], subscription["url"], error)
                self.on_paused(subscription, error, now)

    def _record(self, delivery: Any, **values: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(deliveries.update().where(
                deliveries.c.delivery_id == delivery["delivery_id"]).values(**values))


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
