"""A real store and a running web app, for the browser test and the README screenshots.

The store is built as a user builds one, with the `biomine` command in child processes:
`biomine ingest` of BC5CDR PubTator records, then `biomine run` with the shipped models;
the app is `biomine ui` on a free local port, stopped when the `serve` block ends.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BC5CDR_DEV = Path("bc5cdr/pubtator/CDR_DevelopmentSet.PubTator.txt")  # under shared data

# The chemical/disease tagger, the MeSH dictionary and the CDR relation classifier: the
# shipped models behind BC5CDR's chemical-induced-disease relations, fast on a CPU.
CDR_MODELS = (
    *("--ner-model", str(REPO / "models" / "ner-chem-disease")),
    *("--concepts", str(REPO / "models" / "concepts-mesh")),
    *("--re-model", str(REPO / "models" / "re-cdr")),
)


def pubtator_head(source: Path, count: int) -> str:
    """The first ``count`` records of a PubTator file (records end at a blank line)."""
    records: list[str] = []
    lines: list[str] = []
    with source.open(encoding="utf-8") as stream:
        for line in stream:
            if line.strip():
                lines.append(line)
            elif lines:
                records.append("".join(lines))
                lines = []
                if len(records) == count:
                    break
    if lines and len(records) < count:
        records.append("".join(lines))
    return "\n".join(records) + "\n"


def _environment() -> dict[str, str]:
    # This checkout's `mining` first, whatever the environment's install points at; `biomine
    # ui` serves the app/ beside the mining package it imports.
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": str(REPO) + (os.pathsep + path if path else "")}


def biomine(*args: str, timeout: float | None = None) -> str:
    """Run one `biomine` command to the end (or for ``timeout`` seconds); its output, or an
    error that shows it."""
    done = subprocess.run(
        [sys.executable, "-m", "mining.cli", *args],
        cwd=REPO,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"biomine {' '.join(args)} exited with {done.returncode}:\n{done.stdout}{done.stderr}"
        )
    return done.stdout


def build_store(
    db_url: str,
    inputs: Sequence[Path],
    models: Sequence[str] = CDR_MODELS,
    timeout: float | None = None,
) -> str:
    """Ingest ``inputs`` and run ``models`` over them (the shipped defaults when empty);
    the output of `biomine run`."""
    biomine("ingest", *(str(path) for path in inputs), "--db", db_url, timeout=timeout)
    return biomine("run", "--db", db_url, *models, timeout=timeout)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_healthy(server: subprocess.Popen, log, base: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"biomine ui exited with {server.returncode}:\n{log.read()}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass  # not listening yet
        time.sleep(0.25)
    raise RuntimeError(f"biomine ui did not answer on {base} within {timeout:.0f} s")


@contextmanager
def serve(db_url: str, startup_timeout: float = 90) -> Iterator[str]:
    """`biomine ui` on ``db_url``; yields the app's base URL once it answers over HTTP, and
    stops the server however the block ends."""
    port = free_port()
    # A file, not a pipe: nobody reads the server's log while it runs, and a full pipe
    # would stall it.
    with tempfile.TemporaryFile("w+") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "mining.cli", "ui", "--db", db_url, "--port", str(port)],
            cwd=REPO,
            env={**_environment(), "STREAMLIT_SERVER_HEADLESS": "true"},  # opens no browser
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_healthy(server, log, base, startup_timeout)
            yield base
        finally:
            # `biomine ui` execs the server, so this process is Streamlit itself.
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
