"""Opening the store for the export and audit commands, refusing a database that is not there."""

from __future__ import annotations

import getpass

from faps.application.app import FapsApplication
from faps.bootstrap import Faps, build
from faps.cli.support import existing_settings, fail
from faps.domain.actors import SYSTEM_ACTOR, Actor
from faps.domain.errors import FapsError
from faps.infrastructure.audit_chain import audit_chain
from faps.infrastructure.settings import Settings
from faps.infrastructure.stores import make_engine, store_config
from faps.infrastructure.transcodings import faps_transcodings


def cli_actor() -> Actor:
    """Return the actor of command-line runs (the system, named after the OS user)."""
    return SYSTEM_ACTOR.model_copy(update={"name": f"Ligne de commande ({getpass.getuser()})"})


class AuditedLog:
    """The event log and its chain, opened without starting faps (a tampered log may not load)."""

    def __init__(self, loaded: Settings) -> None:
        self.settings = loaded
        store = store_config(loaded.resolved_database_url())
        self.app = FapsApplication(env=store.event_env, transcodings=faps_transcodings())
        self.engine = make_engine(store)
        self.chain = audit_chain(self.engine, self.app)

    def close(self) -> None:
        """Release connections."""
        self.app.close()
        self.engine.dispose()


def open_log() -> AuditedLog:
    """Open the log of FAPS_DATABASE_URL, or exit with a French message."""
    loaded = existing_settings()
    try:
        return AuditedLog(loaded)
    except FapsError as exc:
        fail(exc.message)
    except Exception as exc:
        fail(f"Impossible d'ouvrir la base de données : {exc}")
    raise AssertionError  # unreachable: fail exits


def open_faps() -> Faps:
    """Build faps from FAPS_DATABASE_URL (and the instance's faps.env), or exit in French."""
    loaded = existing_settings()
    try:
        return build(loaded)
    except FapsError as exc:
        fail(exc.message)
    except Exception as exc:
        fail(f"Impossible d'ouvrir la base de données : {exc}")
    raise AssertionError  # unreachable: fail exits
