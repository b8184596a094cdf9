"""A scripted fake LLM server speaking the Anthropic Messages and OpenAI Chat Completions protocols.

It lets every provider adapter, the real Claude Code CLI and users' CI run offline. Given a request,
the reply is chosen in this order:

1. the first ``rules`` entry whose regex matches the text of the request's last message
   (user text or tool results);
2. ``turns[i]`` where ``i`` is the number of assistant messages already in the request;
3. ``default``.

``faults`` inject failures by global, 1-based request number: an HTTP status (with retry-after), a
slow reply, a dropped connection, a truncated body or stream, or a body that is not JSON.
"""

from zebench.llm.fake.script import (
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
