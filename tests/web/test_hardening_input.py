"""Bounded input at the edge: rows, numbers, dates, ids, JSON, control characters, files.

Each test takes a defect the probe found and tries its siblings: every table of the project
form, every page reading a number from its address, every kind of aggregate id.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from uuid import UUID, uuid4

import pytest
from flask.testing import FlaskClient

from faps.domain.dossier_content import DocumentRef
from tests.support import FILING_KINDS, World, pdf
from tests.web.conftest import csrf_of

SignedIn = Callable[[str], FlaskClient]
SMALL_PAGE = 300_000


def post(client: FlaskClient, path: str, data: dict[str, object], **kwargs: object):  # type: ignore[no-untyped-def]
    """Post a form with the session's CSRF token."""
    return client.post(path, data={**data, "csrf_token": csrf_of(client, "/accueil")}, **kwargs)


# -- 1. rows of the project form ------------------------------------------------------------
@pytest.mark.parametrize(("field", "label", "bound"), [
    ("expenses[{}].label", "Dépenses : au plus 200 lignes", 200),
    ("public_funding[{}].funder", "Financements publics : au plus 50 lignes", 50),
    ("private_funding[{}].amount", "Financements privés : au plus 50 lignes", 50),
])
@pytest.mark.parametrize("index", ["bound", "30000", "9" * 40])
def test_the_simulator_and_the_editor_refuse_a_row_past_the_bound_with_a_small_page(
        signed_in: SignedIn, web_world: World, field: str, label: str, bound: int,
        index: str) -> None:
    agent = signed_in("agent")
    name = field.format(bound if index == "bound" else index)
    draft = web_world.drafted()
    for path, extra in (("/commune/simulateur", {}),
                        (f"/commune/dossiers/{draft}/modifier", {"expected_version": "1"})):
        response = post(agent, path, {name: "x", **extra})
        assert response.status_code == 400, path
        assert len(response.data) < SMALL_PAGE, (path, len(response.data))
        assert label in response.get_data(as_text=True)


def test_the_last_row_within_the_bound_is_accepted(signed_in: SignedIn) -> None:
    response = post(signed_in("agent"), "/commune/simulateur",
                    {"expenses[199].label": "Cloisons", "expenses[199].amount_ht": "100",
                     "expenses[199].category": "travaux_amenagement"})
    assert "au plus 200 lignes" not in response.get_data(as_text=True)
    assert response.status_code < 500 and len(response.data) < SMALL_PAGE


def test_asking_for_many_more_rows_shows_at_most_the_bound(signed_in: SignedIn,
                                                            web_world: World) -> None:
    draft = web_world.drafted()
    page = signed_in("agent").get(f"/commune/dossiers/{draft}/modifier?plus_expenses=99999999")
    assert page.status_code == 200
    assert len(re.findall(r'name="expenses\[\d+\]\.label"', page.get_data(as_text=True))) <= 22


# -- 8. numbers, years, dates, ids ------------------------------------------------------------
NUMBERS = ["²", "٣", "0", "-1", "9" * 30, "9" * 5000, "1e9", " 2 "]


@pytest.mark.parametrize(("who", "path"), [
    ("agent", "/commune/dossiers?page={}"),
    ("officer", "/instruction/?page={}&year={}"),
    ("officer", "/finances/budget?annee={}"),
    ("officer", "/finances/versements?annee={}"),
    ("auditor", "/audit/?page={}"),
])
def test_malformed_or_huge_numbers_in_the_address_never_fail(signed_in: SignedIn, who: str,
                                                             path: str) -> None:
    client = signed_in(who)
    for value in NUMBERS:
        response = client.get(path.format(value, value))
        assert response.status_code == 200, (path, value)


def test_the_api_refuses_malformed_or_huge_numbers_in_french(signed_in: SignedIn) -> None:
    client = signed_in("agent")
    for value in NUMBERS:
        response = client.get(f"/api/v1/dossiers?limit={value}&annee={value}")
        assert response.status_code in (200, 400), value
        if response.status_code == 400:
            problem = response.get_json()
            assert response.mimetype == "application/problem+json", value
            assert problem["errors"], value


@pytest.mark.parametrize("value", ["9999-12-31", "9999999999/1/1", "0000-01-01", "31/02/2024",
                                   "0/0/0", "1/1/99999", "²/1/2024"])
def test_a_date_out_of_range_is_a_french_error_not_a_crash(signed_in: SignedIn,
                                                           web_world: World, value: str) -> None:
    auditor = signed_in("auditor")
    dossier_id = web_world.submitted()
    for path in (f"/audit/fonds?as_of={value}", f"/audit/dossiers/{dossier_id}?as_of={value}",
                 f"/audit/ecarts?from={value}&to={value}"):
        response = auditor.get(path)
        assert response.status_code in (200, 400), (path, response.status_code)
    officer = signed_in("officer")
    response = post(officer, f"/finances/dossiers/{web_world.awarded()}/versement",
                    {"kind": "avance", "amount": "100", "expenses_paid": "0",
                     "paid_on": value})
    assert response.status_code < 500


def test_a_version_number_out_of_range_shows_the_current_state(signed_in: SignedIn,
                                                               web_world: World) -> None:
    dossier_id = web_world.submitted()
    for version in ("²", "9" * 30, "0"):
        response = signed_in("auditor").get(f"/audit/dossiers/{dossier_id}?version={version}")
        assert response.status_code == 200, version


def test_a_huge_number_in_a_form_is_a_french_error(signed_in: SignedIn, web_world: World) -> None:
    draft = web_world.drafted()
    response = post(signed_in("agent"), f"/commune/dossiers/{draft}/modifier",
                    {"expected_version": "9" * 30, "title": "Maison de santé"})
    assert response.status_code in (400, 409)
    response = post(signed_in("officer"), "/finances/budget",
                    {"year": "0", "amount": "1000", "deliberation_reference": "DEL-1"})
    assert response.status_code == 400 and "doit être entre 2000 et 2100" in response.get_data(
        as_text=True)


def test_an_id_of_another_kind_of_aggregate_is_not_found(signed_in: SignedIn,
                                                         web_world: World) -> None:
    session_id = web_world.session()
    dossier_id = web_world.submitted()
    account_id = web_world.other_agent.account_id
    for who, path in (("agent", f"/commune/dossiers/{session_id}"),
                      ("agent", f"/commune/dossiers/{account_id}/modifier"),
                      ("officer", f"/instruction/dossiers/{account_id}"),
                      ("auditor", f"/audit/dossiers/{session_id}"),
                      ("secretariat", f"/assemblees/seances/{dossier_id}"),
                      ("admin", f"/admin/comptes/{dossier_id}"),
                      ("officer", f"/dossiers/{session_id}/pieces/{uuid4()}")):
        assert signed_in(who).get(path).status_code == 404, path
    response = post(signed_in("secretariat"), f"/assemblees/seances/{session_id}/ordre-du-jour",
                    {"dossier_ids": [str(account_id)]})
    assert response.status_code == 404


# -- JSON depth and size --------------------------------------------------------------------
@pytest.mark.parametrize("body", ["[" * 100_000 + "]" * 100_000, '{"a":' * 50 + "1" + "}" * 50,
                                  json.dumps({"commune": "x" * 300_000})])
def test_deep_or_huge_json_is_refused_in_french(signed_in: SignedIn, body: str) -> None:
    client = signed_in("agent")
    response = client.post("/api/v1/simulations", data=body, content_type="application/json",
                           headers={"X-CSRF-Token": csrf_of(client, "/accueil")})
    assert response.status_code == 400
    assert re.search("trop imbriqué|trop volumineux", response.get_json()["errors"]["corps"][0])


@pytest.mark.parametrize(("name", "body"), [("v.json", "[" * 100_000 + "]" * 100_000),
                                            ("v.json", '{"a":' * 50 + "1" + "}" * 50),
                                            ("v.toml", "a = " + "[" * 50_000 + "]" * 50_000)])
def test_a_deeply_nested_reglement_file_is_refused_in_french(signed_in: SignedIn, name: str,
                                                             body: str) -> None:
    response = post(signed_in("admin"), "/reglement/adopter",
                    {"file": (io.BytesIO(body.encode()), name)},
                    content_type="multipart/form-data")
    assert response.status_code == 400
    assert "trop imbriqué" in response.get_data(as_text=True)


# -- 3. control characters -------------------------------------------------------------------
CONTROLS = ["\x0b", "\x1b[31m", "\x00", "\x7f", "\x85"]


@pytest.mark.parametrize("char", CONTROLS)
def test_control_characters_are_refused_in_what_people_type(signed_in: SignedIn,
                                                            web_world: World, char: str) -> None:
    agent = signed_in("agent")
    response = post(agent, "/commune/dossiers/nouveau", {"title": f"Maison{char} de santé"})
    assert response.status_code == 400
    assert "caractère de contrôle interdit" in response.get_data(as_text=True)
    draft = web_world.drafted()
    for field in ("title", "description", "expenses[0].label", "public_funding[0].funder"):
        response = post(agent, f"/commune/dossiers/{draft}/modifier",
                        {"expected_version": "1", field: f"a{char}b",
                         "expenses[0].amount_ht": "10", "public_funding[0].amount": "1"})
        assert response.status_code == 400, field
        assert "caractère de contrôle interdit" in response.get_data(as_text=True), field
    submitted = web_world.submitted()
    response = post(signed_in("officer"), f"/instruction/dossiers/{submitted}/notes",
                    {"text": f"note{char}"})
    assert response.status_code == 400


def test_line_breaks_are_kept_in_multi_line_texts_and_refused_in_a_title(
        signed_in: SignedIn, web_world: World) -> None:
    officer = signed_in("officer")
    submitted = web_world.submitted()
    response = post(officer, f"/instruction/dossiers/{submitted}/notes",
                    {"text": "Première ligne\r\nSeconde ligne\tfin"})
    assert response.status_code == 302
    response = post(signed_in("agent"), "/commune/dossiers/nouveau",
                    {"title": "Maison\nde santé"})
    assert response.status_code == 400


# -- 11. file names and contents -------------------------------------------------------------
@pytest.mark.parametrize(("name", "kept", "served"), [
    ("x.html", "x.pdf", "x.pdf"), ("devis.PDF", "devis.PDF", "devis.PDF"),
    ("a\tb\x00\x1b.pdf", "a b.pdf", "a b.pdf"),
    ("rapport «final».svg", "rapport «final».pdf", "rapport _final_.pdf")])
def test_an_upload_is_kept_and_served_under_a_name_of_its_real_type(
        signed_in: SignedIn, web_world: World, name: str, kept: str, served: str) -> None:
    agent = signed_in("agent")
    draft = web_world.drafted()
    response = post(agent, f"/commune/dossiers/{draft}/pieces",
                    {"kind": "devis", "file": (io.BytesIO(pdf("x")), name)},
                    content_type="multipart/form-data")
    assert response.status_code == 302
    assert f"« {kept} »" in agent.get(response.headers["Location"]).get_data(as_text=True)
    dossier = web_world.faps.dossiers.load(web_world.agent, draft)
    (ref,) = dossier.documents.values()
    assert ref.name == kept
    page = agent.get(f"/dossiers/{draft}/pieces/{ref.document_id}")
    assert page.status_code == 200 and page.mimetype == "application/pdf"
    header = page.headers["Content-Disposition"]
    assert f'filename="{served}"' in header
    assert not re.search(r"[\x00-\x1f\x7f]", header)


def test_a_stored_name_with_cr_lf_or_a_wrong_extension_is_still_served_safely(
        signed_in: SignedIn, web_world: World) -> None:
    draft = web_world.drafted()
    faps = web_world.faps
    data = pdf("old")
    ref = DocumentRef(document_id=uuid4(), kind="devis", name="old\r\nSet-Cookie: x=1\x00.html",
                      size=len(data), media_type="application/pdf",
                      sha256=faps.ctx.documents.put(data))
    dossier = faps.dossiers.load(web_world.agent, draft)
    dossier.attach_document(web_world.agent, ref, web_world.clock.now())
    faps.ctx.app.save_all(dossier)
    for kind in FILING_KINDS:  # filed, so that the fund's roles see it too (drafts are private)
        faps.dossiers.attach(web_world.agent, draft, kind, f"{kind}.pdf", pdf(kind))
    faps.dossiers.submit(web_world.agent, draft)
    for who in ("agent", "officer", "auditor"):
        page = signed_in(who).get(f"/dossiers/{draft}/pieces/{ref.document_id}")
        assert page.status_code == 200, who
        header = page.headers["Content-Disposition"]
        assert header.endswith(".pdf") and "filename=\"oldSet-Cookie: x=1.pdf\"" in header
        assert not [c for c in page.headers.getlist("Set-Cookie") if c.startswith("x=")]
        assert not re.search(r"[\x00-\x1f\x7f]", header)


def test_an_html_page_is_refused_whatever_its_name(signed_in: SignedIn,
                                                   web_world: World) -> None:
    draft = web_world.drafted()
    for name in ("x.pdf", "x.html", "x"):
        response = post(signed_in("agent"), f"/commune/dossiers/{draft}/pieces",
                        {"kind": "devis",
                         "file": (io.BytesIO(b"<html><script>alert(1)</script>"), name)},
                        content_type="multipart/form-data")
        assert response.status_code == 400
    assert not web_world.faps.dossiers.load(web_world.agent, draft).documents
    assert isinstance(draft, UUID)
