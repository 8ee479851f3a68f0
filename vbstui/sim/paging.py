"""Query-string parsing for list endpoints and the `rel: next` links they return."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request

MAX_LIMIT = 1000


class BadQuery(ValueError):
    """A paging parameter that is not acceptable; the message says which."""


def base_url(request: Request) -> str:
    """The simulator's own base URL as this request reached it (no trailing slash)."""
    return str(request.base_url).rstrip("/")


def int_param(request: Request, name: str, default: int, *, low: int,
              high: int | None = None, clamp: bool = False) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadQuery(f"Invalid {name}: '{raw}' is not an integer.") from None
    if value < low:
        raise BadQuery(f"Invalid {name}: must be >= {low}.")
    if high is not None and value > high:
        if clamp:
            return high
        raise BadQuery(f"Invalid {name}: must be <= {high}.")
    return value


def next_link(request: Request, limit: int, last_id: str, filters: dict[str, str | None]) -> str:
    """Full URL of the next page: same path, same filters and limit, marker = last item."""
    params = {k: v for k, v in filters.items() if v is not None}
    params.update(limit=str(limit), marker=last_id)
    return f"{base_url(request)}{request.url.path}?{urlencode(params)}"
