"""Administration › Webhooks: an administrator subscribes (secret once), reads the log."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient

from faps.infrastructure.webhooks import WebhookRules
from tests.support import World
from tests.web.conftest import csrf_of

SignedIn = Callable[[str], FlaskClient]


def test_an_administrator_subscribes_and_sees_the_delivery_log(
    signed_in: SignedIn, web_world: World
):
    hooks = web_world.faps.webhooks
    hooks.rules = WebhookRules(allow_http=True, allowed_hosts=frozenset({"127.0.0.1"}))
    admin = signed_in("admin")
    assert "Webhooks" in admin.get("/admin/webhooks").get_data(as_text=True)
    page = admin.post("/admin/webhooks", data={
        "csrf_token": csrf_of(admin, "/admin/webhooks"), "url": "http://127.0.0.1:9/recu",
        "event_types": ["dossier.submitted", "payment.made"]}).get_data(as_text=True)
    secret = re.search(r'id="secret" class="secret-token" type="text" readonly value="([^"]+)"',
                       page)
    assert secret and secret.group(1).startswith("whsec_")
    (row,) = hooks.subscriptions()
    assert row["event_types"] == "dossier.submitted payment.made"
    web_world.submitted()
    hooks.enqueue()
    hooks.send_due()  # nothing listens on port 9: a failure, logged
    log = admin.get(f"/admin/webhooks/{row['subscription_id']}").get_data(as_text=True)
    assert "dossier.submitted" in log and "En attente" in log
    assert secret.group(1) not in admin.get("/admin/webhooks").get_data(as_text=True)


def test_a_private_address_is_refused_with_the_field_named(signed_in: SignedIn):
    admin = signed_in("admin")
    response = admin.post("/admin/webhooks", data={
        "csrf_token": csrf_of(admin, "/admin/webhooks"), "url": "https://127.0.0.1/recu",
        "event_types": ["dossier.submitted"]})
    assert response.status_code == 400
    assert "réseau privé" in response.get_data(as_text=True)


def test_webhooks_are_for_administrators_only(signed_in: SignedIn):
    assert signed_in("officer").get("/admin/webhooks").status_code == 403


def test_a_refused_subscription_names_its_fields_by_their_labels_and_keeps_the_choices(
        signed_in: SignedIn):
    admin = signed_in("admin")
    token = csrf_of(admin, "/admin/webhooks")
    none = admin.post("/admin/webhooks", data={"csrf_token": token,
                                               "url": "https://127.0.0.1/recu"})
    text = none.get_data(as_text=True)
    assert none.status_code == 400 and "cochez au moins un événement" in text
    assert "Événements</a>" in text and "event types" not in text and "event_types :" not in text
    private = admin.post("/admin/webhooks", data={
        "csrf_token": token, "url": "https://127.0.0.1/recu", "event_types": ["dossier.voted"]})
    text = private.get_data(as_text=True)
    assert "Adresse de réception (https)</a>" in text and "url :" not in text
    assert 'value="dossier.voted" checked' in text
