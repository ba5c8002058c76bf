"""The commune's space: list, draft, editor, documents, submission, receipt, answers."""

from __future__ import annotations

import re
from collections.abc import Callable
from io import BytesIO
from uuid import UUID

import pytest
from flask.testing import FlaskClient

from tests.support import FILING_KINDS, World, pdf
from tests.web.conftest import csrf_of
from tests.web.test_instruction import text_of

SignedIn = Callable[[str], FlaskClient]


def version_on(page: str) -> str:
    match = re.search(r'name="expected_version" value="(\d+)"', page)
    assert match
    return match.group(1)


def test_the_list_shows_only_the_communes_dossiers_with_badges_and_amounts(
    signed_in: SignedIn, web_world: World
):
    web_world.drafted(title="Cabinet médical de Lognes", requested_amount="12345.67")
    web_world.faps.dossiers.draft(web_world.other_agent, "77108", {"title": "Projet de Chelles"})
    page = signed_in("agent").get("/commune/dossiers").get_data(as_text=True)
    assert "Cabinet médical de Lognes" in page and "Projet de Chelles" not in page
    assert "12\u202f345,67\xa0€" in page and "Brouillon" in page


def test_an_empty_list_says_how_to_start(signed_in: SignedIn):
    page = signed_in("agent").get("/commune/dossiers").get_data(as_text=True)
    assert "aucun dossier" in page and "/commune/dossiers/nouveau" in page


@pytest.mark.parametrize("who", ["officer", "secretariat", "auditor", "admin"])
def test_other_roles_are_refused_the_commune_space(signed_in: SignedIn, who: str):
    assert signed_in(who).get("/commune/dossiers").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient):
    response = client.get("/commune/dossiers")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_a_draft_is_created_then_filled_in_the_editor(signed_in: SignedIn, web_world: World):
    browser = signed_in("agent")
    token = csrf_of(browser, "/commune/dossiers/nouveau")
    created = browser.post("/commune/dossiers/nouveau", data={"title": "Maison de santé",
                                                              "csrf_token": token})
    assert created.status_code == 302 and created.headers["Location"].endswith("/modifier")
    editor = created.headers["Location"]
    page = browser.get(editor).get_data(as_text=True)
    saved = browser.post(editor, data={
        "csrf_token": token, "expected_version": version_on(page), "action": "save",
        "title": "Maison de santé", "premises_tenure": "locataire",
        "health_activity": "true", "works_started": "false",
        "expenses[0].label": "Cloisons", "expenses[0].category": "travaux_amenagement",
        "expenses[0].amount_ht": "80 000,00", "expenses[0].vat": "16 000",
        "public_funding[0].funder": "ARS", "public_funding[0].amount": "20000",
        "requested_amount": "30 000,00"})
    assert saved.status_code == 302
    dossier_id = UUID(editor.split("/")[-2])
    content = web_world.faps.dossiers.load(web_world.agent, dossier_id).content
    assert str(content.expenses[0].amount_ht) == "80000.00"
    assert str(content.requested_amount) == "30000.00"
    again = browser.get(editor).get_data(as_text=True)
    assert "80\u202f000,00" in again and "96\u202f000,00\xa0€ TTC" in again


def test_adding_a_line_saves_and_shows_one_more_empty_row(signed_in: SignedIn, web_world: World):
    dossier_id = web_world.drafted()
    browser = signed_in("agent")
    editor = f"/commune/dossiers/{dossier_id}/modifier"
    page = browser.get(editor).get_data(as_text=True)
    assert 'name="expenses[2].label"' not in page
    form = {"csrf_token": csrf_of(browser, editor), "expected_version": version_on(page),
            "action": "add_expenses", "title": "Nouveau titre", "premises_tenure": "locataire",
            "requested_amount": "40000", "expenses[0].label": "Cloisons",
            "expenses[0].category": "travaux_amenagement", "expenses[0].amount_ht": "1000"}
    response = browser.post(editor, data=form)
    assert response.status_code == 302
    more = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert 'name="expenses[1].label"' in more and 'name="expenses[2].label"' not in more
    saved = web_world.faps.dossiers.load(web_world.agent, dossier_id).content
    assert saved.title == "Nouveau titre" and len(saved.expenses) == 1


def test_errors_come_back_next_to_their_field_with_the_input_kept(
    signed_in: SignedIn, web_world: World
):
    dossier_id = web_world.drafted()
    browser = signed_in("agent")
    editor = f"/commune/dossiers/{dossier_id}/modifier"
    page = browser.get(editor).get_data(as_text=True)
    response = browser.post(editor, data={
        "csrf_token": csrf_of(browser, editor), "expected_version": version_on(page),
        "title": "Titre gardé", "premises_tenure": "locataire",
        "expenses[0].label": "Cloisons", "expenses[0].category": "travaux_amenagement",
        "expenses[0].amount_ht": "douze", "requested_amount": "1000"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="e-expenses[0].amount_ht"' in body and 'value="douze"' in body
    assert 'value="Titre gardé"' in body
    assert web_world.faps.dossiers.load(web_world.agent, dossier_id).content.title != "Titre gardé"


def test_a_stale_version_is_refused_with_409_and_nothing_is_overwritten(
    signed_in: SignedIn, web_world: World
):
    dossier_id = web_world.drafted(title="Version A")
    browser = signed_in("agent")
    editor = f"/commune/dossiers/{dossier_id}/modifier"
    seen = version_on(browser.get(editor).get_data(as_text=True))
    web_world.faps.dossiers.edit(web_world.agent, dossier_id, {"title": "Version B"})
    response = browser.post(editor, data={
        "csrf_token": csrf_of(browser, editor), "expected_version": seen,
        "title": "Version C", "premises_tenure": "locataire", "requested_amount": "1000"})
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Ce dossier a été modifié, voici la nouvelle version" in body
    assert 'value="Version C"' in body and "Version B" in body
    assert version_on(body) != seen
    assert web_world.faps.dossiers.load(web_world.agent, dossier_id).content.title == "Version B"


def test_another_communes_dossier_answers_404(signed_in: SignedIn, web_world: World):
    dossier_id = web_world.drafted()
    browser = signed_in("other_agent")
    assert browser.get(f"/commune/dossiers/{dossier_id}").status_code == 404
    assert browser.get(f"/commune/dossiers/{dossier_id}/modifier").status_code == 404
    token = csrf_of(browser, "/commune/dossiers")
    upload = browser.post(f"/commune/dossiers/{dossier_id}/pieces", data={
        "csrf_token": token, "kind": "devis", "file": (BytesIO(pdf()), "devis.pdf")})
    assert upload.status_code == 404


def test_posts_without_the_csrf_token_are_refused(signed_in: SignedIn, web_world: World):
    dossier_id = web_world.drafted()
    browser = signed_in("agent")
    for path, data in [("/commune/dossiers/nouveau", {"title": "X"}),
                       (f"/commune/dossiers/{dossier_id}/modifier", {"expected_version": "1"}),
                       (f"/commune/dossiers/{dossier_id}/depot", {"confirm": "oui"}),
                       (f"/commune/dossiers/{dossier_id}/reponse", {"message": "x"})]:
        assert browser.post(path, data=data).status_code == 400, path


def test_documents_are_uploaded_against_the_checklist(signed_in: SignedIn, web_world: World):
    dossier_id = web_world.drafted()
    browser = signed_in("agent")
    page = f"/commune/dossiers/{dossier_id}"
    checklist = browser.get(page).get_data(as_text=True)
    assert checklist.count("(manquante)") == len(FILING_KINDS)
    response = browser.post(f"{page}/pieces", data={
        "csrf_token": csrf_of(browser, page), "kind": "devis",
        "file": (BytesIO(pdf("devis")), "devis-plombier.pdf")})
    assert response.status_code == 302
    body = browser.get(page).get_data(as_text=True)
    assert "devis-plombier.pdf" in body
    assert len(web_world.faps.dossiers.load(web_world.agent, dossier_id).documents) == 1


def test_a_non_pdf_renamed_pdf_is_refused_next_to_the_file_field(
    signed_in: SignedIn, web_world: World
):
    dossier_id = web_world.drafted()
    browser = signed_in("agent")
    page = f"/commune/dossiers/{dossier_id}"
    response = browser.post(f"{page}/pieces", data={
        "csrf_token": csrf_of(browser, page), "kind": "devis",
        "file": (BytesIO(b"MZ\x90\x00 not a pdf"), "devis.pdf")})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="e-file"' in body and "ni un PDF" in body
    assert not web_world.faps.dossiers.load(web_world.agent, dossier_id).documents


def test_submission_needs_confirmation_then_gives_a_dated_receipt(
    signed_in: SignedIn, web_world: World
):
    dossier_id = web_world.drafted()
    for kind in FILING_KINDS:
        web_world.faps.dossiers.attach(web_world.agent, dossier_id, kind, f"{kind}.pdf", pdf(kind))
    browser = signed_in("agent")
    page = f"/commune/dossiers/{dossier_id}"
    body = browser.get(page).get_data(as_text=True)
    unconfirmed = browser.post(f"{page}/depot", data={
        "csrf_token": csrf_of(browser, page), "expected_version": version_on(body)})
    assert unconfirmed.status_code == 400
    assert "cochez la case" in unconfirmed.get_data(as_text=True)
    submitted = browser.post(f"{page}/depot", data={
        "csrf_token": csrf_of(browser, page), "expected_version": version_on(body),
        "confirm": "oui"})
    assert submitted.status_code == 302 and submitted.headers["Location"].endswith(
        "/accuse-de-reception")
    receipt = browser.get(submitted.headers["Location"]).get_data(as_text=True)
    assert "FAPS-2024-" in receipt and "05/02/2024" in receipt and "5 février 2024" in receipt


def test_the_receipt_of_a_draft_does_not_exist(signed_in: SignedIn, web_world: World):
    dossier_id = web_world.drafted()
    assert signed_in("agent").get(
        f"/commune/dossiers/{dossier_id}/accuse-de-reception").status_code == 404


def test_the_commune_answers_an_information_request(signed_in: SignedIn, web_world: World):
    dossier_id = web_world.submitted()
    web_world.faps.dossiers.request_information(web_world.officer, dossier_id,
                                                "Précisez le calendrier des travaux.")
    browser = signed_in("agent")
    page = f"/commune/dossiers/{dossier_id}"
    assert "Précisez le calendrier" in browser.get(page).get_data(as_text=True)
    empty = browser.post(f"{page}/reponse", data={"csrf_token": csrf_of(browser, page),
                                                  "message": ""})
    assert empty.status_code == 400 and 'id="e-message"' in empty.get_data(as_text=True)
    summary = empty.get_data(as_text=True).split('id="error-summary"')[1].split("</div>")[0]
    assert "Votre réponse</a>" in summary and ">Message</a>" not in summary
    answered = browser.post(f"{page}/reponse", data={"csrf_token": csrf_of(browser, page),
                                                     "message": "Début en juin."})
    assert answered.status_code == 302
    dossier = web_world.faps.dossiers.load(web_world.agent, dossier_id)
    assert dossier.state.value == "depose"
    assert "Début en juin." in browser.get(page).get_data(as_text=True)


def test_the_commune_withdraws_its_request_with_a_motive(signed_in: SignedIn, web_world: World):
    dossier_id = web_world.submitted()
    browser = signed_in("agent")
    page = f"/commune/dossiers/{dossier_id}"
    empty = browser.post(f"{page}/retrait", data={"csrf_token": csrf_of(browser, page),
                                                  "motive": ""})
    assert empty.status_code == 400 and 'id="e-withdraw-motive"' in empty.get_data(as_text=True)
    unconfirmed = browser.post(f"{page}/retrait", data={
        "csrf_token": csrf_of(browser, page), "motive": "Projet abandonné par le médecin."})
    assert unconfirmed.status_code == 400
    assert 'id="e-withdraw-confirm"' in unconfirmed.get_data(as_text=True)
    done = browser.post(f"{page}/retrait", data={"csrf_token": csrf_of(browser, page),
                                                 "motive": "Projet abandonné par le médecin.",
                                                 "confirm": "oui"})
    assert done.status_code == 302
    dossier = web_world.faps.dossiers.load(web_world.agent, dossier_id)
    assert dossier.state.value == "retire"
    assert "Retirer la demande" not in browser.get(page).get_data(as_text=True)
    other = signed_in("other_agent")
    token = csrf_of(other, "/commune/dossiers")
    assert other.post(f"{page}/retrait", data={"csrf_token": token, "motive": "x" * 10,
                                               "confirm": "oui"}).status_code == 404


def test_the_councils_decision_is_shown_in_french(signed_in: SignedIn, web_world: World):
    dossier_id = web_world.awarded()
    page = text_of(signed_in("agent").get(f"/commune/dossiers/{dossier_id}"))
    decision = page.split("Décision du conseil", 1)[1].split("</section>", 1)[0]
    assert "Adoptée le 05/02/2024" in decision  # the session held the day of filing
    assert "DEL-2024-001" in decision and "50 pour, 3 contre, 2 abstentions" in decision
    assert "Montant voté" in decision and "30 000,00 €" in decision
    assert "_" not in decision and "Session id" not in decision


@pytest.mark.parametrize("funder",
                         ["Commune de Lognes", "Lognes", "Ville de Lognes", "Autofinancement"])
def test_the_commune_listed_as_its_own_public_funder_is_warned(
    signed_in: SignedIn, web_world: World, funder: str
):
    dossier_id = web_world.drafted(public_funding=[
        {"funder": "ARS Île-de-France", "amount": "20000.00"},
        {"funder": funder, "amount": "10000.00"}])
    browser = signed_in("agent")
    for path in (f"/commune/dossiers/{dossier_id}", f"/commune/dossiers/{dossier_id}/modifier"):
        page = browser.get(path).get_data(as_text=True)
        assert 'id="part-communale-en-public"' in page, path
        warning = page.split('id="part-communale-en-public">')[1].split("</p>")[0]
        assert warning.startswith(funder) and "ARS" not in warning
        assert "n’est pas un financement public" in warning


def test_other_public_funders_raise_no_warning(signed_in: SignedIn, web_world: World):
    dossier_id = web_world.drafted(public_funding=[
        {"funder": "ARS Île-de-France", "amount": "20000.00"},
        {"funder": "Communauté de communes voisine", "amount": "1000.00"},
        {"funder": "Département de Seine-et-Marne", "amount": "5000.00"}])
    page = signed_in("agent").get(f"/commune/dossiers/{dossier_id}").get_data(as_text=True)
    assert "part-communale-en-public" not in page and "Part communale" in page


def test_a_small_piece_shows_its_size_in_bytes_not_zero_ko(signed_in: SignedIn, web_world: World):
    dossier_id = web_world.drafted()
    content = pdf("délibération")
    web_world.faps.dossiers.attach(web_world.agent, dossier_id, "devis", "devis.pdf", content)
    page = signed_in("agent").get(f"/commune/dossiers/{dossier_id}").get_data(as_text=True)
    assert f"{len(content)}\xa0octets" in page and "0,0 Ko" not in page
