"""French full-text search on the dossiers' reference, title, commune and description.

The projection stores two accent-folded, lower-case texts per dossier (`fold`, computed here in
Python, so PostgreSQL needs no `unaccent` extension): the words that name it (reference, title,
commune) and its description. Each store indexes them its own way:
- PostgreSQL: a stored `tsvector` column generated from them in the French configuration
  (stemming, stop words), the naming words weighted A, the description D, under a GIN index
  (no pending list: a search never scans one); results ranked by `ts_rank`, whose default
  weights count a naming word ten times a description's;
- SQLite: an FTS5 table of both texts kept by triggers (`unicode61`, diacritics removed),
  ranked by `bm25` with the same ten to one weights.
So a dossier whose title holds the words comes before one whose description only does.
Every word of the query is a prefix (« emerain » finds « Émerainville »); a query that looks like
a reference (« FAPS-2026-01 ») also finds the references that start with it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, NamedTuple

import sqlalchemy as sa
import sqlalchemy.dialects.postgresql  # registers its text search functions

TABLE = "rm_dossiers"
FTS = "rm_dossiers_fts"  # SQLite's FTS5 table
VECTOR = "search_vector"  # PostgreSQL's, generated from the texts, outside the Table: never written
TEXTS = ("search", "search_description")  # the folded texts: naming words, description
WEIGHTS = (10.0, 1.0)  # SQLite's bm25 weights of those texts (ts_rank's defaults for A and D)
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


def searchable(reference: str | None, title: str, commune_name: str) -> str:
    """Return the naming words a dossier is found by (its description is found by `fold`'s)."""
    return fold(" ".join(p for p in (reference, title, commune_name) if p))


def words(query: str) -> list[str]:
    """Return the folded words of a query (at most MAX_WORDS)."""
    return WORD.findall(fold(query))[:MAX_WORDS]


class Match(NamedTuple):
    """A text query's condition, its relevance (highest first) and, on SQLite, the ranked
    hits the relevance reads (to join to the table, left outer, on `rowid == hits.c.hit`)."""

    condition: Any
    rank: Any
    hits: Any = None


def matching(dialect: str, table: sa.Table, query: str) -> Match:
    """Return the condition and the relevance of a text query (see `Match`)."""
    found = words(query)
    if not found:
        return Match(sa.false(), sa.literal(0))
    if dialect == "postgresql":
        # In a subquery: computed once per statement even in a prepared statement's generic
        # plan (psycopg prepares a statement run 5 times), which would otherwise parse and
        # stem the query again for every row it ranks or rechecks (3 to 4 times slower).
        tsquery = sa.select(sa.func.to_tsquery(FRENCH, " & ".join(f"{w}:*" for w in found))
                            ).scalar_subquery()
        vector: Any = sa.literal_column(f"{TABLE}.{VECTOR}")
        condition: Any = vector.op("@@")(tsquery)
        rank: Any = sa.func.ts_rank(vector, tsquery)
    else:
        match = sa.literal_column(FTS).op("MATCH")(" ".join(f'"{w}"*' for w in found))
        rowid: Any = sa.literal_column(f"{TABLE}.rowid")
        hit: Any = sa.literal_column(f"{FTS}.rowid")
        condition = rowid.in_(sa.select(hit).select_from(sa.table(FTS)).where(match))
        # The hits ranked once, in one pass of the full-text index, then joined by rowid (a
        # correlated `bm25` per row would run the MATCH again for every row: 10 s for 3,000
        # matches at 30,000 dossiers). A dossier found by its reference alone ranks 0.
        bm25: Any = sa.literal_column(f"bm25({FTS}, {', '.join(map(str, WEIGHTS))})")
        hits = (sa.select(hit.label("hit"), bm25.label("score")).select_from(sa.table(FTS))
                .where(match).subquery("hits"))
        rank = -sa.func.coalesce(hits.c.score, 0)
    text = query.strip()
    if REFERENCE.match(text):  # a reference's beginning, its digits included
        prefix = text.upper().replace("\\", "").replace("%", "").replace("_", "")
        condition = sa.or_(condition, table.c.reference.like(f"{prefix}%"))
    return Match(condition, rank, hits if dialect != "postgresql" else None)


def declare_index(table: sa.Table) -> None:
    """Declare PostgreSQL's GIN index (built, as every index, once a rebuild's rows are in)."""
    # fastupdate off: a row changed after the build goes into the index at once, not into a
    # pending list that every search would scan until a vacuum merges it.
    index = sa.Index(f"ix_{TABLE}_{VECTOR}", sa.literal_column(VECTOR), postgresql_using="gin",
                     postgresql_with={"fastupdate": "off"}, _table=table
                     ).ddl_if(dialect="postgresql")
    sa.event.listen(index, "before_create", _before_index)  # its column first (create_all)


def create_index(conn: sa.Connection) -> None:
    """Give a freshly created rm_dossiers table its search index's base: PostgreSQL's stored
    tsvector column, SQLite's FTS5 table and the triggers that keep it."""
    names, description = TEXTS
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(
            f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS {VECTOR} tsvector GENERATED ALWAYS "
            f"AS (setweight(to_tsvector('french'::regconfig, {names}), 'A') "
            f"|| to_tsvector('french'::regconfig, {description})) STORED")
    elif conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS}")
        columns = ", ".join(TEXTS)
        old, new = (", ".join(f"{row}.{c}" for c in TEXTS) for row in ("old", "new"))
        conn.exec_driver_sql(
            f"CREATE VIRTUAL TABLE {FTS} USING fts5({columns}, content='{TABLE}', "
            f"content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')")
        # The projection replaces a changed row (delete, insert): two triggers keep the index.
        remove = f"INSERT INTO {FTS}({FTS}, rowid, {columns}) VALUES ('delete', old.rowid, {old});"
        add = f"INSERT INTO {FTS}(rowid, {columns}) VALUES (new.rowid, {new});"
        conn.exec_driver_sql(
            f"CREATE TRIGGER IF NOT EXISTS {FTS}_insert AFTER INSERT ON {TABLE} BEGIN {add} END")
        conn.exec_driver_sql(
            f"CREATE TRIGGER IF NOT EXISTS {FTS}_delete AFTER DELETE ON {TABLE} BEGIN {remove} "
            f"END")
        conn.exec_driver_sql(
            f"CREATE TRIGGER IF NOT EXISTS {FTS}_update AFTER UPDATE OF {columns} ON {TABLE} "
            f"BEGIN {remove} {add} END")


def _before_index(target: Any, connection: sa.Connection, **_: Any) -> None:
    if connection.dialect.name == "postgresql":
        create_index(connection)


def _after_create(target: Any, connection: sa.Connection, **_: Any) -> None:
    create_index(connection)


def install(table: sa.Table) -> None:
    """Declare PostgreSQL's index; create SQLite's whenever the table is created."""
    declare_index(table)
    sa.event.listen(table, "after_create", _after_create)
