"""The current request's id, visible to logging and error rendering anywhere in the call stack."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

_request_id: ContextVar[str] = ContextVar("request_id", default="-")

# A client-supplied id is kept only when it is short and plain, so it cannot inject into logs.
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def new_request_id() -> str:
    return uuid.uuid4().hex


def accept_request_id(candidate: str | None) -> str:
    """Return the client's id if it is sane, else a fresh one."""
    if candidate and _SANE_REQUEST_ID.match(candidate):
        return candidate
    return new_request_id()


def get_request_id() -> str:
    return _request_id.get()


def set_request_id(value: str):
    """Set the id for the current context; returns a token for ``reset_request_id``."""
    return _request_id.set(value)


def reset_request_id(token) -> None:
    _request_id.reset(token)
