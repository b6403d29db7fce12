"""What every command shares: the --db option, error printing and exit codes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import Engine

from mining.errors import BioMineError, DatabaseURLError
from mining.store.database import ENV_VAR, open_database

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

stderr = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar=ENV_VAR,
        help="Database URL: sqlite:///path.db (default sqlite:///biomine.db) or "
        "postgresql+psycopg://user@host/dbname.",
        show_default=False,
    ),
]


def fail(message: str, code: int = EXIT_FAILED) -> typer.Exit:
    stderr.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
    return typer.Exit(code)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn errors a user can cause into one message and an exit code, never a traceback."""
    try:
        yield
    except DatabaseURLError as error:
        raise fail(str(error), EXIT_USAGE) from None
    except BioMineError as error:
        raise fail(str(error)) from None


def database(url: str | None) -> Engine:
    return open_database(url)
