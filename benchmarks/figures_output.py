"""How the benchmarks print their figures: one JSON object, or one aligned line a figure."""

from __future__ import annotations

import json


def print_figures(figures: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(figures))
        return
    for key, value in figures.items():
        print(f"{key:>24}: {value}")
