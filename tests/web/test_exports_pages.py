"""The exports pages: decision tables, PDF documents, audit verification, access and CSRF."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from faps.infrastructure.adapters import publisher
from tests.integration.test_exports_tables import vote_three_outcomes
from tests.support import World
from tests.web.conftest import csrf_of

AGGLO_SIRET = "20005795800015"  # valid example SIRETs (Luhn), as in the exports tests
SIRETS = {"77258": "21770258900011", "77108": "21770108600019"}

Signed = Callable[[str], FlaskClient]


@pytest.fixture
def awarded(web_world: World) -> World:
    """An awarded dossier, with valid SIRETs in the settings."""
    web_world.faps.settings.agglomeration_siret = AGGLO_SIRET
    web_world.faps.settings.commune_sirets = dict(SIRETS)
    web_world.faps.exports.publisher = publisher(web_world.faps.settings)  # read at build
    web_world.awarded()
    return web_world


def test_secretariat_downloads_the_decision_table_of_a_year(awarded: World,
                                                            signed_in: Signed) -> None:
    import openpyxl

    browser = signed_in("secretariat")
    page = browser.get("/exports/")
    assert page.status_code == 200 and "quelques secondes" in page.get_data(as_text=True)
    token = csrf_of(browser, "/exports/")
    year = awarded.clock.now().year
    response = browser.post("/exports/decisions", data={"csrf_token": token, "year": year,
                                                        "format": "xlsx"})
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert f"decisions-annee-{year}.xlsx" in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert isinstance(sheet["I2"].value, int | float) and sheet["I2"].value > 0


def test_a_deliberation_extract_is_a_pdf(awarded: World, signed_in: Signed) -> None:
    browser = signed_in("secretariat")
    (session,) = awarded.faps.queries.sessions(awarded.secretariat)
    path = f"/exports/seances/{session.session_id}"
    page = browser.get(path).get_data(as_text=True)
    assert "Extrait de délibération" in page
    response = browser.post(f"{path}/deliberation",
                            data={"csrf_token": csrf_of(browser, path), "item": 1})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    listing = browser.post(f"{path}/liste", data={"csrf_token": csrf_of(browser, path)})
    assert listing.data.startswith(b"%PDF")


def test_the_verification_says_the_log_is_intact(awarded: World, signed_in: Signed) -> None:
    browser = signed_in("auditor")
    response = browser.post("/exports/audit/verification",
                            data={"csrf_token": csrf_of(browser, "/exports/")})
    assert response.status_code == 200
    assert "Journal intègre" in response.get_data(as_text=True)


def test_scdl_without_valid_sirets_is_refused_in_french(web_world: World,
                                                        signed_in: Signed) -> None:
    web_world.awarded()
    browser = signed_in("secretariat")
    response = browser.post("/exports/scdl/subventions",
                            data={"csrf_token": csrf_of(browser, "/exports/"),
                                  "year": web_world.clock.now().year})
    assert response.status_code == 422 and "SIRET" in response.get_data(as_text=True)


def test_a_commune_agent_may_not_export(awarded: World, signed_in: Signed) -> None:
    assert signed_in("agent").get("/exports/").status_code == 403


def test_a_download_without_csrf_is_refused(awarded: World, signed_in: Signed) -> None:
    browser = signed_in("secretariat")
    response = browser.post("/exports/decisions", data={"year": 2024, "format": "csv"})
    assert response.status_code == 400


def test_a_bad_format_shows_the_page_again_with_the_error(awarded: World,
                                                          signed_in: Signed) -> None:
    browser = signed_in("secretariat")
    response = browser.post("/exports/decisions", data={"csrf_token": csrf_of(browser, "/exports/"),
                                                        "year": 2024, "format": "pdf"})
    assert response.status_code == 400 and "valeur inconnue" in response.get_data(as_text=True)


def test_an_auditor_regenerates_a_recorded_export_and_sees_it_identical(
        awarded: World, signed_in: Signed) -> None:
    secretariat = signed_in("secretariat")
    published = secretariat.post("/exports/decisions",
                                 data={"csrf_token": csrf_of(secretariat, "/exports/"),
                                       "year": 2024, "format": "ods"})
    awarded.awarded(requested_amount="30000.00")  # later events change the 2024 table
    auditor = signed_in("auditor")
    page = auditor.get("/exports/enregistres").get_data(as_text=True)
    assert "decisions-annee-2024.ods" in page and "Régénérer et comparer" in page
    (record,) = awarded.faps.exports.records(awarded.auditor)
    response = auditor.post(f"/exports/enregistres/{record.id}/regeneration",
                            data={"csrf_token": csrf_of(auditor, "/exports/enregistres")})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "Identique" in text
    assert hashlib.sha256(published.data).hexdigest() in text


def test_an_uploaded_file_is_identified_or_refused(awarded: World, signed_in: Signed) -> None:
    secretariat = signed_in("secretariat")
    token = csrf_of(secretariat, "/exports/")
    published = secretariat.post("/exports/scdl/subventions", data={"csrf_token": token,
                                                                   "year": 2024})
    name = published.headers["Content-Disposition"].split('"')[1]
    assert re.fullmatch(r"scdl-subventions-2024-sceau-\d+-[0-9a-f]{16}\.csv", name)
    auditor = signed_in("auditor")
    path = "/exports/enregistres/verification"
    checked = auditor.post(path, data={"csrf_token": csrf_of(auditor, "/exports/enregistres"),
                                       "file": (io.BytesIO(published.data), name)})
    assert "Identique" in checked.get_data(as_text=True) and name in checked.get_data(as_text=True)
    forged = auditor.post(path, data={"csrf_token": csrf_of(auditor, "/exports/enregistres"),
                                      "file": (io.BytesIO(published.data + b"x"), name)})
    assert "Non conforme" in forged.get_data(as_text=True)
    assert "Fichier différent" in forged.get_data(as_text=True)
    missing = auditor.post(path, data={"csrf_token": csrf_of(auditor, "/exports/enregistres")})
    assert missing.status_code == 400
    assert "choisissez le fichier" in missing.get_data(as_text=True)


def test_regenerating_an_unknown_export_is_not_found(awarded: World, signed_in: Signed) -> None:
    auditor = signed_in("auditor")
    response = auditor.post("/exports/enregistres/00000000-0000-0000-0000-00000000000c/"
                            "regeneration",
                            data={"csrf_token": csrf_of(auditor, "/exports/enregistres")})
    assert response.status_code == 404


def test_an_item_not_adopted_gets_no_notification_nor_agreement(web_world: World,
                                                                signed_in: Signed) -> None:
    session_id = vote_three_outcomes(web_world)
    browser = signed_in("secretariat")
    path = f"/exports/seances/{session_id}"
    page = browser.get(path).get_data(as_text=True)
    assert page.count(f'{path}/notification"') == 1 and page.count(f'{path}/agreement"') == 1
    assert page.count(f'{path}/deliberation"') == 2  # adopted and rejected: not adjourned
    assert "Ajourné\u202f: pas de délibération" in page
    refused = browser.post(f"{path}/notification", data={"csrf_token": csrf_of(browser, path),
                                                         "item": 2})
    assert refused.status_code == 422
    assert "Pas de lettre de notification pour le point n° 2" in refused.get_data(as_text=True)
    extract = browser.post(f"{path}/deliberation", data={"csrf_token": csrf_of(browser, path),
                                                         "item": 2})
    assert extract.status_code == 200 and extract.data.startswith(b"%PDF")
