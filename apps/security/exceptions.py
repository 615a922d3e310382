"""The guard's API errors. Messages are fixed: they never echo the input or what matched."""

from __future__ import annotations

from apps.core.exceptions import ApiError


class InputRejected(ApiError):
    status_code = 400
    default_code = "input_rejected"
    default_detail = "Input validation failed"


class InputTooLarge(ApiError):
    status_code = 413
    default_code = "input_too_large"
    default_detail = "Input is longer than the configured limit."


class OutputRejected(ApiError):
    status_code = 502
    default_code = "output_rejected"
    default_detail = "The model's output was withheld by the output guard."


class EditConflict(ApiError):
    status_code = 409
    default_code = "conflict"
    default_detail = "The pattern was changed by someone else since you read it; reload and retry."


class GlobalPatternReadOnly(ApiError):
    status_code = 403
    default_code = "permission_denied"
    default_detail = "Global patterns are managed in the admin; API keys edit their tenant's."


class PiiRejected(ApiError):
    status_code = 400
    default_code = "pii_rejected"
    default_detail = "The request carries personal data that this key's policy does not allow."
