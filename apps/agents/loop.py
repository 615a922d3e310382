"""The ReAct loop: ask the model, run the tools it asks for, show it what they returned, repeat
until it answers — or end cleanly (a partial answer and a fallback reason) on the step limit,
the wall-clock deadline, a provider failure, malformed or repeated tool calls, or a tool output
the guard blocks. Nothing here can hang: every model call and tool batch waits at most until the
deadline.

The loop is independent of the provider and security layers: it is given a ``ModelBackend``
(``services`` adapts the resilient provider client) and a ``guard`` callable, which keeps it
testable with a scripted model.
"""

from __future__ import annotations

import contextvars
import json
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from django.db import connections

from apps.agents.react import (
    coerce_arguments,
    parse_reply,
    protocol_instructions,
    render_text_messages,
)
from apps.agents.tools import Tool, ToolContext, ToolError
from apps.core import tracing
from apps.flows.job_steps import job_step_scope

logger = logging.getLogger(__name__)

T = TypeVar("T")

MAX_PARALLEL_TOOLS = 8
MAX_CALLS_PER_STEP = 16  # more in one reply is a runaway model, not a plan
MAX_OBSERVATION_CHARS = 6000
EXCERPT_CHARS = 500
# A model gets one corrective observation for a malformed or repeated call; the next one ends
# the run, so a confused model cannot burn all its steps.
MAX_MALFORMED_TURNS = 2
MAX_REPEATED_TURNS = 2

NATIVE = "native"
TEXT = "text"


# --- what the loop is given -----------------------------------------------------------------


@dataclass(frozen=True)
class RawToolCall:
    id: str
    name: str
    arguments: str  # as the model wrote it (JSON text for native calls)


@dataclass
class ModelReply:
    text: str
    tool_calls: list[RawToolCall]
    provider: str = ""
    usage: dict[str, int] = field(default_factory=dict)


class ModelCallFailed(Exception):
    """Every provider of the chain failed (the message is safe to show)."""


class ToolOutputBlocked(Exception):
    """The guard refused a tool's output (already audited by the guard)."""


class ModelBackend(Protocol):
    def protocol_for(self, provider: str | None) -> str:
        """``native`` or ``text`` for this provider (None: the platform default)."""

    def complete(
        self, *, messages: list[dict[str, Any]], tools: list[Tool] | None, provider: str | None
    ) -> ModelReply:
        """One model call; raises ModelCallFailed."""


GuardFn = Callable[[str, str], str]  # (tool output, tool name) -> text; raises ToolOutputBlocked
# Decoded tool arguments -> the arguments the tool runs with. The model sees personal data as
# placeholders; tools are local and trusted, so they get the real values back.
RevealFn = Callable[[Any], Any]


@dataclass(frozen=True)
class LoopConfig:
    system_prompt: str
    tools: list[Tool]
    provider_chain: tuple[str, ...] = ()
    protocol: str = "auto"  # auto | native | text
    max_steps: int = 6
    timeout_seconds: float = 60.0


# --- what the loop returns ------------------------------------------------------------------


@dataclass
class StepRecord:
    step: int
    position: int
    tool: str
    arguments: Any
    status: str  # ok | error | blocked
    duration_ms: int
    output: str = ""  # the observation given to the model (guarded) or the error shown
    error: str = ""


@dataclass
class LoopResult:
    reply: str
    status: str  # ok | fallback
    fallback_reason: str | None
    steps: list[StepRecord]
    new_messages: list[dict[str, Any]]  # assistant tool-call turns, tool results, final answer
    usage: dict[str, int]
    provider: str
    protocol: str
    model_calls: int


class _DeadlineExceeded(Exception):
    pass


_FALLBACK_TEXT = {
    "timeout": "I ran out of time before I could finish.",
    "max_steps": "I reached the maximum number of steps before I could finish.",
    "provider_error": "The language model is unavailable right now, so I could not finish.",
    "malformed_tool_call": "The model kept producing tool calls that could not be run.",
    "repeated_tool_call": "The model kept repeating the same tool call, so I stopped.",
    "tool_blocked": (
        "A tool returned content that the security guard blocked, so I stopped there."
    ),
    "empty_answer": "The model returned an empty answer.",
}


# --- threads ----------------------------------------------------------------------------------


def _in_thread(context: contextvars.Context, fn: Callable[[], T]) -> T:
    """Run ``fn`` in a worker thread with the caller's context (request id), then close the
    thread's own database connections (threads don't share Django's)."""
    try:
        return context.run(fn)
    finally:
        connections.close_all()


def call_with_deadline(fn: Callable[[], T], timeout: float) -> T:
    """``fn()`` in a worker thread; raises _DeadlineExceeded if it takes longer than ``timeout``
    (the thread is abandoned; the provider's own timeouts end it)."""
    if timeout <= 0:
        raise _DeadlineExceeded
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="agent-model")
    try:
        future = executor.submit(_in_thread, contextvars.copy_context(), fn)
        try:
            return future.result(timeout=timeout)
        except FutureTimeout as exc:
            raise _DeadlineExceeded from exc
    finally:
        executor.shutdown(wait=False, cancel_futures=True)


# --- the loop ---------------------------------------------------------------------------------


@dataclass
class _Call:
    raw: RawToolCall
    tool: Tool | None = None
    arguments: Any = None
    problem: str = ""  # why it can't be run (unknown tool, bad arguments...)
    repeated_of: str | None = None  # the earlier observation, when the same call was made


def _signature(name: str, arguments: Any) -> str:
    return name + ":" + json.dumps(arguments, sort_keys=True, default=str)


class AgentLoop:
    def __init__(
        self,
        *,
        config: LoopConfig,
        backend: ModelBackend,
        guard: GuardFn,
        tool_context: ToolContext,
        reveal: RevealFn | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.backend = backend
        self.guard = guard
        self.reveal: RevealFn = reveal or (lambda arguments: arguments)
        self.tool_context = tool_context
        self.clock = clock
        self.tools = {tool.name: tool for tool in config.tools}

    # The public entry point.
    def run(self, *, history: list[dict[str, Any]], user_message: str) -> LoopResult:
        self.deadline = self.clock() + self.config.timeout_seconds
        self.transcript: list[dict[str, Any]] = [
            *history,
            {"role": "user", "content": user_message},
        ]
        self.new_messages: list[dict[str, Any]] = []
        self.steps: list[StepRecord] = []
        self.usage: dict[str, int] = {}
        self.provider = ""
        self.protocol = ""
        self.model_calls = 0
        self.last_thought = ""
        self.last_observation = ""
        seen: dict[str, str] = {}
        malformed_turns = 0
        repeated_turns = 0

        for step in range(1, self.config.max_steps + 1):
            try:
                reply, protocol = self._ask_model()
            except _DeadlineExceeded:
                return self._end("timeout")
            except ModelCallFailed:
                return self._end("provider_error")

            thought, final, calls, format_error = self._read(reply, protocol, step)
            if format_error is None and not calls:
                if not (final or "").strip():
                    return self._end("empty_answer")
                answer = final or ""
                self._append({"role": "assistant", "content": answer})
                return self._result(answer, None)

            if format_error is not None:
                # Text protocol only: nothing runnable was written. Correct the model once.
                malformed_turns += 1
                self.steps.append(
                    StepRecord(
                        step, 0, "(unparsed)", reply.text[:200], "error", 0, "", format_error
                    )
                )
                if malformed_turns >= MAX_MALFORMED_TURNS:
                    return self._end("malformed_tool_call")
                self.transcript.append({"role": "assistant", "content": reply.text})
                self.transcript.append(
                    {
                        "role": "user",
                        "content": f"Observation: your reply did not follow the format "
                        f"({format_error}). Write an Action and an Action Input (a JSON object), "
                        "or a Final Answer.",
                    }
                )
                continue

            self.last_thought = thought or self.last_thought
            resolved = [self._resolve(call) for call in calls]
            for call in resolved[MAX_CALLS_PER_STEP:]:
                call.problem = f"too many tool calls in one step (limit {MAX_CALLS_PER_STEP})"
            for call in resolved:
                if not call.problem:
                    signature = _signature(call.raw.name, call.arguments)
                    if signature in seen:
                        call.repeated_of = seen[signature]
            runnable = [c for c in resolved if not c.problem and c.repeated_of is None]

            if not runnable and any(c.problem for c in resolved):
                malformed_turns += 1
            elif not runnable:
                repeated_turns += 1

            outcome = self._run_calls(step, resolved, runnable)
            for call in runnable:
                record = outcome[call.raw.id]
                if record.status == "ok":
                    seen[_signature(call.raw.name, call.arguments)] = record.output

            self._append(
                {
                    "role": "assistant",
                    "content": thought,
                    "tool_calls": [
                        {
                            "id": c.raw.id,
                            "type": "function",
                            "function": {"name": c.raw.name, "arguments": c.raw.arguments},
                        }
                        for c in resolved
                    ],
                }
            )
            for call in resolved:
                self._append(
                    {
                        "role": "tool",
                        "tool_call_id": call.raw.id,
                        "content": self._observation(call, outcome.get(call.raw.id)),
                    }
                )

            statuses = {record.status for record in outcome.values()}
            if "blocked" in statuses:
                return self._end("tool_blocked")
            if any(r.error == "timeout" for r in outcome.values()):
                return self._end("timeout")
            if malformed_turns >= MAX_MALFORMED_TURNS:
                return self._end("malformed_tool_call")
            if repeated_turns >= MAX_REPEATED_TURNS:
                return self._end("repeated_tool_call")
        return self._end("max_steps")

    # --- model ----------------------------------------------------------------------------

    def _protocol_for(self, provider: str | None) -> str:
        if self.config.protocol in (NATIVE, TEXT):
            return self.config.protocol
        return self.backend.protocol_for(provider)

    def _ask_model(self) -> tuple[ModelReply, str]:
        """One model call on the first provider of the chain that answers."""
        chain: tuple[str | None, ...] = self.config.provider_chain or (None,)
        last_error: ModelCallFailed | None = None
        for provider in chain:
            protocol = self._protocol_for(provider)
            messages, tools = self._request(protocol)

            def call(
                provider: str | None = provider,
                messages: list[dict[str, Any]] = messages,
                tools: list[Tool] | None = tools,
            ) -> ModelReply:
                return self.backend.complete(messages=messages, tools=tools, provider=provider)

            try:
                reply = call_with_deadline(call, self.deadline - self.clock())
            except ModelCallFailed as exc:
                last_error = exc
                logger.warning("agent model call failed on %s: %s", provider or "default", exc)
                continue
            self.model_calls += 1
            self.provider = reply.provider or (provider or "")
            self.protocol = protocol
            for key, value in (reply.usage or {}).items():
                if isinstance(value, int):
                    self.usage[key] = self.usage.get(key, 0) + value
            return reply, protocol
        raise last_error or ModelCallFailed("no provider answered")

    def _request(self, protocol: str) -> tuple[list[dict[str, Any]], list[Tool] | None]:
        tools = list(self.tools.values())
        if protocol == NATIVE:
            system = {"role": "system", "content": self.config.system_prompt}
            return [system, *self.transcript], (tools or None)
        prompt = self.config.system_prompt
        if tools:
            prompt = f"{prompt}\n\n{protocol_instructions(tools)}"
        return [{"role": "system", "content": prompt}, *render_text_messages(self.transcript)], None

    def _read(
        self, reply: ModelReply, protocol: str, step: int
    ) -> tuple[str, str | None, list[RawToolCall], str | None]:
        """(thought, final answer, tool calls, format error) from a model reply."""
        if reply.tool_calls:
            return reply.text or "", None, list(reply.tool_calls), None
        if protocol == NATIVE or not self.tools:
            return "", reply.text, [], None
        parsed = parse_reply(reply.text)
        if parsed.error:
            return parsed.thought, None, [], parsed.error
        if parsed.final is not None:
            return parsed.thought, parsed.final, [], None
        calls = [
            RawToolCall(id=f"call_{step}_{i}", name=a.tool, arguments=a.raw_input)
            for i, a in enumerate(parsed.actions)
        ]
        return parsed.thought, None, calls, None

    # --- tools ----------------------------------------------------------------------------

    def _resolve(self, raw: RawToolCall) -> _Call:
        call = _Call(raw=raw)
        tool = self.tools.get(raw.name)
        if tool is None:
            call.problem = f"unknown tool {raw.name[:60]!r}; available: {', '.join(self.tools)}"
            return call
        call.tool = tool
        try:
            if self.protocol == NATIVE:
                arguments = json.loads(raw.arguments) if raw.arguments.strip() else {}
            else:
                arguments = coerce_arguments(tool, raw.arguments)
            # Revealed before validation: a tool's schema checks the value, not a placeholder.
            call.arguments = tool.validate(self.reveal(arguments))
        except (ValueError, ToolError) as exc:
            call.problem = f"invalid arguments for {tool.name}: {str(exc)[:200]}"
        return call

    @tracing.traced("agent.tool", arguments=tracing.tool_arguments, result=tracing.tool_result)
    def _execute(self, call: _Call, *, scope: str) -> tuple[str, str, str, int]:
        """(status, output, error, duration_ms) of one tool call, in a worker thread. Steps a
        job stores inside (a flow the tool runs) are named by ``scope``, the call's place in
        the run, so a re-run finds them whatever order the parallel calls finish in."""
        started = time.perf_counter()
        try:
            with job_step_scope(scope):
                output = call.tool.run(call.arguments, self.tool_context)  # type: ignore[union-attr]
            status, error = "ok", ""
        except ToolError as exc:
            output, status, error = "", "error", str(exc)[:300]
        except Exception:
            logger.exception("agent tool %s raised", call.raw.name)
            output, status, error = "", "error", "the tool failed unexpectedly"
        return status, str(output), error, int((time.perf_counter() - started) * 1000)

    def _run_calls(
        self, step: int, resolved: list[_Call], runnable: list[_Call]
    ) -> dict[str, StepRecord]:
        """Run the runnable calls in parallel (up to the deadline), guard their outputs, and
        record every call of the step, runnable or not."""
        records: dict[str, StepRecord] = {}
        results: dict[str, tuple[str, str, str, int]] = {}
        if runnable:
            remaining = self.deadline - self.clock()
            executor = ThreadPoolExecutor(
                max_workers=min(len(runnable), MAX_PARALLEL_TOOLS), thread_name_prefix="agent-tool"
            )
            futures = {
                executor.submit(
                    _in_thread,
                    contextvars.copy_context(),
                    lambda call=call, n=n: self._execute(call, scope=f"tool{step}.{n}"),
                ): call
                for n, call in enumerate(runnable)
            }
            started = time.perf_counter()
            # _execute never raises, so this returns when all are done or at the deadline.
            done, _ = wait(futures, timeout=max(0.0, remaining))
            executor.shutdown(wait=False, cancel_futures=True)
            elapsed = int((time.perf_counter() - started) * 1000)
            for future, call in futures.items():
                if future in done:
                    results[call.raw.id] = future.result()
                else:
                    results[call.raw.id] = ("error", "", "timeout", elapsed)

        for position, call in enumerate(resolved):
            arguments = call.arguments if call.arguments is not None else call.raw.arguments
            if call.problem:
                records[call.raw.id] = StepRecord(
                    step, position, call.raw.name[:100], arguments, "error", 0, "", call.problem
                )
                continue
            if call.repeated_of is not None:
                records[call.raw.id] = StepRecord(
                    step, position, call.raw.name, arguments, "error", 0, "", "repeated call"
                )
                continue
            status, output, error, duration = results[call.raw.id]
            if status == "ok":
                status, output, error = self._guarded(call.raw.name, output)
            if status == "ok":
                self.last_observation = output
            records[call.raw.id] = StepRecord(
                step, position, call.raw.name, arguments, status, duration, output, error
            )
        self.steps.extend(records[c.raw.id] for c in resolved)
        return records

    def _guarded(self, tool: str, output: str) -> tuple[str, str, str]:
        """A tool's output on its way back into the prompt: bounded, then through the guard."""
        if len(output) > MAX_OBSERVATION_CHARS:
            output = output[:MAX_OBSERVATION_CHARS] + " …(truncated)"
        try:
            return "ok", self.guard(output, tool), ""
        except ToolOutputBlocked as exc:
            return "blocked", "", str(exc)[:300] or "blocked by the guard"

    def _observation(self, call: _Call, record: StepRecord | None) -> str:
        if call.problem:
            return f"Error: {call.problem}"
        if call.repeated_of is not None:
            return (
                "You already made this exact call; its result was: "
                f"{call.repeated_of[:1000]}\nUse it, try something different, or answer."
            )
        assert record is not None
        if record.status == "ok":
            return record.output
        if record.status == "blocked":
            return "Error: the tool's output was withheld by the security guard."
        return f"Error: {record.error}"

    # --- endings --------------------------------------------------------------------------

    def _append(self, message: dict[str, Any]) -> None:
        self.transcript.append(message)
        self.new_messages.append(message)

    def _end(self, reason: str) -> LoopResult:
        text = _FALLBACK_TEXT.get(reason, "I could not finish.")
        found = self.last_observation or self.last_thought
        if found:
            text += " What I found so far: " + " ".join(found.split())[:EXCERPT_CHARS]
        self._append({"role": "assistant", "content": text})
        return self._result(text, reason)

    def _result(self, reply: str, reason: str | None) -> LoopResult:
        return LoopResult(
            reply=reply,
            status="ok" if reason is None else "fallback",
            fallback_reason=reason,
            steps=self.steps,
            new_messages=self.new_messages,
            usage=self.usage,
            provider=self.provider,
            protocol=self.protocol,
            model_calls=self.model_calls,
        )
