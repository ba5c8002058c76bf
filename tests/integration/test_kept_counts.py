"""Counts kept by key (`batch.count_changes`): moved by each row's keys before and after."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from faps.infrastructure.readmodels.batch import count_changes

METADATA = sa.MetaData()
COUNTS = sa.Table("t_counts", METADATA, sa.Column("k", sa.String(10), primary_key=True),
                  sa.Column("y", sa.Integer, primary_key=True),
                  sa.Column("n", sa.Integer, nullable=False))


@pytest.mark.parametrize("store_url", ["sqlite", "postgres"], indirect=True)
def test_counts_move_with_each_rows_keys_and_are_added_in_the_keys_order(store_url: str):
    from faps.infrastructure.stores import make_engine, store_config

    engine = make_engine(store_config(store_url))
    sent: list[Any] = []

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _seen(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if "t_counts" in statement and statement.lstrip().upper().startswith("INSERT"):
            sent.append(parameters)

    try:
        METADATA.create_all(engine)
        with engine.begin() as conn:  # three new rows, one of them counted twice
            count_changes(conn, COUNTS, [((), [("b", 1)]), ((), [("a", 2), ("a", 2)]),
                                         ((), [("b", 1)])])
        with engine.begin() as conn:  # one moves from b to c; a row counted nowhere stays
            count_changes(conn, COUNTS, [([("b", 1)], [("c", 1)]), ((), ())])
        with engine.connect() as conn:
            rows = {(k, y): n for k, y, n in conn.execute(sa.select(COUNTS))}
        assert rows == {("a", 2): 2, ("b", 1): 1, ("c", 1): 1}
        # Whatever the order the rows came in, the keys are added in one order (two
        # processes of a split rebuild adding to the same keys never wait for each other).
        with engine.begin() as conn:
            count_changes(conn, COUNTS, [((), [("c", 1)]), ((), [("a", 2)]), ((), [("b", 1)])])
        flat = str(sent[-1])  # the statement's parameters, as the driver got them
        assert flat.index("'a'") < flat.index("'b'") < flat.index("'c'"), flat
    finally:
        METADATA.drop_all(engine)
        engine.dispose()
