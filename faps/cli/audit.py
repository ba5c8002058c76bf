"""`faps audit`: verify the seal of the event log, export it, replay it outside the system."""

from __future__ import annotations

import getpass

import click

from faps.application.app import FapsApplication
from faps.application.audit import AuditService
from faps.bootstrap import Faps, build
from faps.domain.actors import SYSTEM_ACTOR, Actor
from faps.domain.errors import FapsError
from faps.infrastructure.audit_chain import AuditChain
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

