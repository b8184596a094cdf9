"""A scripted fake LLM server speaking the Anthropic Messages, OpenAI Chat Completions, OpenAI
Responses and Gemini (generateContent / streamGenerateContent) protocols, JSON and SSE.

It lets every provider adapter, the real CLI agents (Claude Code, Codex, Gemini CLI...) and users'
CI run offline. A reply is written once and sent in the wire format the request came in; a tool
call with ``input`` is a freeform call (Codex's ``apply_patch``), and ``by_wire`` specialises a
reply for one wire (each CLI names its tools its own way). Given a request,
the reply is chosen in this order:

1. the first ``rules`` entry whose regex matches the text of the request's last message
   (user text or tool results), and whose ``wire`` (if any) is the request's;
2. ``turns[i]`` where ``i`` is the number of assistant (model) turns already in the request;
3. ``default``.

With ``caching:``, input tokens are counted from each request and billed as the provider would
bill its prompt cache (``zebench.llm.fake.caching``).

``faults`` inject failures by global, 1-based request number: an HTTP status (with retry-after), a
slow reply, a dropped connection, a truncated body or stream, or a body that is not JSON.
"""

from zebench.llm.fake.script import (
    FakeCaching,
    FakeFault,
    FakeModelInfo,
    FakeReply,
    FakeRule,
    FakeScript,
    FakeToolCall,
    FakeUsage,
    load_script,
    parse_script,
)
from zebench.llm.fake.server import FakeLLMServer, RecordedRequest, serve

__all__ = [
    "FakeCaching",
    "FakeFault",
    "FakeLLMServer",
    "FakeModelInfo",
    "FakeReply",
    "FakeRule",
    "FakeScript",
    "FakeToolCall",
    "FakeUsage",
    "RecordedRequest",
    "load_script",
    "parse_script",
    "serve",
]
