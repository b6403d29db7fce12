"""biomine ui: start the Streamlit web app on a database."""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import typer

from mining.ask import READER_ENV
from mining.cli.common import DbOption, fail, read_database, shown, user_errors
from mining.store.database import DEFAULT_URL, ENV_VAR, resolve_url

NAME = "ui"

# app/ sits beside the mining package in a source checkout (it is not part of the wheel).
APP_MAIN = Path(__file__).resolve().parents[2] / "app" / "main.py"
LOCALHOST = "127.0.0.1"


def streamlit_argv(
    app_main: Path, port: int | None = None, env: Mapping[str, str] | None = None
) -> list[str]:
    """The command that serves ``app_main``. Streamlit's command-line flags override its
    STREAMLIT_* environment settings, so a flag is passed only where the user set no
    such variable: the defaults here (local address, no usage statistics) never undo theirs."""
    env = os.environ if env is None else env
    argv = [sys.executable, "-m", "streamlit", "run", str(app_main)]
    if "STREAMLIT_SERVER_ADDRESS" not in env:
        argv += ["--server.address", LOCALHOST]  # not reachable from the network by default
    if port is not None:
        argv += ["--server.port", str(port)]
    if "STREAMLIT_BROWSER_GATHER_USAGE_STATS" not in env:
        argv += ["--browser.gatherUsageStats", "false"]
    return argv


def open_command(db: str | None) -> str:
    """The command that opens the app on ``db``, for other commands to print when they are
    done; a password in the URL is shown as *** (to fill in), never printed."""
    if db is None or db == DEFAULT_URL or db == os.environ.get(ENV_VAR):
        return "biomine ui"
    return shlex.join(["biomine", "ui", "--db", shown(db)])


def run(
    db: DbOption = None,
    port: Annotated[
        int | None,
        typer.Option(
            "--port",
            min=1,
            max=65535,
            help="Port to serve on (default Streamlit's, 8501, or $STREAMLIT_SERVER_PORT).",
            show_default=False,
        ),
    ] = None,
    reader: Annotated[
        str | None,
        typer.Option(
            "--reader",
            help="Question reader for the Ask page (a folder or hub id, as `biomine ask "
            "--model`); without one the page lists earlier questions only.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Start the web app (relations with their evidence, documents) on a database."""
    url = resolve_url(db)
    with user_errors():
        # Fail here, with the CLI's message, rather than in a browser tab; this also
        # migrates an older BioMine schema, which the read-only app cannot do.
        read_database(url).dispose()
    if not APP_MAIN.is_file():
        raise fail(f"the web app is not installed beside BioMine ({APP_MAIN} is missing)")
    # The URL travels in the environment, not in argv, so a password never shows in `ps`.
    env = {**os.environ, ENV_VAR: url} | ({READER_ENV: reader} if reader else {})
    argv = streamlit_argv(APP_MAIN, port, env)
    # exec, not a child process: the server is this process, so a signal that stops
    # `biomine ui` (SIGTERM from a service manager too, not only Ctrl+C) stops the server.
    os.execve(argv[0], argv, env)
