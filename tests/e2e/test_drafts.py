"""Issue 12, point 8 in a real browser: a draft belongs to the commune until it is filed.

Officers do not see it (pages and API); the commune deletes it, after a confirmation, instead
of « Retirer la demande ».
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, shot


def test_a_draft_is_the_communes_own_and_can_be_deleted(
    new_page: Callable[[], Any], login: Callable[[Any, str], None], live_server: LiveServer
):
    agent, officer = new_page(), new_page()
    login(agent, "agent")
    login(officer, "officer")
    agent.get_by_role("link", name="Nouveau dossier").click()
    agent.get_by_label("Objet de l’opération").fill("Projet de cabinet abandonné")
    agent.get_by_role("button", name="Créer le brouillon").click()
    dossier_path = agent.url.removesuffix("/modifier")
    dossier_id = dossier_path.rsplit("/", 1)[1]

    # Officers read nothing of it: not on their pages, not in the API.
    officer.goto("/instruction/")
    assert "Projet de cabinet abandonné" not in officer.content()
    assert officer.request.get(f"/instruction/dossiers/{dossier_id}").status == 404
    assert officer.request.get("/api/v1/dossiers").json()["items"] == []

    # The commune deletes it: no withdrawal of a request never filed, and a confirmation first.
    agent.goto(dossier_path)
    expect(agent.get_by_role("heading", name="Retirer la demande")).to_have_count(0)
    section = agent.locator("section", has=agent.locator("#suppression"))
    shot(agent, "brouillon-01-supprimer")
    section.get_by_role("button", name="Supprimer le brouillon").click()
    assert "cochez la case" in agent.locator("#e-delete-confirm").inner_text()
    agent.get_by_label("Je confirme la suppression définitive de ce brouillon.").check()
    agent.get_by_role("button", name="Supprimer le brouillon").click()
    agent.get_by_text("Brouillon supprimé.").wait_for()
    assert "Projet de cabinet abandonné" not in agent.content()
    assert agent.request.get(dossier_path).status == 404
    shot(agent, "brouillon-02-supprime")
