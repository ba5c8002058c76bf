"""The composition root: builds every part of faps from settings (web and CLI share it)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from faps.application.accounts import AccountService
from faps.application.app import FapsApplication
from faps.application.clock import Clock, SystemClock
from faps.application.context import Context
from faps.application.council import BudgetService, CouncilService
from faps.application.deadlines import DeadlineService
from faps.application.dossiers import DossierService
from faps.application.exchanges import ExchangeService
from faps.application.grants import GrantService
from faps.application.reglements import ReglementService
from faps.application.timetravel import TimeTravel
from faps.domain.actors import SYSTEM_ACTOR
from faps.infrastructure.audit_chain import start_audit_chain
from faps.infrastructure.communes_file import load_communes
from faps.infrastructure.credentials import Argon2Hasher, SqlAlchemyCredentials
from faps.infrastructure.documents import FolderDocumentStore, MemoryDocumentStore
from faps.infrastructure.followers import Followers
from faps.infrastructure.job_kinds import install_jobs
from faps.infrastructure.jobs import JobQueue
from faps.infrastructure.mailing import Mailer, install_mailer
from faps.infrastructure.readmodels.history_queries import HistoryQueries
from faps.infrastructure.readmodels.runner import ProjectionRunner
from faps.infrastructure.readmodels.wiring import read_side
from faps.infrastructure.reglement_files import default_reglement
from faps.infrastructure.sessions import SqlAlchemySessions
from faps.infrastructure.settings import Settings
from faps.infrastructure.stores import (
    StoreConfig,
    make_engine,
    private_store_file,
    store_config,
)
from faps.infrastructure.transcodings import faps_transcodings


@dataclass
class Faps:
    """Every service of one running faps, sharing one store."""

    settings: Settings
    store: StoreConfig
    engine: sa.Engine
    ctx: Context
    reglements: ReglementService
    dossiers: DossierService
    grants: GrantService
    council: CouncilService
    budgets: BudgetService
    accounts: AccountService
    timetravel: TimeTravel
    extras: dict[str, Any]
    deadlines: DeadlineService = None  # type: ignore[assignment]  # set by build()
    mailer: Mailer = None  # type: ignore[assignment]  # set by build()
    queries: HistoryQueries = None  # type: ignore[assignment]  # set by build()
    projections: ProjectionRunner = None  # type: ignore[assignment]  # set by build()
    followers: Followers = None  # type: ignore[assignment]  # set by build()
    exchanges: ExchangeService = None  # type: ignore[assignment]  # set by build()

    @property
    def app(self) -> FapsApplication:
        """Return the event-sourced application."""
        return self.ctx.app

    def unit_of_work(self) -> AbstractContextManager[None]:
        """Defer the followers' catch-up of every save inside to the end of the block."""
        return self.followers.unit_of_work()

    def close(self) -> None:
        """Stop the job thread, if any; release connections."""
        thread = self.extras.get("jobs_thread")
        if thread is not None:
            thread.stop()
        self.ctx.app.close()
        self.engine.dispose()
        credentials = getattr(self.ctx.credentials, "engine", self.engine)
        if credentials is not self.engine:
            credentials.dispose()


def build(settings: Settings | None = None, clock: Clock | None = None,
          *, fast_hashing: bool = False, start_projections: bool = True) -> Faps:
    """Build faps from settings; the first start records the shipped règlement version.

    `start_projections` False leaves the read models as they are (no rebuild, no wait for
    another process's): for the commands that inspect or rebuild them.
    """
    settings = settings or Settings()
    store = store_config(settings.resolved_database_url())
    private_store_file(store)
    app = FapsApplication(env=store.event_env, transcodings=faps_transcodings())
    engine = make_engine(store)
    credentials_engine = engine if store.kind != "sqlite" else make_engine(store, durable=True)
    documents = (MemoryDocumentStore() if store.kind == "memory"
                 else FolderDocumentStore(settings.resolved_documents_path()))
    ctx = Context(app=app, clock=clock or SystemClock(), communes=load_communes(),
                  documents=documents, credentials=SqlAlchemyCredentials(credentials_engine),
                  hasher=Argon2Hasher(fast=fast_hashing),
                  sessions=SqlAlchemySessions(credentials_engine),
                  max_upload_bytes=settings.max_upload_mb * 1024 * 1024,
                  settings={"link_key": settings.resolved_secret_key()})
    reglements = ReglementService(ctx)
    dossiers = DossierService(ctx, reglements)
    faps = Faps(settings=settings, store=store, engine=engine, ctx=ctx, reglements=reglements,
                dossiers=dossiers, grants=GrantService(dossiers), council=CouncilService(dossiers),
                budgets=BudgetService(dossiers), accounts=AccountService(ctx),
                timetravel=TimeTravel(ctx), extras={})
    faps.extras["audit_chain"] = start_audit_chain(engine, app)
    faps.projections, faps.queries = read_side(
        app, engine, ctx.communes, settings.projections_rebuild_workers,
        rebuild=settings.projections_autorebuild, start=start_projections)
    faps.deadlines = DeadlineService(dossiers, faps.queries)
    faps.exchanges = ExchangeService(dossiers)
    faps.mailer = install_mailer(app, engine, settings, ctx.clock, faps.deadlines)
    faps.extras["jobs"] = install_jobs(
        JobQueue(engine, settings.instance_path / "jobs", ctx.clock,
                 timedelta(hours=settings.jobs_keep_hours)), app, settings.public_url)
    faps.extras["jobs"].after_run = lambda: faps.mailer.after_save(())
    faps.followers = Followers(faps.projections, faps.extras["audit_chain"], faps.mailer)
    faps.queries.before_read = faps.followers.read_your_writes
    app.on_saved(faps.followers.on_saved)
    _first_start(faps)
    return faps


def _first_start(faps: Faps) -> None:
    if not faps.reglements.book().versions:
        faps.reglements.adopt(SYSTEM_ACTOR, default_reglement())
