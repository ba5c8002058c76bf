"""Administration › Webhooks: subscribe a URL (secret shown once), delivery log, redeliver."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Blueprint, flash, render_template, request

from faps.application.event_catalogue import WEBHOOK_TYPE_LABELS
from faps.domain.actors import Role
from faps.domain.errors import InvalidInputError, NotFoundError
from faps.infrastructure.webhooks import all_event_types
from faps.web.common import form_view, redirect_to, roles_required, services

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")
TYPES = all_event_types()
TYPE_LABELS = WEBHOOK_TYPE_LABELS  # each type with its event's label, for subscribers


def _context() -> dict[str, Any]:
    return {"subscriptions": services().webhooks.subscriptions(), "types": TYPES,
            "type_labels": TYPE_LABELS, "created": None}


@bp.get("")
@roles_required(Role.ADMINISTRATOR)
def index():  # type: ignore[no-untyped-def]
    """List the subscriptions and offer a new one."""
    return render_template("admin/webhooks.html", errors={}, form={}, **_context())


@bp.post("")
@roles_required(Role.ADMINISTRATOR)
@form_view("admin/webhooks.html", lambda: _context())
def subscribe():  # type: ignore[no-untyped-def]
    """Subscribe a URL; show its secret this once."""
    url = request.form.get("url", "").strip()
    if not 8 <= len(url) <= 2000:
        raise InvalidInputError({"url": ["URL https complète attendue"]})
    types = [t for t in request.form.getlist("event_types") if t in TYPES]
    subscription_id, secret = services().webhooks.subscribe(url, types)
    context = {**_context(), "created": {"id": subscription_id, "secret": secret}}
    return render_template("admin/webhooks.html", errors={}, form={}, **context)


def _subscription(subscription_id: UUID) -> Any:
    found = [s for s in services().webhooks.subscriptions()
             if s["subscription_id"] == subscription_id]
    if not found:
        raise NotFoundError("Abonnement introuvable.")
    return found[0]


@bp.get("/<uuid:subscription_id>")
@roles_required(Role.ADMINISTRATOR)
def deliveries(subscription_id: UUID):  # type: ignore[no-untyped-def]
    """Show a subscription's delivery log."""
    return render_template("admin/webhook.html", subscription=_subscription(subscription_id),
                           deliveries=services().webhooks.deliveries(subscription_id))


@bp.post("/<uuid:subscription_id>/envois/<uuid:delivery_id>/renvoi")
@roles_required(Role.ADMINISTRATOR)
def redeliver(subscription_id: UUID, delivery_id: UUID):  # type: ignore[no-untyped-def]
    """Put a delivery back in the queue."""
    _subscription(subscription_id)
    services().webhooks.redeliver(delivery_id)
    flash("Envoi remis dans la file : il part au prochain passage de l’expéditeur.", "success")
    return redirect_to("webhooks.deliveries", subscription_id=subscription_id)


@bp.post("/<uuid:subscription_id>/reprise")
@roles_required(Role.ADMINISTRATOR)
def resume(subscription_id: UUID):  # type: ignore[no-untyped-def]
    """Resume a paused subscription."""
    _subscription(subscription_id)
    services().webhooks.resume(subscription_id)
    flash("Abonnement repris : les envois en attente repartent.", "success")
    return redirect_to("webhooks.deliveries", subscription_id=subscription_id)
