"""Typed errors of LLM calls, each mapped to an API answer in the common error shape.

| error               | HTTP | code                  |
|---------------------|------|-----------------------|
| LLMTimeoutError     | 504  | llm_timeout           |
| LLMProviderError    | 502  | llm_provider_error    |
| LLMRateLimitError   | 429  | llm_rate_limited      |
| LLMResponseError    | 502  | llm_bad_response      |
| CircuitOpenError    | 503  | circuit_open          |
| ProviderConfigError | 503  | provider_misconfigured|

``UnsupportedForProvider`` (400 ``unsupported_for_provider``) is the caller's error, not a call
failure: the operation (e.g. embeddings) does not exist for that kind of provider.
"""

from __future__ import annotations

import math

from apps.core.exceptions import ApiError


class LLMError(ApiError):
    """Base of every provider-call failure. ``provider`` names the provider that failed."""

    status_code = 502
    default_code = "llm_error"
    default_detail = "The language model call failed."
    error_type = "error"  # label value for ai_platform_llm_errors_total{error_type}

    def __init__(self, message: str | None = None, *, provider: str = "", **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.provider = provider


class LLMTimeoutError(LLMError):
    status_code = 504
    default_code = "llm_timeout"
    default_detail = "The language model did not answer in time."
    error_type = "timeout"


class LLMProviderError(LLMError):
    status_code = 502
    default_code = "llm_provider_error"
    default_detail = "The language model provider returned an error."
    error_type = "provider_error"


class LLMRateLimitError(LLMError):
    status_code = 429
    default_code = "llm_rate_limited"
    default_detail = "The language model provider is rate limiting requests."
    error_type = "rate_limited"

    def __init__(self, message: str | None = None, *, retry_after: float | None = None, **kw):
        headers = kw.pop("headers", None) or {}
        if retry_after is not None:
            headers["Retry-After"] = str(max(1, math.ceil(retry_after)))
        super().__init__(message, headers=headers, **kw)
        self.retry_after = retry_after


class LLMResponseError(LLMError):
    status_code = 502
    default_code = "llm_bad_response"
    default_detail = "The language model returned a malformed answer."
    error_type = "bad_response"


class CircuitOpenError(LLMError):
    status_code = 503
    default_code = "circuit_open"
    default_detail = "The provider is unavailable (circuit open); retry later."
    error_type = "circuit_open"

    def __init__(self, message: str | None = None, *, retry_after: float = 1.0, **kw) -> None:
        headers = kw.pop("headers", None) or {}
        headers["Retry-After"] = str(max(1, math.ceil(retry_after)))
        super().__init__(message, headers=headers, **kw)
        self.retry_after = retry_after


class ProviderConfigError(LLMError):
    status_code = 503
    default_code = "provider_misconfigured"
    default_detail = "The provider is not configured correctly."
    error_type = "config"


class UnsupportedForProvider(ApiError):
    status_code = 400
    default_code = "unsupported_for_provider"
    default_detail = "The provider does not support this operation."
