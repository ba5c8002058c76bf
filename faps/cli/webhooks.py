"""`faps webhooks`: subscriptions (administrators, from the server) and the sender."""

from __future__ import annotations

import logging
import threading
import time
from uuid import UUID

import click

from faps.bootstrap import Faps
from faps.cli.support import INPUT_ERROR, fail, opened
from faps.infrastructure.webhooks import all_event_types
from faps.web.formatting import datetime_fr

log = logging.getLogger("faps.webhooks")


@click.group(help="Webhooks signés (Standard Webhooks). L’accès au serveur vaut droit "
             "d’administration.")
def webhooks() -> None:
    """Manage webhook subscriptions and run the sender."""


def _uuid(text: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        fail("Identifiant invalide.", INPUT_ERROR)
        raise


@webhooks.command("subscribe", help="Abonne une URL à des types d’événements (séparés par des "
                  "virgules) et affiche son secret, une seule fois. Types : "
                  + ", ".join(all_event_types()) + ".")
@click.argument("url")
@click.option("--events", required=True, help="Types d’événements, séparés par des virgules.")
def subscribe(url: str, events: str) -> None:
    """Subscribe a URL; print its secret once."""
    with opened() as faps:
        types = [e.strip() for e in events.split(",") if e.strip()]
        subscription_id, secret = faps.webhooks.subscribe(url, types)
        click.echo(f"Abonnement {subscription_id} créé. Son secret ne sera plus "
                   "affiché\u202f:", err=True)
        click.echo(secret)


@webhooks.command("list", help="Liste les abonnements (jamais leur secret).")
def list_subscriptions() -> None:
    """Print the subscriptions."""
    with opened() as faps:
        rows = faps.webhooks.subscriptions()
        if not rows:
            click.echo("Aucun abonnement.")
        for row in rows:
            state = f"en pause depuis le {datetime_fr(row['paused_at'])}" if row["paused_at"] \
                else "actif"
            click.echo(f"{row['subscription_id']}  {row['url']}  [{row['event_types']}]  {state}")


@webhooks.command("deliveries", help="Journal des envois d’un abonnement.")
@click.argument("subscription_id")
def list_deliveries(subscription_id: str) -> None:
    """Print a subscription's delivery log."""
    with opened() as faps:
        for row in faps.webhooks.deliveries(_uuid(subscription_id)):
            code = row["last_status_code"] or "—"
            click.echo(f"{row['delivery_id']}  {row['event_type']:<36} {row['status']:<9} "
                       f"essais : {row['attempts']}  réponse : {code}  "
                       f"{row['last_error'] or ''}")


@webhooks.command("redeliver", help="Renvoie un envoi (par son identifiant webhook-id).")
@click.argument("delivery_id")
def redeliver(delivery_id: str) -> None:
    """Send a delivery again."""
    with opened() as faps:
        faps.webhooks.redeliver(_uuid(delivery_id))
        click.echo("Envoi remis dans la file.")


@webhooks.command("resume", help="Reprend un abonnement mis en pause.")
@click.argument("subscription_id")
def resume(subscription_id: str) -> None:
    """Resume a paused subscription."""
    with opened() as faps:
        faps.webhooks.resume(_uuid(subscription_id))
        click.echo("Abonnement repris.")


def send_webhooks(faps: Faps, interval: float, stop: threading.Event) -> None:
    """Queue and send webhook deliveries until `stop` is set (errors logged, then retried)."""
    hooks = faps.webhooks
    while not stop.is_set():
        try:
            hooks.enqueue()
            hooks.send_due()
        except Exception:
            log.exception("Webhook sender failed; retrying")
        stop.wait(interval)


def _count(count: int) -> str:
    return "aucun envoi" if not count else f"{count} envoi{'s' if count > 1 else ''}"


@webhooks.command("deliver", help="Envoie les webhooks : suit le journal et envoie, en boucle "
                  "(--once : une passe puis s’arrête).")
@click.option("--once", is_flag=True, help="Une seule passe.")
@click.option("--interval", default=1.0, type=click.FloatRange(0.1, 60),
              help="Secondes entre deux passes.")
def deliver(once: bool, interval: float) -> None:
    """Follow the log and send the deliveries."""
    with opened() as faps:
        hooks = faps.webhooks
        while True:
            queued = hooks.enqueue()
            sent, failed = hooks.send_due()
            if once:
                click.echo(f"Mis en file\u202f: {_count(queued)}\u202f; réussis\u202f: "
                           f"{_count(sent)}\u202f; en échec\u202f: {_count(failed)}.")
                return
            time.sleep(interval)
