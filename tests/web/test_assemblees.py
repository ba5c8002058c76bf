"""The council secretariat's space: sessions, agenda, votes, municipal deliberations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask.testing import FlaskClient

from faps.domain.dossier_content import DossierState
from tests.support import World
from tests.web.conftest import csrf_of
from tests.web.test_instruction import text_of

SignedIn = Callable[[str], FlaskClient]
SESSION = {"body": "conseil", "session_date": "2024-03-14", "convocation_date": "2024-03-07",
           "place": "Torcy, hôtel d'agglomération", "councillors_in_office": "65",
           "president": "Le Président", "secretary": "Mme Secrétaire"}


def post(client: FlaskClient, path: str, data: dict | None = None):  # type: ignore[no-untyped-def]
    return client.post(path, data={**(data or {}), "csrf_token": csrf_of(client, "/assemblees/")})


def vote(**overrides: str) -> dict[str, str]:
    data = {"item": "1", "outcome": "adoptee", "amount": "30 000,00",
            "deliberation_reference": "DEL-2024-031", "votes_for": "50", "votes_against": "3",
            "abstentions": "2", "present": "52", "voting": "55"}
    return {**data, **overrides}


def test_only_the_secretariat_reaches_the_assemblies(signed_in: SignedIn, web_world: World):
    session_id = web_world.session()
    assert signed_in("secretariat").get("/assemblees/").status_code == 200
    for who in ("officer", "auditor", "agent", "admin"):
        client = signed_in(who)
        for path in ("/assemblees/", f"/assemblees/seances/{session_id}",
                     "/assemblees/deliberations-municipales"):
            assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", ["/assemblees/", "/seances/{s}/ordre-du-jour",
                                  "/seances/{s}/points/1/retirer", "/seances/{s}/points/1/vote",
                                  "/seances/{s}/cloturer", "/deliberations-municipales/{d}"])
def test_every_form_needs_its_csrf_token_and_the_secretariat(
    signed_in: SignedIn, web_world: World, path: str
):
    target = ("/assemblees" + path if path.startswith("/s") or path.startswith("/d")
              else path).format(s=web_world.session(), d=web_world.submitted())
    assert signed_in("secretariat").post(target, data={}).status_code == 400
    officer = signed_in("officer")
    assert officer.post(target, data={"csrf_token": csrf_of(officer, "/accueil")}) \
        .status_code == 403


def test_the_secretariat_schedules_a_session(signed_in: SignedIn, web_world: World):
    client = signed_in("secretariat")
    response = post(client, "/assemblees/", SESSION)
    assert response.status_code == 302
    page = text_of(client.get(response.headers["Location"]))
    assert "14 mars 2024" in page and "65 conseillers en exercice" in page
    assert "14/03/2024" in text_of(client.get("/assemblees/"))
    again = post(client, "/assemblees/", SESSION)  # the same session, submitted twice
    assert again.status_code == 400 and "déjà prévue ce jour-là" in text_of(again)
    assert text_of(client.get("/assemblees/")).count("14/03/2024") == 1


def test_a_session_form_with_errors_keeps_the_input(signed_in: SignedIn):
    response = post(signed_in("secretariat"), "/assemblees/",
                    {**SESSION, "session_date": "demain", "place": ""})
    page = text_of(response)
    assert response.status_code == 400
    assert 'id="e-session_date"' in page and 'id="e-place"' in page
    assert 'value="demain"' in page and 'value="Mme Secrétaire"' in page


def test_the_agenda_is_built_from_proposals_and_an_adopted_vote_awards(
    signed_in: SignedIn, web_world: World
):
    first, second = web_world.proposed(), web_world.proposed()
    session_id = web_world.session()
    client = signed_in("secretariat")
    base = f"/assemblees/seances/{session_id}"
    assert "Propositions à inscrire" in text_of(client.get(base))
    empty = post(client, f"{base}/ordre-du-jour")
    assert empty.status_code == 400 and "cochez au moins un dossier" in text_of(empty)
    response = client.post(f"{base}/ordre-du-jour", data={
        "dossier_ids": [str(first), str(second)], "csrf_token": csrf_of(client, base)})
    assert response.status_code == 302
    assert post(client, f"{base}/points/2/retirer", {"item": "2", "motive": "Pièce manquante"}) \
        .status_code == 302
    assert post(client, f"{base}/points/1/vote", vote()).status_code == 302
    page = text_of(client.get(base))
    assert "Adoptée" in page and "DEL-2024-031" in page and "Retiré" in page
    assert web_world.faps.dossiers.load(web_world.officer, first).state is DossierState.AWARDED
    assert web_world.faps.dossiers.load(web_world.officer, second).state is DossierState.PROPOSED
    # closing is irreversible: refused without the confirmation checkbox, done with it
    assert post(client, f"{base}/cloturer").status_code == 400
    assert post(client, f"{base}/cloturer", {"confirm": "oui"}).status_code == 302
    assert "Close" in text_of(client.get(base))


def test_a_wrong_vote_comes_back_next_to_its_item(signed_in: SignedIn, web_world: World):
    dossier_id = web_world.proposed()
    session_id = web_world.session()
    web_world.faps.council.add_to_agenda(web_world.secretariat, session_id, [dossier_id])
    response = post(signed_in("secretariat"), f"/assemblees/seances/{session_id}/points/1/vote",
                    vote(votes_for="2", votes_against="40", deliberation_reference="DEL-X"))
    page = text_of(response)
    assert response.status_code == 400
    assert 'id="e-p1-votes"' in page or "plus de voix pour que contre" in page
    assert 'value="DEL-X"' in page
    assert web_world.faps.dossiers.load(web_world.officer, dossier_id).state \
        is DossierState.ON_AGENDA


def test_closing_with_pending_items_is_refused(signed_in: SignedIn, web_world: World):
    dossier_id = web_world.proposed()
    session_id = web_world.session()
    web_world.faps.council.add_to_agenda(web_world.secretariat, session_id, [dossier_id])
    secretariat = signed_in("secretariat")
    page = text_of(secretariat.get(f"/assemblees/seances/{session_id}"))
    assert "le point n° 1 n’a pas d’issue enregistrée" in page
    assert "Je confirme la clôture" not in page
    response = post(secretariat, f"/assemblees/seances/{session_id}/cloturer", {"confirm": "oui"})
    assert response.status_code in (400, 422)


def test_municipal_deliberations_are_recorded_from_the_waiting_list(
    signed_in: SignedIn, web_world: World
):
    dossier_id = web_world.proposed()
    session_id = web_world.session()
    (item,) = web_world.faps.council.add_to_agenda(web_world.secretariat, session_id, [dossier_id])
    web_world.faps.council.record_outcome(web_world.secretariat, session_id, item, "adoptee",
                                          web_world.faps.dossiers.load(
                                              web_world.officer, dossier_id).proposed_amount,
                                          "DEL-1", (50, 0, 0), (50, 50))
    client = signed_in("secretariat")
    reference = web_world.faps.dossiers.load(web_world.officer, dossier_id).reference
    assert reference in text_of(client.get("/assemblees/deliberations-municipales"))
    path = f"/assemblees/deliberations-municipales/{dossier_id}"
    bad = post(client, path, {"dossier": str(dossier_id), "reference": "", "decided_on": "x"})
    assert bad.status_code == 400 and "champ obligatoire" in text_of(bad)
    assert post(client, path, {"reference": "DCM-2024-7", "decided_on": "01/02/2024"}) \
        .status_code == 302
    assert reference not in text_of(client.get("/assemblees/deliberations-municipales"))


def test_a_session_to_come_takes_its_votes_only_from_its_day(
    signed_in: SignedIn, web_world: World
):
    dossier_id = web_world.proposed()
    session_id = web_world.session(on=web_world.clock.now().date() + timedelta(days=7))
    web_world.faps.council.add_to_agenda(web_world.secretariat, session_id, [dossier_id])
    client = signed_in("secretariat")
    base = f"/assemblees/seances/{session_id}"
    page = text_of(client.get(base))
    assert "Le vote s’enregistre à partir du jour de la séance (12/02/2024)" in page
    assert "Enregistrer le vote" not in page
    refused = post(client, f"{base}/points/1/vote", vote())
    assert refused.status_code in (400, 409, 422)
    assert "la séance du 12/02/2024 n’a pas encore eu lieu" in text_of(refused)
    web_world.clock.advance(days=7)
    assert "Enregistrer le vote" in text_of(client.get(base))
    assert post(client, f"{base}/points/1/vote", vote()).status_code == 302


def test_a_recorded_votes_rectification_form_opens_from_its_link_one_at_a_time(
        signed_in: SignedIn, web_world: World):
    w = web_world
    dossiers = [w.proposed(), w.proposed()]
    session_id = w.session()
    client = signed_in("secretariat")
    base = f"/assemblees/seances/{session_id}"
    w.faps.council.add_to_agenda(w.secretariat, session_id, dossiers)
    for number in ("1", "2"):
        assert post(client, f"{base}/points/{number}/vote",
                    vote(item=number, deliberation_reference=f"DEL-2024-03{number}")
                    ).status_code == 302
    listed = client.get(base).get_data(as_text=True)
    assert "Montant attribué rectifié" not in listed  # no form rendered for each vote
    assert f'href="{base}?rectifier=2#rectifier-2"' in listed
    opened = client.get(f"{base}?rectifier=2").get_data(as_text=True)
    assert opened.count("Montant attribué rectifié") == 1
    assert 'id="rectifier-2"' in opened and 'value="DEL-2024-032"' in opened
    refused = post(client, f"{base}/points/2/rectifier", {"rectify": "2", "motive": ""})
    assert refused.status_code == 400  # the form comes back open, with its errors
    assert 'id="rectifier-2"' in refused.get_data(as_text=True)


def test_municipal_deliberations_are_counted_paged_and_filtered_by_commune(
    signed_in: SignedIn, web_world: World, monkeypatch: pytest.MonkeyPatch
):
    from faps.web import assemblees
    from tests.support import FILING_KINDS, content, pdf

    w = web_world
    chelles = w.faps.dossiers.draft(w.other_agent, "77108", content(title="Cabinet de Chelles"))
    for kind in FILING_KINDS:
        w.faps.dossiers.attach(w.other_agent, chelles, kind, f"{kind}.pdf", pdf(kind))
    w.faps.dossiers.submit(w.other_agent, chelles)
    w.faps.dossiers.declare_complete(w.officer, chelles)
    assessment = w.faps.dossiers.assess(w.officer, chelles)
    w.faps.dossiers.propose(w.officer, chelles, assessment.grant, "Projet conforme.")
    dossiers = [w.proposed(), w.proposed(), chelles]
    session_id = w.session()
    items = w.faps.council.add_to_agenda(w.secretariat, session_id, dossiers)
    for n, (item, dossier_id) in enumerate(zip(items, dossiers, strict=True)):
        amount = w.faps.dossiers.load(w.officer, dossier_id).proposed_amount
        w.faps.council.record_outcome(w.secretariat, session_id, item, "adoptee", amount,
                                      f"DEL-{n}", (50, 0, 0), (50, 50))
    references = sorted(w.faps.dossiers.load(w.officer, d).reference for d in dossiers)
    chelles_reference = w.faps.dossiers.load(w.officer, chelles).reference
    monkeypatch.setattr(assemblees, "MUNICIPAL_PER_PAGE", 2)
    client = signed_in("secretariat")
    base = "/assemblees/deliberations-municipales"

    first, second = text_of(client.get(base)), text_of(client.get(f"{base}?page=2"))
    assert "3 dossiers en attente, 2 par page." in first and "Page 1 sur 2" in first
    assert [r in first for r in references] == [True, True, False]
    assert [r in second for r in references] == [False, False, True]
    only = text_of(client.get(f"{base}?commune=77108"))
    assert "1 dossier en attente à Chelles." in only and chelles_reference in only
    assert all(r not in only for r in references if r != chelles_reference)
    assert "3 dossiers en attente" in text_of(client.get(f"{base}?commune=99999"))

    # Recorded from the last page, which it empties: back to the list's new last page (the
    # first); a commune's list is kept likewise.
    last = dossiers[[w.faps.dossiers.load(w.officer, d).reference
                     for d in dossiers].index(references[2])]
    response = post(client, f"{base}/{last}?page=2", {"reference": "DCM-2024-9",
                                                      "decided_on": "01/02/2024"})
    assert response.status_code == 302 and response.headers["Location"].endswith(base)
    after = text_of(client.get(response.headers["Location"]))
    assert "2 dossiers en attente." in after and references[2] not in after
    assert references[0] in after and references[1] in after
    lognes = next(d for d in dossiers if d != chelles and d != last)
    response = post(client, f"{base}/{lognes}?commune=77258", {"reference": "DCM-2024-10",
                                                                "decided_on": "01/02/2024"})
    assert response.headers["Location"].endswith(f"{base}?commune=77258")
