"""The first attempt of a call is plain; the retry loop takes over only after a
retryable failure, and then behaves as if it had made that first attempt itself:
the failed request is not sent again, the hook counts it as attempt 1, and the
deadline runs from when the first attempt began."""

from __future__ import annotations

import asyncio
import random
import uuid

import pytest

from vbstui.cloud.errors import ApiError
from vbstui.cloud.retry import RetryPolicy, call_with_retries
from vbstui.jobs.ids import random_hex_id


def busy(retry_after: float | None = None) -> ApiError:
    return ApiError(status=503, code=None, message="busy", method="GET", path="/v2/x",
                    retry_after=retry_after)


async def test_a_first_failure_is_not_resent_and_counts_as_attempt_one() -> None:
    answers: list[ApiError | str] = [busy(), busy(), "ok"]
    sent: list[int] = []
    retries: list[tuple[ApiError, int]] = []

    async def action() -> str:
        sent.append(1)
        answer = answers.pop(0)
        if isinstance(answer, ApiError):
            raise answer
        return answer

    first = answers[0]
    result = await call_with_retries(
        action, RetryPolicy(attempts=5, base_delay=0.001, max_delay=0.002),
        on_retry=lambda exc, attempt, delay: retries.append((exc, attempt)),  # type: ignore[misc]
        rng=random.Random(1))
    assert result == "ok"
    assert len(sent) == 3  # two failures and the success, none sent twice
    assert [attempt for _, attempt in retries] == [1, 2]
    assert retries[0][0] is first


async def test_the_deadline_counts_the_first_attempts_own_time() -> None:
    sent: list[int] = []

    async def slow_then_busy() -> str:
        sent.append(1)
        await asyncio.sleep(0.3)  # a slow server answering 503 with Retry-After 0.25
        raise busy(retry_after=0.25)

    policy = RetryPolicy(attempts=5, base_delay=0.001, max_delay=0.002, deadline=0.5)
    with pytest.raises(ApiError):
        await call_with_retries(slow_then_busy, policy)
    assert len(sent) == 1  # 0.3 s spent + 0.25 s wait would pass the 0.5 s deadline


def test_local_ids_have_the_shape_of_uuid4_hex() -> None:
    ids = {random_hex_id() for _ in range(200)}
    assert len(ids) == 200
    for value in ids:
        parsed = uuid.UUID(hex=value)
        assert parsed.hex == value and len(value) == 32
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
