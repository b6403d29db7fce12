"""Errors a user can cause, each ending in one clear message that names the input."""

from __future__ import annotations

from collections.abc import Callable


class BioMineError(Exception):
    """Base of every error BioMine reports to a user instead of a traceback."""


class InputError(BioMineError):
    """A bad input file or record: names the file and, where known, the line."""

    def __init__(self, source: str, message: str, line: int | None = None):
        self.source = str(source)
        self.line = line
        self.message = message
        where = f"{self.source}:{line}" if line else self.source
        super().__init__(f"{where}: {message}")

    def __reduce__(self):
        # Rebuilt from its fields when it comes back from a worker process.
        return type(self), (self.source, self.message, self.line)


class DatabaseError(BioMineError):
    """A database URL that is malformed, unreachable or not a BioMine database."""

    def __init__(self, url: str, message: str):
        self.url = url
        super().__init__(f"database {url}: {message}")


class DatabaseURLError(DatabaseError):
    """A database URL that cannot even be parsed: a usage error."""


class ModelError(BioMineError):
    """A model folder or hub id that cannot be loaded."""

    def __init__(self, model: str, message: str):
        self.model = model
        super().__init__(f"model {model}: {message}")


# Readers report bad records through this callback and go on; None means raise.
OnError = Callable[[InputError], None] | None


def report(error: InputError, on_error: OnError) -> None:
    if on_error is None:
        raise error
    on_error(error)


class EngineError(BioMineError):
    """A processing engine that cannot run as asked: Ray missing, a cluster unreachable or
    without the GPUs the run asks for."""
