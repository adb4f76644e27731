"""The SQLAlchemy engine for one database URL, and the migrations run at start-up.

SQLite (the embedded default) is opened in WAL mode (readers never wait for a writer, a
killed process loses no committed transaction) with a busy timeout, foreign keys on, and
transactions begun by us: ``BEGIN IMMEDIATE`` for a connection opened with
``execution_options(write=True)``, so two writers (two server processes uploading at once)
queue instead of failing half-way, and a check-then-insert (quotas) is atomic. PostgreSQL
writers take a transaction-scoped advisory lock for the same effect (:func:`write_lock`).

:func:`migrate` brings the schema to the newest Alembic revision shipped in
``cityrank/store/migrations``. Two workers starting at once are safe: the migration runs
under a database-wide lock (SQLite: the write transaction itself; PostgreSQL:
``pg_advisory_lock``), and the second one finds the schema current and does nothing.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
LOCK_KEY = 0x63697479  # "city": the advisory lock of cityrank's writers on PostgreSQL
SQLITE_TIMEOUT = 60  # seconds a writer waits for another one


def create(url: str) -> Engine:
    """An engine for ``url`` (``sqlite:///path`` or ``postgresql+psycopg://...``)."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(u, connect_args={"timeout": SQLITE_TIMEOUT,
                                                "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # the driver never begins on its own: we do
            cur = dbapi_conn.cursor()
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON",
                           f"busy_timeout={SQLITE_TIMEOUT * 1000}"):
                cur.execute(f"PRAGMA {pragma}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection):
            write = conn.get_execution_options().get("write")
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    if u.get_backend_name() == "postgresql" and u.drivername == "postgresql":
        u = u.set(drivername="postgresql+psycopg")  # psycopg 3 is the driver we install
    return create_engine(u, pool_pre_ping=True, pool_size=5, max_overflow=10)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def write_lock(conn: Connection) -> None:
    """Serialise writers for the rest of this transaction (a no-op on SQLite, where the
    connection began with ``BEGIN IMMEDIATE``)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})


def _alembic_config(conn: Connection):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    cfg.attributes["connection"] = conn
    return cfg


def head() -> str:
    """The newest migration shipped with this version of cityrank."""
    from alembic.script import ScriptDirectory

    cfg = _alembic_config(None)
    return ScriptDirectory.from_config(cfg).get_current_head()


def current(engine: Engine) -> str | None:
    """The schema revision of the database (None for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine, target: str = "head") -> str:
    """Upgrade the schema to ``target`` under a database-wide lock; returns the revision."""
    from alembic import command

    want = head() if target == "head" else target
    if current(engine) == want:
        return want  # the usual start: nothing to do, no lock taken
    if is_sqlite(engine):
        with engine.connect().execution_options(write=True) as conn:
            command.upgrade(_alembic_config(conn), target)
            conn.commit()
    else:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": LOCK_KEY})
            conn.commit()
            try:
                command.upgrade(_alembic_config(conn), target)
                conn.commit()
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
                conn.commit()
    return current(engine)
