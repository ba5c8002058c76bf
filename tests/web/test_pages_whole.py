"""Every page whole: the commune's full dossier, its documents, the footer pages, saved views."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from decimal import Decimal
from io import BytesIO
from uuid import UUID

import pytest
from flask.testing import FlaskClient
from pypdf import PdfReader

from faps.application.export_kinds import describe_parameters
from faps.application.reproduction import recorded_exports
from tests.support import World, pdf
from tests.web.test_instruction import post, text_of

SignedIn = Callable[[str], FlaskClient]
FOOTER = ("/mentions-legales", "/accessibilite", "/donnees-personnelles", "/aide")


def paid_and_reduced(world: World) -> UUID:
    """Return an award proposed below the request, voted, paid an advance, then reduced."""
    faps, officer = world.faps, world.officer
    dossier_id = world.assessed(title="Centre de santé du Segrais")
    dossier = faps.dossiers.load(officer, dossier_id)
    assert dossier.assessment is not None
    lower = (dossier.assessment.grant - Decimal("1000.00")).quantize(Decimal("0.01"))
    faps.dossiers.propose(officer, dossier_id, lower,
                          "Plafond annuel de la commune presque atteint.")
    session_id = world.session()
    (item,) = faps.council.add_to_agenda(world.secretariat, session_id, [dossier_id])
    faps.council.record_outcome(world.secretariat, session_id, item, "adoptee", lower,
                                "DEL-2024-001", (50, 3, 2), (52, 55))
    faps.grants.record_municipal_deliberation(world.secretariat, dossier_id, "DCM-2024-12",
                                              world.clock.now().date())
    faps.grants.notify(officer, dossier_id)
    faps.grants.sign_agreement(officer, dossier_id, "CONV-FAPS-2024-01", world.clock.now().date())
    reglement = faps.reglements.get(dossier.reglement_version or "")
    docs = tuple(faps.dossiers.attach(world.agent, dossier_id, k.code, f"{k.code}.pdf",
                                      pdf(k.code)) for k in reglement.documents_at_advance)
    request = faps.grants.request_payment(world.agent, dossier_id, "avance", Decimal("3000.00"),
                                          Decimal("1000.00"), docs)
    faps.grants.make_payment(officer, dossier_id, request, Decimal("3000.00"),
                             world.clock.now().date(), "MANDAT-2024-007")
    faps.grants.reduce(officer, dossier_id, Decimal("40000.00"), "Devis définitifs plus bas.")
    return dossier_id


def test_the_commune_reads_what_it_filed_every_decision_and_its_payments(
    signed_in: SignedIn, web_world: World
):
    dossier_id = paid_and_reduced(web_world)
    dossier = web_world.faps.dossiers.load(web_world.officer, dossier_id)
    page = text_of(signed_in("agent").get(f"/commune/dossiers/{dossier_id}"))
    assert "Travaux d'aménagement" in page or "Travaux" in page  # an expense's category label
    assert "Plan de financement" in page and "ARS Île-de-France" in page
    assert "Part communale" in page
    assert "Plafond annuel de la commune presque atteint." in page  # the officer's motive
    assert "de moins que le montant sollicité" in page
    assert "Réduction de la subvention" in page and "Devis définitifs plus bas." in page
    voted = page.split("Montant attribué</dt><dd>", 1)[1].split("</dd>", 1)[0]
    assert "voté" in voted and "réduit de" in voted  # one amount, the reduction explained
    assert page.count("Montant attribué") == 1
    assert "MANDAT-2024-007" in page and "Avance" in page
    assert "travaux_amenagement" not in page and "proprietaire" not in page
    assert dossier.awarded_amount < (dossier.decision or {})["amount"]


@pytest.mark.parametrize("document, name", [
    ("receipt", "accuse-reception-FAPS-2024-001.pdf"),
    ("notification", "notification-FAPS-2024-001.pdf"),
    ("agreement", "convention-FAPS-2024-001.pdf"),
    ("deliberation", "deliberation-FAPS-2024-001.pdf"),
])
def test_the_commune_downloads_its_documents_each_recorded_like_every_export(
    signed_in: SignedIn, web_world: World, document: str, name: str
):
    dossier_id = paid_and_reduced(web_world)
    agent = signed_in("agent")
    path = f"/commune/dossiers/{dossier_id}"
    response = post(agent, f"{path}/documents/{document}", page=path)
    assert response.status_code == 200, text_of(response)
    assert response.data.startswith(b"%PDF")
    assert name in response.headers["Content-Disposition"]
    (record,) = recorded_exports(web_world.faps.app)
    assert record.file_name == name and record.actor.account_id == web_world.agent.account_id
    if document == "receipt":
        described = describe_parameters(record.parameters)
        assert described.startswith("dossier FAPS-2024-001") and str(dossier_id) not in described
    again = web_world.faps.reproduction.regenerate(web_world.auditor, record.id)
    assert again.ok and again.data == response.data  # rebuilt byte for byte from the log


def test_another_commune_cannot_download_a_dossiers_documents(
    signed_in: SignedIn, web_world: World
):
    dossier_id = paid_and_reduced(web_world)
    other = signed_in("other_agent")
    response = post(other, f"/commune/dossiers/{dossier_id}/documents/receipt",
                    page="/commune/dossiers")
    assert response.status_code == 404
    assert recorded_exports(web_world.faps.app) == []


def test_a_draft_has_no_receipt(signed_in: SignedIn, web_world: World):
    dossier_id = web_world.drafted()
    response = post(signed_in("agent"), f"/commune/dossiers/{dossier_id}/documents/receipt",
                    page="/commune/dossiers")
    assert response.status_code == 422
    assert "pas déposé" in text_of(response)


@pytest.mark.parametrize("path", FOOTER)
def test_the_footer_pages_are_public_and_linked_from_every_page(client: FlaskClient, path: str):
    response = client.get(path)
    assert response.status_code == 200
    page = text_of(response)
    for linked in FOOTER:
        assert f'href="{linked}"' in page
    assert "Accessibilité : partiellement conforme" in page


def test_the_footer_pages_take_their_text_from_the_settings(web_world: World):
    from faps.web import create_app

    settings = web_world.faps.settings.model_copy(update={
        "contact_email": "faps@agglo-pvm.fr", "accessibility_status": "totalement conforme",
        "data_retention": "cinq ans après la clôture"})
    web_world.faps.settings = settings
    client = create_app({"TESTING": True}, faps=web_world.faps).test_client()
    assert "faps@agglo-pvm.fr" in text_of(client.get("/aide"))
    assert "totalement conforme" in text_of(client.get("/accessibilite"))
    assert "Cinq ans après la clôture" in text_of(client.get("/donnees-personnelles"))


def test_a_saved_view_keeps_every_filter_of_the_form_applied_or_not(signed_in: SignedIn):
    officer = signed_in("officer")
    response = officer.post("/instruction/vues", data={
        "name": "Déposés de Lognes", "state": ["depose", "complet"], "commune": "77258",
        "csrf_token": text_of(officer.get("/instruction/")).split(
            'name="csrf_token" value="', 1)[1].split('"', 1)[0]})
    assert response.status_code == 302
    page = text_of(officer.get("/instruction/"))
    link = page.split('">Déposés de Lognes</a>', 1)[0].rsplit('href="', 1)[1]
    assert link.endswith("?state=depose&amp;state=complet&amp;commune=77258")
    shown = text_of(officer.get(link.replace("&amp;", "&")))
    assert 'value="depose" checked' in shown and 'value="complet" checked' in shown
    assert 'value="77258" selected' in shown


def test_the_filter_form_shows_the_inbox_with_every_checked_state(signed_in: SignedIn):
    officer = signed_in("officer")
    response = post(officer, "/instruction/filtres", {"state": ["depose", "attribue"], "q": "x"})
    assert response.status_code == 302
    assert response.location.endswith("/instruction/?state=depose&state=attribue&q=x")


def test_a_view_without_a_name_keeps_the_checked_states_on_the_error(signed_in: SignedIn):
    response = post(signed_in("officer"), "/instruction/vues", {"name": "", "state": ["complet"]})
    assert response.status_code == 400
    page = text_of(response)
    assert 'value="complet" checked' in page and 'value="depose" checked' not in page


def test_the_receipt_lists_the_documents_received_at_filing_not_those_sent_later(
    signed_in: SignedIn, web_world: World
):
    dossier_id = paid_and_reduced(web_world)  # payment documents were attached after filing
    agent = signed_in("agent")
    page = text_of(agent.get(f"/commune/dossiers/{dossier_id}/accuse-de-reception"))
    received = page.split("Pièces reçues au dépôt", 1)[1].split("</ul>", 1)[0]
    assert "devis.pdf" in received and "attestation_demarrage.pdf" not in received
    path = f"/commune/dossiers/{dossier_id}"
    pdf_text = PdfReader(BytesIO(post(agent, f"{path}/documents/receipt", page=path).data)) \
        .pages[0].extract_text()
    assert "devis.pdf" in pdf_text and "attestation_demarrage.pdf" not in pdf_text
    assert "à confirmer" not in pdf_text


def test_a_lapsed_grant_explains_its_lower_amount_and_its_motive(
    signed_in: SignedIn, web_world: World
):
    dossier_id = web_world.awarded()
    web_world.faps.grants.lapse(web_world.officer, dossier_id,
                                "Travaux non commencés dans le délai du règlement.")
    page = text_of(signed_in("agent").get(f"/commune/dossiers/{dossier_id}"))
    attributed = page.split("Montant attribué</dt><dd>", 1)[1].split("</dd>", 1)[0]
    assert attributed.startswith("0,00 €") and "voté : 30 000,00 €" in attributed
    assert "30 000,00 € non versés annulés par la caducité" in attributed
    assert "Travaux non commencés dans le délai du règlement." in page


@pytest.mark.parametrize("path", FOOTER)
def test_the_footer_pages_use_typographic_apostrophes(client: FlaskClient, path: str):
    visible = html.unescape(re.sub(r"<script.*?</script>|<[^>]+>", " ",
                                   client.get(path).get_data(as_text=True), flags=re.S))
    assert not re.findall(r"\w'\w", visible)  # « d’agglomération », never « d'agglomération »
