"""Small tools the corpus tests share: collecting reported errors, writing inputs."""

from __future__ import annotations

import gzip
from pathlib import Path

from mining.errors import InputError


class Errors(list[InputError]):
    """An ``on_error`` callback that keeps what readers report."""

    def __call__(self, error: InputError) -> None:
        self.append(error)

    @property
    def lines(self) -> list[int | None]:
        return [e.line for e in self]


def write(path: Path, data: str | bytes, gz: bool = False) -> Path:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    path.write_bytes(gzip.compress(raw) if gz else raw)
    return path


def truncated_gzip(data: str) -> bytes:
    """A gzip stream cut short, as an interrupted download leaves it."""
    whole = gzip.compress(data.encode("utf-8"))
    return whole[: len(whole) * 3 // 4]


def offsets_hold(docs) -> bool:
    return all(doc.text[e.start : e.end] == e.text for doc in docs for e in doc.entities)
