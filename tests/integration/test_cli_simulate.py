import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from faps.cli import main
from faps.infrastructure.communes_file import load_communes
from tests.examples import EXAMPLE_REQUEST, EXPECTED_FIGURES

ROOT = Path(__file__).resolve().parents[2]
REQUEST: dict[str, Any] = EXAMPLE_REQUEST
REGLEMENT_TOML = """\
version = "2025-01-15"
adopted_by = "Délibération n° 2025-003"
effective_from = "2025-02-01"
basis = "TTC"
rate = "0.25"
ceiling_per_dossier = "50000.00"
commune_yearly_ceiling = "24000.00"
eligible_categories = ["travaux_amenagement", "equipement_specifique"]
accepted_tenures = ["proprietaire", "locataire"]
works_must_not_have_started = true
"""


def write_json(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def simulate(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, ["simulate", *args], input=stdin)


def simulate_request(tmp_path: Path, *options: str, **changes: Any) -> Result:
    return simulate(str(write_json(tmp_path / "demande.json", REQUEST | changes)), *options)


def test_prints_the_result_of_the_example(tmp_path: Path) -> None:
    result = simulate_request(tmp_path)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    output = json.loads(result.stdout)
    assert output["reglement_version"] == "2022-03-31"
    assert output["eligible"] is True
    assert output["figures"] == EXPECTED_FIGURES
    assert (output["max_grant"], output["grant"], output["binding_cap"]) == (
        "30000.00",
        "30000.00",
        "cap_rate",
    )
    assert output["criteria"][0] == {
        "code": "commune_membre",
        "passed": True,
        "message": "Lognes est membre de l’agglomération.",
    }


def test_prints_indented_json_with_french_letters_unescaped(tmp_path: Path) -> None:
    stdout = simulate_request(tmp_path).stdout
    assert '\n  "eligible": true,' in stdout
    assert "agglomération" in stdout


def test_reads_the_request_from_stdin() -> None:
    result = simulate("-", stdin=json.dumps(REQUEST))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["grant"] == "30000.00"


def test_an_ineligible_request_still_exits_zero(tmp_path: Path) -> None:
    result = simulate_request(tmp_path, works_started=True)
    assert result.exit_code == 0
    output = json.loads(result.stdout)
    assert output["eligible"] is False
    assert output["grant"] == "0.00"
    assert output["max_grant"] == "30000.00"
    assert output["binding_cap"] is None


def test_yes_and_no_may_be_written_in_french(tmp_path: Path) -> None:
    started = json.loads(simulate_request(tmp_path, works_started="oui",
                                          health_activity="Oui").stdout)
    not_started = json.loads(simulate_request(tmp_path, works_started="non",
                                              health_activity="oui").stdout)
    assert (started["eligible"], not_started["eligible"]) == (False, True)
    refused = simulate_request(tmp_path, works_started="peut-être")
    assert refused.exit_code == 2 and "works_started : oui ou non attendu" in refused.stderr


def test_a_non_member_commune_is_an_assessment_not_an_input_error(tmp_path: Path) -> None:
    result = simulate_request(tmp_path, commune="75056")
    assert result.exit_code == 0
    output = json.loads(result.stdout)
    assert output["criteria"][0] == {
        "code": "commune_membre",
        "passed": False,
        "message": "La commune 75056 n’est pas membre de l’agglomération.",
    }
    assert output["eligible"] is False


def _without(field: str) -> dict[str, Any]:
    return {k: v for k, v in REQUEST.items() if k != field}


def _line(**changes: Any) -> list[dict[str, Any]]:
    return [REQUEST["expenses"][0] | changes]


@pytest.mark.parametrize(
    ("request_data", "expected"),
    [
        (_without("works_started"), "works_started : champ obligatoire"),
        (_without("requested_amount"), "requested_amount : champ obligatoire"),
        (REQUEST | {"requested_amount": "-5.00"}, "requested_amount : le montant ne peut pas"),
        (REQUEST | {"requested_amount": "beaucoup"}, "requested_amount : « beaucoup » n’est pas"),
        (REQUEST | {"requested_amount": 40000.5}, "requested_amount : montant attendu sous forme"),
        (REQUEST | {"requested_amount": "9" * 40}, "requested_amount : le montant dépasse"),
        (REQUEST | {"requested_amount": "1e3"}, "requested_amount : « 1e3 » n’est pas un montant"),
        (REQUEST | {"expenses": _line(amount_ht="-1")}, "expenses[0].amount_ht : le montant"),
        (REQUEST | {"expenses": _line(vat="1.001")}, "expenses[0].vat : le montant a plus de"),
        (
            REQUEST | {"expenses": _line(category="mobilier")},
            "expenses[0].category : valeur inconnue",
        ),
        (REQUEST | {"expenses": _line(label="x" * 201)}, "expenses[0].label : texte trop long"),
        (REQUEST | {"premises_tenure": "bail"}, "premises_tenure : valeur inconnue"),
        (REQUEST | {"health_activity": "peut-être"}, "health_activity : oui ou non attendu"),
        (REQUEST | {"public_funding": [{"amount": "1.00"}]}, "public_funding[0].funder : champ"),
        (REQUEST | {"commentaire": "?"}, "commentaire : champ inconnu"),
        (["pas", "un", "objet"], "requête : objet JSON attendu"),
    ],
)
def test_invalid_requests_exit_2_naming_the_field_in_french(
    tmp_path: Path, request_data: object, expected: str
) -> None:
    result = simulate(str(write_json(tmp_path / "demande.json", request_data)))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Saisie invalide" in result.stderr
    assert expected in result.stderr


def test_unreadable_json_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "demande.json"
    path.write_text('{"commune": "77258",', encoding="utf-8")
    result = simulate(str(path))
    assert result.exit_code == 2
    assert "requête : JSON illisible" in result.stderr


def test_a_missing_request_file_exits_2(tmp_path: Path) -> None:
    result = simulate(str(tmp_path / "absente.json"))
    assert result.exit_code == 2
    assert "requête : fichier introuvable" in result.stderr


def test_a_request_not_in_utf8_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "demande.json"
    path.write_bytes(json.dumps(REQUEST, ensure_ascii=False).encode("latin-1"))
    result = simulate(str(path))
    assert result.exit_code == 2
    assert "requête : " in result.stderr
    assert "UTF-8" in result.stderr


def test_every_invalid_field_is_reported_at_once(tmp_path: Path) -> None:
    result = simulate_request(tmp_path, requested_amount="-1", premises_tenure="bail")
    assert result.exit_code == 2
    assert "requested_amount : " in result.stderr
    assert "premises_tenure : " in result.stderr


def test_applies_a_custom_reglement_in_json(tmp_path: Path) -> None:
    reglement = {
        "version": "2024-06-20",
        "adopted_by": "Délibération n° 2024-117",
        "effective_from": "2024-07-01",
        "basis": "HT",
        "rate": "0.20",
        "ceiling_per_dossier": None,
        "floor_eligible_cost": None,
        "eligible_categories": ["travaux_amenagement", "equipement_specifique", "autre"],
    }
    path = write_json(tmp_path / "reglement.json", reglement)
    output = json.loads(simulate_request(tmp_path, "--reglement", str(path)).stdout)
    assert output["reglement_version"] == "2024-06-20"
    assert output["figures"]["eligible_base"] == "105000.00"
    assert "cap_ceiling" not in output["figures"]["caps"]
    assert output["grant"] == "21000.00"
    assert output["binding_cap"] == "cap_rate"


def test_applies_a_custom_reglement_in_toml(tmp_path: Path) -> None:
    path = tmp_path / "reglement.toml"
    path.write_text(REGLEMENT_TOML, encoding="utf-8")
    result = simulate_request(tmp_path, "--reglement", str(path), commune_awarded_this_year="4000")
    assert result.exit_code == 0, result.stderr
    output = json.loads(result.stdout)
    assert output["reglement_version"] == "2025-01-15"
    figures = output["figures"]
    assert (figures["basis"], figures["total_cost"], figures["eligible_base"]) == (
        "TTC",
        "126000.00",
        "120000.00",
    )
    assert figures["caps"]["cap_rate"] == "30000.00"
    assert figures["caps"]["cap_commune_year"] == "20000.00"
    assert output["grant"] == "20000.00"
    assert output["binding_cap"] == "cap_commune_year"
    plancher = next(c for c in output["criteria"] if c["code"] == "plancher")
    assert plancher == {
        "code": "plancher",
        "passed": True,
        "message": "Le règlement ne fixe pas de plancher.",
    }


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("r.json", json.dumps({"version": "v"}), "reglement.rate : champ obligatoire"),
        (
            "r.toml",
            REGLEMENT_TOML.replace('"0.25"', '"1.5"'),
            "reglement.rate : doit être au plus 1",
        ),
        ("r.toml", REGLEMENT_TOML.replace('"TTC"', '"TVA"'), "reglement.basis : valeur inconnue"),
        ("r.toml", REGLEMENT_TOML + "bonus = 1\n", "reglement.bonus : champ inconnu"),
        ("r.toml", "rate = ", "reglement : fichier illisible"),
        ("r.json", "{rate: 1}", "reglement : fichier illisible"),
    ],
)
def test_an_invalid_reglement_exits_2_naming_its_field(
    tmp_path: Path, name: str, text: str, expected: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = simulate_request(tmp_path, "--reglement", str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert expected in result.stderr


def test_a_missing_reglement_file_exits_2(tmp_path: Path) -> None:
    result = simulate_request(tmp_path, "--reglement", str(tmp_path / "absent.toml"))
    assert result.exit_code == 2
    assert "reglement : fichier introuvable" in result.stderr


def test_the_help_is_in_french() -> None:
    result = CliRunner().invoke(main, ["simulate", "--help"])
    assert result.exit_code == 0
    assert "Simule le fonds de concours" in result.stdout
    assert "--reglement FICHIER" in result.stdout


def test_loads_the_member_communes_shipped_with_faps() -> None:
    communes = load_communes()
    assert len(communes) == 12
    assert communes.name("77258") == "Lognes"
    assert "75056" not in communes


def _run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "faps.cli", "simulate", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env=env,
        timeout=60,
        check=False,
    )


def test_runs_as_a_real_process(tmp_path: Path) -> None:
    path = write_json(tmp_path / "demande.json", REQUEST)
    done = _run(str(path))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["figures"] == EXPECTED_FIGURES

    failed = _run("-", stdin=json.dumps(REQUEST | {"requested_amount": "-1"}))
    assert failed.returncode == 2
    assert failed.stdout == ""
    assert "requested_amount : le montant ne peut pas être négatif" in failed.stderr
