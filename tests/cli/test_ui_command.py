"""biomine ui: its help, the streamlit command it builds, and a clear error before serving."""

from __future__ import annotations

import sys
from pathlib import Path

from typer.testing import CliRunner

from mining.cli import app
from mining.cli.ui import APP_MAIN, open_command, streamlit_argv
from mining.store.database import open_database

runner = CliRunner()


def test_help_names_the_options():
    result = runner.invoke(app, ["ui", "--help"])
    assert result.exit_code == 0
    assert "--db" in result.output and "--port" in result.output


def test_app_is_beside_the_package():
    assert APP_MAIN.is_file()


def test_argv_binds_to_localhost_by_default():
    argv = streamlit_argv(Path("app/main.py"), env={})
    assert argv[:5] == [sys.executable, "-m", "streamlit", "run", "app/main.py"]
    assert argv[argv.index("--server.address") + 1] == "127.0.0.1"
    assert "--server.port" not in argv  # Streamlit's own default or $STREAMLIT_SERVER_PORT
    assert argv[argv.index("--browser.gatherUsageStats") + 1] == "false"


def test_argv_passes_the_port():
    argv = streamlit_argv(Path("app/main.py"), port=8600, env={})
    assert argv[argv.index("--server.port") + 1] == "8600"


def test_streamlit_environment_settings_still_apply():
    env = {"STREAMLIT_SERVER_ADDRESS": "0.0.0.0", "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "true"}
    argv = streamlit_argv(Path("app/main.py"), env=env)
    # A flag would override the variable, so none is passed.
    assert "--server.address" not in argv and "--browser.gatherUsageStats" not in argv


def test_missing_database_fails_before_serving(tmp_path, monkeypatch):
    def no_server(*args, **kwargs):
        raise AssertionError("streamlit must not start")

    monkeypatch.setattr("mining.cli.ui.os.execve", no_server)
    result = runner.invoke(app, ["ui", "--db", f"sqlite:///{tmp_path / 'missing.db'}"])
    assert result.exit_code == 1
    assert "no such database file" in result.output


def test_serves_the_app_on_the_given_database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'biomine.db'}"
    open_database(url).dispose()
    started = {}

    def fake_exec(path, argv, env):
        started.update(path=path, argv=argv, env=env)

    monkeypatch.setattr("mining.cli.ui.os.execve", fake_exec)
    monkeypatch.delenv("BIOMINE_READER", raising=False)
    result = runner.invoke(app, ["ui", "--db", url, "--port", "8600"])
    assert result.exit_code == 0, result.output
    assert started["argv"][:5] == [sys.executable, "-m", "streamlit", "run", str(APP_MAIN)]
    assert "8600" in started["argv"]
    assert started["env"]["BIOMINE_DB"] == url and "BIOMINE_READER" not in started["env"]
    runner.invoke(app, ["ui", "--db", url, "--reader", "runs/reader"])
    assert started["env"]["BIOMINE_READER"] == "runs/reader"  # for the Ask page


def test_open_command_names_the_database(monkeypatch):
    monkeypatch.delenv("BIOMINE_DB", raising=False)
    assert open_command(None) == "biomine ui"
    assert open_command("sqlite:///biomine.db") == "biomine ui"
    assert open_command("sqlite:///my data.db") == "biomine ui --db 'sqlite:///my data.db'"
    secret = open_command("postgresql+psycopg://me:s3cret@host/db")
    assert "s3cret" not in secret and "me:***@host/db" in secret
    monkeypatch.setenv("BIOMINE_DB", "sqlite:///other.db")
    assert open_command("sqlite:///other.db") == "biomine ui"  # the same shell has it set
