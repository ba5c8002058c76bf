"""What the public API keeps beside the log, shared by every process: idempotent responses
(with a marker while the first request runs) and the calls counted per caller and minute."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from faps.infrastructure.credentials import metadata
from faps.infrastructure.schema import create_tables

KEEP = timedelta(hours=24)
IN_PROGRESS = 0  # the status of a key whose first request is still running
ABANDONED = timedelta(minutes=2)  # a marker this old was left by a process that died

idempotency_table = sa.Table(
    "faps_api_idempotency",
    metadata,
    sa.Column("owner", sa.String(64), primary_key=True),  # the token, or the signed-in account
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("status", sa.Integer, nullable=False),  # 0 while the first request runs
    sa.Column("content_type", sa.String(100), nullable=False),
    sa.Column("location", sa.String(500), nullable=True),
    sa.Column("body", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
)
rate_table = sa.Table(
    "faps_api_rate",
    metadata,
    sa.Column("caller", sa.String(64), primary_key=True),
    sa.Column("window", sa.BigInteger, primary_key=True),  # minutes since the epoch
    sa.Column("calls", sa.Integer, nullable=False),
)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


@dataclass(frozen=True)
class StoredResponse:
    """A response given once to a write with an Idempotency-Key (status 0: still running)."""

    fingerprint: str
    status: int
    content_type: str
    location: str | None
    body: bytes
    created_at: datetime | None = None

    @property
    def in_progress(self) -> bool:
        """Tell whether the first request with this key has not answered yet."""
        return self.status == IN_PROGRESS


class SqlAlchemyIdempotency:
    """Responses to idempotent writes, kept 24 hours; a key is claimed before its request runs."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        create_tables(engine, metadata, [idempotency_table, rate_table])

    def get(self, owner: str, key: str) -> StoredResponse | None:
        """Return the response first given to this key (or its marker), if still kept."""
        t = idempotency_table
        since = datetime.now(tz=UTC) - KEEP
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(t).where(t.c.owner == owner, t.c.key == key,
                                                  t.c.created_at > since)).first()
        if row is None:
            return None
        return StoredResponse(row.fingerprint, row.status, row.content_type, row.location,
                              bytes(row.body), _aware(row.created_at))

    def claim(self, owner: str, key: str, fingerprint: str) -> StoredResponse | None:
        """Mark the key as running; None if this request claimed it, else what holds it.

        The primary key makes the claim atomic across processes: of two requests arriving at
        once, one inserts the marker and the other finds it. A marker abandoned by a dead
        process (older than ABANDONED) is taken over.
        """
        t = idempotency_table
        for _ in range(3):
            now = datetime.now(tz=UTC)
            try:
                with self.engine.begin() as conn:
                    conn.execute(t.delete().where(t.c.created_at <= now - KEEP))
                    conn.execute(t.insert().values(
                        owner=owner, key=key, fingerprint=fingerprint, status=IN_PROGRESS,
                        content_type="", location=None, body=b"", created_at=now))
                return None
            except IntegrityError:
                held = self.get(owner, key)
            if held is None:
                continue  # expired and deleted meanwhile: claim again
            if not (held.in_progress and held.created_at and held.created_at < now - ABANDONED):
                return held
            with self.engine.begin() as conn:  # take the abandoned marker over
                conn.execute(t.delete().where(t.c.owner == owner, t.c.key == key,
                                              t.c.status == IN_PROGRESS,
                                              t.c.created_at == held.created_at))
        return self.get(owner, key)

    def put(self, owner: str, key: str, response: StoredResponse) -> None:
        """Keep the first response to the key (replacing its marker)."""
        t = idempotency_table
        with self.engine.begin() as conn:
            done = conn.execute(t.update().where(
                t.c.owner == owner, t.c.key == key, t.c.status == IN_PROGRESS).values(
                fingerprint=response.fingerprint, status=response.status,
                content_type=response.content_type, location=response.location,
                body=response.body))
        if done.rowcount:
            return
        try:  # no marker (taken over, or never claimed): keep the response anyway
            with self.engine.begin() as conn:
                conn.execute(t.insert().values(
                    owner=owner, key=key, fingerprint=response.fingerprint,
                    status=response.status, content_type=response.content_type,
                    location=response.location, body=response.body,
                    created_at=datetime.now(tz=UTC)))
        except IntegrityError:
            pass

    def release(self, owner: str, key: str) -> None:
        """Forget a marker whose request gave no answer worth replaying (a retry runs again)."""
        t = idempotency_table
        with self.engine.begin() as conn:
            conn.execute(t.delete().where(t.c.owner == owner, t.c.key == key,
                                          t.c.status == IN_PROGRESS))


class SqlAlchemyRateLimit:
    """A fixed window per caller and minute, counted in the database by every process."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        create_tables(engine, metadata, [rate_table])

    def retry_after(self, caller: str, limit: int, now: float) -> int:
        """Count a call; return 0 if allowed, else the seconds until the next window.

        The increment is one UPDATE (the row lock orders concurrent calls) and the count read
        back in the same transaction, so no two processes get the same count.
        """
        t = rate_table
        window = int(now // 60)
        calls = limit + 1
        for _ in range(3):
            with self.engine.begin() as conn:
                done = conn.execute(t.update().where(t.c.caller == caller, t.c.window == window)
                                    .values(calls=t.c.calls + 1))
                if done.rowcount:
                    calls = conn.execute(sa.select(t.c.calls).where(
                        t.c.caller == caller, t.c.window == window)).scalar_one()
                    break
            try:
                with self.engine.begin() as conn:
                    conn.execute(t.insert().values(caller=caller, window=window, calls=1))
                    conn.execute(t.delete().where(t.c.window < window - 1))
                calls = 1
                break
            except IntegrityError:
                continue  # another process opened the window at the same moment: count there
        if calls > limit:
            return max(1, int((window + 1) * 60 - now) + 1)
        return 0
