"""The retry loop, built on tenacity: loaded only once a first attempt has failed
with a retryable error, so a call that succeeds at once never pays for it.

Full-jitter exponential backoff with a cap, `Retry-After` honoured (also capped),
a bounded number of attempts and an overall deadline counted from the first
attempt.  The sleep is a plain `asyncio.sleep`, so cancellation interrupts it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt
from tenacity.stop import stop_base

from vbstui.cloud.errors import ApiError, CloudError
from vbstui.cloud.retry import RetryHook, RetryPolicy, is_retryable

T = TypeVar("T")


class _Deadline(stop_base):
    """Stop when the next wait would run past the deadline (not after the fact)."""

    def __init__(self, deadline: float, started: float) -> None:
        self.deadline = deadline
        self.started = started  # when the first attempt began, before tenacity was involved

    def __call__(self, retry_state: RetryCallState) -> bool:
        upcoming = retry_state.upcoming_sleep or 0.0
        finished = retry_state.outcome_timestamp or time.monotonic()
        return finished - self.started + upcoming >= self.deadline


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


async def retry_after_failure(
    action: Callable[[], Awaitable[T]],
    first_failure: CloudError,
    started: float,
    policy: RetryPolicy,
    *,
    on_retry: RetryHook | None,
    rng: random.Random | None,
) -> T:
    """Continue after `first_failure` (attempt 1, begun at `started`) as if tenacity
    had made that attempt: it is replayed as tenacity's first outcome, not sent again."""
    pending: CloudError | None = first_failure

    async def attempt() -> T:
        nonlocal pending
        if pending is not None:
            failure, pending = pending, None
            raise failure
        return await action()

    def before_sleep(state: RetryCallState) -> None:
        if on_retry is None or state.outcome is None:
            return
        exc = state.outcome.exception()
        if isinstance(exc, CloudError):
            on_retry(exc, state.attempt_number, state.upcoming_sleep or 0.0)

    retrying = AsyncRetrying(
        stop=stop_after_attempt(policy.attempts) | _Deadline(policy.deadline, started),
        wait=_Backoff(policy, rng or random.Random()),
        retry=retry_if_exception(is_retryable),
        before_sleep=before_sleep,
        reraise=True,
    )
    return await retrying(attempt)
