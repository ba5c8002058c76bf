"""The règlement page: every role reads the versions; the secretariat records a new one."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from faps.infrastructure.reglement_files import DEFAULT_REGLEMENT
from tests.support import World
from tests.web.conftest import csrf_of

Signed = Callable[[str], FlaskClient]
SHIPPED = (Path(__file__).parents[2] / "faps" / "data" / DEFAULT_REGLEMENT).read_text("utf-8")
CORRECTED = (SHIPPED.replace('version = "2022-03-31"', 'version = "2024-03"')
             .replace('effective_from = "2022-04-01"', 'effective_from = "2024-03-01"')
             .replace('rate = "0.30"', 'rate = "0.40"'))


@pytest.mark.parametrize("who", ["agent", "officer", "secretariat", "auditor", "admin"])
def test_every_role_reads_the_version_in_force_and_its_figures(signed_in: Signed, who: str):
    page = signed_in(who).get("/reglement/")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Version du 31 mars 2022" in text and "En vigueur" in text
    assert ("Chiffres non vérifiés" in text) == (who == "admin") and "30\u00a0%" in text
    assert "à confirmer" not in text
    assert "Délibération du conseil municipal approuvant le projet" in text
    assert ("Enregistrer une version adoptée" in text) == (who in ("secretariat", "admin"))


def _upload(browser: FlaskClient, name: str, content: str):  # type: ignore[no-untyped-def]
    return browser.post("/reglement/adopter", data={
        "csrf_token": csrf_of(browser, "/reglement/"),
        "file": (io.BytesIO(content.encode("utf-8")), name)},
        content_type="multipart/form-data")


def test_the_secretariat_records_a_version_that_judges_later_filings(
        signed_in: Signed, web_world: World):
    browser = signed_in("secretariat")
    response = _upload(browser, "reglement-2024-03.toml", CORRECTED)
    assert response.status_code == 302
    page = browser.get("/reglement/").get_data(as_text=True)
    assert "Version 2024-03 enregistrée" in page and "40\u00a0%" in page
    new, shipped = page.split('id="version-2022-03-31"')  # newest first
    assert "À venir" in new and "En vigueur" in shipped  # the clock says 5 February 2024
    assert web_world.faps.reglements.in_force(date(2024, 3, 1)).version == "2024-03"
    assert web_world.faps.reglements.in_force(date(2024, 2, 29)).version == "2022-03-31"


def test_a_bad_file_is_refused_naming_the_field_and_nothing_is_recorded(
        signed_in: Signed, web_world: World):
    browser = signed_in("admin")
    before = web_world.faps.app.recorder.max_notification_id()
    bad = _upload(browser, "v.toml", CORRECTED.replace('"0.40"', '"quarante"'))
    assert bad.status_code == 400
    assert "rate\u202f: nombre décimal attendu" in bad.get_data(as_text=True)
    twice = _upload(browser, "v.toml", SHIPPED)
    assert twice.status_code == 400
    assert "la version 2022-03-31 existe déjà" in twice.get_data(as_text=True)
    empty = browser.post("/reglement/adopter", data={"csrf_token": csrf_of(browser, "/reglement/")})
    assert empty.status_code == 400 and "choisissez le fichier" in empty.get_data(as_text=True)
    assert web_world.faps.app.recorder.max_notification_id() == before


@pytest.mark.parametrize("who", ["agent", "officer", "auditor"])
def test_only_the_secretariat_and_the_administrator_record_a_version(
        signed_in: Signed, web_world: World, who: str):
    before = web_world.faps.app.recorder.max_notification_id()
    assert _upload(signed_in(who), "v.toml", CORRECTED).status_code == 403
    assert web_world.faps.app.recorder.max_notification_id() == before
