"""The security guard's LLM judge, backed by a configured provider.

Registered with ``apps.security.judge.register_judge`` in ``ProvidersConfig.ready`` (security
sits below providers and never imports them). The call goes through the ordinary provider path
(fallback chain, circuit breakers, retries, metrics); the judge's own timeout is a wall-clock
deadline over all of it: each attempt's connect/read timeouts are capped at it, and the caller
stops waiting when it passes (an attempt still in flight finishes in the background within its
capped timeout, on a small bounded pool).
"""

from __future__ import annotations

import concurrent.futures
from dataclasses import replace

from django.db import connections

from apps.providers.exceptions import LLMTimeoutError
from apps.providers.plumbing import completion_request
from apps.providers.selectors import provider_chain
from apps.providers.services import run_chain
from apps.providers.types import Completion
from apps.security.judge import JUDGE_PROMPT, JUDGE_SYSTEM_PROMPT, parse_judge_answer

JUDGE_FLOW = "security-judge"
# Judge calls in flight at once per process; more wait their turn (and time out on the clock).
_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="security-judge")


def _call(chain: list, request) -> Completion:
    try:
        return run_chain(chain, request, JUDGE_FLOW)
    finally:
        # The provider path may read live configuration; a pool thread must not keep a
        # database connection open between judge calls.
        connections.close_all()


def provider_judge(text: str, *, provider: str = "", timeout_s: float) -> bool:
    """True when the provider's model answers that ``text`` manipulates the assistant.

    Raises TimeoutError past ``timeout_s``; ValueError for an answer that is neither yes nor
    no; the provider's typed errors otherwise.
    """
    chain = [
        replace(
            spec,
            connect_timeout=min(spec.connect_timeout, timeout_s),
            read_timeout=min(spec.read_timeout, timeout_s),
        )
        for spec in provider_chain(provider or None)
    ]
    request = completion_request(
        [
            {"role": "system", "content": JUDGE_SYSTEM_PROMPT},
            {"role": "user", "content": JUDGE_PROMPT.format(text=text)},
        ],
        None,
        None,
        3,  # one word
        0.0,
    )
    future = _POOL.submit(_call, chain, request)
    try:
        completion = future.result(timeout=timeout_s)
    except concurrent.futures.TimeoutError:
        future.cancel()  # not started yet: never sent
        raise TimeoutError(f"the judge did not answer within {timeout_s:g}s") from None
    except LLMTimeoutError as exc:
        raise TimeoutError(str(exc)) from exc
    return parse_judge_answer(completion.text)
