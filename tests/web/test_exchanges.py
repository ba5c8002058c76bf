"""The correction loop, the message thread, external opinions and the *À traiter* queue."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest
from flask.testing import FlaskClient

from faps.application.exchanges import opinion_token
from faps.domain.errors import InvalidInputError
from tests.support import World, pdf
from tests.web.conftest import csrf_of

SignedIn = Callable[[str], FlaskClient]


def mails(w: World) -> list[dict[str, Any]]:
    """Return every mail queued so far, sent or not."""
    return w.faps.mailer.outbox.sent() + w.faps.mailer.outbox.pending()


def post(browser: FlaskClient, page: str, path: str, data: dict[str, Any],
         **kwargs: Any) -> Any:
    return browser.post(f"{page}/{path}", data={"csrf_token": csrf_of(browser, page), **data},
                        **kwargs)


# -- the correction loop ------------------------------------------------------------------------
def test_an_assessed_dossier_is_sent_back_for_correction_and_the_assessment_falls(
        signed_in: SignedIn, web_world: World):
    w = web_world
    dossier_id = w.proposed()
    officer = signed_in("officer")
    page = f"/instruction/dossiers/{dossier_id}"
    assert "renvoyer pour correction" in officer.get(page).get_data(as_text=True)
    sent = post(officer, page, "complements", {
        "action": "request_information", "message": "Le plan de financement est faux.",
        "correct": ["public_funding", "requested_amount"], "document_kinds": ["devis"],
        "due_on": "2024-03-01"})
    assert sent.status_code == 302, sent.get_data(as_text=True)
    dossier = w.faps.dossiers.load(w.officer, dossier_id)
    assert dossier.state.value == "complements_demandes"
    assert dossier.assessment is None and dossier.proposed_amount is None
    mail = [m for m in mails(w) if "renvoyé pour correction" in m["subject"]]
    assert mail and f"/commune/dossiers/{dossier_id}" in mail[0]["body"]
    assert "Financements publics, Montant sollicité" in mail[0]["body"]


def test_the_commune_corrects_only_what_was_named(signed_in: SignedIn, web_world: World):
    w = web_world
    dossier_id = w.submitted()
    w.faps.dossiers.request_information(w.officer, dossier_id, "Corrigez le montant.", (),
                                        None, ("requested_amount",))
    with pytest.raises(InvalidInputError) as refused:
        w.faps.dossiers.edit(w.agent, dossier_id, {"title": "Un autre titre"})
    assert "Objet de l’opération" in str(refused.value.errors)
    w.faps.dossiers.edit(w.agent, dossier_id, {"requested_amount": "20000.00"})
    page = w.faps.dossiers.load(w.agent, dossier_id)
    assert str(page.content.requested_amount) == "20000.00"
    html = signed_in("agent").get(f"/commune/dossiers/{dossier_id}").get_data(as_text=True)
    assert "Corriger le dossier" in html and "Montant sollicité" in html


def test_a_reply_without_the_pieces_is_refused_unless_the_commune_says_why(
        signed_in: SignedIn, web_world: World):
    w = web_world
    dossier_id = w.submitted()
    w.faps.dossiers.request_information(w.officer, dossier_id, "Joignez le devis signé.",
                                        ("devis",))
    agent = signed_in("agent")
    page = f"/commune/dossiers/{dossier_id}"
    refused = post(agent, page, "reponse", {"message": "Voici."})
    assert refused.status_code == 400
    assert "expliquez pourquoi" in refused.get_data(as_text=True)
    assert w.faps.dossiers.load(w.agent, dossier_id).state.value == "complements_demandes"
    with_reason = post(agent, page, "reponse", {
        "message": "Le devis arrive.", "missing_reason": "L'entreprise ne l'a pas encore signé."})
    assert with_reason.status_code == 302
    dossier = w.faps.dossiers.load(w.agent, dossier_id)
    assert dossier.reply_waiting is not None
    assert dossier.reply_waiting.missing_reason == "L'entreprise ne l'a pas encore signé."
    to_officer = [m for m in mails(w) if "Réponse de la commune" in m["subject"]]
    assert to_officer and to_officer[0]["recipients"] == w.officer.email
    assert f"/instruction/dossiers/{dossier_id}" in to_officer[0]["body"]


def test_a_reply_with_the_piece_joined_in_the_form_is_accepted_by_the_officer(
        signed_in: SignedIn, web_world: World):
    w = web_world
    dossier_id = w.submitted()
    w.faps.dossiers.request_information(w.officer, dossier_id, "Joignez le devis.", ("devis",))
    agent = signed_in("agent")
    page = f"/commune/dossiers/{dossier_id}"
    from io import BytesIO

    sent = post(agent, page, "reponse", {"message": "Ci-joint.",
                                         "piece-devis": (BytesIO(pdf("devis")), "devis.pdf")},
                content_type="multipart/form-data")
    assert sent.status_code == 302, sent.get_data(as_text=True)
    officer = signed_in("officer")
    response = officer.get("/instruction/a-traiter")
    queue = response.get_data(as_text=True)
    assert response.status_code == 200, queue
    assert "Réponses des communes" in queue and f"/instruction/dossiers/{dossier_id}" in queue
    assert re.search(r"À traiter \(\d+\)", queue)
    accepted = post(officer, f"/instruction/dossiers/{dossier_id}", "reponse-acceptee",
                    {"action": "accept_reply"})
    assert accepted.status_code == 302
    assert w.faps.dossiers.load(w.officer, dossier_id).reply_waiting is None


# -- the thread ---------------------------------------------------------------------------------
def test_messages_go_both_ways_with_files_and_read_markers(signed_in: SignedIn,
                                                           web_world: World):
    from io import BytesIO

    w = web_world
    dossier_id = w.submitted()
    agent, officer = signed_in("agent"), signed_in("officer")
    commune_page = f"/commune/dossiers/{dossier_id}"
    officer_page = f"/instruction/dossiers/{dossier_id}"
    sent = agent.post(f"/dossiers/{dossier_id}/messages", data={
        "csrf_token": csrf_of(agent, commune_page), "text": "Une question sur le bail.",
        "files": [(BytesIO(pdf("bail")), "bail.pdf")]}, content_type="multipart/form-data")
    assert sent.status_code == 302
    to_officer = [m for m in mails(w) if "Message de la commune" in m["subject"]]
    assert to_officer and officer_page in to_officer[0]["body"]
    html = officer.get(officer_page).get_data(as_text=True)
    assert "Une question sur le bail." in html and "bail.pdf" in html and "nouveau" in html
    assert "nouveau" not in officer.get(officer_page).get_data(as_text=True)  # now read
    reply = officer.post(f"/dossiers/{dossier_id}/messages", data={
        "csrf_token": csrf_of(officer, officer_page), "text": "Le bail suffit."})
    assert reply.status_code == 302
    assert [m for m in mails(w) if "Message du service instructeur" in m["subject"]]
    seen = agent.get(commune_page).get_data(as_text=True)
    assert "Le bail suffit." in seen and "lu par le service instructeur" in seen
    empty = officer.post(f"/dossiers/{dossier_id}/messages", data={
        "csrf_token": csrf_of(officer, officer_page), "text": ""}, follow_redirects=True)
    assert "Message :" in empty.get_data(as_text=True)


def test_a_commune_sees_and_writes_only_in_its_own_threads(signed_in: SignedIn,
                                                           web_world: World):
    w = web_world
    dossier_id = w.submitted()
    w.faps.exchanges.post(w.officer, dossier_id, "Message confidentiel de Lognes.")
    other = signed_in("other_agent")
    assert other.get(f"/commune/dossiers/{dossier_id}").status_code == 404
    own = signed_in("other_agent")
    token = csrf_of(own, "/commune/dossiers")
    written = own.post(f"/dossiers/{dossier_id}/messages",
                       data={"csrf_token": token, "text": "Intrus"})
    assert written.status_code == 404
    assert all(m["text"] != "Intrus" for m in w.faps.dossiers.load(w.officer, dossier_id).messages)
    assert signed_in("secretariat").get("/instruction/a-traiter").status_code == 403


# -- external opinions --------------------------------------------------------------------------
def ask_opinion(w: World, dossier_id: UUID, due: date) -> str:
    opinion_id = w.faps.exchanges.request_opinion(w.officer, dossier_id, "ARS Île-de-France",
                                                  "avis@ars.test", "Le projet répond-il à un "
                                                  "besoin du territoire ?", due)
    return w.faps.exchanges.opinion_link(dossier_id, opinion_id)


def test_an_opinion_link_works_once_and_the_answer_is_an_event(client: FlaskClient,
                                                               web_world: World):
    w = web_world
    dossier_id = w.submitted()
    link = ask_opinion(w, dossier_id, w.clock.now().date() + timedelta(days=10))
    asked = [m for m in mails(w) if m["subject"].startswith("[FAPS] Demande d'avis")]
    assert asked and asked[0]["recipients"] == "avis@ars.test" and link in asked[0]["body"]
    page = client.get(link).get_data(as_text=True)
    assert "Avis de ARS Île-de-France" in page
    token = csrf_of(client, link)
    bad = client.post(link, data={"csrf_token": token, "verdict": "peut-etre"})
    assert bad.status_code == 400
    given = client.post(link, data={"csrf_token": token, "verdict": "favorable",
                                    "text": "Besoin avéré : zone d'intervention prioritaire."})
    assert given.status_code == 200 and "votre avis est enregistré" in given.get_data(as_text=True)
    dossier = w.faps.dossiers.load(w.officer, dossier_id)
    (opinion,) = dossier.opinions.values()
    assert opinion.verdict == "favorable" and opinion.given_on == w.clock.now().date()
    again = client.post(link, data={"csrf_token": token, "verdict": "defavorable"})
    assert again.status_code == 410 and "ne sert qu" in again.get_data(as_text=True)
    assert client.get(link).status_code == 410
    assert [m for m in mails(w) if m["subject"].startswith("[FAPS] Avis rendu")]


def test_an_opinion_link_expires_and_cannot_be_guessed(client: FlaskClient, web_world: World):
    w = web_world
    dossier_id = w.submitted()
    link = ask_opinion(w, dossier_id, w.clock.now().date() + timedelta(days=2))
    token = link.rsplit("/", 1)[1]
    forged = opinion_token("another key", dossier_id, UUID(int=1))
    assert client.get(f"/avis/{forged}").status_code == 404
    assert client.get(f"/avis/{token[:-2]}xx").status_code == 404
    assert client.get("/avis/nimportequoi").status_code == 404
    w.clock.advance(days=3)
    late = client.get(link)
    assert late.status_code == 410 and "expiré" in late.get_data(as_text=True)


def test_an_opinion_is_recalled_before_its_due_date_once(web_world: World):
    w = web_world
    dossier_id = w.submitted()
    ask_opinion(w, dossier_id, w.clock.now().date() + timedelta(days=10))
    w.faps.mailer.remind(w.clock.now().date())
    assert not [m for m in mails(w) if "Rappel : avis" in m["subject"]]
    w.clock.advance(days=8)
    w.faps.mailer.remind(w.clock.now().date())
    w.faps.mailer.remind(w.clock.now().date())
    recalled = [m for m in mails(w) if "Rappel : avis" in m["subject"]]
    assert len(recalled) == 1 and recalled[0]["recipients"] == "avis@ars.test"


# -- who is mailed, who may act ----------------------------------------------------------------
def test_an_arrival_mails_the_assigned_officer_only(web_world: World):
    w = web_world
    other = w.actor("second@agglo.test", w.officer.role)
    dossier_id = w.submitted()
    w.faps.dossiers.assign(w.officer, dossier_id, other.account_id, other.display)
    w.faps.exchanges.post(w.agent, dossier_id, "Une question.")
    (mail,) = [m for m in mails(w) if "Message de la commune" in m["subject"]]
    assert mail["recipients"] == "second@agglo.test"
    unassigned = w.submitted()
    w.faps.exchanges.post(w.agent, unassigned, "Une autre question.")
    to_all = [m for m in mails(w) if "Message de la commune" in m["subject"]][-1]
    assert to_all["recipients"] == "instructeur@agglo.test, second@agglo.test"


def test_only_officers_ask_for_opinions_or_accept_replies(signed_in: SignedIn,
                                                          web_world: World):
    w = web_world
    dossier_id = w.submitted()
    agent = signed_in("agent")
    page = f"/commune/dossiers/{dossier_id}"
    for path in ("avis", "reponse-acceptee", "complements"):
        refused = agent.post(f"/instruction/dossiers/{dossier_id}/{path}",
                             data={"csrf_token": csrf_of(agent, page)})
        assert refused.status_code == 403, path
    assert w.faps.dossiers.load(w.officer, dossier_id).opinions == {}


def test_a_dossier_on_an_agenda_is_not_sent_back_until_withdrawn(signed_in: SignedIn,
                                                                 web_world: World):
    w = web_world
    dossier_id = w.proposed()
    w.faps.council.add_to_agenda(w.secretariat, w.session(), [dossier_id])
    officer = signed_in("officer")
    page = f"/instruction/dossiers/{dossier_id}"
    assert "renvoyer pour correction" not in officer.get(page).get_data(as_text=True)
    refused = post(officer, page, "complements", {
        "action": "request_information", "message": "À revoir.", "correct": ["title"]})
    assert refused.status_code == 422
    assert "ordre du jour" in refused.get_data(as_text=True)


def test_a_correction_naming_an_unknown_field_is_refused_by_its_label(signed_in: SignedIn,
                                                                      web_world: World):
    dossier_id = web_world.submitted()
    officer = signed_in("officer")
    page = f"/instruction/dossiers/{dossier_id}"
    refused = post(officer, page, "complements", {
        "action": "request_information", "message": "À revoir.", "correct": ["secret"]})
    assert refused.status_code == 400
    assert "rubrique inconnue : secret" in refused.get_data(as_text=True)


def test_the_menus_count_follows_the_queue_though_it_is_counted_once_per_change(
        signed_in: SignedIn, web_world: World):
    w = web_world
    officer = signed_in("officer")
    before = int(re.search(r"À traiter \((\d+)\)", officer.get("/instruction/").get_data(
        as_text=True)).group(1))  # type: ignore[union-attr]
    w.submitted()
    after = officer.get("/instruction/").get_data(as_text=True)
    assert f"À traiter ({before + 1})" in after
    w.submitted()
    assert f"À traiter ({before + 2})" in officer.get("/finances/budget").get_data(as_text=True)


def test_each_kind_of_the_work_queue_has_its_own_pages(signed_in: SignedIn, web_world: World,
                                                        monkeypatch: pytest.MonkeyPatch):
    from faps.web import exchanges
    from tests.web.test_instruction import text_of as html_of

    def text_of(response: Any) -> str:  # the words a person reads, without the tags
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html_of(response)))

    w = web_world
    submitted = []  # oldest first, an hour apart: each waits to be checked
    for _ in range(3):
        submitted.append(w.submitted())
        w.clock.advance(hours=1)
    references = [w.faps.dossiers.load(w.officer, d).reference for d in submitted]
    monkeypatch.setattr(exchanges, "WORK_SHOWN", 2)
    monkeypatch.setattr(exchanges, "WORK_PER_PAGE", 2)
    officer = signed_in("officer")

    overview = text_of(officer.get("/instruction/a-traiter"))
    assert "Les 2 plus anciens sur 3. Voir tout : dossiers à vérifier ou à instruire" in overview
    assert [r in overview for r in references] == [True, True, False]
    first = text_of(officer.get("/instruction/a-traiter?type=a_instruire"))
    second = text_of(officer.get("/instruction/a-traiter?type=a_instruire&page=2"))
    assert "les plus anciens d’abord : 3 dossiers." in first and "Page 1 sur 2" in first
    assert [r in first for r in references] == [True, True, False]
    assert [r in second for r in references] == [False, False, True]
    assert "Réponses des communes" not in first  # one kind only
    past = text_of(officer.get("/instruction/a-traiter?type=a_instruire&page=9"))
    assert "Rien en attente sur cette page : revenir à la première." in past
    # Assigned to someone else, a dossier leaves « mine » (theirs and the unassigned).
    other = w.actor("autre@agglo.test", w.officer.role)
    w.faps.dossiers.assign(w.officer, submitted[0], other.account_id, other.name)
    mine = text_of(officer.get("/instruction/a-traiter?type=a_instruire&moi=1"))
    assert "2 dossiers." in mine and references[0] not in mine
    assert "Réponses des communes" in text_of(officer.get("/instruction/a-traiter?type=x"))


def test_a_kind_of_the_work_queue_lists_the_dates_it_shows_oldest_first(signed_in: SignedIn,
                                                                         web_world: World):
    from tests.web.test_instruction import text_of

    w = web_world
    first, second = w.submitted(), w.submitted()
    w.faps.exchanges.post(w.agent, second, "Une question sur le calendrier.", [])
    w.clock.advance(days=2)
    w.faps.exchanges.post(w.agent, first, "Une question sur le plan de financement.", [])
    w.clock.advance(days=1)  # the dossier with the older message changes last
    w.faps.dossiers.assign(w.officer, second, w.officer.account_id, w.officer.name)
    page = text_of(signed_in("officer").get("/instruction/a-traiter?type=messages"))
    assert page.index(f"/instruction/dossiers/{second}") < page.index(
        f"/instruction/dossiers/{first}")
    dates = re.findall(r"<td>(\d\d/\d\d/\d{4})</td></tr>", page)
    assert dates == sorted(dates, key=lambda d: d[6:] + d[3:5] + d[:2]) and len(dates) == 2
