"""The event loop's retry loop: the policy of ``retry.py`` (what is retried, how long to wait,
how many tries), with nothing set up until a try fails."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from apps.providers import async_calls
from apps.providers.exceptions import LLMRateLimitError, LLMResponseError, LLMTimeoutError
from apps.providers.selectors import BUILTIN_OFFLINE

SPEC = replace(
    BUILTIN_OFFLINE,
    name="retried",
    max_attempts=3,
    backoff_initial=0.5,
    backoff_max=4.0,
    jitter=0,
    retry_after_cap=5.0,
)


@pytest.fixture
def waits(monkeypatch) -> list[float]:
    """The backoff sleeps asked for (none really taken)."""
    asked: list[float] = []

    async def no_sleep(delay: float) -> None:
        asked.append(delay)

    monkeypatch.setattr(async_calls.asyncio, "sleep", no_sleep)
    return asked


def _tries(*outcomes):
    """A call that raises or returns ``outcomes`` in turn, and the list of its tries."""
    tried: list[int] = []

    async def call():
        tried.append(len(tried) + 1)
        outcome = outcomes[len(tried) - 1]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return call, tried


def test_a_first_success_is_returned_without_waiting(waits):
    call, tried = _tries("answer")
    assert asyncio.run(async_calls._with_retries(SPEC, call)) == "answer"
    assert tried == [1]
    assert waits == []


def test_retryable_failures_back_off_until_a_try_succeeds(waits):
    call, tried = _tries(LLMTimeoutError("slow"), LLMTimeoutError("slow"), "answer")
    assert asyncio.run(async_calls._with_retries(SPEC, call)) == "answer"
    assert tried == [1, 2, 3]
    assert waits == [0.5, 1.0]  # exponential from backoff_initial


def test_the_last_failure_is_raised_when_the_attempts_run_out(waits):
    last = LLMTimeoutError("still slow")
    call, tried = _tries(LLMTimeoutError("slow"), LLMTimeoutError("slow"), last)
    with pytest.raises(LLMTimeoutError) as info:
        asyncio.run(async_calls._with_retries(SPEC, call))
    assert info.value is last
    assert tried == [1, 2, 3]
    assert waits == [0.5, 1.0]


def test_a_failure_not_worth_retrying_is_raised_at_once(waits):
    call, tried = _tries(LLMResponseError("not JSON"), "answer")
    with pytest.raises(LLMResponseError):
        asyncio.run(async_calls._with_retries(SPEC, call))
    assert tried == [1]
    assert waits == []


def test_a_429_waits_its_retry_after(waits):
    call, tried = _tries(LLMRateLimitError("busy", retry_after=2), "answer")
    assert asyncio.run(async_calls._with_retries(SPEC, call)) == "answer"
    assert tried == [1, 2]
    assert waits == [2.0]
