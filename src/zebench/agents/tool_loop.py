"""The tool-use loop shared by the LLM agents: ask the model, run its tool calls, repeat.

One :class:`ToolLoopAgent` instance may serve several runs, but every run builds its own client,
conversation and counters inside :meth:`ToolLoopAgent.run`: nothing is shared between runs.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any, ClassVar, Protocol

from zebench.agents.base import AgentOptions, AgentResult, AgentStatus, AgentTask, ModelAccess
from zebench.agents.context import ContextTrimmer, fixed_tokens
from zebench.agents.run_state import RunState
from zebench.errors import AgentConfigError
from zebench.llm.client import create_client
from zebench.llm.config import resolve_api_key, resolve_base_url
from zebench.llm.recording import Recorder, RecordingClient, RecordingMeta, ReplayDivergedError
from zebench.llm.redact import redact, redact_data
from zebench.llm.types import (
    LLMClient,
    LLMMessage,
    LLMRequest,
    LLMRequestError,
    LLMResponse,
    LLMUnavailableError,
    Provider,
    RetryCallback,
    RetryEvent,
    TextBlock,
    ToolDefinition,
    ToolResultBlock,
    ToolUseBlock,
)
from zebench.results.model_calls import Wire
from zebench.results.trajectory import TrajectoryStep

MAX_PARALLEL_TOOLS = 4  # parallel tool calls of one turn; small, the workspace is shared


class _Limiter(Protocol):
    """What the loop needs of a batch's limiter (``zebench.runner.limiter.ProviderLimiters``)."""

    def slot(self, provider: str) -> AbstractContextManager[Any]: ...

    def on_retry(self, provider: str, event: Any) -> None: ...


def _limiter(options_extra: dict[str, Any], task_extra: dict[str, Any]) -> _Limiter | None:
    found = options_extra.get("limiter") or task_extra.get("limiter")
    return found if callable(getattr(found, "slot", None)) else None


def _check_cancel(task: AgentTask) -> None:
    # Same contract as the pipeline's phase checks: a set cancel event behaves like Ctrl-C, so the
    # run is stored as interrupted instead of finishing every remaining turn.
    cancel = task.extra.get("cancel")
    if isinstance(cancel, threading.Event) and cancel.is_set():
        raise KeyboardInterrupt


class ToolLoopAgent:
    """Base class of the LLM agents. Subclasses set ``provider`` and build the client."""

    name: ClassVar[str] = "tool_loop"
    provider: ClassVar[Provider] = "anthropic"
    default_model: ClassVar[str | None] = None
    # It places its own prompt-cache breakpoints and trims its own context (AgentOptions.prompt_cache,
    # .context_budget); a CLI agent does neither, and the CLI says so when they are set.
    manages_context: ClassVar[bool] = True

    def __init__(self, options: AgentOptions) -> None:
        self.options = options

    # --- hooks for subclasses -----------------------------------------------------------------

    def secrets(self) -> list[str]:
        """Values that must never be stored (the API key)."""
        return []

    def create_client(self, task: AgentTask, model: str, on_retry: RetryCallback) -> LLMClient:
        """A fresh client for this run."""
        raise NotImplementedError

    def resolve_model(self, task: AgentTask) -> str:
        """The task's model, else the options', else the agent's default."""
        model = task.model or self.options.model or self.default_model
        if not model:
            raise AgentConfigError(f"the {self.name} agent needs a model", hint="pass --model")
        return model

    def after_run(self, result: AgentResult, client: LLMClient) -> AgentResult:
        """Last look at the result and the run's client (the replay agent checks the recording was used up)."""
        return result

    # --- the loop -----------------------------------------------------------------------------

    def system_prompt(self, task: AgentTask, tools: list[ToolDefinition]) -> str:
        """The task's system prompt (if any) plus a short harness preamble."""
        o = self.options
        limits = [f"at most {o.max_turns} turns", f"{o.max_tokens} output tokens per reply"]
        if o.max_tokens_total is not None:
            limits.append(f"{o.max_tokens_total} tokens in total")
        if o.max_cost_usd is not None:
            limits.append(f"${o.max_cost_usd:g} of spend")
        if o.time_limit_s is not None:
            limits.append(f"{o.time_limit_s:g} seconds")
        preamble = (
            f"You are working in the repository at {task.workspace}; every path is relative to it.\n"
            f"Tools: {', '.join(t.name for t in tools) or 'none'}. Use them to inspect and change files "
            "and to run commands.\n"
            f"Limits: {', '.join(limits)}.\n"
            "When the task is done, reply with a short summary of what you changed and call no tool."
        )
        return f"{task.system_prompt.rstrip()}\n\n{preamble}" if task.system_prompt else preamble

    def run(self, task: AgentTask) -> AgentResult:
        """Run the loop until the model stops calling tools, a budget runs out, or the provider fails."""
        state = RunState()
        secrets = self.secrets()
        model = self.resolve_model(task)
        limiter = _limiter(self.options.extra, task.extra)
        client, recording_dir = self._open_client(
            task, model, self._retry_reporter(task, state, limiter), secrets
        )
        tools = [
            ToolDefinition(name=s.name, description=s.description, parameters=s.parameters)
            for s in task.tools.specs()
        ]
        system = self.system_prompt(task, tools)
        messages: list[LLMMessage] = [LLMMessage(role="user", content=task.prompt)]
        budget = self.options.context_budget
        trimmer = ContextTrimmer(budget, fixed_tokens(system, tools)) if budget is not None else None
        task.trajectory.message("system", redact(system, secrets))
        task.trajectory.message("user", redact(task.prompt, secrets))

        status: AgentStatus = "completed"
        reason: str | None = None
        final = ""
        try:
            while True:
                _check_cancel(task)
                if state.turns >= self.options.max_turns:
                    status, reason = "budget_exceeded", f"budget exceeded: max_turns={self.options.max_turns}"
                    break
                if (over := self._time_exceeded(state)) is not None:
                    status, reason = "budget_exceeded", over
                    break
                if trimmer is not None:
                    _trim(task, state, trimmer, messages)
                request = LLMRequest(
                    model=model,
                    messages=list(messages),
                    system=system,
                    tools=tools,
                    max_tokens=self.options.max_tokens,
                    temperature=self.options.temperature,
                    prompt_cache=self.options.prompt_cache,
                )
                with limiter.slot(self.provider) if limiter is not None else nullcontext():
                    started_at = time.time()  # after any wait for a slot: the call's own time
                    response = client.complete(request)
                state.add(response)
                self._record_call(task, request, response, started_at, state.turns, secrets)
                messages.append(LLMMessage(role="assistant", content=_assistant_blocks(response)))
                if (over := self._budget_exceeded(task, state)) is not None:
                    status, reason = "budget_exceeded", over
                    break
                if not response.tool_calls:
                    final = response.text
                    break
                results = self._run_tools(task, response.tool_calls)
                messages.append(LLMMessage(role="user", content=list(results)))
        except LLMUnavailableError as exc:
            status, reason = "infra_error", redact(str(exc), secrets)
        except LLMRequestError as exc:
            status, reason = "failed", redact(f"the provider rejected the request: {exc}", secrets)
        except ReplayDivergedError as exc:
            status, reason = "failed", f"replay diverged: {exc}"
        if status != "completed":
            task.trajectory.note(reason or status, kind=status)
        final = final or state.last_text
        if final:
            task.trajectory.message("assistant", redact(final, secrets))
        metadata = _metadata(client, state, trimmer, recording_dir)
        return self.after_run(
            AgentResult(
                status=status,
                reason=reason,
                final_message=redact(final, secrets),
                model=state.served_model or model,
                usage=state.usage,
                cost_usd=state.cost_usd,
                cost_kind=state.cost_kind,
                turns=state.turns,
                metadata=metadata,
            ),
            client,
        )

    # --- pieces -------------------------------------------------------------------------------

    def _retry_reporter(self, task: AgentTask, state: RunState, limiter: _Limiter | None) -> RetryCallback:
        """What to do before each retry wait: count it, tell the limiter and the trajectory."""

        def on_retry(event: RetryEvent) -> None:
            state.retries += 1
            if limiter is not None:
                limiter.on_retry(self.provider, event)  # a 429 shrinks the batch's concurrency
            line = f"{self.name}: retry {event.attempt} in {event.wait_s:.1f}s ({event.reason})"
            task.trajectory.note(line, kind="retry", wait_s=event.wait_s, reason=event.reason)
            callback = task.extra.get("on_event")
            if callable(callback):
                callback(line)

        return on_retry

    def _open_client(
        self, task: AgentTask, model: str, on_retry: RetryCallback, secrets: list[str]
    ) -> tuple[LLMClient, Path | None]:
        """This run's client, recording every exchange under ``--record`` (and where)."""
        client = self.create_client(task, model, on_retry)
        if self.options.record_dir is None:
            return client, None
        recording_dir = self.options.record_dir / task.run_id
        meta = RecordingMeta(provider=client.provider, model=model, agent=self.name, run_id=task.run_id)
        return RecordingClient(client, Recorder(recording_dir, secrets=secrets, meta=meta)), recording_dir

    def _time_exceeded(self, state: RunState) -> str | None:
        limit = self.options.time_limit_s
        if limit is not None and state.elapsed > limit:
            return f"budget exceeded: time_limit_s={limit:g} (spent {state.elapsed:.1f}s)"
        return None

    def _budget_exceeded(self, task: AgentTask, state: RunState) -> str | None:
        o = self.options
        if o.max_tokens_total is not None and state.usage.total > o.max_tokens_total:
            return f"budget exceeded: max_tokens_total={o.max_tokens_total} (spent {state.usage.total})"
        if o.max_cost_usd is not None:
            if state.cost_unknown:
                if not state.cost_budget_warned:
                    state.cost_budget_warned = True
                    task.trajectory.note(
                        f"max_cost_usd={o.max_cost_usd:g} cannot be enforced: the model's price is unknown",
                        kind="warning",
                    )
            elif state.cost > o.max_cost_usd:
                return f"budget exceeded: max_cost_usd={o.max_cost_usd:g} (spent {state.cost:.4g})"
        return self._time_exceeded(state)

    def _record_call(
        self,
        task: AgentTask,
        request: LLMRequest,
        response: LLMResponse,
        started_at: float,
        turn: int,
        secrets: list[str],
    ) -> None:
        content = {
            "request": {
                "model": request.model,
                "messages": len(request.messages),
                "tools": [t.name for t in request.tools],
                "max_tokens": request.max_tokens,
                "temperature": request.temperature,
                "prompt_cache": request.prompt_cache,
            },
            "response": {
                "model": response.model,
                "text": response.text,
                "tool_calls": [c.model_dump(exclude_none=True) for c in response.tool_calls],
                "stop_reason": response.stop_reason,
            },
        }
        task.trajectory.add(
            TrajectoryStep(
                type="llm_call",
                at=started_at,
                content=redact_data(content, secrets),
                duration_ms=response.duration_ms,
                usage=response.usage.model_dump(),
                meta={
                    "turn": turn,
                    "finished_at": time.time(),
                    "cost_usd": response.cost_usd,
                    "cost_kind": response.cost_kind,
                },
            )
        )

    def _run_tools(self, task: AgentTask, calls: list[ToolUseBlock]) -> list[ToolResultBlock]:
        """Run every call of one turn; several run concurrently, results keep the calls' order."""
        if len(calls) == 1:
            return [self._run_tool(task, calls[0])]
        with ThreadPoolExecutor(
            max_workers=min(MAX_PARALLEL_TOOLS, len(calls)), thread_name_prefix="tool"
        ) as pool:
            return list(pool.map(lambda c: self._run_tool(task, c), calls))

    @staticmethod
    def _run_tool(task: AgentTask, call: ToolUseBlock) -> ToolResultBlock:
        if call.parse_error is not None:
            message = f"error: {call.name}: {call.parse_error}"
            task.trajectory.add(TrajectoryStep(type="tool_call", name=call.name, arguments={}, error=message))
            return ToolResultBlock(tool_use_id=call.id, content=message, is_error=True)
        try:
            result = task.tools.call(call.name, call.input)
        except Exception as exc:  # a plug-in toolbox broke its never-raise contract: report, keep going
            return ToolResultBlock(
                tool_use_id=call.id, content=f"error: {call.name} crashed: {exc}", is_error=True
            )
        return ToolResultBlock(tool_use_id=call.id, content=result.content, is_error=result.is_error)


def _trim(task: AgentTask, state: RunState, trimmer: ContextTrimmer, messages: list[LLMMessage]) -> None:
    """Trim the conversation when it is over its budget, and say so in the trajectory."""
    trim = trimmer.trim(messages)
    if trim is not None:
        state.trims += 1
        state.trimmed_tokens += trim.tokens_trimmed
        task.trajectory.note(trim.summary(), kind="context_trim", **trim.meta())


def _metadata(
    client: LLMClient, state: RunState, trimmer: ContextTrimmer | None, recording_dir: Path | None
) -> dict[str, Any]:
    """The result's metadata: provider, calls, retries, stop reason, context trims, recording."""
    metadata: dict[str, Any] = {
        "provider": client.provider,
        "llm_calls": state.turns,
        "retries": state.retries,
    }
    if state.stop_reason:
        metadata["stop_reason"] = state.stop_reason
    if trimmer is not None:
        metadata["context"] = {
            "budget": trimmer.budget,
            "trims": state.trims,
            "tokens_trimmed": state.trimmed_tokens,
        }
    if recording_dir is not None:
        metadata["recording_dir"] = str(recording_dir)
    return metadata


def _assistant_blocks(response: LLMResponse) -> list[TextBlock | ToolUseBlock | ToolResultBlock]:
    blocks: list[TextBlock | ToolUseBlock | ToolResultBlock] = []
    if response.text:
        blocks.append(TextBlock(text=response.text))
    blocks.extend(response.tool_calls)
    return blocks


class ProviderAgent(ToolLoopAgent):
    """A tool-loop agent talking to one provider, through the run's model gateway.

    It declares its model access (:meth:`model_access`), so the pipeline starts a gateway for the
    run and the client talks to it with a placeholder key: the real key stays in the gateway, and
    the run's tokens and cost are measured there, as for every agent. Outside the pipeline (no
    ``task.model_endpoint``) it talks to the provider directly. The key is checked when the agent is
    constructed, before any work (not needed to replay a recording through the gateway).

    ``options.extra`` may tune retries: ``max_retries``, ``max_total_wait_s``, ``backoff_base_s``.
    """

    def __init__(self, options: AgentOptions) -> None:
        super().__init__(options)
        self._base_url = resolve_base_url(self.provider, options.base_url)
        self._api_key: str | None = None
        if options.replay_dir is None:
            self._api_key = resolve_api_key(self.provider, base_url=self._base_url)

    def secrets(self) -> list[str]:
        return [self._api_key] if self._api_key else []

    def model_access(self) -> ModelAccess:
        """The provider, its wire format, and that the client runs here, in the harness."""
        wire: Wire = "anthropic-messages" if self.provider == "anthropic" else "openai-chat"
        return ModelAccess(provider=self.provider, wires=(wire,), runs_in="harness", base_url=self._base_url)

    def create_client(self, task: AgentTask, model: str, on_retry: RetryCallback) -> LLMClient:
        extra = self.options.extra
        endpoint = task.model_endpoint
        if endpoint is not None:
            wire = self.model_access().wires[0]
            base_url, api_key = endpoint.url_for(wire), endpoint.api_key
        else:
            base_url = self._base_url
            api_key = self._api_key or resolve_api_key(self.provider, base_url=self._base_url)
        return create_client(
            self.provider,
            base_url=base_url,
            api_key=api_key,
            on_retry=on_retry,
            max_retries=int(extra.get("max_retries", 5)),
            max_total_wait_s=float(extra.get("max_total_wait_s", 120)),
            backoff_base_s=float(extra.get("backoff_base_s", 1.0)),
        )
