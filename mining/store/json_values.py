"""JSON column values that are serialised once: the ingest hashes a document's meta JSON
and then stores that same text, instead of encoding the (large) dict twice."""

from __future__ import annotations

import json
from typing import Any


class EncodedJSON(str):
    """A JSON text that the engine's serializer passes through unchanged."""


def encode_json(value: Any) -> EncodedJSON:
    return EncodedJSON(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str))


def serialize_json(value: Any) -> str:
    """The engines' ``json_serializer``."""
    if isinstance(value, EncodedJSON):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)
