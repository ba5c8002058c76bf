"""The tables of the webhooks: subscriptions, deliveries (the log of each), the follower's
position in the event log."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from faps.infrastructure.credentials import metadata

subscriptions = sa.Table(
    "faps_webhook_subscriptions", metadata,
    sa.Column("subscription_id", sa.Uuid, primary_key=True),
    sa.Column("url", sa.String(2000), nullable=False),
    sa.Column("event_types", sa.Text, nullable=False),  # space-separated
    # Needed to sign, so kept, but sealed (webhook_secrets); shown once, at subscription.
    sa.Column("secret", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True),
)
deliveries = sa.Table(
    "faps_webhook_deliveries", metadata,
    sa.Column("delivery_id", sa.Uuid, primary_key=True),  # the webhook-id
    sa.Column("subscription_id", sa.Uuid, nullable=False),
    sa.Column("notification_id", sa.BigInteger, nullable=False),
    sa.Column("dossier_id", sa.Uuid, nullable=False),
    sa.Column("event_type", sa.String(60), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("status", sa.String(12), nullable=False),  # pending, delivered
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("first_failure_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_status_code", sa.Integer, nullable=True),
    sa.Column("last_error", sa.String(500), nullable=True),
    sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_faps_webhook_due", "status", "subscription_id", "notification_id"),
    sa.UniqueConstraint("subscription_id", "notification_id", name="ux_faps_webhook_once"),
)
tracking = sa.Table(
    "faps_webhook_tracking", metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("position", sa.BigInteger, nullable=False),
)


def aware(value: datetime | None) -> datetime | None:
    """Return a stored moment as UTC-aware (SQLite gives naive ones back)."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value
