"""`faps export`: decision tables, SCDL open data and PDF documents, each recorded and sealed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from faps.cli.files import check_writable, write_bytes
from faps.cli.logs import cli_actor, open_faps
from faps.cli.support import fail
from faps.domain.errors import FapsError

OUTPUT = click.option("-o", "--output", "output", required=True, metavar="FICHIER",
                      type=click.Path(path_type=Path), help="Fichier à écrire.")


def run_export(kind: str, parameters: dict[str, Any], output: Path) -> None:
    """Produce an export, write it, print its seal and digest; French message on failure."""
    check_writable(output)  # before the export is recorded
    faps = open_faps()
    try:
        result = faps.exports.export(cli_actor(), kind, parameters)
    except FapsError as exc:
        fail(exc.message)
    finally:
        faps.close()
    write_bytes(output, result.data)
    click.echo(f"{output} écrit ({len(result.data)} octets), SHA-256 {result.sha256}.")
    click.echo(f"{result.seal.label()} ; export enregistré sous l'identifiant {result.export_id}, "
               f"nom « {result.name} ».")


@click.group(help="Exports : tableaux des décisions, données ouvertes SCDL, documents PDF.")
def export() -> None:
    """Group the export commands."""


@export.command(help="Tableau des décisions d'une séance ou d'une année (CSV, XLSX ou ODS).")
@click.option("--session", "session_id", metavar="ID", help="Identifiant de la séance.")
@click.option("--year", type=int, metavar="ANNÉE", help="Année des séances.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "ods"]), default="csv",
              show_default=True)
@click.option("--separator", type=click.Choice([";", ","]), default=";", show_default=True,
              help="Séparateur du CSV (« ; » : virgule décimale).")
@OUTPUT
def decisions(session_id: str | None, year: int | None, fmt: str, separator: str,
              output: Path) -> None:
    """Export the decision table."""
    if (session_id is None) == (year is None):
        fail("Indiquez soit --session, soit --year.")
    parameters: dict[str, Any] = {"format": fmt}
    if session_id:
        parameters["session_id"] = session_id
    else:
        parameters["year"] = year
    if fmt == "csv":
        parameters["separator"] = separator
    run_export("decisions", parameters, output)


@export.command("scdl-subventions", help="Données ouvertes SCDL « subventions » d'une année.")
@click.option("--year", type=int, required=True, metavar="ANNÉE")
@OUTPUT
def scdl_subventions(year: int, output: Path) -> None:
    """Export the SCDL subventions file."""
    run_export("scdl-subventions", {"year": year}, output)


@export.command("scdl-deliberations", help="Données ouvertes SCDL « délibérations » d'une année.")
@click.option("--year", type=int, required=True, metavar="ANNÉE")
@OUTPUT
def scdl_deliberations(year: int, output: Path) -> None:
    """Export the SCDL deliberations file."""
    run_export("scdl-deliberations", {"year": year}, output)


@export.command(help="Document PDF d'un point voté (deliberation, notification, agreement) "
                "ou liste des délibérations d'une séance (session-list).")
@click.argument("document", type=click.Choice(["deliberation", "session-list", "notification",
                                               "agreement"]))
@click.option("--session", "session_id", required=True, metavar="ID",
              help="Identifiant de la séance.")
@click.option("--item", type=int, metavar="N", help="Numéro du point (sauf session-list).")
@OUTPUT
def pdf(document: str, session_id: str, item: int | None, output: Path) -> None:
    """Export a PDF document."""
    if document != "session-list" and item is None:
        fail("Indiquez le numéro du point avec --item.")
    parameters: dict[str, Any] = {"session_id": session_id}
    if item is not None:
        parameters["item"] = item
    run_export(f"pdf-{document}", parameters, output)
