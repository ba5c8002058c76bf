"""`faps audit list-exports / check-export / regenerate`: prove which file was published."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from faps.application.export_kinds import KIND_LABELS, describe_parameters
from faps.application.reproduction import Regeneration, ReproductionService, paris
from faps.cli.files import check_writable, read_bytes, write_bytes
from faps.cli.logs import AuditedLog, cli_actor, open_log
from faps.cli.support import fail, say
from faps.domain.errors import FapsError
from faps.domain.exports import ExportRecord
from faps.infrastructure.communes_file import load_communes
from faps.infrastructure.export_templates import TemplateFolders
from faps.infrastructure.exports.formats import FileFormats


def reproduction(log: AuditedLog) -> ReproductionService:
    """Return the reproduction service over an opened log."""
    return ReproductionService(log.app, load_communes(), FileFormats(),
                               TemplateFolders.for_instance(log.settings.instance_path))


def describe_record(record: ExportRecord) -> str:
    """Return who exported a recorded file, when, with which parameters and seal."""
    actor = record.actor
    return "\n".join((
        f"Export enregistré {record.id} : « {record.file_name} » "
        f"({KIND_LABELS.get(record.kind, record.kind)}), {record.size} octets, "
        f"SHA-256 {record.sha256}.",
        f"Exporté le {paris(record.exported_at)} par {actor.display} "
        f"({actor.email}, {actor.role.label}).",
        f"Paramètres : {describe_parameters(record.parameters)}.",
        provenance(record.parameters),
        f"Sceau d'audit à l'export : position {record.chain_position}, "
        f"empreinte SHA-256 {record.chain_head}."))


def provenance(parameters: dict[str, Any]) -> str:
    """Return the faps version and template digests an export recorded (none before 0.1)."""
    templates = parameters.get("templates") or {}
    if "faps_version" not in parameters and not templates:
        return "Version de faps et modèles : non consignés (export antérieur)."
    used = "".join(f" ; modèle « {name} » SHA-256 {digest}" for name, digest in
                   sorted(templates.items()))
    return f"Produit par faps {parameters.get('faps_version', '(version non consignée)')}{used}."


def conclude(result: Regeneration) -> None:
    """Print the verdict of a regeneration; exit 1 unless identical."""
    if not result.ok:
        fail(result.message)
    click.echo(result.message)


@click.command("list-exports", help="Liste les exports enregistrés (identifiant, date, fichier, "
               "empreinte, position du sceau, auteur), du plus récent au plus ancien.")
def list_exports() -> None:
    """List the recorded exports."""
    log = open_log()
    try:
        records = reproduction(log).records(cli_actor())
    finally:
        log.close()
    if not records:
        click.echo("Aucun export enregistré.")
    for r in records:
        say(f"{r.id}  {r.exported_at:%Y-%m-%d %H:%M}  {r.file_name}  "
                   f"SHA-256 {r.sha256[:16]}…  position {r.chain_position}  {r.actor.display}")


@click.command("check-export", help="Retrouve l'export enregistré d'un fichier par son empreinte "
               "SHA-256, dit qui l'a produit, quand, avec quels paramètres et quel sceau, puis "
               "le régénère depuis le journal et le compare octet par octet.")
@click.argument("file", metavar="FICHIER", type=click.Path(path_type=Path))
def check_export(file: Path) -> None:
    """Identify a published file and regenerate it from the log."""
    data = read_bytes(file)
    log = open_log()
    try:
        result = reproduction(log).check(cli_actor(), data, file.name)
    finally:
        log.close()
    if result.record:
        say(describe_record(result.record))
    if not result.ok:
        fail(result.message)
    click.echo(result.message)


@click.command(help="Régénère un export enregistré depuis le journal jusqu'à la position de son "
               "sceau, écrit le fichier et compare son empreinte SHA-256 à celle enregistrée.")
@click.argument("export_id", metavar="IDENTIFIANT")
@click.option("-o", "--output", required=True, metavar="FICHIER", type=click.Path(path_type=Path),
              help="Fichier à écrire.")
def regenerate(export_id: str, output: Path) -> None:
    """Regenerate a recorded export into a file."""
    check_writable(output)
    log = open_log()
    try:
        result = reproduction(log).regenerate(cli_actor(), export_id)
    except FapsError as exc:
        fail(exc.message)
    finally:
        log.close()
    say(describe_record(result.record))
    if result.data:
        write_bytes(output, result.data)
        click.echo(f"{output} écrit ({len(result.data)} octets).")
    conclude(result)
