"""Structured documents decoded within bounds: a small request never costs a deep recursion.

Python's JSON and TOML parsers recurse on nesting: a few kilobytes of `[[[[…` end in a
RecursionError. Documents are refused above a size and a nesting depth, in French.
"""

from __future__ import annotations

import json
import tomllib
from typing import Any

from faps.domain.errors import InvalidInputError

MAX_JSON_BYTES = 256 * 1024
MAX_JSON_DEPTH = 20


def json_depth(value: Any) -> int:
    """Return how deeply lists and objects nest in a decoded JSON value (without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


def bounded_json(raw: bytes | str, label: str, max_bytes: int = MAX_JSON_BYTES,
                 max_depth: int = MAX_JSON_DEPTH, toml: bool = False) -> Any:
    """Decode JSON (or TOML) within the bounds; else a French InvalidInputError on `label`."""
    if len(raw) > max_bytes:
        raise InvalidInputError({label: [f"document trop volumineux (au plus {max_bytes // 1024} "
                                         "Kio)"]})
    try:
        value = tomllib.loads(str(raw)) if toml else json.loads(raw)
    except RecursionError:
        value = None
        depth_error = True
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInputError({label: [f"fichier illisible : {exc}"]}) from None
    else:
        depth_error = json_depth(value) > max_depth
    if depth_error:
        raise InvalidInputError({label: [f"document trop imbriqué (au plus {max_depth} niveaux)"]})
    return value
