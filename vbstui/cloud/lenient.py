"""Lenient reading of server JSON: values of any odd type to what the models want, and
JSON texts refused when they nest deeper than any answer of these services does.

Nothing here raises on an odd value: a string where a number belongs becomes the
number if it is one, anything else the default.
"""

from __future__ import annotations

import gc
import json
import math
from collections.abc import Mapping
from datetime import datetime, timezone
from itertools import repeat
from typing import Any

# No answer of these services nests deeper than about ten levels.  Deeper bodies are
# refused: Python's parser raises RecursionError near 1,000 levels, and anything that
# walks the data later (json.dumps, the raw-JSON view) could fail at less.
MAX_JSON_DEPTH = 64
_CONTAINERS = (dict, list)


class JsonTooDeep(ValueError):
    """A JSON text nested deeper than MAX_JSON_DEPTH."""


def load_json(text: str | bytes) -> Any:
    """`json.loads`, with excessive nesting a `JsonTooDeep` (a ValueError), never a
    RecursionError."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise too_deep() from None
    return within_depth(data)


def too_deep() -> JsonTooDeep:
    return JsonTooDeep(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")


def within_depth(data: Any) -> Any:
    """`data`, parsed JSON, unless it nests deeper than MAX_JSON_DEPTH (`JsonTooDeep`)."""
    if deeper_than(data, MAX_JSON_DEPTH):
        raise too_deep()
    return data


def deeper_than(data: Any, limit: int) -> bool:
    """Whether `data` (as a JSON parser makes it) nests more than `limit` containers deep.

    Level by level, not recursively (a recursive walk would itself hit the recursion
    limit).  Every page of a listing passes here, and looking at each value in Python
    cost as much as parsing the page, so the values are gathered and sifted in C:
    `gc.get_referents` gives a level's values, and `gc.is_tracked` keeps the containers
    that can hold another container.  CPython tracks every list, and every dict that
    holds a dict or a list; a dict of plain values alone may be untracked, so one is
    looked for only below the deepest level, where it would be one level more."""
    level = [data] if type(data) in _CONTAINERS else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        children = gc.get_referents(*level)
        level = [child for child in filter(gc.is_tracked, children)
                 if type(child) in _CONTAINERS]
        if not level:
            return depth == limit and any(map(isinstance, children, repeat(dict)))
    return False


def as_str(value: Any, default: str = "") -> str:
    if value is None:
        return default
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float, bool)):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else None
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return None
            return int(number) if math.isfinite(number) else None
    return None


def as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
    return None


def as_time(value: Any) -> datetime | None:
    """ISO 8601 with or without zone, 'Z' or offset, any fraction; naive means UTC."""
    if not isinstance(value, str):
        return None
    try:
        # As sent, first: Python 3.11 reads 'Z' and any fraction itself, the same way
        # as the normalised form below; every disk of a listing has a timestamp.
        parsed: datetime | None = datetime.fromisoformat(value)
    except ValueError:
        parsed = _normalised_time(value)
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def _normalised_time(value: str) -> datetime | None:
    """`value` parsed in the form every supported Python's `fromisoformat` reads."""
    if not value.strip():
        return None
    text = value.strip().replace(" ", "T", 1)
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    # Python 3.10's fromisoformat wants exactly 3 or 6 fraction digits.
    head, dot, rest = text.partition(".")
    if dot:
        digits = ""
        while rest and rest[0].isdigit():
            digits, rest = digits + rest[0], rest[1:]
        text = f"{head}.{(digits + '000000')[:6]}{rest}"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def as_dict(value: Any) -> dict[str, Any]:
    """A mapping, or a JSON string holding one (as `service_metadata` is)."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            parsed = load_json(value)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else []
