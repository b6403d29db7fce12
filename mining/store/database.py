"""Opening a BioMine database from a URL: validation, SQLite pragmas, migrations to head."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, exc, make_url
from sqlalchemy.engine import URL

from mining.errors import DatabaseError, DatabaseURLError
from mining.store.json_values import serialize_json

DEFAULT_URL = "sqlite:///biomine.db"
ENV_VAR = "BIOMINE_DB"


def resolve_url(url: str | None) -> str:
    """``--db`` wins, then ``$BIOMINE_DB``, then ``biomine.db`` in the working folder."""
    return url or os.environ.get(ENV_VAR) or DEFAULT_URL


def open_database(
    url: str | None = None, *, read_only: bool = False, upgrade: bool = False
) -> Engine:
    """An engine on a migrated database, or one DatabaseError that names the URL.

    ``read_only`` opens an existing BioMine database without the right to write (a missing
    SQLite file is an error, never a new empty database). Its schema must be the current
    one, unless ``upgrade``: then an older BioMine schema is migrated first, through a
    short writing connection (the database exists, so nothing is created by mistake)."""
    text = resolve_url(url)
    parsed = _parse(text)
    shown = parsed.render_as_string(hide_password=True)
    outdated = False
    try:
        engine = _create(parsed, read_only)
        with engine.connect() as connection:
            if read_only:
                outdated = _check_migrated(connection, shown, allow_older=upgrade)
            else:
                _migrate(connection)
                connection.commit()
    except exc.SQLAlchemyError as error:
        raise DatabaseError(shown, _reason(error)) from None
    if outdated:
        engine.dispose()
        open_database(text).dispose()
        return open_database(text, read_only=True)
    return engine


def _parse(text: str) -> URL:
    try:
        parsed = make_url(text)
        parsed.get_dialect()
    except (exc.ArgumentError, exc.NoSuchModuleError, ValueError) as error:
        raise DatabaseURLError(
            text,
            f"not a database URL ({error}); use e.g. sqlite:///biomine.db or "
            "postgresql+psycopg://user@host/dbname",
        ) from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseURLError(text, "only SQLite and PostgreSQL are supported")
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        # The psycopg (3) driver is the one installed; plain postgresql:// means psycopg2.
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _create(url: URL, read_only: bool) -> Engine:
    if url.get_backend_name() == "sqlite":
        return _create_sqlite(url, read_only)
    options = "-c default_transaction_read_only=on" if read_only else None
    connect_args = {"connect_timeout": 10} | ({"options": options} if options else {})
    return create_engine(
        url, connect_args=connect_args, pool_pre_ping=True, json_serializer=serialize_json
    )


def _create_sqlite(url: URL, read_only: bool) -> Engine:
    path = url.database
    if path and path != ":memory:" and not read_only:
        folder = Path(path).expanduser().resolve().parent
        if not folder.is_dir():
            raise DatabaseError(str(url), f"folder {folder} does not exist")
    if read_only:
        if not path or not Path(path).is_file():
            raise DatabaseError(str(url), "no such database file")
        # mode=ro makes SQLite itself refuse writes, whatever the caller does.
        url = URL.create(
            "sqlite", database=f"file:{Path(path).resolve()}?mode=ro", query={"uri": "true"}
        )
    engine = create_engine(url, connect_args={"timeout": 30}, json_serializer=serialize_json)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        if not read_only:
            # WAL: readers (the web app) never block the writer; NORMAL stays consistent
            # after a crash in WAL mode and is much faster than FULL for bulk ingest.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def _alembic_config(connection) -> Config:
    config = Config()
    config.set_main_option("script_location", "mining.store:migrations")
    config.attributes["connection"] = connection
    return config


def _migrate(connection) -> None:
    config = _alembic_config(connection)
    head = ScriptDirectory.from_config(config).get_current_head()
    if MigrationContext.configure(connection).get_current_revision() != head:
        command.upgrade(config, "head")


def _check_migrated(connection, shown: str, allow_older: bool = False) -> bool:
    """True when the schema is an older BioMine one and ``allow_older``; raises otherwise
    unless it is the current one."""
    current = MigrationContext.configure(connection).get_current_revision()
    script = ScriptDirectory.from_config(_alembic_config(connection))
    head = script.get_current_head()
    if current is None:
        raise DatabaseError(shown, "not a BioMine database (run `biomine ingest` first)")
    if current == head:
        return False
    known = {revision.revision for revision in script.walk_revisions()}
    if current not in known:
        raise DatabaseError(
            shown, f"schema {current} is newer than this BioMine ({head}); upgrade BioMine"
        )
    if allow_older:
        return True
    raise DatabaseError(
        shown,
        f"schema {current} is older than the current {head}; "
        "open it once for writing (e.g. `biomine stats` or `biomine ingest`) to migrate",
    )


def _reason(error: exc.SQLAlchemyError) -> str:
    original = getattr(error, "orig", None) or error
    first_line = str(original).strip().splitlines()[0] if str(original).strip() else ""
    return first_line or type(original).__name__
