"""`faps simulate`: judge a simulation request against a règlement version.

The contract is reference/simulation.md: the result JSON on stdout and exit 0 whether eligible
or not; invalid input gives exit 2 and French messages naming each field on stderr.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from faps.application.validation import validate
from faps.domain.assessment import ProjectFacts, assess
from faps.domain.errors import InvalidInputError
from faps.domain.reglement import Reglement
from faps.infrastructure.communes_file import load_communes
from faps.infrastructure.reglement_files import default_reglement, parse_reglement

INPUT_ERROR = 2
STDIN = "-"

T = TypeVar("T")


@click.command(
    help="Simule le fonds de concours d'une demande (REQUEST.json, ou - pour l'entrée "
    "standard) et affiche le résultat en JSON."
)
@click.argument("request", metavar="REQUEST.json")
@click.option(
    "--reglement",
    "reglement_file",
    metavar="FICHIER",
    help="Version du règlement à appliquer (JSON ou TOML) ; par défaut celle livrée avec faps.",
)
def simulate(request: str, reglement_file: str | None) -> None:
    """Print the assessment of a simulation request as JSON."""
    errors: dict[str, list[str]] = {}
    reglement = _collect(errors, lambda: read_reglement(reglement_file))
    facts = _collect(errors, lambda: read_request(request))
    if reglement is None or facts is None:
        _report(errors)
        raise SystemExit(INPUT_ERROR)
    assessment = assess(facts, reglement, load_communes().get(facts.commune))
    click.echo(json.dumps(assessment.to_json(), indent=2, ensure_ascii=False))


def read_request(name: str) -> ProjectFacts:
    """Read and validate a simulation request from a JSON file, or stdin for `-`."""
    text = _read_text(name, field="requête")
    try:
        data: Any = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise InvalidInputError({"requête": [f"JSON illisible : {exc}"]}) from None
    if not isinstance(data, dict):
        raise InvalidInputError({"requête": ["objet JSON attendu"]})
    return validate(ProjectFacts, data)


def read_reglement(name: str | None) -> Reglement:
    """Read a règlement file (TOML by its .toml suffix, JSON otherwise), or the default one."""
    if name is None:
        return default_reglement()
    text = _read_text(name, field="reglement")
    try:
        return parse_reglement(text, toml=Path(name).suffix.lower() == ".toml")
    except InvalidInputError as exc:
        raise InvalidInputError(
            {_in_reglement(field): messages for field, messages in exc.errors.items()}
        ) from None


def _in_reglement(field: str) -> str:
    return field if field == "reglement" else f"reglement.{field}"


def _read_text(name: str, *, field: str) -> str:
    try:
        if name == STDIN:
            return sys.stdin.read()
        return Path(name).read_text(encoding="utf-8")
    except FileNotFoundError:
        reason = f"fichier introuvable : {name}"
    except IsADirectoryError:
        reason = f"{name} est un dossier, pas un fichier"
    except PermissionError:
        reason = f"lecture non autorisée : {name}"
    except UnicodeDecodeError:
        reason = f"{name} n'est pas un texte encodé en UTF-8"
    except OSError as exc:
        reason = f"fichier illisible : {name} ({exc.strerror})"
    raise InvalidInputError({field: [reason]})


def _collect(errors: dict[str, list[str]], read: Callable[[], T]) -> T | None:
    try:
        return read()
    except InvalidInputError as exc:
        errors.update(exc.errors)
        return None


def _report(errors: dict[str, list[str]]) -> None:
    click.echo("Saisie invalide :", err=True)
    for field, messages in errors.items():
        click.echo(f"  {field} : {' ; '.join(messages)}", err=True)
