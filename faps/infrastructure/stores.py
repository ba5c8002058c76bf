"""Where events and read models live, from one URL: sqlite:///FILE, postgresql://…, memory://."""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa
from sqlalchemy.pool import StaticPool

from faps.domain.errors import ConfigurationError


@dataclass(frozen=True)
class StoreConfig:
    """The event store's environment and the SQLAlchemy URL of the read models."""

    kind: str
    event_env: dict[str, str]
    sqlalchemy_url: str


def private_store_file(config: StoreConfig) -> None:
    """Create a new SQLite store readable by its owner only: it holds the password hashes.

    SQLite gives its -wal and -shm files the mode of the database file.
    """
    if config.kind != "sqlite":
        return
    path = Path(config.event_env["SQLITE_DBNAME"])
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def store_config(url: str) -> StoreConfig:
    """Translate FAPS_DATABASE_URL into eventsourcing and SQLAlchemy settings."""
    parts = urlsplit(url)
    scheme = parts.scheme.split("+")[0]
    if scheme == "memory":
        return StoreConfig("memory", {"PERSISTENCE_MODULE": "eventsourcing.popo"}, "sqlite://")
    if scheme == "sqlite":
        raw = url.split(":///", 1)[1] if ":///" in url else ""
        if not raw or raw == ":memory:":
            raise ConfigurationError("FAPS_DATABASE_URL : indiquez un fichier SQLite.")
        path = Path(unquote(raw)).expanduser().resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path),
               "SQLITE_LOCK_TIMEOUT": "30"}
        return StoreConfig("sqlite", env, f"sqlite:///{path}")
    if scheme in ("postgresql", "postgres"):
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": parts.path.lstrip("/") or "faps",
            "POSTGRES_HOST": parts.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": unquote(parts.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
            "POSTGRES_CONNECT_TIMEOUT": "10",
            "POSTGRES_POOL_SIZE": "5",
            "POSTGRES_LOCK_TIMEOUT": "30",
        }
        netloc = parts.netloc
        return StoreConfig("postgres", env, f"postgresql+psycopg://{netloc}{parts.path}")
    raise ConfigurationError(
        f"FAPS_DATABASE_URL non reconnue ({scheme or url!r}) : sqlite:///FICHIER, "
        "postgresql://UTILISATEUR@HÔTE:PORT/BASE ou memory://")


def make_engine(config: StoreConfig, durable: bool = False) -> sa.Engine:
    """Create the SQLAlchemy engine of the read models (`durable`: of the credentials)."""
    if config.kind == "memory":
        return sa.create_engine("sqlite://", poolclass=StaticPool,
                                connect_args={"check_same_thread": False})
    if config.kind == "sqlite":
        engine = sa.create_engine(config.sqlalchemy_url,
                                  connect_args={"timeout": 30, "check_same_thread": False})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            # What the followers write (read models, audit links, outbox) is derived from the
            # event log and written with its log position in one transaction: in WAL mode
            # NORMAL keeps that atomic, and a power cut can only lose the latest such
            # transactions, which the followers recompute from the log. The event store's own
            # connection and the credentials' engine (`durable`) keep full durability.
            cursor.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    engine = sa.create_engine(config.sqlalchemy_url, pool_size=5, max_overflow=10)
    ping_when_idle(engine)
    return engine


IDLE_BEFORE_PING = 10.0  # seconds a pooled connection rests before it is tried on checkout


def ping_when_idle(engine: sa.Engine) -> None:
    """Try a pooled connection before lending it only when it has rested a while.

    `pool_pre_ping` tries it on every checkout: a round trip to the server before each
    transaction (a page opens several; a request's catch-up one more). A connection used a
    moment ago is alive as surely as a ping would say: only those idle for IDLE_BEFORE_PING
    seconds (the server restarted, a proxy closed them) are tried, and a dead one is replaced
    (SQLAlchemy's pool takes a DisconnectionError raised at checkout to mean exactly that).
    """
    @sa.event.listens_for(engine, "checkin")
    def _rested(_dbapi_connection, record):  # type: ignore[no-untyped-def]
        record.info["checked_in"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _tried(dbapi_connection, record, _proxy):  # type: ignore[no-untyped-def]
        rested = record.info.get("checked_in")
        if rested is None or time.monotonic() - rested < IDLE_BEFORE_PING:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise sa.exc.DisconnectionError(str(error)) from error
