"""A chat's history repeats verbatim on every turn: its guard verdicts are reused under the same
policy, the latest message is always scanned afresh, and a policy change ends the reuse."""

from __future__ import annotations

import pytest

from apps.core.principal import GuardContext
from apps.gateway.services import _guarded_messages
from apps.security import selectors
from apps.security import services as security
from apps.security.exceptions import InputRejected
from apps.security.services import guard
from tests.security.factories import make_pattern

HISTORY = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "Tell me about zebra banana farming."},
    {"role": "assistant", "content": "It is a niche crop."},
]


@pytest.fixture
def scanned(db, monkeypatch) -> list[str]:
    """The texts the guard really evaluated (not answered from its verdict cache), in order."""
    security.security_seed()
    selectors.POLICY.invalidate()
    texts: list[str] = []
    evaluate = guard._sanitize_and_evaluate

    def recording(text, *args, **kwargs):
        texts.append(text)
        return evaluate(text, *args, **kwargs)

    monkeypatch.setattr(guard, "_sanitize_and_evaluate", recording)
    return texts


def _turn(text: str) -> list[dict]:
    return [*HISTORY, {"role": "user", "content": text}]


def test_the_history_is_scanned_once_and_the_latest_message_every_time(scanned):
    ctx = GuardContext(flow="chat")
    _guarded_messages(_turn("And the climate?"), ctx)
    _guarded_messages(_turn("And the climate?"), ctx)  # the same new turn again (a retry)
    _guarded_messages([*_turn("And the climate?"), {"role": "user", "content": "Thanks!"}], ctx)
    assert scanned == [
        "You are a helpful assistant.",
        "Tell me about zebra banana farming.",
        "And the climate?",
        "And the climate?",  # the latest message: scanned again, never from the cache
        "Thanks!",  # the previous turn is history now: its verdict is reused
    ]


def test_remembered_verdicts_are_bounded(scanned, monkeypatch):
    monkeypatch.setattr(guard, "_decisions", guard._DecisionCache(max_entries=2))
    ctx = GuardContext(flow="chat")
    for text in ("one", "two", "three"):
        _guarded_messages([{"role": "user", "content": text}], ctx)
    history = [{"role": "user", "content": "one"}, {"role": "user", "content": "three"}]
    _guarded_messages([*history, {"role": "user", "content": "four"}], ctx)
    # "one" was dropped (scanned again), "three" kept (reused)
    assert scanned == ["one", "two", "three", "one", "four"]


def test_a_policy_change_rescans_the_history(scanned, django_capture_on_commit_callbacks):
    ctx = GuardContext(flow="chat")
    _guarded_messages(_turn("And the climate?"), ctx)
    with django_capture_on_commit_callbacks(execute=True):
        make_pattern()  # "zebra banana" is an injection from now on
    with pytest.raises(InputRejected):
        _guarded_messages(_turn("And the climate?"), ctx)
    assert scanned.count("Tell me about zebra banana farming.") == 2
