"""The bulk insert stores exactly what SQLAlchemy's own insert stores, on every database."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from faps.infrastructure.readmodels import bulk
from faps.infrastructure.readmodels import tables as t
from faps.infrastructure.stores import make_engine, store_config

PARIS = timezone(timedelta(hours=1))


def _timeline(n: int) -> list[dict[str, Any]]:
    dossier = uuid.uuid4()
    return [{"dossier_id": dossier, "version": i + 1,
             "at": datetime(2024, 3, 1, 9, 30, 15, i * 7, tzinfo=PARIS if i % 2 else UTC),
             "kind": "Edited", "label": "Dossier modifié", "actor_name": "Agent «d'Émerainville»",
             "actor_role": "agent_commune", "summary": "50 %, \\ tab\tnewline\n; 'quoted'",
             "changes": [["title", "avant", None], ["montant", "1,5", {"a": 1}]] if i % 3 else [],
             "private": i % 2 == 0} for i in range(n)]


def _payments(n: int) -> list[dict[str, Any]]:
    return [{"dossier_id": uuid.uuid4(), "version": i, "reference": None if i % 2 else "R-1",
             "commune": "77258", "commune_name": "Émerainville", "kind": "avance",
             "amount": Decimal("-1234.5") if i % 2 else Decimal("0.01"),
             "paid_on": date(2024, 2, 29), "mandate_reference": "M-1",
             "recorded_at": datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=UTC)}
            for i in range(n)]


def _read(conn: sa.Connection, table: sa.Table) -> tuple[list[Any], list[Any]]:
    key = ["dossier_id", "version"]  # the timeline's and the ledger's unique index
    raw = conn.exec_driver_sql(f"SELECT * FROM {table.name} ORDER BY {', '.join(key)}").all()
    typed = conn.execute(sa.select(table).order_by(*(table.c[k] for k in key))).all()
    return [tuple(r) for r in raw], [tuple(r) for r in typed]


@pytest.mark.parametrize("store_url", ["sqlite", "postgres"], indirect=True)
@pytest.mark.parametrize("size", [3, bulk.COPY_FROM + 5])
@pytest.mark.parametrize("make", [_timeline, _payments])
def test_bulk_insert_stores_what_the_sqlalchemy_insert_stores(store_url: str, size: int,
                                                              make: Any) -> None:
    engine = make_engine(store_config(store_url))
    rows = make(size)
    table = t.timeline if make is _timeline else t.payments
    try:
        t.metadata.create_all(engine, tables=[table])
        with engine.begin() as conn:
            conn.execute(table.insert(), rows)
            expected = _read(conn, table)
            conn.execute(table.delete())
            bulk.insert_rows(conn, table, rows)
            assert _read(conn, table) == expected
    finally:
        engine.dispose()


def test_inserting_no_rows_is_accepted(tmp_path: Any) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    t.metadata.create_all(engine, tables=[t.timeline])
    with engine.begin() as conn:
        bulk.insert_rows(conn, t.timeline, [])
        assert conn.execute(sa.select(sa.func.count()).select_from(t.timeline)).scalar() == 0


@pytest.mark.parametrize("moment", [
    datetime(2024, 1, 2, 3, 4, 5), datetime(2024, 1, 2, 3, 4, 5, 7, tzinfo=PARIS),
    datetime(999, 12, 31, 23, 59, 59, tzinfo=UTC),
    datetime.fromisoformat("2024-06-30T22:00:00.5+00:00")])
def test_moments_are_written_to_sqlite_as_sqlalchemy_writes_them(moment: datetime) -> None:
    dialect = sa.create_engine("sqlite://").dialect
    ours = t.UtcDateTime().dialect_impl(dialect).bind_processor(dialect)
    theirs = sa.DateTime().dialect_impl(dialect).bind_processor(dialect)
    naive_utc = moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
    assert ours is not None and theirs is not None
    assert ours(moment) == theirs(naive_utc)
