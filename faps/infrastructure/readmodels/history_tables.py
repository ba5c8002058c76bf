"""The history tables: each version of a dossier, budget, budget line and session row, with the
moments it was valid from (its event's timestamp) and to (the next version's; NULL: still).

"As of a moment M" is then `valid_from <= M AND (valid_to IS NULL OR valid_to > M)`: an indexed
query. Each table's key is the entity's id and the version of the aggregate event that made the
row, so a rebuild writes the very same rows again; the open version of an entity is found
through the key's prefix (the projection closes it when the next event comes).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from faps.infrastructure.readmodels.tables import Cents, UtcDateTime, metadata


def _money(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, Cents, nullable=nullable)


def _validity(name: str) -> tuple[Any, ...]:
    """Return the validity columns and their "as of" indexes (built after a rebuild).

    Two indexes, because the rows valid at M are both "started by M" and "not ended by M":
    for a recent M the second is the selective one, for an early M the first.
    """
    return (sa.Column("valid_from", UtcDateTime, nullable=False),
            sa.Column("valid_to", UtcDateTime, nullable=True),
            sa.Index(f"ix_{name}_valid_from", "valid_from"),
            sa.Index(f"ix_{name}_valid_to", "valid_to"))


dossier_versions = sa.Table(
    "rm_asof_dossiers", metadata,
    sa.Column("dossier_id", sa.Uuid, primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
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
    sa.Column("updated_at", UtcDateTime, nullable=False),
    # What the next events' handlers read (not shown as of a date).
    sa.Column("reglement_version", sa.String(40)),
    sa.Column("information_due_on", sa.Date),
    sa.Column("notified_on", sa.Date),
    sa.Column("live_requests", sa.Integer, nullable=False),
    sa.Column("balance_requests", sa.Integer, nullable=False),
    *_validity("rm_asof_dossiers"),
)

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
