"""The SQL store: schema, migrations, bulk writes and every query the CLI and app use."""

from mining.store.database import open_database
from mining.store.fulltext import SearchHit, search_documents
from mining.store.read_documents import iter_documents
from mining.store.stats import StoreStats, store_stats
from mining.store.write_documents import IngestCounts, store_documents

__all__ = [
    "IngestCounts",
    "SearchHit",
    "StoreStats",
    "iter_documents",
    "open_database",
    "search_documents",
    "store_documents",
    "store_stats",
]
