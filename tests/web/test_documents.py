"""Documents served inline to those who may read the dossier, checked against their hash."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

import pytest
from flask.testing import FlaskClient

from tests.support import World, pdf

SignedIn = Callable[[str], FlaskClient]


def attached(world: World, name: str = "Devis plombière.pdf") -> tuple[UUID, UUID]:
    dossier_id = world.submitted()  # filed: officers read it (a draft is the commune's own)
    document_id = world.faps.dossiers.attach(world.agent, dossier_id, "devis", name, pdf("devis"))
    return dossier_id, document_id


@pytest.mark.parametrize("who", ["agent", "officer", "secretariat", "auditor"])
def test_a_document_is_served_inline_with_its_type(signed_in: SignedIn, web_world: World,
                                                   who: str):
    dossier_id, document_id = attached(web_world)
    response = signed_in(who).get(f"/dossiers/{dossier_id}/pieces/{document_id}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf" and response.data == pdf("devis")
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert "filename*=UTF-8''Devis%20plombi%C3%A8re.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_drafts_documents_are_the_communes_own(signed_in: SignedIn, web_world: World):
    dossier_id = web_world.drafted()
    document_id = web_world.faps.dossiers.attach(web_world.agent, dossier_id, "devis", "d.pdf",
                                                 pdf("devis"))
    path = f"/dossiers/{dossier_id}/pieces/{document_id}"
    assert signed_in("agent").get(path).status_code == 200
    assert signed_in("officer").get(path).status_code == 404


def test_another_commune_gets_404(signed_in: SignedIn, web_world: World):
    dossier_id, document_id = attached(web_world)
    response = signed_in("other_agent").get(f"/dossiers/{dossier_id}/pieces/{document_id}")
    assert response.status_code == 404


def test_an_unknown_document_gets_404(signed_in: SignedIn, web_world: World):
    dossier_id, _ = attached(web_world)
    response = signed_in("agent").get(f"/dossiers/{dossier_id}/pieces/{dossier_id}")
    assert response.status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient, web_world: World):
    dossier_id, document_id = attached(web_world)
    assert client.get(f"/dossiers/{dossier_id}/pieces/{document_id}").status_code == 302


def test_an_altered_file_is_never_served(signed_in: SignedIn, web_world: World):
    dossier_id, document_id = attached(web_world)
    ref = web_world.faps.dossiers.load(web_world.agent, dossier_id).documents[document_id]
    web_world.faps.ctx.documents.files[ref.sha256] = b"%PDF-1.4 altered"  # type: ignore[attr-defined]
    response = signed_in("officer").get(f"/dossiers/{dossier_id}/pieces/{document_id}")
    assert response.status_code in (409, 500)
    assert b"altered" not in response.data and "modifié" in response.get_data(as_text=True)
