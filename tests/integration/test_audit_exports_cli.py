"""`faps audit check-export / regenerate / list-exports` on SQLite and PostgreSQL, and failures."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from faps.cli import main
from faps.infrastructure.export_templates import PACKAGED
from tests.conftest import build_faps
from tests.integration.test_audit import execute, table, voted_event
from tests.support import World, make_world

SIRETS = {"FAPS_AGGLOMERATION_SIRET": "20005795800015",
          "FAPS_COMMUNE_SIRETS": '{"77258": "21770258900011", "77108": "21770108600019"}'}


@pytest.fixture(params=["sqlite", "postgres"])
def awarded(request: pytest.FixtureRequest, tmp_path: Path, clock: Any) -> Iterator[World]:
    """An awarded dossier of 2024 on a real database."""
    url = (f"sqlite:///{tmp_path / 'faps.sqlite3'}" if request.param == "sqlite"
           else str(request.getfixturevalue("postgres_url")))
    faps = build_faps(url, tmp_path, clock)
    world = make_world(faps, clock)
    world.awarded()
    yield world
    faps.close()


def cli(world: World, *args: str, **env: str) -> Any:
    """Run `faps` against the world's database, with valid example SIRETs."""
    env = {"FAPS_DATABASE_URL": world.faps.settings.database_url,
           "FAPS_INSTANCE_PATH": str(world.faps.settings.instance_path), **SIRETS, **env}
    return CliRunner().invoke(main, list(args), env=env)


def exported(world: World, tmp_path: Path, *args: str) -> tuple[Path, str]:
    """Export through the command line; return the file and the recorded export's id."""
    out = tmp_path / "publie.bin"
    result = cli(world, "export", *args, "-o", str(out))
    assert result.exit_code == 0, result.output
    match = re.search(r"identifiant ([0-9a-f-]{36})", result.output)
    assert match, result.output
    return out, match.group(1)


def test_a_published_file_is_identified_and_regenerated_after_later_events(
        awarded: World, tmp_path: Path) -> None:
    out, export_id = exported(awarded, tmp_path, "decisions", "--year", "2024", "--format", "xlsx")
    awarded.clock.advance(days=20)
    awarded.awarded(requested_amount="30000.00")  # the 2024 table would now have two rows
    checked = cli(awarded, "audit", "check-export", str(out))
    assert checked.exit_code == 0, checked.output
    assert f"Export enregistré {export_id}" in checked.output
    assert "Ligne de commande" in checked.output and "année 2024, format xlsx" in checked.output
    assert "Sceau d'audit à l'export : position" in checked.output
    assert "Régénéré à l'identique" in checked.output
    again = tmp_path / "regenere.xlsx"
    regenerated = cli(awarded, "audit", "regenerate", export_id, "-o", str(again))
    assert regenerated.exit_code == 0, regenerated.output
    assert again.read_bytes() == out.read_bytes()
    listed = cli(awarded, "audit", "list-exports")
    assert export_id in listed.output and "decisions-annee-2024.xlsx" in listed.output


def test_scdl_seal_is_in_the_recorded_name_and_the_file_regenerates(awarded: World,
                                                                    tmp_path: Path) -> None:
    out, export_id = exported(awarded, tmp_path, "scdl-subventions", "--year", "2024")
    checked = cli(awarded, "audit", "check-export", str(out))
    assert checked.exit_code == 0 and export_id in checked.output, checked.output
    listed = cli(awarded, "audit", "list-exports").output
    assert re.search(r"scdl-subventions-2024-sceau-\d+-[0-9a-f]{16}\.csv", listed), listed


def test_a_changed_or_unknown_file_is_refused(awarded: World, tmp_path: Path) -> None:
    out, _ = exported(awarded, tmp_path, "decisions", "--year", "2024", "--format", "csv")
    data = out.read_bytes().replace(b"Lognes", b"Chelles", 1)
    namesake = tmp_path / "decisions-annee-2024.csv"  # the name the secretariat was offered
    namesake.write_bytes(data)
    different = cli(awarded, "audit", "check-export", str(namesake))
    assert different.exit_code == 1 and "Fichier différent" in different.output
    other = tmp_path / "autre.csv"
    other.write_bytes(data)
    unknown = cli(awarded, "audit", "check-export", str(other))
    assert unknown.exit_code == 1 and "Fichier inconnu" in unknown.output


def test_a_log_rewritten_before_the_seal_cannot_regenerate_the_file(awarded: World,
                                                                     tmp_path: Path) -> None:
    out, export_id = exported(awarded, tmp_path, "decisions", "--year", "2024", "--format", "csv")
    name, ident = table(awarded)
    number, state = voted_event(awarded)
    execute(awarded, f"UPDATE {name} SET state = %s WHERE {ident} = %s",
            state.replace(b'"votes_against":3', b'"votes_against":4'), number)
    result = cli(awarded, "audit", "regenerate", export_id, "-o", str(tmp_path / "r.csv"))
    assert result.exit_code == 1 and "réécrit depuis l'export" in result.output
    assert not (tmp_path / "r.csv").exists()
    assert cli(awarded, "audit", "check-export", str(out)).exit_code == 1


@pytest.mark.parametrize("export_id", ["pas-un-identifiant",
                                       "00000000-0000-0000-0000-00000000000a"])
def test_an_unknown_export_id_fails(awarded: World, tmp_path: Path, export_id: str) -> None:
    result = cli(awarded, "audit", "regenerate", export_id, "-o", str(tmp_path / "r.csv"))
    assert result.exit_code == 1 and "export" in result.output.lower()


def test_regeneration_names_the_template_edited_since_the_export(awarded: World,
                                                                 tmp_path: Path) -> None:
    template = awarded.faps.settings.instance_path / "templates" / "deliberation.txt"
    template.parent.mkdir(parents=True, exist_ok=True)
    text = (PACKAGED / "deliberation.txt").read_text(encoding="utf-8")
    template.write_text(text.replace("Extrait du registre", "Extrait conforme", 1), "utf-8")
    (session,) = awarded.faps.queries.sessions(awarded.secretariat)
    _, export_id = exported(awarded, tmp_path, "pdf", "deliberation", "--session",
                            str(session.session_id), "--item", "1")
    same = cli(awarded, "audit", "regenerate", export_id, "-o", str(tmp_path / "same.pdf"))
    assert same.exit_code == 0, same.output
    assert "Produit par faps" in same.output
    assert "modèle « deliberation.txt » SHA-256" in same.output
    template.write_text(template.read_text("utf-8").replace("Vu le Code", "Vu, le Code", 1),
                        "utf-8")
    result = cli(awarded, "audit", "regenerate", export_id, "-o", str(tmp_path / "r.pdf"))
    assert result.exit_code == 1, result.output
    assert "le modèle « deliberation.txt » a changé depuis l'export" in result.output
    assert str(template) in result.output
