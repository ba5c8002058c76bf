"""French full-text search on the dossiers' reference, title, commune and description.

The projection stores one accent-folded, lower-case text per dossier (`fold`, computed here in
Python, so PostgreSQL needs no `unaccent` extension). Each store indexes it its own way:
- PostgreSQL: a stored `tsvector` column generated from it in the French configuration
  (stemming, stop words), under a GIN index; results ranked by `ts_rank`;
- SQLite: an FTS5 table kept by triggers (`unicode61`, diacritics removed), ranked by `bm25`.
Every word of the query is a prefix (« emerain » finds « Émerainville »); a query that looks like
a reference (« FAPS-2026-01 ») also finds the references that start with it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import sqlalchemy as sa
import sqlalchemy.dialects.postgresql  # registers its text search functions

TABLE = "rm_dossiers"
FTS = "rm_dossiers_fts"  # SQLite's FTS5 table
VECTOR = "search_vector"  # PostgreSQL's: generated from `search`, outside the Table (never written)
FRENCH: Any = sa.literal_column("'french'::regconfig")
MAX_WORDS = 8
WORD = re.compile(r"[^\W_]+")  # letters and digits: nothing a query syntax reads
REFERENCE = re.compile(r"^[a-z]+-\d{4}(-\d*)?$", re.IGNORECASE)
LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})


def fold(text: str) -> str:
    """Return text lower-cased, without accents nor ligatures (« Œuvre à Émerainville » ->
    « oeuvre a emerainville »)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def searchable(reference: str | None, title: str, commune_name: str, description: str) -> str:
    """Return the text a dossier is found by."""
    return fold(" ".join(p for p in (reference, title, commune_name, description) if p))


def words(query: str) -> list[str]:
    """Return the folded words of a query (at most MAX_WORDS)."""
    return WORD.findall(fold(query))[:MAX_WORDS]


def matching(dialect: str, table: sa.Table, query: str) -> tuple[Any, Any]:
    """Return (the condition, a relevance to sort by, highest first) of a text query."""
    found = words(query)
    if not found:
        return sa.false(), sa.literal(0)
    if dialect == "postgresql":
        tsquery = sa.func.to_tsquery(FRENCH, " & ".join(f"{w}:*" for w in found))
        vector: Any = sa.literal_column(f"{TABLE}.{VECTOR}")
        condition: Any = vector.op("@@")(tsquery)
        rank: Any = sa.func.ts_rank(vector, tsquery)
    else:
        match = sa.literal_column(FTS).op("MATCH")(" ".join(f'"{w}"*' for w in found))
        rowid: Any = sa.literal_column(f"{TABLE}.rowid")
        hit: Any = sa.literal_column(f"{FTS}.rowid")
        condition = rowid.in_(sa.select(hit).select_from(sa.table(FTS)).where(match))
        rank = -(sa.select(sa.literal_column(f"bm25({FTS})")).select_from(sa.table(FTS))
                 .where(match, hit == rowid).scalar_subquery())
    text = query.strip()
    if REFERENCE.match(text):  # a reference's beginning, its digits included
        prefix = text.upper().replace("\\", "").replace("%", "").replace("_", "")
        condition = sa.or_(condition, table.c.reference.like(f"{prefix}%"))
    return condition, rank


def declare_index(table: sa.Table) -> None:
    """Declare PostgreSQL's GIN index (built, as every index, once a rebuild's rows are in)."""
    index = sa.Index(f"ix_{TABLE}_{VECTOR}", sa.literal_column(VECTOR), postgresql_using="gin",
                     _table=table).ddl_if(dialect="postgresql")
    sa.event.listen(index, "before_create", _before_index)  # its column first (create_all)


def create_index(conn: sa.Connection) -> None:
    """Give a freshly created rm_dossiers table its search index's base: PostgreSQL's stored
    tsvector column, SQLite's FTS5 table and the triggers that keep it."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(
            f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS {VECTOR} tsvector GENERATED ALWAYS "
            f"AS (to_tsvector('french'::regconfig, search)) STORED")
    elif conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS}")
        conn.exec_driver_sql(
            f"CREATE VIRTUAL TABLE {FTS} USING fts5(search, content='{TABLE}', "
            f"content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')")
        # The projection replaces a changed row (delete, insert): two triggers keep the index.
        conn.exec_driver_sql(
            f"CREATE TRIGGER IF NOT EXISTS {FTS}_insert AFTER INSERT ON {TABLE} BEGIN "
            f"INSERT INTO {FTS}(rowid, search) VALUES (new.rowid, new.search); END")
        conn.exec_driver_sql(
            f"CREATE TRIGGER IF NOT EXISTS {FTS}_delete AFTER DELETE ON {TABLE} BEGIN "
            f"INSERT INTO {FTS}({FTS}, rowid, search) VALUES ('delete', old.rowid, old.search); "
            f"END")
        conn.exec_driver_sql(
            f"CREATE TRIGGER IF NOT EXISTS {FTS}_update AFTER UPDATE OF search ON {TABLE} BEGIN "
            f"INSERT INTO {FTS}({FTS}, rowid, search) VALUES ('delete', old.rowid, old.search); "
            f"INSERT INTO {FTS}(rowid, search) VALUES (new.rowid, new.search); END")


def _before_index(target: Any, connection: sa.Connection, **_: Any) -> None:
    if connection.dialect.name == "postgresql":
        create_index(connection)


def _after_create(target: Any, connection: sa.Connection, **_: Any) -> None:
    create_index(connection)


def install(table: sa.Table) -> None:
    """Declare PostgreSQL's index; create SQLite's whenever the table is created."""
    declare_index(table)
    sa.event.listen(table, "after_create", _after_create)
