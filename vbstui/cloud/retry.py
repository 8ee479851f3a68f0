"""Retries for idempotent calls (reads and job polls), built on tenacity.

Full-jitter exponential backoff with a cap, `Retry-After` honoured (also capped),
a bounded number of attempts and an overall deadline.  Certificate failures and
client errors are never retried.  Only the exception's own message reaches the
`on_retry` hook: call arguments (which may hold tokens) are never logged.
Cancellation (leaving a screen, quitting) interrupts the wait at once because
the sleep is a plain `asyncio.sleep`.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt
from tenacity.stop import stop_base

from vbstui.cloud.errors import ApiError, CloudError

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


class _Deadline(stop_base):
    """Stop when the next wait would run past the deadline (not after the fact)."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline

    def __call__(self, retry_state: RetryCallState) -> bool:
        upcoming = retry_state.upcoming_sleep or 0.0
        return retry_state.seconds_since_start + upcoming >= self.deadline


class _Backoff:
    def __init__(self, policy: RetryPolicy, rng: random.Random) -> None:
        self.policy = policy
        self.rng = rng

    def __call__(self, retry_state: RetryCallState) -> float:
        policy = self.policy
        ceiling = min(policy.max_delay, policy.base_delay * 2 ** (retry_state.attempt_number - 1))
        delay = self.rng.uniform(0, ceiling)
        outcome = retry_state.outcome
        exc = outcome.exception() if outcome is not None else None
        if isinstance(exc, ApiError) and exc.retry_after is not None:
            delay = max(delay, min(exc.retry_after, policy.retry_after_cap))
        return delay


RetryHook = Callable[[CloudError, int, float], None]


async def call_with_retries(
    action: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    on_retry: RetryHook | None = None,
    rng: random.Random | None = None,
) -> T:
    """Run `action` until it succeeds, fails for good, or the policy is exhausted."""

    def before_sleep(state: RetryCallState) -> None:
        if on_retry is None or state.outcome is None:
            return
        exc = state.outcome.exception()
        if isinstance(exc, CloudError):
            on_retry(exc, state.attempt_number, state.upcoming_sleep or 0.0)

    retrying = AsyncRetrying(
        stop=stop_after_attempt(policy.attempts) | _Deadline(policy.deadline),
        wait=_Backoff(policy, rng or random.Random()),
        retry=retry_if_exception(is_retryable),
        before_sleep=before_sleep,
        reraise=True,
    )
    return await retrying(action)
