"""Fixtures shared by every test: where the real corpora live."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real benchmark corpora beside the checkout (never copied into the repo)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real corpora not found at {SHARED_DATA} (they sit beside the checkout in CI)")
    return SHARED_DATA


# --- databases -------------------------------------------------------------------------

POSTGRES_SERVER = os.environ.get(
    "BIOMINE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# .ci/run sets this so that an unreachable server fails the PostgreSQL tests instead of
# skipping them.
REQUIRE_POSTGRES = os.environ.get("BIOMINE_REQUIRE_POSTGRES") == "1"


def _postgres_admin():
    import psycopg
    from sqlalchemy import make_url

    url = make_url(POSTGRES_SERVER)
    try:
        return psycopg.connect(
            host=url.host,
            port=url.port or 5432,
            user=url.username,
            dbname=url.database,
            password=url.password,
            autocommit=True,
            connect_timeout=5,
        ), url
    except psycopg.OperationalError as error:
        message = f"PostgreSQL server {POSTGRES_SERVER} unreachable: {error}".strip()
        if REQUIRE_POSTGRES:
            pytest.fail(message)
        pytest.skip(message + " (set BIOMINE_REQUIRE_POSTGRES=1 to make this a failure)")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> Iterator[str]:
    """A fresh, empty database URL: a SQLite file, or a PostgreSQL database created for this
    test and dropped after it."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'biomine.db'}"
        return
    admin, server = _postgres_admin()
    name = f"biomine_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield server.set(database=name).render_as_string(hide_password=False)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def engine(db_url):
    from mining.store.database import open_database

    engine = open_database(db_url)
    yield engine
    engine.dispose()


# --- skips that must not happen ---------------------------------------------------------

# .ci/run sets this: there the shared corpora, the shipped models and PostgreSQL are all
# present, so a skipped test is a test that silently stopped running. It fails the session.
REQUIRE_NO_SKIPS = os.environ.get("BIOMINE_REQUIRE_NO_SKIPS") == "1"


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    skipped = terminalreporter.stats.get("skipped", [])
    if REQUIRE_NO_SKIPS and skipped:
        terminalreporter.section("skipped tests (BIOMINE_REQUIRE_NO_SKIPS=1)", red=True)
        for report in skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
            terminalreporter.line(f"{report.nodeid}: {reason}")


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if REQUIRE_NO_SKIPS and skipped and exitstatus == 0:
        session.exitstatus = 1
