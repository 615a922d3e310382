"""What is worth retrying, how long to wait, and which failures the breaker counts.

Retried: connection errors (including a dropped connection), timeouts, 5xx, and 429 when its
Retry-After fits under the provider's cap (a longer wait is not worth holding the caller for: the
429 goes back with its Retry-After). Never retried: any other 4xx, malformed answers, missing
configuration, and an open breaker.
"""

from __future__ import annotations

import random

from tenacity import RetryCallState

from apps.providers.clients.base import ProviderSpec
from apps.providers.exceptions import (
    LLMRateLimitError,
    LLMResponseError,
    LLMTimeoutError,
)
from apps.providers.http import UpstreamConnectError, UpstreamErrorBody, UpstreamStatusError


def failure_kind(exc: BaseException) -> str | None:
    """timeout | connect | 5xx | 429 | bad_response, or None for what is not an upstream fault."""
    if isinstance(exc, LLMTimeoutError):
        return "timeout"
    if isinstance(exc, UpstreamConnectError):
        return "connect"
    if isinstance(exc, LLMRateLimitError):
        return "429"
    if isinstance(exc, UpstreamStatusError):
        return "5xx" if exc.upstream_status >= 500 else None
    if isinstance(exc, (LLMResponseError, UpstreamErrorBody)):
        return "bad_response"
    return None


def counts_for_breaker(spec: ProviderSpec, exc: BaseException) -> bool:
    kind = failure_kind(exc)
    return {
        "timeout": spec.count_timeouts,
        "connect": spec.count_connect,
        "5xx": spec.count_5xx,
        "429": spec.count_429,
        "bad_response": spec.count_bad_response,
    }.get(kind or "", False)


def is_retryable(spec: ProviderSpec, exc: BaseException) -> bool:
    kind = failure_kind(exc)
    if kind in {"timeout", "connect", "5xx"}:
        return True
    if kind == "429":
        retry_after = getattr(exc, "retry_after", None)
        return retry_after is None or retry_after <= spec.retry_after_cap
    return False


def backoff_seconds(spec: ProviderSpec, attempt_number: int, exc: BaseException | None) -> float:
    """Retry-After (capped) for a 429 that carries one, else exponential backoff plus jitter."""
    retry_after = getattr(exc, "retry_after", None) if exc is not None else None
    if isinstance(exc, LLMRateLimitError) and retry_after is not None:
        return min(float(retry_after), spec.retry_after_cap)
    delay = min(spec.backoff_initial * (2 ** max(0, attempt_number - 1)), spec.backoff_max)
    if spec.jitter:
        delay += random.uniform(0, spec.jitter)
    return delay


class RetryPolicy:
    """tenacity ``retry``/``wait`` callables bound to one provider's settings."""

    def __init__(self, spec: ProviderSpec) -> None:
        self.spec = spec

    def should_retry(self, state: RetryCallState) -> bool:
        outcome = state.outcome
        if outcome is None or not outcome.failed:
            return False
        exc = outcome.exception()
        return exc is not None and is_retryable(self.spec, exc)

    def wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome is not None else None
        return backoff_seconds(self.spec, state.attempt_number, exc)
