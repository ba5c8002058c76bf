"""Decision tables and SCDL open data, read back with real readers."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from importlib import resources
from uuid import UUID

import pytest

from faps.application.exports import ExportService
from faps.domain.errors import ConfigurationError, NotFoundError, PermissionDeniedError
from faps.domain.publisher import Publisher
from faps.infrastructure.exports.luhn import siret_ok
from tests.support import World

AGGLO_SIRET = "20005795800015"
SIRETS = {"77258": "21770258900011", "77108": "21770108600019"}


def service(world: World, **publisher: object) -> ExportService:
    """Return the export service with valid example SIRETs."""
    svc = world.faps.exports
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


def vote_three_outcomes(world: World) -> UUID:
    """Put three proposals to one session: item 1 adopted, 2 rejected, 3 adjourned."""
    dossiers = [world.proposed() for _ in range(3)]
    session_id = world.session()
    items = world.faps.council.add_to_agenda(world.secretariat, session_id, dossiers)
    for item, dossier_id, (outcome, votes) in zip(items, dossiers, [
            ("adoptee", (50, 3, 2)), ("rejetee", (10, 40, 5)), ("ajournee", (0, 0, 0))],
                                                  strict=True):
        proposed = world.faps.dossiers.load(world.officer, dossier_id).proposed_amount
        reference = "" if outcome == "ajournee" else f"DEL-2024-{item:03d}"
        world.faps.council.record_outcome(world.secretariat, session_id, item, outcome,
                                          proposed or Decimal(0), reference, votes, (52, 55))
    return session_id


@pytest.fixture
def three_outcomes(memory_world: World) -> tuple[World, str]:
    """A 2024 session with an adopted, a rejected and an adjourned item; and its id."""
    return memory_world, str(vote_three_outcomes(memory_world))


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
    assert ["Sceau d’audit — empreinte SHA-256", result.seal.head] in rows
    assert ["Sceau d’audit — position", str(result.seal.position)] in rows


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


def test_a_rejected_or_adjourned_item_awards_nothing_in_the_csv(three_outcomes) -> None:  # type: ignore[no-untyped-def]
    world, session_id = three_outcomes
    result = service(world).export(world.secretariat, "decisions",
                                   {"session_id": session_id, "format": "csv", "separator": ","})
    rows = list(csv.reader(io.StringIO(result.data.decode("utf-8-sig"))))[1:4]
    assert [r[7] for r in rows] == ["Adoptée", "Rejetée", "Ajournée"]
    assert Decimal(rows[0][8]) > 0
    assert [Decimal(r[8]) for r in rows[1:]] == [0, 0]
    assert rows[1][10].endswith("-DEL_2024_002-DE")
    assert rows[2][10] == ""  # adjourned: no deliberation, no ACTES identifier


def test_a_rejected_or_adjourned_item_awards_nothing_in_xlsx_and_ods(three_outcomes,  # type: ignore[no-untyped-def]
                                                                     tmp_path) -> None:
    import openpyxl
    from odf.opendocument import load
    from odf.table import TableCell, TableRow

    world, session_id = three_outcomes
    svc = service(world)
    xlsx = svc.export(world.secretariat, "decisions", {"session_id": session_id,
                                                       "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet["I2"].value > 0 and sheet["I3"].value == 0 and sheet["I4"].value == 0
    ods = svc.export(world.secretariat, "decisions", {"session_id": session_id, "format": "ods"})
    (tmp_path / "d.ods").write_bytes(ods.data)
    rows = load(str(tmp_path / "d.ods")).spreadsheet.getElementsByType(TableRow)
    amounts = [Decimal(r.getElementsByType(TableCell)[8].getAttribute("value"))
               for r in rows[1:4]]
    assert amounts[0] > 0 and amounts[1:] == [0, 0]


def test_scdl_deliberations_leaves_out_an_adjourned_item(three_outcomes) -> None:  # type: ignore[no-untyped-def]
    world, _ = three_outcomes
    result = service(world).export(world.secretariat, "scdl-deliberations", {"year": 2024})
    rows = list(csv.DictReader(io.StringIO(result.data.decode())))
    assert [r["DELIB_ID"] for r in rows] == ["DEL_2024_001", "DEL_2024_002"]
    assert [r["VOTE_POUR"] for r in rows] == ["50", "10"]


def test_scdl_subventions_publishes_only_the_award(three_outcomes) -> None:  # type: ignore[no-untyped-def]
    world, _ = three_outcomes
    result = service(world).export(world.secretariat, "scdl-subventions", {"year": 2024})
    rows = list(csv.DictReader(io.StringIO(result.data.decode())))
    assert len(rows) == 1 and rows[0]["referenceDecision"].endswith("-DEL_2024_001-DE")
    assert Decimal(rows[0]["montant"]) > 0


def test_a_year_whose_sessions_voted_nothing_has_no_decision_table(memory_world: World) -> None:
    memory_world.session(on=date(2025, 3, 20))
    with pytest.raises(NotFoundError, match="Aucun point voté"):
        service(memory_world).export(memory_world.secretariat, "decisions",
                                     {"year": 2025, "format": "csv"})
