"""The composition root: builds every part of faps from settings, in one pass.

`build()` is the only place that knows the concrete adapters. The web (`create_app`) and the
CLI (`faps.cli.support.opened`) both start from it, and reach services and the few
infrastructural parts (job queue, web stores, mailer, projections) as typed fields of `Faps`.
Nothing is created at import time.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from eventsourcing.persistence import IntegrityError, InternalError

from faps.application.accounts import AccountService
from faps.application.app import FapsApplication
from faps.application.assignment import AssignmentService
from faps.application.audit import AuditService
from faps.application.audit_downloads import AuditLogDownloads
from faps.application.budgets import BudgetService
from faps.application.clock import Clock, SystemClock
from faps.application.context import Context
from faps.application.council import CouncilService
from faps.application.deadlines import DeadlineService
from faps.application.decisions import DecisionReader
from faps.application.dossiers import DossierService
from faps.application.exchanges import ExchangeService
from faps.application.exports import ExportService
from faps.application.grants import GrantService
from faps.application.reglements import ReglementService
from faps.application.reproduction import ReproductionService
from faps.application.simulation import SimulationService
from faps.application.timetravel import TimeTravel
from faps.application.tokens import TokenService
from faps.domain.actors import SYSTEM_ACTOR
from faps.domain.communes import CommuneDirectory
from faps.domain.errors import InvalidInputError, StaleSaveError
from faps.infrastructure.adapters import ExportAdapters, export_adapters
from faps.infrastructure.api_tokens import SqlAlchemyApiTokens
from faps.infrastructure.audit_chain import AuditChain
from faps.infrastructure.communes_file import load_communes
from faps.infrastructure.credentials import Argon2Hasher, SqlAlchemyCredentials
from faps.infrastructure.documents import FolderDocumentStore, MemoryDocumentStore
from faps.infrastructure.followers import Followers
from faps.infrastructure.job_kinds import AUDIT_LOG, install_jobs
from faps.infrastructure.jobs import JobQueue, JobThread
from faps.infrastructure.mailing import Mailer, install_mailer
from faps.infrastructure.readmodels.history_queries import HistoryQueries
from faps.infrastructure.readmodels.runner import ProjectionRunner
from faps.infrastructure.readmodels.wiring import read_side
from faps.infrastructure.reglement_files import default_reglement
from faps.infrastructure.schema import LOCK_KEY
from faps.infrastructure.sessions import SqlAlchemySessions
from faps.infrastructure.settings import Settings
from faps.infrastructure.stores import StoreConfig, make_engine, private_store_file, store_config
from faps.infrastructure.transcodings import faps_transcodings
from faps.infrastructure.web_stores import WebStores, web_stores
from faps.infrastructure.webhooks import Webhooks, build_webhooks


@dataclass
class Faps:
    """Every part of one running faps, sharing one store: built whole by `build()`."""

    settings: Settings
    # -- the store and what the use cases share
    store: StoreConfig
    engine: sa.Engine
    durable_engine: sa.Engine  # accounts, sessions, tokens (the engine itself except on SQLite)
    ctx: Context
    clock: Clock
    communes: CommuneDirectory
    sessions: SqlAlchemySessions
    # -- use cases
    reglements: ReglementService
    dossiers: DossierService
    assignments: AssignmentService
    grants: GrantService
    council: CouncilService
    budgets: BudgetService
    deadlines: DeadlineService
    exchanges: ExchangeService
    accounts: AccountService
    tokens: TokenService
    simulation: SimulationService
    decisions: DecisionReader
    timetravel: TimeTravel
    audit: AuditService
    exports: ExportService
    reproduction: ReproductionService
    audit_log_downloads: AuditLogDownloads
    # -- the adapters of the export and audit ports, what follows the log, background work
    ports: ExportAdapters
    audit_chain: AuditChain
    mailer: Mailer
    projections: ProjectionRunner
    queries: HistoryQueries
    followers: Followers
    jobs: JobQueue
    job_thread: JobThread  # started by the web when it runs the jobs itself
    webhooks: Webhooks
    web: WebStores

    @property
    def app(self) -> FapsApplication:
        """Return the event-sourced application."""
        return self.ctx.app

    def unit_of_work(self) -> AbstractContextManager[None]:
        """Defer the followers' catch-up of every save inside to the end of the block."""
        return self.followers.unit_of_work()

    def close(self) -> None:
        """Stop the job thread and the followers' background thread (if started); release
        connections."""
        self.job_thread.stop()
        if self.followers.background is not None:
            self.followers.background.stop()
        self.ctx.app.close()
        self.engine.dispose()
        if self.durable_engine is not self.engine:
            self.durable_engine.dispose()


def build(settings: Settings | None = None, clock: Clock | None = None,
          *, fast_hashing: bool = False, start_projections: bool = True) -> Faps:
    """Build faps from settings; the first start records the shipped règlement version.

    `start_projections` False leaves the read models as they are (no rebuild, no wait for
    another process's): for the commands that inspect or rebuild them.
    """
    settings = settings or Settings()
    store = store_config(settings.resolved_database_url())
    private_store_file(store)
    engine = make_engine(store)
    app = _application(store, engine)
    durable = engine if store.kind != "sqlite" else make_engine(store, durable=True)
    sessions = SqlAlchemySessions(durable)
    ctx = _context(settings, store, app, clock or SystemClock(), durable, sessions, fast_hashing)
    reglements = ReglementService(ctx)
    dossiers = DossierService(ctx, reglements)
    ports = export_adapters(settings, engine, app)  # seals what is not yet sealed
    audit_chain = ports.chain
    projections, queries = read_side(
        app, engine, ctx.communes, settings.projections_rebuild_workers,
        rebuild=settings.projections_autorebuild, start=start_projections)
    deadlines = DeadlineService(dossiers, queries)
    mailer = install_mailer(app, engine, settings, ctx.clock, deadlines)
    jobs = _jobs(settings, engine, app, ctx.clock, mailer)
    followers = Followers(projections, audit_chain, mailer)
    queries.before_read = followers.read_your_writes
    queries.before_history = followers.history_up_to_date
    app.on_saved(followers.on_saved)
    accounts = AccountService(ctx)
    faps = Faps(
        settings=settings, store=store, engine=engine, durable_engine=durable, ctx=ctx,
        clock=ctx.clock, communes=ctx.communes, sessions=sessions,
        # use cases
        reglements=reglements, dossiers=dossiers, deadlines=deadlines,
        assignments=AssignmentService(dossiers, queries),
        grants=GrantService(dossiers), council=CouncilService(dossiers),
        budgets=BudgetService(dossiers),
        exchanges=ExchangeService(dossiers), accounts=accounts,
        tokens=TokenService(ctx, accounts, SqlAlchemyApiTokens(durable)),
        simulation=SimulationService(ctx, reglements), decisions=DecisionReader(app, ctx.communes),
        timetravel=TimeTravel(ctx),
        audit=AuditService(app, audit_chain, ports.anchors),
        exports=ExportService(app, audit_chain, ctx.communes, ports.publisher, ctx.clock,
                              ports.formats, ports.templates),
        reproduction=ReproductionService(app, ctx.communes, ports.formats, ports.templates),
        audit_log_downloads=AuditLogDownloads(app, jobs, AUDIT_LOG),
        # what follows the log, background work, the web's own tables
        ports=ports, audit_chain=audit_chain, mailer=mailer, projections=projections,
        queries=queries,
        followers=followers, jobs=jobs, job_thread=JobThread(jobs),
        webhooks=build_webhooks(settings, engine, app),
        web=web_stores(settings, engine, durable, followers.read_your_writes))
    _first_start(faps)
    return faps


def _context(settings: Settings, store: StoreConfig, app: FapsApplication, clock: Clock,
             durable: sa.Engine, sessions: SqlAlchemySessions, fast_hashing: bool) -> Context:
    """Return what every use case shares: the store, the clock, the communes, the ports."""
    documents = (MemoryDocumentStore() if store.kind == "memory"
                 else FolderDocumentStore(settings.resolved_documents_path()))
    return Context(app=app, clock=clock, communes=load_communes(), documents=documents,
                   credentials=SqlAlchemyCredentials(durable),
                   hasher=Argon2Hasher(fast=fast_hashing), sessions=sessions,
                   max_upload_bytes=settings.max_upload_mb * 1024 * 1024,
                   settings={"link_key": settings.resolved_secret_key()})


def _jobs(settings: Settings, engine: sa.Engine, app: FapsApplication, clock: Clock,
          mailer: Mailer) -> JobQueue:
    """Return the job queue (a finished job's mail leaves at once, as after a save)."""
    queue = JobQueue(engine, settings.instance_path / "jobs", clock,
                     timedelta(hours=settings.jobs_keep_hours))
    queue.after_run = lambda: mailer.after_save(())
    return install_jobs(queue, app, settings.public_url)


def _application(store: StoreConfig, engine: sa.Engine, attempts: int = 3) -> FapsApplication:
    """Return the event-sourced application, its tables created if need be.

    Processes starting at once on a new PostgreSQL database would race to create them
    (CREATE TABLE IF NOT EXISTS is not atomic there: "tuple concurrently updated"): they take
    turns under the advisory lock of table creation (schema.LOCK_KEY), held by a connection of
    the read models' engine while eventsourcing creates its tables on its own; a race lost
    anyway (another host, another lock) is tried again after a short pause."""
    for attempt in range(1, attempts + 1):
        try:
            with _table_creation(engine):
                return FapsApplication(env=store.event_env, transcodings=faps_transcodings())
        except (IntegrityError, InternalError):  # duplicate type, "tuple concurrently updated"
            if attempt == attempts:
                raise
            time.sleep(random.uniform(0.05, 0.2))
    raise AssertionError("unreachable")


@contextmanager
def _table_creation(engine: sa.Engine) -> Iterator[None]:
    """Hold PostgreSQL's advisory lock of table creation (session-level) meanwhile."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
        try:
            yield
        finally:
            conn.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
            conn.commit()


def _first_start(faps: Faps) -> None:
    if faps.reglements.book().versions:
        return
    try:
        faps.reglements.adopt(SYSTEM_ACTOR, default_reglement())
    except (InvalidInputError, StaleSaveError):
        if not faps.reglements.book().versions:
            raise
        # another process starting at the same moment recorded it first
