"""`faps audit`: verify the seal of the event log, export it, replay it outside the system."""

from __future__ import annotations

import getpass
from datetime import date, datetime
from pathlib import Path

import click

from faps.application.app import FapsApplication
from faps.application.audit import AuditService
from faps.application.export_kinds import KIND_LABELS, describe_parameters
from faps.application.replay import DossierLine, dossier_lines, replay_log
from faps.application.reproduction import Regeneration, ReproductionService
from faps.application.timetravel import end_of
from faps.bootstrap import Faps, build
from faps.domain.actors import SYSTEM_ACTOR, Actor
from faps.domain.errors import FapsError
from faps.domain.exports import ExportRecord
from faps.infrastructure.audit_chain import AuditChain
from faps.infrastructure.audit_log import write_log
from faps.infrastructure.communes_file import load_communes
from faps.infrastructure.settings import load_settings
from faps.infrastructure.stores import make_engine, store_config
from faps.infrastructure.transcodings import faps_transcodings


def cli_actor() -> Actor:
    """Return the actor of command-line runs (the system, named after the OS user)."""
    return SYSTEM_ACTOR.model_copy(update={"name": f"Ligne de commande ({getpass.getuser()})"})


class AuditedLog:
    """The event log and its chain, opened without starting faps (a tampered log may not load)."""

    def __init__(self) -> None:
        settings = load_settings()
        store = store_config(settings.resolved_database_url())
        self.app = FapsApplication(env=store.event_env, transcodings=faps_transcodings())
        self.engine = make_engine(store)
        self.chain = AuditChain(self.engine, self.app.recorder.select_notifications)

    def close(self) -> None:
        """Release connections."""
        self.app.close()
        self.engine.dispose()


def open_log() -> AuditedLog:
    """Open the log of FAPS_DATABASE_URL, or exit with a French message."""
    try:
        return AuditedLog()
    except FapsError as exc:
        raise click.ClickException(exc.message) from None
    except Exception as exc:
        raise click.ClickException(f"Impossible d'ouvrir la base de données : {exc}") from None


def open_faps() -> Faps:
    """Build faps from FAPS_DATABASE_URL (and the instance's faps.env)."""
    try:
        return build(load_settings())
    except FapsError as exc:
        raise click.ClickException(exc.message) from None
    except Exception as exc:
        raise click.ClickException(f"Impossible d'ouvrir la base de données : {exc}") from None


def fail(message: str) -> None:
    """Print a French message on stderr and exit 1."""
    click.echo(message, err=True)
    raise SystemExit(1)


@click.group(help="Audit : sceau du journal des événements, export et rejeu hors du système.")
def audit() -> None:
    """Group the audit commands."""


@audit.command(help="Vérifie toute la chaîne d'empreintes du journal (ou, avec --head et "
               "--position, qu'une empreinte ancienne est toujours produite par le journal).")
@click.option("--head", metavar="EMPREINTE", help="Empreinte SHA-256 imprimée sur un export.")
@click.option("--position", type=int, metavar="N", help="Position imprimée avec l'empreinte.")
def verify(head: str | None, position: int | None) -> None:
    """Verify the chain, or prove an old head."""
    if (head is None) != (position is None):
        fail("Indiquez à la fois --head et --position.")
    log = open_log()
    try:
        service = AuditService(log.app, log.chain)
        if head is not None and position is not None:
            result = service.prove(cli_actor(), head, position)
        else:
            result = service.verify(cli_actor())
    finally:
        log.close()
    if not result.ok:
        fail(result.message)
    click.echo(result.message)


def transcoding_names() -> dict[type, str]:
    """Return the stored names of faps' value-object transcodings."""
    return {t.type: t.name for t in faps_transcodings()}


@audit.command("export", help="Écrit tout le journal en JSON Lines (schémas des événements, "
               "maillons de la chaîne, tête) pour un contrôle hors du système.")
@click.option("-o", "--output", required=True, metavar="FICHIER",
              type=click.Path(dir_okay=False, path_type=Path))
def export_log(output: Path) -> None:
    """Export the whole log as JSON Lines."""
    log = open_log()
    try:
        with output.open("w", encoding="utf-8") as out:
            position, head, count = write_log(log.app, out, transcoding_names())
    except OSError as exc:
        fail(f"Impossible d'écrire {output} : {exc.strerror}.")
    finally:
        log.close()
    click.echo(f"{output} : {count} événement(s) ; tête de chaîne {head} (position {position}).")


@audit.command(help="Reconstitue l'état de chaque dossier à partir d'un export du journal "
               "seul (sans base de données), éventuellement à une date.")
@click.argument("file", metavar="FICHIER", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--as-of", "as_of", metavar="DATE", help="Date (AAAA-MM-JJ) ou instant ISO.")
def replay(file: Path, as_of: str | None) -> None:
    """Replay an exported log and print the dossiers' table."""
    moment = parse_moment(as_of) if as_of else None
    mapper = FapsApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"},
                             transcodings=faps_transcodings()).mapper
    try:
        with file.open(encoding="utf-8") as lines:
            result = replay_log(lines, mapper, moment)
    except OSError as exc:
        fail(f"Impossible de lire {file} : {exc.strerror}.")
    except (ValueError, KeyError, StopIteration) as exc:
        fail(f"Export du journal illisible : {exc}.")
    if result.problem:
        fail(result.problem)
    click.echo(f"{result.events} événement(s) rejoués ; tête de chaîne {result.head} "
               f"(position {result.position}) vérifiée" + (f" ; état au {as_of}" if as_of else ""))
    click.echo(format_lines(dossier_lines(result.aggregates.values(), load_communes())))


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


def reproduction(log: AuditedLog) -> ReproductionService:
    """Return the reproduction service over an opened log."""
    return ReproductionService(log.app, load_communes())


def describe_record(record: ExportRecord) -> str:
    """Return who exported a recorded file, when, with which parameters and seal."""
    actor = record.actor
    return "\n".join((
        f"Export enregistré {record.id} : « {record.file_name} » "
        f"({KIND_LABELS.get(record.kind, record.kind)}), {record.size} octets, "
        f"SHA-256 {record.sha256}.",
        f"Exporté le {record.exported_at:%d/%m/%Y à %H:%M:%S} UTC par {actor.display} "
        f"({actor.email}, {actor.role.label}).",
        f"Paramètres : {describe_parameters(record.parameters)}.",
        f"Sceau d'audit à l'export : position {record.chain_position}, "
        f"empreinte SHA-256 {record.chain_head}."))


@audit.command("list-exports", help="Liste les exports enregistrés (identifiant, date, auteur, "
               "fichier, empreinte), du plus récent au plus ancien.")
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
        click.echo(f"{r.id}  {r.exported_at:%Y-%m-%d %H:%M}  {r.file_name}  "
                   f"SHA-256 {r.sha256[:16]}…  position {r.chain_position}  {r.actor.display}")


@audit.command("check-export", help="Retrouve l'export enregistré d'un fichier (par son "
               "empreinte SHA-256), dit qui l'a produit, quand, avec quels paramètres et quel "
               "sceau, puis le régénère depuis le journal et compare octet par octet.")
@click.argument("file", metavar="FICHIER", type=click.Path(dir_okay=False, path_type=Path))
def check_export(file: Path) -> None:
    """Identify a published file and regenerate it from the log."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        fail(f"Impossible de lire {file} : {exc.strerror}.")
    log = open_log()
    try:
        service = reproduction(log)
        record = service.identify(cli_actor(), data, file.name)
        click.echo(describe_record(record))
        result = service.regenerate(cli_actor(), record.id)
    except FapsError as exc:
        fail(exc.message)
    finally:
        log.close()
    conclude(result)


@audit.command(help="Régénère un export enregistré depuis le journal jusqu'à la position de son "
               "sceau, écrit le fichier et compare son empreinte SHA-256 à celle enregistrée.")
@click.argument("export_id", metavar="IDENTIFIANT")
@click.option("-o", "--output", required=True, metavar="FICHIER",
              type=click.Path(dir_okay=False, path_type=Path))
def regenerate(export_id: str, output: Path) -> None:
    """Regenerate a recorded export into a file."""
    log = open_log()
    try:
        result = reproduction(log).regenerate(cli_actor(), export_id)
    except FapsError as exc:
        fail(exc.message)
    finally:
        log.close()
    click.echo(describe_record(result.record))
    if result.data:
        try:
            output.write_bytes(result.data)
        except OSError as exc:
            fail(f"Impossible d'écrire {output} : {exc.strerror}.")
        click.echo(f"{output} écrit ({len(result.data)} octets).")
    conclude(result)


def conclude(result: Regeneration) -> None:
    """Print the verdict of a regeneration; exit 1 unless identical."""
    if not result.ok:
        fail(result.message)
    click.echo(result.message)
