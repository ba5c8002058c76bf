"""The finance officer's space: inbox, saved views, bulk assignment, the dossier page."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from flask.testing import FlaskClient

from faps.domain.actors import Role
from faps.domain.dossier_content import DossierState
from tests.support import PASSWORD, World
from tests.web.conftest import csrf_of, sign_in

SignedIn = Callable[[str], FlaskClient]


def post(client: FlaskClient, path: str, data: dict | None = None, page: str = "/instruction/"):  # type: ignore[no-untyped-def]
    """Post a form with the CSRF token of the session."""
    return client.post(path, data={**(data or {}), "csrf_token": csrf_of(client, page)})


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    return str(response.get_data(as_text=True)).replace("\u202f", " ").replace("\xa0", " ")


def sign_in_as(signed_in: SignedIn, email: str):  # type: ignore[no-untyped-def]
    """Return the inbox as another officer sees it."""
    client = signed_in("officer")
    client.post("/deconnexion", data={"csrf_token": csrf_of(client, "/instruction/")})
    sign_in(client, email)
    return client.get("/instruction/")


def test_the_inbox_lists_dossiers_for_officers_only(signed_in: SignedIn, web_world: World):
    dossier_id = web_world.submitted()
    reference = web_world.faps.dossiers.load(web_world.officer, dossier_id).reference
    page = signed_in("officer").get("/instruction/")
    assert page.status_code == 200 and reference in text_of(page)
    for who in ("agent", "secretariat", "auditor", "admin"):
        assert signed_in(who).get("/instruction/").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient):
    response = client.get("/instruction/")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_the_inbox_filters_by_state_and_text_and_sorts(signed_in: SignedIn, web_world: World):
    submitted = web_world.submitted(title="Cabinet infirmier des Arcades")
    web_world.assessed(title="Maison de santé du Mandinet")
    officer = signed_in("officer")
    by_state = text_of(officer.get("/instruction/?state=depose"))
    assert "Arcades" in by_state and "Mandinet" not in by_state
    by_text = text_of(officer.get("/instruction/?q=Mandinet&sort=reference"))
    assert "Mandinet" in by_text and "Arcades" not in by_text
    assert "▲" in by_text
    assert officer.get("/instruction/?sort=nonsense&page=x&year=abc").status_code == 200
    assert submitted


def test_a_search_without_accents_finds_the_best_matches_first(
        signed_in: SignedIn, web_world: World):
    web_world.submitted(title="Cabinet infirmier des Arcades")
    web_world.submitted(title="Pôle de santé", description="Près d'Émerainville, à Émerainville.")
    web_world.submitted(title="Maison de santé", description="Au nord d'Émerainville.")
    officer = signed_in("officer")
    page = text_of(officer.get("/instruction/?q=emerainville"))
    assert "2 dossiers, les plus pertinents d’abord" in page and "Arcades" not in page
    assert page.index("Pôle de santé") < page.index("Maison de santé")
    assert "▼" not in page and "▲" not in page  # no column sorts the list: relevance does
    chosen = text_of(officer.get("/instruction/?q=emerainville&sort=-reference"))
    assert "pertinents" not in chosen and chosen.index("Maison") < chosen.index("Pôle")


def test_an_officer_saves_reuses_and_deletes_a_view(signed_in: SignedIn, web_world: World):
    officer = signed_in("officer")
    response = post(officer, "/instruction/vues", {"name": "À instruire", "query": "state=complet"})
    assert response.status_code == 302
    page = text_of(officer.get("/instruction/"))
    assert "À instruire" in page and "?state=complet" in page
    other = web_world.faps.accounts.open(web_world.admin, "autre@agglo.test", "Autre",
                                         Role.FINANCE_OFFICER, None, PASSWORD)
    assert other and "À instruire" not in text_of(sign_in_as(signed_in, "autre@agglo.test"))
    view_id = page.split("/instruction/vues/")[1].split("/")[0]
    assert post(officer, f"/instruction/vues/{view_id}/supprimer").status_code == 302
    assert "À instruire" not in text_of(officer.get("/instruction/"))


def test_a_view_without_a_name_comes_back_with_the_error(signed_in: SignedIn):
    response = post(signed_in("officer"), "/instruction/vues", {"name": "", "query": "q=x"})
    assert response.status_code == 400
    assert 'id="e-name"' in text_of(response)


def test_several_dossiers_are_assigned_at_once(signed_in: SignedIn, web_world: World):
    first, second = web_world.submitted(), web_world.submitted()
    officer = signed_in("officer")
    response = officer.post("/instruction/affecter", data={
        "dossier_ids": [str(first), str(second)], "officer_id": str(web_world.officer.account_id),
        "csrf_token": csrf_of(officer, "/instruction/")})
    assert response.status_code == 302
    for dossier_id in (first, second):
        dossier = web_world.faps.dossiers.load(web_world.officer, dossier_id)
        assert dossier.officer and dossier.officer["account_id"] == web_world.officer.account_id
    mine = text_of(officer.get("/instruction/?officer=moi"))
    assert mine.count('name="dossier_ids"') == 2


def test_assigning_nothing_is_refused_next_to_the_list(signed_in: SignedIn, web_world: World):
    web_world.submitted()
    response = post(signed_in("officer"), "/instruction/affecter",
                    {"officer_id": str(web_world.officer.account_id)})
    assert response.status_code == 400 and "cochez au moins un dossier" in text_of(response)


def test_the_dossier_page_shows_content_criteria_caps_and_history(
    signed_in: SignedIn, web_world: World
):
    dossier_id = web_world.assessed()
    page = text_of(signed_in("officer").get(f"/instruction/dossiers/{dossier_id}"))
    assert "Cloisons, plomberie" in page and "100 000,00 €" in page  # total HT
    assert "120 000,00 €" in page  # total TTC
    assert "ARS Île-de-France" in page
    assert 'class="passed"' in page and "plafond retenu" in page
    assert "Éligibilité instruite" in page  # history
    assert "titre_occupation.pdf" in page
    assert 'name="expected_version"' in page


@pytest.mark.parametrize("who", ["secretariat", "auditor"])
def test_the_secretariat_and_auditors_read_the_dossier_without_actions(
    signed_in: SignedIn, web_world: World, who: str
):
    dossier_id = web_world.assessed()
    web_world.faps.dossiers.add_note(web_world.officer, dossier_id, "Vérifier le bail.")
    page = signed_in(who).get(f"/instruction/dossiers/{dossier_id}")
    assert page.status_code == 200
    assert "Vérifier le bail." in text_of(page) and "<form method=\"post\" action=\"/instruction" \
        not in text_of(page)


def test_commune_agents_never_reach_the_dossier_page(signed_in: SignedIn, web_world: World):
    dossier_id = web_world.submitted()
    for who in ("agent", "other_agent"):
        assert signed_in(who).get(f"/instruction/dossiers/{dossier_id}").status_code == 403


ACTIONS = ["complements", "complet", "instruire", "proposer", "cloturer", "affecter", "notes",
           "deliberation-municipale", "notification", "convention"]


@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_needs_the_csrf_token_and_the_officer_role(
    signed_in: SignedIn, web_world: World, action: str
):
    dossier_id = web_world.submitted()
    path = f"/instruction/dossiers/{dossier_id}/{action}"
    assert signed_in("officer").post(path, data={}).status_code == 400
    for who in ("secretariat", "auditor", "agent"):
        client = signed_in(who)
        assert post(client, path, {}, page="/accueil").status_code == 403
    assert web_world.faps.dossiers.load(web_world.officer, dossier_id).version == \
        len(list(web_world.faps.app.events.get(dossier_id)))


def test_an_information_request_defaults_to_the_reglement_delay(
    signed_in: SignedIn, web_world: World
):
    dossier_id = web_world.submitted()
    officer = signed_in("officer")
    page = text_of(officer.get(f"/instruction/dossiers/{dossier_id}"))
    assert 'name="due_on" type="date" value="20' in page
    response = post(officer, f"/instruction/dossiers/{dossier_id}/complements",
                    {"action": "request_information", "message": "Merci de joindre le bail.",
                     "document_kinds": "titre_occupation"})
    assert response.status_code == 302
    dossier = web_world.faps.dossiers.load(web_world.officer, dossier_id)
    assert dossier.state is DossierState.INFORMATION_REQUESTED
    request = dossier.open_request
    assert request and request.document_kinds == ("titre_occupation",)
    assert (request.due_on - web_world.clock.now().date()).days == 30


def test_a_request_without_message_keeps_the_input_and_shows_the_error(
    signed_in: SignedIn, web_world: World
):
    dossier_id = web_world.submitted()
    response = post(signed_in("officer"), f"/instruction/dossiers/{dossier_id}/complements",
                    {"action": "request_information", "message": "", "due_on": "31/12/2030"})
    page = text_of(response)
    assert response.status_code == 400
    assert 'id="e-message"' in page and 'value="31/12/2030"' in page


def test_the_officer_declares_complete_assesses_and_proposes(signed_in: SignedIn, web_world: World):
    dossier_id = web_world.submitted()
    officer = signed_in("officer")
    base = f"/instruction/dossiers/{dossier_id}"
    assert post(officer, f"{base}/complet").status_code == 302
    assert post(officer, f"{base}/instruire").status_code == 302
    page = text_of(officer.get(base))
    assert "Maximum de l’instruction : 30 000,00 €" in page
    version = web_world.faps.dossiers.load(web_world.officer, dossier_id).version
    response = post(officer, f"{base}/proposer", {"action": "propose", "amount": "25 000,00",
                                                  "motive": "Conforme.",
                                                  "expected_version": str(version)})
    assert response.status_code == 302
    dossier = web_world.faps.dossiers.load(web_world.officer, dossier_id)
    assert dossier.state is DossierState.PROPOSED and dossier.proposed_amount == Decimal("25000")


def test_a_proposal_above_the_maximum_is_refused_with_the_figure(
    signed_in: SignedIn, web_world: World
):
    dossier_id = web_world.assessed()
    version = web_world.faps.dossiers.load(web_world.officer, dossier_id).version
    response = post(signed_in("officer"), f"/instruction/dossiers/{dossier_id}/proposer",
                    {"action": "propose", "amount": "45 000", "motive": "Trop.",
                     "expected_version": str(version)})
    page = text_of(response)
    assert response.status_code == 400
    assert 'id="e-amount"' in page and "30 000,00 €" in page and 'value="45 000"' in page
    assert 'data-field="amount">Montant proposé</a>' in page  # the summary names the form's field
    assert web_world.faps.dossiers.load(web_world.officer, dossier_id).state \
        is DossierState.ASSESSED


def test_a_stale_proposal_gets_409_and_overwrites_nothing(signed_in: SignedIn, web_world: World):
    dossier_id = web_world.assessed()
    stale = web_world.faps.dossiers.load(web_world.officer, dossier_id).version
    web_world.faps.dossiers.assess(web_world.officer, dossier_id)  # someone else re-assessed
    response = post(signed_in("officer"), f"/instruction/dossiers/{dossier_id}/proposer",
                    {"action": "propose", "amount": "20 000", "motive": "Conforme.",
                     "expected_version": str(stale)})
    assert response.status_code == 409
    page = text_of(response)
    assert "Ce dossier a changé depuis que vous l" in page  # and says what changed, by whom:
    assert "Éligibilité instruite par instructeur" in page
    assert f'name="expected_version" value="{stale + 1}"' in page
    dossier = web_world.faps.dossiers.load(web_world.officer, dossier_id)
    assert dossier.state is DossierState.ASSESSED and dossier.proposed_amount is None


def test_closing_as_ineligible_needs_a_motive(signed_in: SignedIn, web_world: World):
    dossier_id = web_world.submitted()
    officer = signed_in("officer")
    path = f"/instruction/dossiers/{dossier_id}/cloturer"
    refused = post(officer, path, {"action": "close_ineligible", "motive": ""})
    assert refused.status_code == 400 and 'id="e-close-motive"' in text_of(refused)
    assert post(officer, path, {"action": "close_ineligible", "motive": "Hors champ."}) \
        .status_code == 400  # not confirmed
    assert post(officer, path, {"action": "close_ineligible", "motive": "Hors champ.",
                                "confirm": "oui"}) \
        .status_code == 302
    assert web_world.faps.dossiers.load(web_world.officer, dossier_id).state \
        is DossierState.CLOSED_INELIGIBLE


def test_assigning_an_officer_and_adding_a_private_note(signed_in: SignedIn, web_world: World):
    dossier_id = web_world.submitted()
    officer = signed_in("officer")
    base = f"/instruction/dossiers/{dossier_id}"
    unknown = post(officer, f"{base}/affecter", {"action": "assign",
                                                 "officer_id": str(web_world.auditor.account_id)})
    assert unknown.status_code == 400 and "instructeur inconnu" in text_of(unknown)
    assert post(officer, f"{base}/affecter", {"officer_id": str(web_world.officer.account_id)}) \
        .status_code == 302
    assert post(officer, f"{base}/notes", {"action": "note", "text": "Appeler la mairie."}) \
        .status_code == 302
    dossier = web_world.faps.dossiers.load(web_world.officer, dossier_id)
    assert dossier.officer and dossier.notes[-1]["text"] == "Appeler la mairie."


def test_after_the_award_the_officer_records_deliberation_notification_agreement(
    signed_in: SignedIn, web_world: World
):
    dossier_id = web_world.proposed()
    session_id = web_world.session()
    (item,) = web_world.faps.council.add_to_agenda(web_world.secretariat, session_id, [dossier_id])
    web_world.faps.council.record_outcome(web_world.secretariat, session_id, item, "adoptee",
                                          Decimal("30000"), "DEL-2024-001", (50, 0, 0), (50, 50))
    officer = signed_in("officer")
    base = f"/instruction/dossiers/{dossier_id}"
    bad = post(officer, f"{base}/deliberation-municipale",
               {"action": "municipal", "reference": "DCM-1", "decided_on": "32/13/2024"})
    assert bad.status_code == 400 and "date invalide" in text_of(bad)
    assert post(officer, f"{base}/deliberation-municipale",
                {"reference": "DCM-1", "decided_on": "2024-02-01"}).status_code == 302
    assert post(officer, f"{base}/notification").status_code == 302
    assert post(officer, f"{base}/convention",
                {"reference": "CONV-1", "signed_on": "02/02/2024"}).status_code == 302
    dossier = web_world.faps.dossiers.load(web_world.officer, dossier_id)
    assert dossier.municipal_deliberation and dossier.notified_on and dossier.agreement


def test_the_officer_sees_the_commune_listed_as_its_own_public_funder(
    signed_in: SignedIn, web_world: World
):
    listed = web_world.submitted(public_funding=[{"funder": "Ville de Lognes", "amount": "9000"}])
    clean = web_world.submitted()
    officer = signed_in("officer")
    page = officer.get(f"/instruction/dossiers/{listed}").get_data(as_text=True)
    assert 'id="part-communale-en-public">Ville de Lognes\u202f: la commune figure' in page
    assert "part-communale-en-public" not in officer.get(
        f"/instruction/dossiers/{clean}").get_data(as_text=True)
