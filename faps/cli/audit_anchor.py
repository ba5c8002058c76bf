"""`faps audit keygen` and `faps audit anchor`: the signed checkpoints of the chain."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from faps.application.audit import INCOMPLETE, AuditService
from faps.cli.logs import AuditedLog, cli_actor, open_log
from faps.cli.support import FAILURE, fail, handled
from faps.infrastructure.audit_anchor import (
    AnchorBook,
    Checkpoint,
    create_key,
    key_id,
    load_signing_key,
    public_path,
)
from faps.infrastructure.settings import Settings


def anchor_book(settings: Settings) -> AnchorBook:
    """Return the checkpoint file and key the settings name."""
    return AnchorBook(settings.resolved_audit_checkpoints(), settings.audit_signing_key)


@click.command("keygen", help="Crée une clé de signature Ed25519 dans FICHIER (lisible par son "
               "seul propriétaire) et sa partie publique dans FICHIER.pub. Gardez FICHIER hors "
               "de la base et de ses sauvegardes ; désignez-le par FAPS_AUDIT_SIGNING_KEY ; "
               "publiez FICHIER.pub (les auditeurs vérifient avec elle).")
@click.argument("file", metavar="FICHIER", type=click.Path(path_type=Path))
def keygen(file: Path) -> None:
    """Create the signing key of the checkpoints."""
    with handled():
        public = create_key(file)
    click.echo(f"Clé de signature créée : {file} (empreinte {key_id(public)}) ; partie publique "
               f": {public_path(file)}.")


@click.command("anchor", help="Vérifie le journal, puis signe sa tête et sa position avec la clé "
               "FAPS_AUDIT_SIGNING_KEY et ajoute ce point d'ancrage au fichier "
               "FAPS_AUDIT_CHECKPOINTS (par défaut audit-checkpoints.jsonl du dossier "
               "d'instance), hors de la base ; l'imprime pour publication. Code de sortie : 0 "
               "ancré, 1 journal altéré ou clé absente.")
def anchor() -> None:
    """Sign the chain's head and append the checkpoint."""
    log = open_log()
    try:
        checkpoint = _anchor(log)
    finally:
        log.close()
    click.echo(f"Point d'ancrage ajouté à {log.settings.resolved_audit_checkpoints()} : "
               f"{checkpoint.label()}, empreinte {checkpoint.head}.")
    click.echo("À publier (registre des délibérations, site de l'agglomération, courrier à "
               "l'auditeur) :")
    click.echo(checkpoint.line())


def _anchor(log: AuditedLog) -> Checkpoint:
    """Check the key, seal what is new, verify the whole log, then sign its head."""
    book = anchor_book(log.settings)
    with handled():
        load_signing_key(book.key)
        log.chain.catch_up()
        result = AuditService(log.app, log.chain, book).verify(cli_actor())
        first = result.status == INCOMPLETE and not book.checkpoints()  # no checkpoint yet
        if not (result.ok or first):
            fail(f"Point d'ancrage refusé : {result.message}", FAILURE)
        return book.anchor(result.seal, datetime.now(tz=UTC))
    raise AssertionError  # unreachable: fail exits
