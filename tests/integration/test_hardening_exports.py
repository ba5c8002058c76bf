"""A dossier whose stored texts are hostile (formulas, control characters) exports safely.

The texts are stored the way older events hold them (before faps refused control characters):
every table and open-data file still builds, no cell is a live formula, no control character
is printed, and `faps history` prints no terminal escape sequence.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from uuid import UUID

import pytest
from click.testing import CliRunner

from faps.cli import main
from faps.domain.dossier_content import DossierContent
from faps.domain.text import STORED
from faps.infrastructure.exports.cells import csv_text, is_formula_like
from tests.conftest import build_faps
from tests.integration.test_exports_tables import service
from tests.support import FILING_KINDS, World, content, make_world, pdf

TITLE = '=HYPERLINK("http://evil.example/x";"Cliquez")\x0b\x1b[31m'
REFERENCE = "=1+1"
CLEAN_TITLE = '=HYPERLINK("http://evil.example/x";"Cliquez")[31m'
MUNICIPAL = "@SUM(A1:A9)"
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def hostile_award(world: World) -> tuple[UUID, UUID, int]:
    """Award a dossier whose stored title holds a formula and control characters.

    Return the dossier, its session and its item number.
    """
    stored = DossierContent.model_validate(content(title=TITLE), context=STORED)
    dossier_id = world.faps.dossiers.draft(world.agent, "77258", stored)
    for kind in FILING_KINDS:
        world.faps.dossiers.attach(world.agent, dossier_id, kind, f"{kind}.pdf", pdf(kind))
    world.faps.dossiers.submit(world.agent, dossier_id)
    world.faps.dossiers.declare_complete(world.officer, dossier_id)
    world.faps.dossiers.assess(world.officer, dossier_id)
    dossier = world.faps.dossiers.load(world.officer, dossier_id)
    assert dossier.assessment is not None
    world.faps.dossiers.propose(world.officer, dossier_id, dossier.assessment.grant, "Conforme.")
    session_id = world.session()
    (item,) = world.faps.council.add_to_agenda(world.secretariat, session_id, [dossier_id])
    world.faps.council.record_outcome(world.secretariat, session_id, item, "adoptee",
                                      dossier.assessment.grant or Decimal(0), REFERENCE,
                                      (50, 3, 2), (52, 55))
    world.faps.grants.record_municipal_deliberation(world.secretariat, dossier_id, MUNICIPAL,
                                                    world.clock.now().date())
    return dossier_id, session_id, item


@pytest.fixture
def hostile(memory_world: World) -> World:
    """A world with one awarded dossier of hostile stored texts."""
    hostile_award(memory_world)
    return memory_world


@pytest.mark.parametrize("kind", ["deliberation", "notification", "agreement"])
def test_item_pdfs_print_the_title_without_control_characters(memory_world: World,
                                                             kind: str) -> None:
    from pypdf import PdfReader

    _, session_id, item = hostile_award(memory_world)
    result = service(memory_world).export(memory_world.secretariat, f"pdf-{kind}",
                                          {"session_id": session_id, "item": item})
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(result.data)).pages)
    assert "HYPERLINK" in text
    assert not CONTROL.search(text)


def test_csv_cells_never_start_a_formula_nor_hold_control_characters(hostile: World) -> None:
    for separator in (";", ","):
        result = service(hostile).export(hostile.secretariat, "decisions",
                                         {"year": 2024, "format": "csv",
                                          "separator": separator})
        text = result.data.decode("utf-8-sig")
        assert not CONTROL.search(text)
        cells = [c for row in csv.reader(io.StringIO(text), delimiter=separator) for c in row]
        assert not [c for c in cells if is_formula_like(c)]
        assert "'" + CLEAN_TITLE in cells and "'=1+1" in cells and "'@SUM(A1:A9)" in cells


@pytest.mark.parametrize("dataset", ["scdl-subventions", "scdl-deliberations"])
def test_scdl_files_never_start_a_formula_nor_hold_control_characters(hostile: World,
                                                                      dataset: str) -> None:
    result = service(hostile).export(hostile.secretariat, dataset, {"year": 2024})
    text = result.data.decode("utf-8")
    assert not CONTROL.search(text)
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert not [c for c in cells if is_formula_like(c)]
    assert any("HYPERLINK" in c for c in cells)


def test_xlsx_has_text_cells_only_never_a_formula(hostile: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import openpyxl

    result = service(hostile).export(hostile.secretariat, "decisions",
                                     {"year": 2024, "format": "xlsx"})
    path = tmp_path / result.name
    path.write_bytes(result.data)
    sheet = openpyxl.load_workbook(path).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert CLEAN_TITLE in texts
    assert REFERENCE in texts and MUNICIPAL in texts
    assert not [t for t in texts if CONTROL.search(t)]
    with io.BytesIO(result.data) as raw:
        import zipfile

        sheet_xml = zipfile.ZipFile(raw).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml


def test_ods_has_string_cells_without_control_characters(hostile: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from odf.opendocument import load
    from odf.table import TableCell

    result = service(hostile).export(hostile.secretariat, "decisions",
                                     {"year": 2024, "format": "ods"})
    path = tmp_path / result.name
    path.write_bytes(result.data)
    cells = load(str(path)).spreadsheet.getElementsByType(TableCell)
    assert not [c for c in cells if c.getAttribute("formula")]
    texts = [str(c) for c in cells]
    assert any(t.startswith("=HYPERLINK") for t in texts)
    assert not [t for t in texts if CONTROL.search(t)]


def test_the_hostile_export_regenerates_to_the_same_bytes(hostile: World) -> None:
    svc = service(hostile)
    reproduction = hostile.faps.reproduction
    for fmt in ("xlsx", "ods", "csv"):
        result = svc.export(hostile.secretariat, "decisions", {"year": 2024, "format": fmt})
        assert reproduction.regenerate(hostile.auditor, str(result.export_id)).ok, fmt


def test_history_prints_no_terminal_escape(tmp_path, clock) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'faps.sqlite3'}"
    faps = build_faps(url, tmp_path, clock)
    world = make_world(faps, clock)
    dossier_id, _, _ = hostile_award(world)
    faps.close()
    env = {"FAPS_INSTANCE_PATH": str(tmp_path / "instance"), "FAPS_DATABASE_URL": url}
    result = CliRunner().invoke(main, ["history", str(dossier_id)], env=env)
    assert result.exit_code == 0, result.output
    assert "HYPERLINK" in result.output and "=1+1" in result.output
    assert not CONTROL.search(result.output)


def test_a_number_is_not_a_formula() -> None:
    assert csv_text("-12,50") == "-12,50" and csv_text("+33") == "+33"
    assert csv_text("-1+1") == "'-1+1" and csv_text("\t=x") == "'\t=x"
    assert csv_text("a\x1bb") == "ab"
    for start in FORMULA_PREFIXES:
        assert is_formula_like(start + "A1")
