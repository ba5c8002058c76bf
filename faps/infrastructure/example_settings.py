"""Example settings the demo writes into `<instance>/faps.env`: Luhn-valid SIRETs to replace."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from faps.infrastructure.settings import SETTINGS_FILE

AGGLOMERATION_SIREN = "200057958"
COMMENT = ("# EXEMPLES écrits par `faps demo` : SIRET fictifs (clé de Luhn valide) "
           "à remplacer par les vrais numéros (répertoire SIRENE).")


def luhn_valid(digits: str) -> bool:
    """Tell whether a string of digits passes the Luhn check (SIREN and SIRET keys)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return digits.isdigit() and total % 10 == 0


def with_luhn_key(prefix: str) -> str:
    """Append the digit that makes the number Luhn-valid."""
    return next(prefix + str(d) for d in range(10) if luhn_valid(prefix + str(d)))


def example_siret(siren_prefix: str) -> str:
    """Return a Luhn-valid 14-digit SIRET whose SIREN starts with the prefix (8 digits)."""
    siren = siren_prefix if len(siren_prefix) == 9 else with_luhn_key(siren_prefix)
    return with_luhn_key(siren + "0001")


def commune_siret(insee: str) -> str:
    """Return an example SIRET of a commune: SIREN 21 + department + 0 + commune number."""
    return example_siret(f"21{insee[:2]}0{insee[2:]}")


def example_lines(communes: Iterable[str]) -> dict[str, str]:
    """Return the example settings as FAPS_… keys and their dotenv values."""
    sirets = {insee: commune_siret(insee) for insee in sorted(communes)}
    return {
        "FAPS_AGGLOMERATION_SIRET": example_siret(AGGLOMERATION_SIREN),
        "FAPS_COMMUNE_SIRETS": "'" + json.dumps(sirets) + "'",
    }


def write_examples(instance: Path, communes: Iterable[str]) -> tuple[Path, list[str]]:
    """Add the example settings missing from faps.env (others are kept); return added keys."""
    path = instance / SETTINGS_FILE
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    present = {line.split("=", 1)[0].strip() for line in lines if "=" in line
               and not line.lstrip().startswith("#")}
    added = {k: v for k, v in example_lines(communes).items() if k not in present}
    if added:
        if COMMENT not in lines:
            lines.append(COMMENT)
        lines += [f"{key}={value}" for key, value in added.items()]
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, list(added)
