"""The read-model tables (disposable: a projection's tables are dropped and rebuilt)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from faps.infrastructure.readmodels import search

metadata = sa.MetaData()
CENT = Decimal("0.01")


class Cents(sa.types.TypeDecorator[Decimal]):
    """Euros stored as whole cents: exact, summable and sortable on every database."""

    impl = sa.BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> int | None:
        return None if value is None else int((Decimal(value) * 100).to_integral_value())

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        return None if value is None else (Decimal(int(value)) * CENT).quantize(CENT)


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """A moment, always given back timezone-aware in UTC (SQLite stores it naive)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        value = value if value.tzinfo else value.replace(tzinfo=UTC)
        aware = value.astimezone(UTC)
        return aware.replace(tzinfo=None) if dialect.name == "sqlite" else aware

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def bind_processor(self, dialect: Any) -> Any:
        """Write SQLite's text directly, in SQLAlchemy's own format (bulk rebuilds use it)."""
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)
        return _sqlite_moment


def _sqlite_moment(value: datetime | None) -> str | None:
    """Return a moment as SQLAlchemy stores it in SQLite: naive UTC, microseconds always."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    text = value.isoformat(" ")[:-6]  # without "+00:00"; faster than timespec=
    return text if value.microsecond else text + ".000000"


class JsonList(sa.types.TypeDecorator[Any]):
    """JSON whose common value, the empty list, is serialized once per statement."""

    impl = sa.JSON
    cache_ok = True

    def bind_processor(self, dialect: Any) -> Any:
        """Serialize as the JSON type does, reusing the empty list's form."""
        serialize = super().bind_processor(dialect)
        if serialize is None:
            return None
        empty = serialize([])

        def process(value: Any) -> Any:
            return empty if value == [] else serialize(value)

        return process


def _money(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, Cents, nullable=nullable)


positions = sa.Table(
    "rm_positions", metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("position", sa.BigInteger, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=True),
)

# A rebuild split over processes: one row per projection and partition, holding the run's
# token (a superseded run's workers find it changed and stop), the log position it rebuilds
# up to, each partition's progress (so that a killed run resumes) and the workers' heartbeat.
rebuilds = sa.Table(
    "rm_rebuilds", metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("part", sa.Integer, primary_key=True),
    sa.Column("parts", sa.Integer, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),  # of the projection being built
    sa.Column("token", sa.String(32), nullable=False),
    sa.Column("head", sa.BigInteger, nullable=False),
    sa.Column("position", sa.BigInteger, nullable=False),
    sa.Column("heartbeat_at", UtcDateTime, nullable=False),
)

dossiers = sa.Table(
    "rm_dossiers", metadata,
    sa.Column("dossier_id", sa.Uuid, primary_key=True),
    sa.Column("reference", sa.String(40)),
    sa.Column("commune", sa.String(10), nullable=False),
    sa.Column("commune_name", sa.String(120), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("state", sa.String(30), nullable=False),
    _money("requested"), _money("proposed", True), _money("max_grant", True),
    _money("awarded"), _money("paid"),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("submitted_on", sa.Date),
    sa.Column("decided_on", sa.Date),
    sa.Column("officer_id", sa.Uuid),
    sa.Column("officer_name", sa.String(200)),
    sa.Column("next_deadline", sa.Date),
    sa.Column("next_deadline_label", sa.String(60)),
    sa.Column("session_id", sa.Uuid),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    # The folded texts found by search (faps.infrastructure.readmodels.search), whose index
    # each store builds its own way: the naming words, the description (only so: every page
    # a search reads is one of this table's, so its rows are kept short).
    sa.Column("search", sa.Text, nullable=False),
    sa.Column("search_description", sa.Text, nullable=False),
    sa.Column("reglement_version", sa.String(40)),
    sa.Column("information_due_on", sa.Date),
    sa.Column("notified_on", sa.Date),
    sa.Column("live_requests", sa.Integer, nullable=False),
    sa.Column("balance_requests", sa.Integer, nullable=False),
    sa.Index("ix_rm_dossiers_officer", "officer_id"),
    sa.Index("ix_rm_dossiers_year", "year"),
)
# The list's sorts are (column, dossier_id) in either direction, nulls last: one index each
# serves both directions where the column is never null; a nullable column's descending sort
# needs its own index on PostgreSQL (SQLite's descending scan already puts nulls last).
for _name, _columns in (("commune_updated", ("commune", "updated_at")),
                        ("state_updated", ("state", "updated_at")),
                        ("state_deadline", ("state", "next_deadline"))):
    sa.Index(f"ix_rm_dossiers_{_name}", *(dossiers.c[c] for c in _columns), dossiers.c.dossier_id)
for _sort in ("updated_at", "reference", "commune_name", "state", "requested", "awarded",
              "submitted_on", "next_deadline"):
    sa.Index(f"ix_rm_dossiers_sort_{_sort}", dossiers.c[_sort], dossiers.c.dossier_id)
    if dossiers.c[_sort].nullable:
        sa.Index(f"ix_rm_dossiers_sort_{_sort}_desc", dossiers.c[_sort].desc().nulls_last(),
                 dossiers.c.dossier_id.desc()).ddl_if(dialect="postgresql")

search.install(dossiers)

# How many dossiers each (commune, state, year) holds, kept by the dossiers' projection with
# their rows: a list's count without a text or an officer filter is a sum over these few
# rows, not a count of every dossier the filters keep (30,000 at each officer's list; and on
# PostgreSQL a count reads the table's pages wherever recent writes left them not all-visible).
dossier_counts = sa.Table(
    "rm_dossier_counts", metadata,
    sa.Column("commune", sa.String(10), primary_key=True),
    sa.Column("state", sa.String(30), primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("n", sa.Integer, nullable=False),
)

reglements = sa.Table(
    "rm_reglements", metadata,
    sa.Column("version", sa.String(40), primary_key=True),
    sa.Column("works_start_delay_months", sa.Integer, nullable=False),
    sa.Column("balance_delay_months", sa.Integer, nullable=False),
)

# The timeline and the payments ledger only ever receive new rows (one per event): their key
# is a unique index, which a rebuild builds once the rows are in, like every secondary index,
# instead of a primary key kept up to date through the whole rebuild (a row per event, each at a
# random place of an index of random UUIDs: most of what a large rebuild wrote and committed).
timeline = sa.Table(
    "rm_timeline", metadata,
    sa.Column("dossier_id", sa.Uuid, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("label", sa.String(80), nullable=False),
    sa.Column("actor_name", sa.String(200), nullable=False),
    sa.Column("actor_role", sa.String(30), nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("changes", JsonList, nullable=False),
    sa.Column("private", sa.Boolean, nullable=False),
    sa.Index("ux_rm_timeline_event", "dossier_id", "version", unique=True),
    # Whether a dossier's timeline holds an event of a kind (the municipal deliberations'
    # page asks it of every awarded dossier): one look-up, not a read of its whole timeline.
    # A missing index is created at start (ProjectionRunner.index): no rebuild.
    sa.Index("ix_rm_timeline_kind", "kind", "dossier_id"),
)

documents = sa.Table(
    "rm_documents", metadata,
    sa.Column("document_id", sa.Uuid, primary_key=True),
    sa.Column("dossier_id", sa.Uuid, nullable=False, index=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("media_type", sa.String(100), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("attached_at", UtcDateTime, nullable=False),
    sa.Column("attached_by", sa.String(200), nullable=False),
    sa.Column("removed", sa.Boolean, nullable=False),
)

payment_requests = sa.Table(
    "rm_payment_requests", metadata,
    sa.Column("request_id", sa.Uuid, primary_key=True),
    sa.Column("dossier_id", sa.Uuid, nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
)

payments = sa.Table(
    "rm_payments", metadata,
    sa.Column("dossier_id", sa.Uuid, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("reference", sa.String(40)),
    sa.Column("commune", sa.String(10), nullable=False),
    sa.Column("commune_name", sa.String(120), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    _money("amount"),
    sa.Column("paid_on", sa.Date, nullable=False, index=True),
    sa.Column("mandate_reference", sa.String(100), nullable=False),
    sa.Column("recorded_at", UtcDateTime, nullable=False),
    sa.Index("ux_rm_payments_event", "dossier_id", "version", unique=True),
)

sessions = sa.Table(
    "rm_sessions", metadata,
    sa.Column("session_id", sa.Uuid, primary_key=True),
    sa.Column("body", sa.String(20), nullable=False),
    sa.Column("session_date", sa.Date, nullable=False, index=True),
    sa.Column("place", sa.String(300), nullable=False),
    sa.Column("convocation_date", sa.Date, nullable=False),
    sa.Column("councillors_in_office", sa.Integer, nullable=False),
    sa.Column("president", sa.String(200), nullable=False),
    sa.Column("secretary", sa.String(200), nullable=False),
    sa.Column("closed", sa.Boolean, nullable=False),
    sa.Column("items_count", sa.Integer, nullable=False),
)

agenda = sa.Table(
    "rm_agenda", metadata,
    sa.Column("session_id", sa.Uuid, primary_key=True),
    sa.Column("item_number", sa.Integer, primary_key=True),
    sa.Column("dossier_id", sa.Uuid, nullable=False),
    sa.Column("dossier_reference", sa.String(40), nullable=False),
    sa.Column("commune", sa.String(10), nullable=False),
    sa.Column("commune_name", sa.String(120), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    _money("proposed_amount"),
    sa.Column("withdrawn", sa.Boolean, nullable=False),
    sa.Column("outcome", sa.String(20)),
    _money("amount_awarded", True),
    sa.Column("deliberation_reference", sa.String(100)),
    sa.Column("votes_for", sa.Integer), sa.Column("votes_against", sa.Integer),
    sa.Column("abstentions", sa.Integer), sa.Column("present", sa.Integer),
    sa.Column("voting", sa.Integer),
)

budgets = sa.Table(
    "rm_budgets", metadata,
    sa.Column("budget_id", sa.Uuid, primary_key=True),
    sa.Column("year", sa.Integer, nullable=False, unique=True),
    _money("voted"),
    sa.Column("deliberation_reference", sa.String(100), nullable=False),
)

budget_lines = sa.Table(
    "rm_budget_lines", metadata,
    sa.Column("budget_id", sa.Uuid, primary_key=True),
    sa.Column("dossier_id", sa.Uuid, primary_key=True),
    sa.Column("commune", sa.String(10), nullable=False),
    _money("committed"), _money("paid"),
)

accounts = sa.Table(
    "rm_accounts", metadata,
    sa.Column("account_id", sa.Uuid, primary_key=True),
    sa.Column("email", sa.String(254), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(30), nullable=False),
    sa.Column("commune", sa.String(10)),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)
