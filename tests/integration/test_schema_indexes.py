"""An index declared after a web table was made is built at the next start, rows kept."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest
import sqlalchemy as sa

from faps.infrastructure.read_markers import THREAD_READS, ReadMarkers
from faps.infrastructure.stores import make_engine, store_config


@pytest.mark.parametrize("store_url", ["sqlite", "postgres"], indirect=True)
def test_a_web_table_from_before_its_index_gets_it_at_start(store_url: str) -> None:
    engine = make_engine(store_config(store_url))
    try:
        markers = ReadMarkers(engine)
        dossier, when = uuid4(), datetime(2026, 3, 1, 9, tzinfo=UTC)
        markers.mark(uuid4(), dossier, "fonds", when)
        with engine.begin() as conn:  # a store made before the index was declared
            conn.execute(sa.text("DROP INDEX ix_web_thread_reads_dossier_side"))

        def indexes() -> set[str]:
            with engine.connect() as conn:
                return {str(i["name"]) for i in sa.inspect(conn).get_indexes(THREAD_READS.name)}

        assert "ix_web_thread_reads_dossier_side" not in indexes()
        again = ReadMarkers(engine)  # the next start
        assert "ix_web_thread_reads_dossier_side" in indexes()
        assert again.seen_by_side(dossier, "fonds") == when
        ReadMarkers(engine)  # and the start after: nothing to do, nothing fails
    finally:
        engine.dispose()
