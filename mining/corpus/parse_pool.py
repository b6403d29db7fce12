"""Parse records in worker processes, in file order, with a bounded number in flight.

Cutting records out of a byte stream is cheap and stays in the reading process; building
each record's lxml tree and reading its fields is where the time goes, so batches of records
go to a pool of worker processes and their Documents come back in the order they were sent.
At most ``ahead`` batches are out at once, so memory stays flat on a file of any size.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any


class ParsePool:
    """``workers`` processes (spawned: nothing of the parent, such as an open database
    connection, is inherited) that map a function over batches in order."""

    def __init__(self, workers: int):
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.workers = workers
        spawn = multiprocessing.get_context("spawn")
        self.executor = ProcessPoolExecutor(workers, mp_context=spawn)

    def ordered_map(
        self,
        function: Callable[..., Any],
        batches: Iterable[Any],
        *args: Any,
        ahead: int | None = None,
    ) -> Iterator[Any]:
        """``function(batch, *args)`` for every batch, results in the batches' order; at most
        ``ahead`` (default two per worker) submitted and not yet taken."""
        limit = ahead or 2 * self.workers
        pending: deque[Future] = deque()
        for batch in batches:
            pending.append(self.executor.submit(function, batch, *args))
            if len(pending) >= limit:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ParsePool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
