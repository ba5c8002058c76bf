"""`faps reglement`: list, show and adopt versions, as the administrator runs them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from faps.infrastructure.reglement_files import DEFAULT_REGLEMENT
from tests.integration.test_cli_core import Store

SHIPPED = Path(__file__).parents[2] / "faps" / "data" / DEFAULT_REGLEMENT


def corrected(tmp_path: Path) -> Path:
    """Write the shipped file as a corrected version in force from 1 March 2024 at 40 %."""
    text = SHIPPED.read_text(encoding="utf-8")
    for old, new in (('version = "2022-03-31"', 'version = "2024-03"'),
                     ('effective_from = "2022-04-01"', 'effective_from = "2024-03-01"'),
                     ('rate = "0.30"', 'rate = "0.40"'),
                     ("to_be_confirmed = true", "to_be_confirmed = false")):
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "reglement-2024-03.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_adopted_version_judges_the_dossiers_filed_from_its_date(tmp_path: Path):
    store = Store(tmp_path / "instance")
    shipped = store.run("reglement", "list")
    assert shipped.exit_code == 0, shipped.output
    assert "2022-03-31" in shipped.output and "chiffres à confirmer" in shipped.output
    adopted = store.run("reglement", "adopt", str(corrected(tmp_path)))
    assert adopted.exit_code == 0, adopted.output
    assert "à partir du 01/03/2024" in adopted.output
    assert store.run("reglement", "list").output.count("\n") == 2
    shown = store.run("reglement", "show", "2024-03")
    assert "taux 40\u00a0%" in shown.output
    assert "Plafond par dossier\u202f: 100\u202f000,00" in shown.output
    assert "'" not in shown.output and " : " not in shown.output
    faps = store.faps()
    try:
        assert faps.reglements.in_force(date(2024, 2, 29)).version == "2022-03-31"
        assert faps.reglements.in_force(date(2024, 3, 1)).version == "2024-03"
    finally:
        faps.close()


def test_a_version_is_adopted_once_and_a_bad_file_is_refused_naming_the_field(tmp_path: Path):
    store = Store(tmp_path / "instance")
    path = corrected(tmp_path)
    assert store.run("reglement", "adopt", str(path)).exit_code == 0
    again = store.run("reglement", "adopt", str(path))
    assert again.exit_code == 2
    assert "la version 2024-03 existe déjà" in again.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text(path.read_text(encoding="utf-8").replace('"0.40"', '"quarante"'),
                   encoding="utf-8")
    refused = store.run("reglement", "adopt", str(bad))
    assert refused.exit_code == 2 and "reglement.rate" in refused.stderr
    assert store.run("reglement", "adopt", str(tmp_path / "absent.toml")).exit_code == 2
    unknown = store.run("reglement", "show", "1999")
    assert unknown.exit_code == 1 and "Version de règlement inconnue" in unknown.stderr
    assert store.run("reglement", "list").output.count("\n") == 2
