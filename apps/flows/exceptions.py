"""Flows' typed API errors (rendered in the common ``{"error": {...}}`` shape)."""

from __future__ import annotations

from apps.core.exceptions import ApiError


class UnknownFlow(ApiError):
    status_code = 404
    default_code = "unknown_flow"
    default_detail = "No such flow."


class InvalidLabels(ApiError):
    status_code = 400
    default_code = "invalid_labels"
    default_detail = "The labels are invalid."


class UnknownLabelSet(ApiError):
    status_code = 404
    default_code = "unknown_label_set"
    default_detail = "No such label set."


class TooManyDocuments(ApiError):
    status_code = 400
    default_code = "too_many_documents"
    default_detail = "Too many context documents."


class DocumentTooLarge(ApiError):
    status_code = 413
    default_code = "document_too_large"
    default_detail = "A document is larger than the limit."


class InvalidPayload(ApiError):
    status_code = 400
    default_code = "validation_error"
    default_detail = "Invalid input."


class ClassificationOutOfLabels(ApiError):
    status_code = 502
    default_code = "classification_out_of_labels"
    default_detail = "The model answered with a label that is not in the list; it was discarded."


class MalformedModelOutput(ApiError):
    status_code = 502
    default_code = "malformed_model_output"
    default_detail = "The model's answer did not match the expected structure."


class TemplateMissing(ApiError):
    status_code = 503
    default_code = "template_missing"
    default_detail = "The prompt template for this flow is not configured."


class IdempotencyConflict(ApiError):
    status_code = 409
    default_code = "idempotency_conflict"
    default_detail = "This Idempotency-Key was already used with a different request body."


class IdempotencyInProgress(ApiError):
    status_code = 409
    default_code = "idempotency_in_progress"
    default_detail = "A request with this Idempotency-Key is still being processed; retry later."


class InvalidIdempotencyKey(ApiError):
    status_code = 400
    default_code = "invalid_idempotency_key"
    default_detail = "Idempotency-Key must be 1 to 255 printable characters."


class UnknownJobKind(ApiError):
    status_code = 400
    default_code = "unknown_job_kind"
    default_detail = "No runner is registered for this kind of job."
