"""Retries for idempotent calls (reads and job polls).

The first attempt is a plain call; only a retryable failure loads the retry loop
(`cloud/retry_loop.py`, built on tenacity), which waits with full-jitter backoff,
honours `Retry-After`, and stops at a bounded number of attempts or an overall
deadline.  Certificate failures and client errors are never retried.  Only the
exception's own message reaches the `on_retry` hook: call arguments (which may
hold tokens) are never logged.
"""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from vbstui.cloud.errors import CloudError

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long a failed request is tried again."""

    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 20.0
    retry_after_cap: float = 60.0
    deadline: float = 90.0  # seconds for the whole action, waits included


def is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, CloudError) and exc.retryable


RetryHook = Callable[[CloudError, int, float], None]


async def call_with_retries(
    action: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    on_retry: RetryHook | None = None,
    rng: random.Random | None = None,
) -> T:
    """Run `action` until it succeeds, fails for good, or the policy is exhausted."""
    started = time.monotonic()
    try:
        return await action()
    except CloudError as exc:
        if not exc.retryable:
            raise
        failure = exc
    from vbstui.cloud.retry_loop import retry_after_failure  # noqa: PLC0415 - after a failure

    return await retry_after_failure(action, failure, started, policy,
                                     on_retry=on_retry, rng=rng)
