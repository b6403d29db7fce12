"""What every command shares: the --db option, error printing and exit codes, progress
logging, the command line a trained folder records."""

from __future__ import annotations

import logging
import re
import shlex
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from typing import Annotated

import typer
from rich.console import Console
from rich.logging import RichHandler
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
    """The database for a command that writes: created and migrated as needed."""
    return open_database(url)


def read_database(url: str | None) -> Engine:
    """The database for a command that only reads: it must exist (a mistyped SQLite path is
    an error, not a new empty file) and is opened read-only; an older BioMine schema is
    migrated first, so upgrading BioMine never locks a user out of `stats`."""
    return open_database(url, read_only=True, upgrade=True)


# C0 and C1 control characters (but tab and newline), DEL, and the Unicode bidirectional
# overrides: stored text is untrusted and must not move the cursor, recolour or reorder
# the terminal when printed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str | None, one_line: bool = True) -> str:
    """Stored text made safe for a terminal: control characters become U+FFFD (visible, so
    the text is not silently changed), and with ``one_line`` tabs and newlines spaces."""
    if not text:
        return ""
    text = _CONTROL.sub("\ufffd", text)
    return " ".join(text.split()) if one_line else text


def log_progress() -> None:
    """Show what the library logs (module loggers under ``mining``) on stderr from INFO up;
    once per process, however many commands run in it."""
    logger = logging.getLogger("mining")
    logger.setLevel(logging.INFO)
    if not any(isinstance(h, RichHandler) for h in logger.handlers):
        handler = RichHandler(console=stderr, show_path=False, markup=False, highlighter=None)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)


def command_line(ctx: typer.Context) -> str:
    """The running command as ``biomine group name --option value ...``, with the options the
    user gave (not the defaults), for a trained folder's metrics and card."""
    names, node = [], ctx
    while node.parent is not None:
        names.append(node.info_name)
        node = node.parent
    words = ["biomine", *reversed(names)]
    for param in ctx.command.params:
        if param.param_type_name != "option" or param.name is None:
            continue
        source = ctx.get_parameter_source(param.name)
        if source is None or source.name != "COMMANDLINE":
            continue
        value = ctx.params[param.name]
        if param.is_flag:
            words.append(param.opts[0] if value else param.secondary_opts[0])
            continue
        for item in value if param.multiple else [value]:
            words += [param.opts[0], shown(item.value if isinstance(item, Enum) else item)]
    return shlex.join(words)


def shown(value) -> str:
    """A value as a command line may show it: a database URL without its password."""
    text = str(value)
    if "://" in text and "@" in text:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            return make_url(text).render_as_string(hide_password=True)
        except ArgumentError:
            return text
    return text
