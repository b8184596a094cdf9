"""The fake server's script: which reply to give for which request, and which faults to inject."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from zebench.errors import ZebenchError

StopReason = Literal["end_turn", "tool_use", "max_tokens"]
FaultKind = Literal["status", "slow", "drop", "truncate", "invalid_json"]
# The wire formats a reply can be specialised for (``by_wire``), as the gateway names them.
WireName = Literal["anthropic-messages", "openai-chat", "openai-responses", "gemini"]


class _Model(BaseModel):
    # forbid: a typo in a script (``tool_call:``) must fail loudly, not silently reply "ok".
    model_config = ConfigDict(extra="forbid")


class FakeToolCall(_Model):
    """A tool call the fake model makes, written once and sent in the wire format the request came in.

    ``id`` is generated (``toolu_…`` / ``call_…``) when omitted. ``input`` makes it a freeform call
    (the Responses API's ``custom_tool_call``, as Codex's ``apply_patch`` is); other wires receive
    it as the argument ``{"input": …}``.
    """

    name: str = Field(min_length=1)
    arguments: dict[str, Any] = Field(default_factory=dict)
    input: str | None = None
    id: str | None = None

    def wire_arguments(self) -> dict[str, Any]:
        """The JSON arguments for wires without freeform tool calls."""
        return {"input": self.input} if self.input is not None and not self.arguments else self.arguments


class FakeUsage(_Model):
    """Token counts reported for one reply, in Anthropic's terms (mapped for OpenAI)."""

    input_tokens: int = Field(default=120, ge=0)
    output_tokens: int = Field(default=40, ge=0)  # reasoning tokens included
    cache_read_input_tokens: int = Field(default=0, ge=0)
    cache_creation_input_tokens: int = Field(default=0, ge=0)
    # The part of cache_creation_input_tokens written with Anthropic's 1-hour lifetime.
    cache_creation_1h_input_tokens: int = Field(default=0, ge=0)
    reasoning_tokens: int = Field(default=0, ge=0)  # the part of output_tokens spent reasoning

    @model_validator(mode="after")
    def _parts_within_totals(self) -> FakeUsage:
        if self.reasoning_tokens > self.output_tokens:
            raise ValueError("reasoning_tokens are part of output_tokens, so at most output_tokens")
        if self.cache_creation_1h_input_tokens > self.cache_creation_input_tokens:
            raise ValueError(
                "cache_creation_1h_input_tokens are part of cache_creation_input_tokens, so at most that"
            )
        return self


class FakeCaching(_Model):
    """Prompt caching as each provider bills it (``caching:`` in a script; see ``fake/caching.py``).

    With it, a reply's input-side usage is counted from the request (about four characters a
    token) and split into cache reads and writes the way the request's provider would bill them;
    the script's ``usage`` then gives only the output side.
    """

    anthropic_min_tokens: int = Field(default=1024, ge=1)  # the shortest prefix a breakpoint caches
    anthropic_lookback_blocks: int = Field(default=20, ge=1)  # blocks checked before each breakpoint
    openai_min_tokens: int = Field(default=1024, ge=1)  # the shortest prompt OpenAI caches
    openai_increment: int = Field(default=128, ge=1)  # cache hits grow in steps of this many tokens
    gemini_min_tokens: int = Field(default=1024, ge=1)  # Gemini's implicit caching minimum
    ttl_s: float = Field(default=300.0, gt=0)  # a 5-minute entry lives this long after its last use
    ttl_1h_s: float = Field(default=3600.0, gt=0)  # an Anthropic ``ttl: 1h`` entry


class FakeReply(_Model):
    """One assistant reply. ``stop_reason`` defaults to tool_use when there are tool calls, else end_turn."""

    text: str = ""
    tool_calls: list[FakeToolCall] = Field(default_factory=list)
    stop_reason: StopReason | None = None
    usage: FakeUsage | None = None  # overrides the script's usage for this reply
    cost: float | None = None  # overrides the script's OpenRouter cost for this reply
    # This reply as it should be for one wire format: e.g. Codex's shell call on openai-responses,
    # Gemini CLI's run_shell_command on gemini, where each CLI names its tools differently.
    by_wire: dict[WireName, FakeReply] = Field(default_factory=dict)

    def for_wire(self, wire: WireName) -> FakeReply:
        """The reply to send on ``wire``."""
        return self.by_wire.get(wire, self)

    def effective_stop_reason(self) -> StopReason:
        if self.stop_reason is not None:
            return self.stop_reason
        return "tool_use" if self.tool_calls else "end_turn"


class FakeRule(_Model):
    """A reply chosen when ``match`` (a regex, searched) matches the text of the request's last message
    and ``system`` (a regex) matches its system prompt (either may be left out, not both), and, with
    ``wire``, only for requests in that wire format. ``system`` tells an agent's side requests (a
    title generator, a memory extractor) from its conversation."""

    match: str | None = None
    system: str | None = None
    reply: FakeReply
    wire: WireName | None = None

    @field_validator("match", "system")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        try:
            re.compile(value or "")
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from exc
        return value

    @model_validator(mode="after")
    def _says_something(self) -> FakeRule:
        if self.match is None and self.system is None:
            raise ValueError("a rule needs match, system or both")
        return self

    def matches(self, last_text: str, system_text: str) -> bool:
        """Whether this rule answers a request with that last message and system prompt."""
        if self.match is not None and not re.search(self.match, last_text):
            return False
        return self.system is None or bool(re.search(self.system, system_text))


class FakeFault(_Model):
    """A failure injected at the ``at``-th request the server receives (1-based, all routes counted)."""

    at: int = Field(ge=1)
    kind: FaultKind
    status: int = Field(default=500, ge=400, le=599)
    retry_after: float | None = None  # seconds, sent as the retry-after header
    message: str | None = None
    delay_s: float = Field(default=1.0, ge=0)


class FakeModelInfo(_Model):
    """A model served by the catalogue endpoints; a plain string in a script means just the id."""

    id: str
    name: str | None = None
    prompt_price: float = 0.0  # USD per token, OpenRouter's pricing.prompt
    completion_price: float = 0.0
    context_length: int = 200_000
    supports_tools: bool = True


class FakeScript(_Model):
    """Everything the fake server does. See ``docs`` of :mod:`zebench.llm.fake` for the selection order."""

    models: list[FakeModelInfo] = Field(default_factory=lambda: [FakeModelInfo(id="fake-model")])
    turns: list[FakeReply] = Field(default_factory=list)
    rules: list[FakeRule] = Field(default_factory=list)
    default: FakeReply = Field(default_factory=lambda: FakeReply(text="ok"))
    usage: FakeUsage = Field(default_factory=FakeUsage)
    cost: float | None = None
    faults: list[FakeFault] = Field(default_factory=list)
    caching: FakeCaching | None = None  # count input tokens and bill prompt caching (off: script usage)

    @field_validator("models", mode="before")
    @classmethod
    def _model_ids(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"id": item} if isinstance(item, str) else item for item in value]
        return value

    @model_validator(mode="after")
    def _unique_fault_numbers(self) -> FakeScript:
        seen: set[int] = set()
        for fault in self.faults:
            if fault.at in seen:
                raise ValueError(f"faults: two faults at request {fault.at}")
            seen.add(fault.at)
        return self

    def fault_at(self, number: int) -> FakeFault | None:
        """The fault for the ``number``-th request, if any."""
        return next((f for f in self.faults if f.at == number), None)

    def select(
        self, assistant_messages: int, last_text: str, wire: WireName | None = None, system_text: str = ""
    ) -> tuple[FakeReply, str]:
        """Pick the reply for ``wire`` and say why (``rule N``, ``turn N`` or ``default``).

        Rules are checked first; then the turn indexed by the number of assistant messages already in
        the conversation, which keeps concurrent conversations deterministic where a global counter
        would interleave them.
        """
        for index, rule in enumerate(self.rules):
            if (rule.wire is None or rule.wire == wire) and rule.matches(last_text, system_text):
                return _specialised(rule.reply, wire), f"rule {index}"
        if assistant_messages < len(self.turns):
            return _specialised(self.turns[assistant_messages], wire), f"turn {assistant_messages}"
        return _specialised(self.default, wire), "default"

    def usage_for(self, reply: FakeReply) -> FakeUsage:
        return reply.usage or self.usage

    def cost_for(self, reply: FakeReply) -> float | None:
        return reply.cost if reply.cost is not None else self.cost


def _specialised(reply: FakeReply, wire: WireName | None) -> FakeReply:
    return reply if wire is None else reply.for_wire(wire)


def _field_path(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def parse_script(data: Any, *, source: str | Path = "<script>") -> FakeScript:
    """Validate already-parsed script data; errors name ``source`` and the first bad field."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ZebenchError(
            "a fake LLM script must be a mapping", file=source, hint="see `zebench fake-llm --help`"
        )
    try:
        return FakeScript.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise ZebenchError(
            f"{first['msg']}{more}",
            file=source,
            field=_field_path(first["loc"]),
            hint="fix the fake LLM script",
        ) from exc


def load_script(path: Path) -> FakeScript:
    """Load a script from YAML (or JSON, by the ``.json`` suffix). Bad files raise ZebenchError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ZebenchError(f"cannot read the script: {exc.strerror or exc}", file=path) from exc
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ZebenchError(
            f"not valid {'JSON' if path.suffix.lower() == '.json' else 'YAML'}: {exc}", file=path
        ) from exc
    return parse_script(data, source=path)
