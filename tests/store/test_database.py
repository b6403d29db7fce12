"""Opening databases: bad URLs give one clear message; read-only opens refuse writes."""

from __future__ import annotations

import pytest
from sqlalchemy import exc, text

from mining.errors import DatabaseError, DatabaseURLError
from mining.store.database import open_database
from mining.store.write_documents import store_documents
from mining.types import Document


@pytest.mark.parametrize("url", ["not a url", "mysql://root@localhost/x", "nosuch://x/y"])
def test_malformed_or_unsupported_urls(url):
    with pytest.raises(DatabaseURLError) as caught:
        open_database(url)
    assert url in str(caught.value)


def test_unreachable_postgres_names_the_url_without_password():
    url = "postgresql+psycopg://someone:secret@127.0.0.1:1/nothing"
    with pytest.raises(DatabaseError) as caught:
        open_database(url)
    message = str(caught.value)
    assert "127.0.0.1:1/nothing" in message and "secret" not in message
    assert "\n" not in message


def test_sqlite_in_a_missing_folder(tmp_path):
    with pytest.raises(DatabaseError, match="does not exist"):
        open_database(f"sqlite:///{tmp_path}/missing/biomine.db")


def test_environment_variable_is_the_default(tmp_path, monkeypatch):
    path = tmp_path / "from_env.db"
    monkeypatch.setenv("BIOMINE_DB", f"sqlite:///{path}")
    open_database(None).dispose()
    assert path.exists()


def test_opening_twice_keeps_data_and_schema(db_url):
    engine = open_database(db_url)
    store_documents(engine, [Document("pmid:1", "Title", "Abstract")])
    engine.dispose()
    again = open_database(db_url)
    with again.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM documents")).scalar_one() == 1
    again.dispose()


def test_read_only_refuses_writes(db_url):
    open_database(db_url).dispose()
    reader = open_database(db_url, read_only=True)
    with pytest.raises(exc.DBAPIError):
        store_documents(reader, [Document("pmid:1", "Title", "Abstract")])
    reader.dispose()


def test_read_only_on_a_file_that_is_not_there(tmp_path):
    with pytest.raises(DatabaseError, match="no such database"):
        open_database(f"sqlite:///{tmp_path}/absent.db", read_only=True)


def test_read_only_on_a_non_biomine_database(tmp_path):
    import sqlite3

    sqlite3.connect(tmp_path / "other.db").execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(DatabaseError, match="not a BioMine database"):
        open_database(f"sqlite:///{tmp_path}/other.db", read_only=True)


def test_migrations_create_exactly_the_schema_module(db_url):
    """schema.py mirrors the migrations: column types, lengths and indexes included (the
    full-text objects are dialect specific and live in the migrations only)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from mining.store.schema import metadata

    engine = open_database(db_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": connection.dialect.name == "postgresql"}
        )
        diff = compare_metadata(context, metadata)
    engine.dispose()
    fulltext = ("documents_fts", "search_vector", "ix_documents_search")
    assert [d for d in diff if not any(name in repr(d) for name in fulltext)] == []


def test_upgrade_from_0002_keeps_data_and_widens_keys(db_url):
    from alembic import command

    from mining.store.database import _alembic_config

    engine = open_database(db_url)
    store_documents(engine, [Document("pmid:1", "Title", "Abstract")])
    with engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0002")
    engine.dispose()
    engine = open_database(db_url)  # upgrades to head again
    long_id = "x:" + "a" * 200
    store_documents(engine, [Document(long_id, "Long", "")])
    with engine.connect() as connection:
        ids = connection.execute(text("SELECT id FROM documents ORDER BY pk")).scalars().all()
    engine.dispose()
    assert ids == ["pmid:1", long_id]
