"""Usage errors of the command line are told in French, name the parameter and exit 2."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from faps.cli import main


@pytest.mark.parametrize(("args", "message"), [
    (["accounts", "add", "x@y.fr", "--role", "pape"],
     "Valeur invalide pour --role : choisir parmi agent_commune, instructeur"),
    (["simulate"], "Argument manquant : REQUEST.json."),
    (["export", "decisions", "--bogus"], "Option inconnue : --bogus."),
    (["reglemnt"], "Commande inconnue : reglemnt."),
    (["history", "FAPS-2024-001", "de trop"], "Argument en trop : de trop."),
    (["export", "decisions", "--year", "2024", "--format", "doc", "-o", "x"],
     "Valeur invalide pour --format : choisir parmi csv, xlsx, ods."),
])
def test_a_usage_error_names_the_parameter_in_french(args: list[str], message: str):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Aide : faps" in result.stderr and "--help" in result.stderr
    assert "Invalid value" not in result.stderr and "Missing argument" not in result.stderr


def test_help_and_version_still_exit_zero():
    assert CliRunner().invoke(main, ["--version"]).exit_code == 0
    shown = CliRunner().invoke(main, ["reglement", "--help"])
    assert shown.exit_code == 0 and "Versions du règlement" in shown.output
