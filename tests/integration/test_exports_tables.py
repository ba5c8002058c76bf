"""Decision tables and SCDL open data, read back with real readers."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from importlib import resources

import pytest

from faps.application.exports import ExportService, export_service
from faps.domain.errors import ConfigurationError, PermissionDeniedError
from faps.infrastructure.exports.luhn import siret_ok
from faps.infrastructure.exports.scdl import Publisher
from tests.support import World

AGGLO_SIRET = "20005795800015"
SIRETS = {"77258": "21770258900011", "77108": "21770108600019"}


def service(world: World, **publisher: object) -> ExportService:
    """Return the export service with valid example SIRETs."""
    svc = export_service(world.faps)
    svc.publisher = Publisher(**{"fund_name": "FAPS", "name": "CA Paris - Vallée de la Marne",
                                 "siren": "200057958", "siret": AGGLO_SIRET,
                                 "commune_sirets": SIRETS, **publisher})  # type: ignore[arg-type]
    return svc


@pytest.fixture
def awarded(memory_world: World) -> World:
    """Two awarded dossiers of Lognes on two sessions of 2024."""
    memory_world.awarded()
    memory_world.clock.advance(days=20)
    memory_world.awarded(requested_amount="30000.00")
    return memory_world


def test_example_sirets_pass_luhn() -> None:
    assert all(siret_ok(s) for s in [AGGLO_SIRET, *SIRETS.values()])


def test_csv_of_a_year_has_numbers_with_a_decimal_comma_and_the_seal(awarded: World) -> None:
    result = service(awarded).export(awarded.secretariat, "decisions",
                                     {"year": 2024, "format": "csv", "separator": ";"})
    text = result.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["Séance", "Instance", "Point"]
    data = [r for r in rows[1:] if len(r) > 3]
    assert len(data) == 2
    assert data[0][5] == "Lognes" and data[0][7] == "Adoptée"
    assert Decimal(data[0][8].replace(",", ".")) > 0
    assert data[0][10].startswith("077-200057958-2024") and data[0][10].endswith("-DE")
    assert ["Sceau d'audit — empreinte SHA-256", result.seal.head] in rows
    assert ["Sceau d'audit — position", str(result.seal.position)] in rows


def test_xlsx_cells_are_numbers_with_a_euro_format_and_properties_carry_the_seal(
        awarded: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import openpyxl

    result = service(awarded).export(awarded.secretariat, "decisions",
                                     {"year": 2024, "format": "xlsx"})
    path = tmp_path / result.name
    path.write_bytes(result.data)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet["F2"].value == "Lognes"
    assert isinstance(sheet["I2"].value, int | float) and sheet["I2"].value > 0
    assert "€" in sheet["I2"].number_format
    assert sheet["A2"].is_date
    assert result.seal.head in (book.properties.description or "")
    assert book.properties.created == awarded.clock.now().replace(tzinfo=None)


def test_ods_cells_are_currency_and_dates(awarded: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from odf.opendocument import load
    from odf.table import TableCell, TableRow

    result = service(awarded).export(awarded.secretariat, "decisions",
                                     {"year": 2024, "format": "ods"})
    path = tmp_path / result.name
    path.write_bytes(result.data)
    rows = load(str(path)).spreadsheet.getElementsByType(TableRow)
    cells = rows[1].getElementsByType(TableCell)
    assert cells[0].getAttribute("valuetype") == "date"
    assert cells[8].getAttribute("valuetype") == "currency"
    assert Decimal(cells[8].getAttribute("value")) > 0
    assert result.seal.head in str(rows[-3])


def test_the_same_export_gives_the_same_bytes(awarded: World) -> None:
    svc = service(awarded)
    for fmt in ("xlsx", "ods", "csv"):
        first = svc.export(awarded.secretariat, "decisions", {"year": 2024, "format": fmt})
        second = svc.export(awarded.secretariat, "decisions", {"year": 2024, "format": fmt})
        # the first export's record moved the log: same data, new seal
        assert first.seal.position < second.seal.position
    assert len(svc.records(awarded.auditor)) == 6


def test_scdl_subventions_is_valid_against_the_schema(awarded: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from frictionless import Resource, Schema

    result = service(awarded).export(awarded.secretariat, "scdl-subventions", {"year": 2024})
    path = tmp_path / "scdl.csv"
    path.write_bytes(result.data)
    schema_file = resources.files("faps.data") / "scdl-subventions-2.1.1.schema.json"
    schema = Schema.from_descriptor(json.loads(schema_file.read_text(encoding="utf-8")))
    report = Resource(path="scdl.csv", basepath=str(tmp_path), schema=schema).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = list(csv.DictReader(io.StringIO(result.data.decode())))
    assert len(rows) == 2
    for row in rows:
        assert row["idBeneficiaire"] or row["rnaBeneficiaire"]
        assert siret_ok(row["idAttribuant"]) and siret_ok(row["idBeneficiaire"])


def test_scdl_deliberations_has_the_votes(awarded: World) -> None:
    result = service(awarded).export(awarded.secretariat, "scdl-deliberations", {"year": 2024})
    rows = list(csv.DictReader(io.StringIO(result.data.decode())))
    assert [r["VOTE_POUR"] for r in rows] == ["50", "50"]
    assert rows[0]["DELIB_MATIERE_CODE"] == "7.8" and rows[0]["PREF_ID"] == "PREF077"


@pytest.mark.parametrize("publisher", [{"siret": ""}, {"siret": "20005795800014"},
                                       {"commune_sirets": {}}])
def test_scdl_refuses_without_valid_sirets(awarded: World, publisher: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(ConfigurationError, match="SIRET"):
        service(awarded, **publisher).export(awarded.secretariat, "scdl-subventions",
                                             {"year": 2024})


def test_a_commune_agent_may_not_export(awarded: World) -> None:
    with pytest.raises(PermissionDeniedError):
        service(awarded).export(awarded.agent, "decisions", {"year": 2024, "format": "csv"})
