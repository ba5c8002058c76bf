"""Read models: SQLAlchemy tables kept up to date from the notification log by projections."""
