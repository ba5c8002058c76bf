"""One-time form tokens: a form submitted twice (double click, retry) is carried out once.

Every form carries a random token. The first request that brings it claims it (an INSERT: the
primary key makes two claims impossible, in any worker); when it answers with a redirect, the
target is stored, and a second request with the same token is sent there without running the
command again. A request that fails gives its token back: nothing was recorded.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from faps.infrastructure.schema import create_tables

metadata = sa.MetaData()
KEEP = timedelta(days=2)

submissions_table = sa.Table(
    "faps_form_submissions",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("location", sa.String(2000), nullable=True),  # None while the first one runs
)


@dataclass(frozen=True)
class Claimed:
    """A token already claimed: where its first request went (None: still running)."""

    location: str | None


def submission_key(session_secret: str, token: str) -> str:
    """Return the stored key of a form token in one session."""
    return hashlib.sha256(f"{session_secret}:{token}".encode("utf-8", "replace")).hexdigest()


class SqlAlchemySubmissions:
    """Claimed form tokens in the faps_form_submissions table."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        create_tables(engine, metadata)
        self._purged: datetime | None = None

    def claim(self, key: str, now: datetime) -> Claimed | None:
        """Claim a token; return None if this request is the first, else what the first did."""
        self._purge(now)
        try:
            with self.engine.begin() as conn:
                conn.execute(submissions_table.insert().values(key=key, created_at=now))
        except sa.exc.IntegrityError:
            return Claimed(self.location(key))
        return None

    def location(self, key: str) -> str | None:
        """Return where the first request with this token went, if it has answered."""
        with self.engine.connect() as conn:
            value = conn.execute(sa.select(submissions_table.c.location).where(
                submissions_table.c.key == key)).scalar_one_or_none()
        return value

    def done(self, key: str, location: str) -> None:
        """Record where the first request sent the person."""
        with self.engine.begin() as conn:
            conn.execute(submissions_table.update().where(submissions_table.c.key == key)
                         .values(location=location[:2000]))

    def release(self, key: str) -> None:
        """Give the token back (the request failed: nothing was recorded)."""
        with self.engine.begin() as conn:
            conn.execute(submissions_table.delete().where(submissions_table.c.key == key))

    def _purge(self, now: datetime) -> None:
        if self._purged is not None and now - self._purged < timedelta(hours=1):
            return
        self._purged = now
        with self.engine.begin() as conn:
            conn.execute(submissions_table.delete().where(
                submissions_table.c.created_at < (now - KEEP).astimezone(UTC)))
