"""The tool-use loop shared by the LLM agents: ask the model, run its tool calls, repeat.

One :class:`ToolLoopAgent` instance may serve several runs, but every run builds its own client,
conversation and counters inside :meth:`ToolLoopAgent.run`: nothing is shared between runs.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path
from typing import ClassVar

from zebench.agents.base import AgentOptions, AgentResult, AgentStatus, AgentTask, ModelAccess
from zebench.agents.context import ContextTrimmer, fixed_tokens
from zebench.agents.conversation import (
    Conversation,
    Limiter,
    assistant_blocks,
    find_limiter,
    record_llm_call,
    result_metadata,
    trim_context,
)
from zebench.agents.run_state import RunState
from zebench.errors import AgentConfigError
from zebench.llm.client import create_client
from zebench.llm.config import resolve_api_key, resolve_base_url
from zebench.llm.recording import Recorder, RecordingClient, RecordingMeta, ReplayDivergedError
from zebench.llm.redact import redact
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
    ToolDefinition,
    ToolResultBlock,
    ToolUseBlock,
)
from zebench.results.model_calls import Wire
from zebench.results.trajectory import TrajectoryStep

MAX_PARALLEL_TOOLS = 4  # parallel tool calls of one turn; small, the workspace is shared


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
        conversation = self._start(task, state)
        status, reason, final = self._converse(task, state, conversation)
        secrets = conversation.secrets
        if status != "completed":
            task.trajectory.note(reason or status, kind=status)
        final = final or state.last_text
        if final:
            task.trajectory.message("assistant", redact(final, secrets))
        metadata = result_metadata(
            conversation.client, state, conversation.trimmer, conversation.recording_dir
        )
        return self.after_run(
            AgentResult(
                status=status,
                reason=reason,
                final_message=redact(final, secrets),
                model=state.served_model or conversation.model,
                usage=state.usage,
                cost_usd=state.cost_usd,
                cost_kind=state.cost_kind,
                turns=state.turns,
                metadata=metadata,
            ),
            conversation.client,
        )

    def _start(self, task: AgentTask, state: RunState) -> Conversation:
        """This run's client, system prompt, tools and first message, also in the trajectory."""
        secrets = self.secrets()
        model = self.resolve_model(task)
        limiter = find_limiter(self.options.extra, task.extra)
        client, recording_dir = self._open_client(
            task, model, self._retry_reporter(task, state, limiter), secrets
        )
        tools = [
            ToolDefinition(name=s.name, description=s.description, parameters=s.parameters)
            for s in task.tools.specs()
        ]
        system = self.system_prompt(task, tools)
        budget = self.options.context_budget
        trimmer = ContextTrimmer(budget, fixed_tokens(system, tools)) if budget is not None else None
        task.trajectory.message("system", redact(system, secrets))
        task.trajectory.message("user", redact(task.prompt, secrets))
        return Conversation(
            client=client,
            model=model,
            system=system,
            tools=tools,
            messages=[LLMMessage(role="user", content=task.prompt)],
            trimmer=trimmer,
            limiter=limiter,
            secrets=secrets,
            recording_dir=recording_dir,
        )

    def _converse(
        self, task: AgentTask, state: RunState, conversation: Conversation
    ) -> tuple[AgentStatus, str | None, str]:
        """The turns of the run: its status, the reason when not completed, and the final reply."""
        try:
            while True:
                _check_cancel(task)
                if state.turns >= self.options.max_turns:
                    return "budget_exceeded", f"budget exceeded: max_turns={self.options.max_turns}", ""
                if (over := self._time_exceeded(state)) is not None:
                    return "budget_exceeded", over, ""
                response = self._ask(task, state, conversation)
                if (over := self._budget_exceeded(task, state)) is not None:
                    return "budget_exceeded", over, ""
                if not response.tool_calls:
                    return "completed", None, response.text
                results = self._run_tools(task, response.tool_calls)
                conversation.messages.append(LLMMessage(role="user", content=list(results)))
        except LLMUnavailableError as exc:
            return "infra_error", redact(str(exc), conversation.secrets), ""
        except LLMRequestError as exc:
            return "failed", redact(f"the provider rejected the request: {exc}", conversation.secrets), ""
        except ReplayDivergedError as exc:
            return "failed", f"replay diverged: {exc}", ""

    def _ask(self, task: AgentTask, state: RunState, conversation: Conversation) -> LLMResponse:
        """One turn's call to the model, counted, recorded and added to the conversation."""
        if conversation.trimmer is not None:
            trim_context(task, state, conversation.trimmer, conversation.messages)
        request = LLMRequest(
            model=conversation.model,
            messages=list(conversation.messages),
            system=conversation.system,
            tools=conversation.tools,
            max_tokens=self.options.max_tokens,
            temperature=self.options.temperature,
            prompt_cache=self.options.prompt_cache,
        )
        limiter = conversation.limiter
        with limiter.slot(self.provider) if limiter is not None else nullcontext():
            started_at = time.time()  # after any wait for a slot: the call's own time
            response = conversation.client.complete(request)
        state.add(response)
        record_llm_call(task, request, response, started_at, state.turns, conversation.secrets)
        conversation.messages.append(LLMMessage(role="assistant", content=assistant_blocks(response)))
        return response

    # --- pieces -------------------------------------------------------------------------------

    def _retry_reporter(self, task: AgentTask, state: RunState, limiter: Limiter | None) -> RetryCallback:
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
