"""JSON Schema for item files (``catalog schema --item``), built from ``standards/`` (issue 7)."""

from __future__ import annotations

from typing import Any

from catalog_cli.standard import Standard


def build_item_schema(standard: Standard) -> dict[str, Any]:
    """The JSON Schema (2020-12) of one item file; basic or implementation chosen by ``kind``."""
    raise NotImplementedError("catalog schema --item is being written (issue 7)")
