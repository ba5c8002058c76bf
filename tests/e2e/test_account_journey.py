"""Mon compte in a real browser: change one's password, then forget it and use the mailed link."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, shot, sign_in_page
from tests.support import PASSWORD

CHANGED = "le héron pêche au bord de la Marne"
RESET = "trois pommes vertes sur la table"
NEW_LABEL = re.compile(r"^Nouveau mot de passe\W*$")


def reset_link(live_server: LiveServer, email: str) -> str:
    """Return the path of the last reset link mailed to an address."""
    live_server.world.faps.followers.settle()  # the server's thread queues the events' mails
    outbox = live_server.world.faps.mailer.outbox
    bodies = [m["body"] for m in outbox.sent() + outbox.pending() if m["recipients"] == email]
    match = re.search(r"https?://[^/\s]+(/mot-de-passe/\S+)", bodies[-1])
    assert match, bodies[-1]
    return match.group(1)


def sign_out(page: Any) -> None:
    """Click « Se déconnecter » in the header."""
    page.get_by_role("button", name="Se déconnecter", exact=True).click()
    page.wait_for_load_state()


def test_a_person_changes_the_password_then_resets_it_by_a_mailed_link(
        new_page: Callable[[], Any], live_server: LiveServer):
    email = live_server.world.secretariat.email
    page, elsewhere = new_page(), new_page()
    sign_in_page(elsewhere, email)  # another browser, signed in all along
    sign_in_page(page, email)
    page.get_by_role("link", name="Mon compte").click()
    expect(page.get_by_role("heading", name="Mon compte", exact=True)).to_be_visible()
    expect(page.get_by_text("2\u00a0sessions sont ouvertes")).to_be_visible()
    shot(page, "compte-01-mon-compte")

    page.get_by_label("Mot de passe actuel").fill("pas le bon mot de passe")
    page.get_by_label(NEW_LABEL).fill(CHANGED)
    page.get_by_label("Nouveau mot de passe, une seconde fois").fill(CHANGED)
    page.get_by_role("button", name="Changer le mot de passe").click()
    expect(page.get_by_text("mot de passe actuel incorrect").first).to_be_visible()
    page.get_by_label("Mot de passe actuel").fill(PASSWORD)
    page.get_by_label(NEW_LABEL).fill(CHANGED)
    page.get_by_label("Nouveau mot de passe, une seconde fois").fill(CHANGED)
    page.get_by_role("button", name="Changer le mot de passe").click()
    changed = page.get_by_text("Mot de passe modifié. Vos autres sessions sont fermées.")
    expect(changed).to_be_visible()
    expect(page.get_by_text("Une seule session est ouverte\u202f: celle-ci.")).to_be_visible()
    shot(page, "compte-02-mot-de-passe-change")
    elsewhere.goto("/mon-compte")
    assert "/connexion" in elsewhere.url  # the other browser's session ended with the change

    sign_out(page)
    page.get_by_role("link", name="Mot de passe oublié").click()
    page.get_by_label("Adresse électronique").fill(email)
    shot(page, "compte-03-mot-de-passe-oublie")
    page.get_by_role("button", name="Recevoir un lien").click()
    expect(page.get_by_text("Si un compte actif correspond à cette adresse")).to_be_visible()
    shot(page, "compte-04-lien-envoye")

    link = reset_link(live_server, email)
    page.goto(link)
    page.get_by_label(NEW_LABEL).fill(RESET)
    page.get_by_label("Nouveau mot de passe, une seconde fois").fill(RESET)
    shot(page, "compte-05-nouveau-mot-de-passe")
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(page.get_by_text("Mot de passe enregistré")).to_be_visible()

    page.goto(link)
    expect(page.get_by_text("Ce lien a expiré ou a déjà servi.")).to_be_visible()
    shot(page, "compte-06-lien-deja-servi")
    page.goto("/connexion")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label(re.compile(r"^Mot de passe\W*$")).fill(CHANGED)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_text("Adresse ou mot de passe incorrect.")).to_be_visible()
    sign_in_page(page, email, RESET)
    expect(page.get_by_role("link", name="Mon compte")).to_be_visible()
