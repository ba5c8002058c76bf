"""`faps audit`: verify the seal of the event log, export it, replay it outside the system."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from faps.application.app import FapsApplication
from faps.application.audit import INCOMPLETE, AuditService
from faps.application.replay import DossierLine, Replay, dossier_lines, replay_log
from faps.application.timetravel import end_of
from faps.cli.audit_anchor import anchor, anchor_book, keygen
from faps.cli.audit_exports import check_export, list_exports, regenerate
from faps.cli.files import check_writable, reason
from faps.cli.logs import cli_actor, open_faps, open_log
from faps.cli.support import FAILURE, INPUT_ERROR, fail, handled
from faps.infrastructure.audit_log import CheckedLog, write_log
from faps.infrastructure.communes_file import load_communes
from faps.infrastructure.transcodings import faps_transcodings

INCOMPLETE_EXIT = 3

__all__ = ["audit", "cli_actor", "fail", "format_lines", "open_faps", "transcoding_names"]


@click.group(help="Audit : sceau du journal des événements, export et rejeu hors du système.")
def audit() -> None:
    """Group the audit commands."""


@audit.command(help="Relit tout le journal, recalcule chaque maillon et le compare à la chaîne "
               "d'empreintes enregistrée et aux sceaux des exports enregistrés (ou, avec --head "
               "et --position, vérifie qu'une empreinte ancienne est toujours produite par le "
               "journal). Code de sortie : 0 intègre, 1 altéré ou vide, 2 saisie invalide, "
               "3 vérification incomplète (événements non scellés).")
@click.option("--head", metavar="EMPREINTE", help="Empreinte SHA-256 imprimée sur un export.")
@click.option("--position", metavar="N", help="Position imprimée avec l'empreinte.")
def verify(head: str | None, position: str | None) -> None:
    """Verify the chain, or prove an old head."""
    if (head is None) != (position is None):
        fail("Indiquez à la fois --head et --position.", INPUT_ERROR)
    number = parse_position(position) if position is not None else None
    log = open_log()
    try:
        service = AuditService(log.app, log.chain, anchor_book(log.settings))
        with handled():
            if head is not None and number is not None:
                result = service.prove(cli_actor(), head, number)
            else:
                result = service.verify(cli_actor())
    finally:
        log.close()
    if not result.ok:
        fail(result.message, INCOMPLETE_EXIT if result.status == INCOMPLETE else FAILURE)
    click.echo(result.message)


def parse_position(text: str) -> int:
    """Return a position given on the command line, or stop with a French message."""
    if not text.strip().isdigit() or int(text) < 1:
        fail(f"Position invalide : {text} (entier positif attendu).", INPUT_ERROR)
    return int(text)


def transcoding_names() -> dict[type, str]:
    """Return the stored names of faps' value-object transcodings."""
    return {t.type: t.name for t in faps_transcodings()}


@audit.command("export", help="Écrit tout le journal en JSON Lines (schémas des événements, "
               "maillons de la chaîne, tête) pour un contrôle hors du système.")
@click.option("-o", "--output", required=True, metavar="FICHIER", type=click.Path(path_type=Path),
              help="Fichier à écrire.")
def export_log(output: Path) -> None:
    """Export the whole log as JSON Lines."""
    check_writable(output)
    log = open_log()
    try:
        with output.open("w", encoding="utf-8") as out:
            position, head, count = write_log(log.app, out, transcoding_names())
    except OSError as exc:
        fail(f"Impossible d'écrire {output} : {reason(exc)}.")
    finally:
        log.close()
    click.echo(f"{output} : {count} événement(s) ; tête de chaîne {head} (position {position}).")


@audit.command(help="Reconstitue l'état de chaque dossier à partir d'un export du journal "
               "seul (sans base de données), éventuellement à une date.")
@click.argument("file", metavar="FICHIER", type=click.Path(path_type=Path))
@click.option("--as-of", "as_of", metavar="DATE", help="Date (AAAA-MM-JJ) ou instant ISO.")
@click.option("--head", metavar="EMPREINTE", default=None,
              help="Tête de chaîne publiée (imprimée sur un export) à retrouver dans le fichier.")
@click.option("--position", type=int, default=None, help="Position de cette tête.")
def replay(file: Path, as_of: str | None, head: str | None, position: int | None) -> None:
    """Replay an exported log and print the dossiers' table."""
    if (head is None) != (position is None):
        fail("Indiquez à la fois --head et --position.", INPUT_ERROR)
    moment = parse_moment(as_of) if as_of else None
    seal = (position, head.strip().lower()) if head is not None and position is not None else None
    result = replay_file(file, moment, seal)
    if result.problem:
        fail(result.problem)
    click.echo(f"{result.events} événement(s) rejoués ; tête de chaîne {result.head} "
               f"(position {result.position}) vérifiée" + (f" ; état au {as_of}" if as_of else ""))
    if seal is not None:
        click.echo(f"Sceau publié retrouvé : à la position {seal[0]}, le fichier donne bien la "
                   f"tête {seal[1]}.")
    click.echo(format_lines(dossier_lines(result.aggregates.values(), load_communes())))


def replay_file(file: Path, moment: datetime | None,
                seal: tuple[int, str] | None = None) -> Replay:
    """Replay an exported log file, or stop with a French message naming the bad line."""
    mapper = FapsApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"},
                             transcodings=faps_transcodings()).mapper
    try:
        with file.open(encoding="utf-8") as handle:
            return replay_log(CheckedLog(handle), mapper, moment, seal)
    except OSError as exc:
        fail(f"Impossible de lire {file} : {reason(exc)}.")
    raise AssertionError  # unreachable: fail exits


def parse_moment(text: str) -> datetime:
    """Return the end of a day (AAAA-MM-JJ) or an ISO moment, in UTC."""
    try:
        if len(text) == 10:
            return end_of(date.fromisoformat(text))
        return end_of(datetime.fromisoformat(text))
    except ValueError:
        fail(f"Date invalide : {text} (attendu AAAA-MM-JJ).")
        raise


def format_lines(lines: list[DossierLine]) -> str:
    """Return the dossiers as an aligned text table."""
    head = ("Référence", "Commune", "État", "Attribué", "Versé")
    rows = [head] + [(x.reference or "(brouillon)", x.commune, x.state, f"{x.awarded:.2f}",
                      f"{x.paid:.2f}") for x in lines]
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    return "\n".join("  ".join(c.rjust(w) if i > 2 else c.ljust(w)
                               for i, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip()
                     for r in rows)


audit.add_command(list_exports)
audit.add_command(check_export)
audit.add_command(regenerate)
audit.add_command(keygen)
audit.add_command(anchor)
