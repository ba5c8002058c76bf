"""The exports pages: decision tables, PDF documents, audit verification, access and CSRF."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

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
    log = browser.post("/exports/audit/journal", data={"csrf_token": csrf_of(browser, "/exports/")})
    assert log.status_code == 200 and b"faps-audit-log/1" in log.data.splitlines()[0]


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
