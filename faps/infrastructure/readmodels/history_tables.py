"""The history tables: each version of a dossier, budget, budget line and session row, with the
moments it was valid from (its event's timestamp) and to (the next version's; NULL: still).

"As of a moment M" is then `valid_from <= M AND (valid_to IS NULL OR valid_to > M)`, read
through an index (see `_validity`). Each table's key is the entity's id and the version of the
aggregate event that made the row, so a rebuild writes the very same rows again; the open
version of an entity is found through the key's prefix (closed when the next event comes).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from faps.infrastructure.readmodels.history_totals import Totals, bounds_index
from faps.infrastructure.readmodels.tables import Cents, UtcDateTime, metadata

AMOUNTS = ("requested", "proposed", "awarded", "paid")


def _money(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, Cents, nullable=nullable)


def _validity(name: str, *covered: str) -> tuple[Any, ...]:
    """Return the validity columns and their "as of" index (built after a rebuild).

    Rows valid at M are "started by M and not ended by M": a stabbing query, which neither an
    index on the start nor one on the end answers without reading about half the table for a
    moment in the middle of the history. So a closed row also keeps `span`, the smallest k such
    that it lasted at most 2^k seconds, and the index is (span, valid_from): the closed rows of
    span k valid at M started in [M - 2^k s, M], one short range of the index per k, most of it
    rows that are valid indeed; the open rows (span NULL) started by M are one range too.
    The index also holds the `covered` columns, so that totals and a page's order are read
    from it alone.
    """
    return (sa.Column("valid_from", UtcDateTime, nullable=False),
            sa.Column("valid_to", UtcDateTime, nullable=True),
            sa.Column("span", sa.SmallInteger, nullable=True),
            sa.Index(f"ix_{name}_at", "span", "valid_from", "valid_to", *covered))


dossier_versions = sa.Table(
    "rm_asof_dossiers", metadata,
    sa.Column("dossier_id", sa.Uuid, primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    # Compared as bytes on every database (the snapshot's order, walked through an index).
    sa.Column("reference", sa.String(40).with_variant(sa.String(40, collation="C"),
                                                       "postgresql")),
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
    sa.Column("updated_at", UtcDateTime, nullable=False),
    # What the next events' handlers read (not shown as of a date).
    sa.Column("reglement_version", sa.String(40)),
    sa.Column("information_due_on", sa.Date),
    sa.Column("notified_on", sa.Date),
    sa.Column("live_requests", sa.Integer, nullable=False),
    sa.Column("balance_requests", sa.Integer, nullable=False),
    # The run of versions with the same compared values (state and amounts) this one ends:
    # when it began, and whether the dossier had its values before it (`recurring`; the
    # open version keeps the hashes of the earlier runs' values in `runs_seen`, see
    # history.Versions). A version valid at E whose run began by S had its values at S; one
    # whose run began after S and which is not `recurring` had other values at S: the
    # écarts count them without reading S's version.
    sa.Column("run_from", UtcDateTime, nullable=False),
    sa.Column("recurring", sa.Boolean, nullable=False),
    sa.Column("runs_seen", sa.Text),
    *_validity("rm_asof_dossiers", "state", "reference", "dossier_id", "version",
               "requested", "proposed", "awarded", "paid", "created_at", "run_from",
               "recurring"),
    # A dossier's version at a moment (the écarts' "before"), read from the index alone.
    sa.Index("ix_rm_asof_dossiers_entity", "dossier_id", "valid_from", "valid_to", "state",
             "requested", "proposed", "awarded", "paid"),
    # The snapshot's order (reference, then id; drafts by id), walked up to a page's end.
    sa.Index("ix_rm_asof_dossiers_order", "reference", "dossier_id", "valid_from", "valid_to",
             "version", "run_from", "recurring"),
)
bounds_index(dossier_versions, ("state", "reference"), AMOUNTS)

# The dossiers' count and amounts by state (and whether they have a reference yet), by period.
dossier_totals = Totals(
    "rm_asof_dossier_totals", dossier_versions,
    [sa.Column("state", sa.String(30), primary_key=True),
     sa.Column("referenced", sa.Boolean, primary_key=True)], AMOUNTS,
    lambda r: ((r["state"], r["reference"] is not None),
               (1, *(r[k] or 0 for k in AMOUNTS))),
    [dossier_versions.c.state, dossier_versions.c.reference.isnot(None)])

# The kind of each payment request (a refusal or a payment reads it) and each règlement
# version's delays (a dossier's next deadline): the projection's own copies, so that it is
# versioned and rebuilt on its own.
payment_request_kinds = sa.Table(
    "rm_asof_payment_requests", metadata,
    sa.Column("request_id", sa.Uuid, primary_key=True),
    sa.Column("dossier_id", sa.Uuid, nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
)

reglement_delays = sa.Table(
    "rm_asof_reglements", metadata,
    sa.Column("version", sa.String(40), primary_key=True),
    sa.Column("works_start_delay_months", sa.Integer, nullable=False),
    sa.Column("balance_delay_months", sa.Integer, nullable=False),
)

budget_versions = sa.Table(
    "rm_asof_budgets", metadata,
    sa.Column("budget_id", sa.Uuid, primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("year", sa.Integer, nullable=False),
    _money("voted"),
    sa.Column("deliberation_reference", sa.String(100), nullable=False),
    *_validity("rm_asof_budgets"),
)

budget_line_versions = sa.Table(
    "rm_asof_budget_lines", metadata,
    sa.Column("budget_id", sa.Uuid, primary_key=True),
    sa.Column("dossier_id", sa.Uuid, primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),  # the budget's event
    sa.Column("commune", sa.String(10), nullable=False),
    _money("committed"), _money("paid"),
    *_validity("rm_asof_budget_lines"),
)
bounds_index(budget_line_versions, ("budget_id", "commune"), ("committed", "paid"))

# The budget lines' count and amounts by budget and commune, by period.
line_totals = Totals(
    "rm_asof_budget_line_totals", budget_line_versions,
    [sa.Column("budget_id", sa.Uuid, primary_key=True),
     sa.Column("commune", sa.String(10), primary_key=True)], ("committed", "paid"),
    lambda r: ((r["budget_id"], r["commune"]), (1, r["committed"], r["paid"])),
    [budget_line_versions.c.budget_id, budget_line_versions.c.commune])

session_versions = sa.Table(
    "rm_asof_sessions", metadata,
    sa.Column("session_id", sa.Uuid, primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("body", sa.String(20), nullable=False),
    sa.Column("session_date", sa.Date, nullable=False),
    sa.Column("place", sa.String(300), nullable=False),
    sa.Column("convocation_date", sa.Date, nullable=False),
    sa.Column("councillors_in_office", sa.Integer, nullable=False),
    sa.Column("president", sa.String(200), nullable=False),
    sa.Column("secretary", sa.String(200), nullable=False),
    sa.Column("closed", sa.Boolean, nullable=False),
    sa.Column("items_count", sa.Integer, nullable=False),
    *_validity("rm_asof_sessions"),
)


MAX_SPAN = 32  # 2^32 s: 136 years; a longer row keeps this span (its range is then unbounded)


def span_of(valid_from: datetime, valid_to: datetime) -> int:
    """Return the smallest k (at most MAX_SPAN) such that a row lasted at most 2^k seconds."""
    k = 0
    while k < MAX_SPAN and valid_to - valid_from > timedelta(seconds=2**k):
        k += 1
    return k
