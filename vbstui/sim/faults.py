"""Fault specification: what can go wrong, how often, and for which requests.

Grammar (comma-separated `key=value` items, order free, each key at most once)::

    latency=0.2 | latency=0.05-0.3     added delay in seconds, fixed or uniform range
    5xx=P                              fraction answered 500/502/503/504 (P/4 each)
    500=P 502=P 503=P 504=P            fraction answered with that status (adds to 5xx)
    429=P                              fraction answered 429 Too Many Requests
    retry_after=N                      Retry-After seconds sent with 429 (default 1)
    drop=P                             fraction processed, then the connection is closed
                                       without any HTTP response
    deep=P                             fraction processed, then answered 200 with JSON
                                       nested 100,000 levels deep
    bad_id=P                           fraction processed, then answered 200 with a job id
                                       that carries CR LF and a header (`abc\r\nX-Injected: 1`)
    job_fail=P                         fraction of create/restore jobs that end in FAIL
    token_expiry=S                     tokens are revoked S seconds after issue, while
                                       their `expires_at` still promises the full lifetime
    seed=N                             seed of the fault generator (default: the sim seed)
    methods=POST|DELETE                only requests with these methods get faults
    paths=cloudbackups|jobs            only paths containing one of these get faults
    auth=true                          faults may also hit POST /v3/auth/tokens

`methods`, `paths` and `auth` scope latency, 5xx, 429 and drop. `/_sim/*` never gets a
fault. The empty string, `none` and `off` mean no faults.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_RATE_KEYS = ("5xx", "500", "502", "503", "504", "429", "drop", "deep", "bad_id", "job_fail")
GARBLED = ("deep", "bad_id")  # processed, then answered with a body no client should trust
KNOWN_KEYS = (*_RATE_KEYS, "latency", "retry_after", "token_expiry", "seed", "methods",
              "paths", "auth")
SERVER_ERRORS = (500, 502, 503, 504)
# 502/504 come from the gateway after the backend did the work; 500/503 stop before it.
PROCESSED_ERRORS = frozenset({502, 504})
_HTTP_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
_NUMBER = r"(\d+(?:\.\d*)?|\.\d+)"
_LATENCY_RE = re.compile(rf"^\s*{_NUMBER}\s*(?:-\s*{_NUMBER}\s*)?$")
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


@dataclass(frozen=True)
class FaultSpec:
    """Immutable fault settings; build one directly or with `FaultSpec.parse`."""

    latency: tuple[float, float] = (0.0, 0.0)
    error_500: float = 0.0
    error_502: float = 0.0
    error_503: float = 0.0
    error_504: float = 0.0
    throttle: float = 0.0
    retry_after: int = 1
    drop: float = 0.0
    deep: float = 0.0
    bad_id: float = 0.0
    job_fail: float = 0.0
    token_expiry: float | None = None
    seed: int | None = None
    methods: frozenset[str] = field(default_factory=frozenset)
    paths: tuple[str, ...] = ()
    auth: bool = False

    def __post_init__(self) -> None:
        # Accept any iterables from callers but keep the spec hashable and canonical.
        object.__setattr__(self, "methods", frozenset(m.upper() for m in self.methods))
        object.__setattr__(self, "paths", tuple(self.paths))
        object.__setattr__(self, "latency", (float(self.latency[0]), float(self.latency[1])))
        low, high = self.latency
        if low < 0 or high < low:
            raise ValueError(f"fault 'latency': bad range {low}-{high} (need 0 <= min <= max)")
        for name, rate in self.rates().items():
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"fault '{name}': rate {rate} is not between 0 and 1")
        if not 0.0 <= self.job_fail <= 1.0:
            raise ValueError(f"fault 'job_fail': rate {self.job_fail} is not between 0 and 1")
        total = sum(self.rates().values())
        if total > 1.0 + 1e-9:
            raise ValueError(
                f"fault rates 5xx/429/drop add up to {total:g}, more than 1 (one request "
                "gets at most one of them)"
            )
        if self.retry_after < 0:
            raise ValueError("fault 'retry_after': must be >= 0 seconds")
        if self.token_expiry is not None and self.token_expiry <= 0:
            raise ValueError("fault 'token_expiry': must be > 0 seconds")
        unknown = set(self.methods) - _HTTP_METHODS
        if unknown:
            raise ValueError(f"fault 'methods': unknown HTTP method(s) {sorted(unknown)}")

    def rates(self) -> dict[str, float]:
        """Per-request outcome rates keyed like the spec grammar."""
        return {
            "429": self.throttle,
            "500": self.error_500,
            "502": self.error_502,
            "503": self.error_503,
            "504": self.error_504,
            "drop": self.drop,
            "deep": self.deep,
            "bad_id": self.bad_id,
        }

    @property
    def affects_requests(self) -> bool:
        return self.latency[1] > 0 or any(self.rates().values())

    def applies_to(self, method: str, path: str, *, is_auth: bool) -> bool:
        """Whether request-level faults may hit this request."""
        if path.startswith("/_sim"):
            return False
        if is_auth and not self.auth:
            return False
        if self.methods and method.upper() not in self.methods:
            return False
        return not self.paths or any(p in path for p in self.paths)

    @classmethod
    def parse(cls, text: str) -> FaultSpec:
        """Parse the `--faults` grammar described in this module; ValueError if invalid."""
        items = _split(text)
        rates = {code: 0.0 for code in SERVER_ERRORS}
        kwargs: dict[str, object] = {}
        for key, value in items.items():
            if key == "5xx":
                share = _rate(key, value) / len(SERVER_ERRORS)
                for code in SERVER_ERRORS:
                    rates[code] += share
            elif key in {"500", "502", "503", "504"}:
                rates[int(key)] += _rate(key, value)
            elif key == "429":
                kwargs["throttle"] = _rate(key, value)
            elif key in {"drop", "deep", "bad_id", "job_fail"}:
                kwargs[key] = _rate(key, value)
            elif key == "latency":
                kwargs["latency"] = _latency(value)
            elif key == "retry_after":
                kwargs["retry_after"] = _int(key, value)
            elif key == "token_expiry":
                kwargs["token_expiry"] = _float(key, value)
            elif key == "seed":
                kwargs["seed"] = _int(key, value)
            elif key == "methods":
                kwargs["methods"] = frozenset(m.strip().upper() for m in _alternatives(key, value))
            elif key == "paths":
                kwargs["paths"] = tuple(_alternatives(key, value))
            else:  # auth; unknown keys were rejected by _split
                kwargs["auth"] = _bool(key, value)
        for code in SERVER_ERRORS:
            kwargs[f"error_{code}"] = rates[code]
        return cls(**kwargs)  # type: ignore[arg-type]

    def to_text(self) -> str:
        """Render back to the grammar (round-trips through `parse`)."""
        parts: list[str] = []
        low, high = self.latency
        if high > 0:
            shown = _plain(low) if low == high else f"{_plain(low)}-{_plain(high)}"
            parts.append(f"latency={shown}")
        parts += [f"{key}={rate:g}" for key, rate in self.rates().items() if rate]
        if self.throttle:
            parts.append(f"retry_after={self.retry_after}")
        if self.job_fail:
            parts.append(f"job_fail={self.job_fail:g}")
        if self.token_expiry is not None:
            parts.append(f"token_expiry={self.token_expiry:g}")
        if self.seed is not None:
            parts.append(f"seed={self.seed}")
        if self.methods:
            parts.append("methods=" + "|".join(sorted(self.methods)))
        if self.paths:
            parts.append("paths=" + "|".join(self.paths))
        if self.auth:
            parts.append("auth=true")
        return ",".join(parts) or "none"


def _plain(seconds: float) -> str:
    """Decimal notation only: an exponent's '-' would read as a range separator."""
    return f"{seconds:.6f}".rstrip("0").rstrip(".") or "0"


def _split(text: str) -> dict[str, str]:
    cleaned = text.strip()
    if cleaned.lower() in {"", "none", "off"}:
        return {}
    items: dict[str, str] = {}
    for raw in cleaned.split(","):
        item = raw.strip()
        if not item:
            continue
        key, sep, value = item.partition("=")
        key = key.strip().lower()
        if not sep:
            raise ValueError(f"fault item '{item}' has no '=' (expected key=value)")
        if key not in KNOWN_KEYS:
            raise ValueError(f"unknown fault key '{key}' (known: {', '.join(KNOWN_KEYS)})")
        if key in items:
            raise ValueError(f"fault key '{key}' given twice")
        items[key] = value.strip()
    return items


def _float(key: str, value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"fault '{key}': '{value}' is not a number") from None


def _int(key: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"fault '{key}': '{value}' is not a whole number") from None


def _rate(key: str, value: str) -> float:
    rate = _float(key, value)
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"fault '{key}': rate {value} is not between 0 and 1")
    return rate


def _latency(value: str) -> tuple[float, float]:
    match = _LATENCY_RE.match(value)
    if match is None:
        raise ValueError(f"fault 'latency': '{value}' is not SECONDS or MIN-MAX (e.g. 0.05-0.3)")
    low = float(match[1])
    high = float(match[2]) if match[2] else low
    if high < low:
        raise ValueError(f"fault 'latency': bad range '{value}' (need 0 <= min <= max)")
    return (low, high)


def _alternatives(key: str, value: str) -> list[str]:
    options = [v.strip() for v in value.split("|") if v.strip()]
    if not options:
        raise ValueError(f"fault '{key}': needs at least one value (separate several with |)")
    return options


def _bool(key: str, value: str) -> bool:
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"fault '{key}': '{value}' is not true/false")
