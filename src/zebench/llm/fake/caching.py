"""Prompt caching for the fake LLM, billed the way each provider bills it.

A request's prompt is laid out in the order the provider renders it (tools, system, messages),
each piece serialised canonically (JSON with sorted keys, ``cache_control`` markers left out), and
counted at **about four characters a token** (``ceil(chars / 4)``): a documented approximation,
deterministic, so tests can compute the expected figures by hand. The cache belongs to one
*conversation*: the requests that open alike (same model, tools, system prompt and first user
message). Two runs that open identically share it, as they would share the provider's cache.

- **Anthropic** caches only at the client's ``cache_control`` breakpoints (at most 4, else 400;
  a top-level ``cache_control`` marks the last block), and only prefixes of at least
  ``anthropic_min_tokens``. A request reads the longest cached prefix found at a breakpoint or at
  one of the ``anthropic_lookback_blocks`` block boundaries before it, and writes everything from
  there to its last cacheable breakpoint (``ttl: 1h`` writes reported apart). ``input_tokens`` is
  what is left: neither read nor written.
- **OpenAI** (Chat Completions and Responses) caches every prompt of at least
  ``openai_min_tokens`` automatically; a later prompt reads its longest common prefix with an
  earlier one, in steps of ``openai_increment`` tokens above the minimum. There are no writes;
  ``cached_tokens`` are part of the prompt count.
- **Gemini**'s implicit caching is the same prefix match from ``gemini_min_tokens``, token by
  token, reported as ``cachedContentTokenCount`` inside the prompt count.

An entry lives ``ttl_s`` (``ttl_1h_s`` for Anthropic's one-hour breakpoints) after its last use.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from zebench.llm.fake.script import FakeCaching, FakeReply, FakeUsage

CHARS_PER_TOKEN = 4
MAX_BREAKPOINTS = 4  # Anthropic's limit per request
_PROMPTS_KEPT = 64  # earlier prompts remembered per conversation for the automatic prefix match
_CHUNK = 65536  # characters compared at a time when looking for a common prefix


class TooManyBreakpointsError(ValueError):
    """More ``cache_control`` breakpoints than Anthropic accepts (the API answers 400)."""


def tokens(text: str) -> int:
    """The fake's token count of ``text``: about four characters a token, rounded up."""
    return -(-len(text) // CHARS_PER_TOKEN)


def canonical(value: Any) -> str:
    """A value as stable text: JSON with sorted keys and ``cache_control`` markers left out."""
    return json.dumps(_without_markers(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _without_markers(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_markers(v) for k, v in value.items() if k != "cache_control"}
    if isinstance(value, list):
        return [_without_markers(v) for v in value]
    return value


@dataclass(frozen=True)
class CacheOutcome:
    """One request's prompt tokens, split as the provider bills them."""

    prompt: int  # every prompt token: read + written + the rest
    read: int = 0
    write: int = 0
    write_1h: int = 0  # the part of ``write`` kept for an hour

    def usage(self, scripted: FakeUsage) -> FakeUsage:
        """The script's usage with this input side (its output side kept)."""
        return scripted.model_copy(
            update={
                "input_tokens": self.prompt - self.read - self.write,
                "cache_read_input_tokens": self.read,
                "cache_creation_input_tokens": self.write,
                "cache_creation_1h_input_tokens": self.write_1h,
            }
        )


@dataclass
class _Block:
    """One piece of an Anthropic prompt: its text, size, and breakpoint lifetime (None: none)."""

    text: str
    tokens: int
    ttl: str | None


def _marker(value: Any) -> str | None:
    control = value.get("cache_control") if isinstance(value, dict) else None
    if isinstance(control, dict) and control.get("type") == "ephemeral":
        return "1h" if control.get("ttl") == "1h" else "5m"
    return None


def _block(tag: str, value: Any) -> _Block:
    text = f"{tag}:{canonical(value)}"
    return _Block(text=text, tokens=tokens(text), ttl=_marker(value))


def anthropic_blocks(body: dict[str, Any]) -> tuple[list[_Block], int]:
    """The prompt's blocks in render order (tools, system, messages), and how many of them
    (from the start) open the conversation: up to the end of the first message."""
    blocks = [_block("tool", tool) for tool in _listed(body.get("tools"))]
    system = body.get("system")
    if isinstance(system, str) and system:
        blocks.append(_block("system", {"type": "text", "text": system}))
    else:
        blocks.extend(_block("system", part) for part in _listed(system))
    opening = len(blocks)
    for index, message in enumerate(_listed(body.get("messages"))):
        if not isinstance(message, dict):
            continue
        content = message.get("content")
        parts = [{"type": "text", "text": content}] if isinstance(content, str) else _listed(content)
        blocks.extend(_block(f"{message.get('role')}#{index}", part) for part in parts)
        if index == 0:
            opening = len(blocks)
    if _marker(body) is not None and blocks and blocks[-1].ttl is None:
        blocks[-1].ttl = _marker(body)  # automatic caching: the last block is the breakpoint
    return blocks, opening


def count_breakpoints(body: dict[str, Any]) -> int:
    """The ``cache_control`` breakpoints of a Messages request (checked whether caching is on or not)."""
    blocks, _ = anthropic_blocks(body)
    return sum(1 for b in blocks if b.ttl is not None)


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


@dataclass
class _Conversation:
    entries: dict[str, float] = field(default_factory=dict)  # prefix digest -> expiry
    lifetimes: dict[str, float] = field(default_factory=dict)  # prefix digest -> its ttl
    prompts: list[tuple[str, float]] = field(default_factory=list)  # (prompt text, expiry)


class PromptCache:
    """The fake server's prompt cache, one per server; thread-safe."""

    def __init__(self, config: FakeCaching, clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self._clock = clock
        self._lock = threading.Lock()
        self._conversations: dict[str, _Conversation] = {}
        self._responses: dict[str, tuple[str, str]] = {}  # Responses id -> (conversation, its context)

    def _conversation(self, *parts: str) -> tuple[str, _Conversation]:
        key = hashlib.sha256("\x00".join(parts).encode()).hexdigest()
        return key, self._conversations.setdefault(key, _Conversation())

    # --- Anthropic: explicit breakpoints --------------------------------------------------------

    def anthropic(self, body: dict[str, Any], model: str) -> CacheOutcome:
        """Read, write and uncached tokens of a Messages request; raises TooManyBreakpointsError."""
        blocks, opening = anthropic_blocks(body)
        marks = [i for i, b in enumerate(blocks) if b.ttl is not None]
        if len(marks) > MAX_BREAKPOINTS:
            raise TooManyBreakpointsError(
                f"A maximum of {MAX_BREAKPOINTS} blocks with cache_control may be provided. Found {len(marks)}."
            )
        positions: list[int] = []
        digests: list[str] = []
        running, total = hashlib.sha256(model.encode()), 0
        for block in blocks:
            running.update(block.text.encode() + b"\x00")
            total += block.tokens
            positions.append(total)
            digests.append(running.hexdigest())
        if not blocks:
            return CacheOutcome(prompt=0)
        cfg = self.config
        with self._lock:
            _, conv = self._conversation("anthropic", digests[max(0, opening - 1)])
            now = self._clock()
            read, hit = 0, None
            for mark in marks:
                for j in range(mark, max(-1, mark - cfg.anthropic_lookback_blocks), -1):
                    if conv.entries.get(digests[j], 0.0) > now:
                        if positions[j] > read:
                            read, hit = positions[j], digests[j]
                        break
            if hit is not None:
                conv.entries[hit] = now + conv.lifetimes[hit]
            write = write_1h = 0
            start = read
            for mark in marks:
                if positions[mark] <= start or positions[mark] < cfg.anthropic_min_tokens:
                    continue
                lifetime = cfg.ttl_1h_s if blocks[mark].ttl == "1h" else cfg.ttl_s
                segment, start = positions[mark] - start, positions[mark]
                write += segment
                write_1h += segment if blocks[mark].ttl == "1h" else 0
                conv.entries[digests[mark]] = now + lifetime
                conv.lifetimes[digests[mark]] = lifetime
        return CacheOutcome(prompt=total, read=read, write=write, write_1h=write_1h)

    # --- OpenAI and Gemini: automatic prefix caching ----------------------------------------------

    def openai_chat(self, body: dict[str, Any], model: str) -> CacheOutcome:
        """Cached tokens of a Chat Completions request (automatic prefix caching)."""
        messages = [m for m in _listed(body.get("messages")) if isinstance(m, dict)]
        first_user = next((i for i, m in enumerate(messages) if m.get("role") == "user"), len(messages) - 1)
        head = f"tools:{canonical(body.get('tools') or [])}\n"
        parts = [canonical(m) + "\n" for m in messages]
        opening = head + "".join(parts[: first_user + 1])
        text = head + "".join(parts)
        return self._automatic("openai-chat", model, opening, text, self._openai_steps())

    def responses(self, body: dict[str, Any], model: str, response_id: str, reply: FakeReply) -> CacheOutcome:
        """Cached tokens of a Responses request; a ``previous_response_id`` continues that context.
        ``response_id`` and ``reply`` are this request's answer, remembered for its continuations."""
        raw = body.get("input")
        items = [{"role": "user", "content": raw}] if isinstance(raw, str) else _listed(raw)
        head = f"tools:{canonical(body.get('tools') or [])}\ninstructions:{canonical(body.get('instructions'))}\n"
        parts = [canonical(item) + "\n" for item in items]
        with self._lock:
            earlier = self._responses.get(str(body.get("previous_response_id")))
        if earlier is not None:
            key, context = earlier
            text = context + "".join(parts)
            outcome = self._automatic_in(key, text, self._openai_steps())
        else:
            first_user = next(
                (i for i, it in enumerate(items) if isinstance(it, dict) and it.get("role") == "user"),
                len(items) - 1,
            )
            text = head + "".join(parts)
            with self._lock:
                key, _ = self._conversation(
                    "openai-responses", model, head + "".join(parts[: first_user + 1])
                )
            outcome = self._automatic_in(key, text, self._openai_steps())
        answer = canonical(reply.model_dump(exclude={"usage", "cost", "by_wire"}, exclude_none=True))
        with self._lock:
            self._responses[response_id] = (key, f"{text}assistant:{answer}\n")
        return outcome

    def gemini(self, body: dict[str, Any], model: str) -> CacheOutcome:
        """Cached tokens of a generateContent request (implicit caching)."""
        contents = [c for c in _listed(body.get("contents")) if isinstance(c, dict)]
        instruction = body.get("systemInstruction") or body.get("system_instruction")
        head = f"tools:{canonical(body.get('tools') or [])}\nsystem:{canonical(instruction)}\n"
        parts = [canonical(c) + "\n" for c in contents]
        steps = (self.config.gemini_min_tokens, 1)
        return self._automatic("gemini", model, head + "".join(parts[:1]), head + "".join(parts), steps)

    def _openai_steps(self) -> tuple[int, int]:
        return self.config.openai_min_tokens, self.config.openai_increment

    def _automatic(
        self, wire: str, model: str, opening: str, text: str, steps: tuple[int, int]
    ) -> CacheOutcome:
        with self._lock:
            key, _ = self._conversation(wire, model, opening)
        return self._automatic_in(key, text, steps)

    def _automatic_in(self, key: str, text: str, steps: tuple[int, int]) -> CacheOutcome:
        minimum, increment = steps
        total = tokens(text)
        with self._lock:
            conv = self._conversations.setdefault(key, _Conversation())
            now = self._clock()
            live = [(p, expiry) for p, expiry in conv.prompts if expiry > now]
            best, best_index = 0, -1
            for index, (earlier, _) in enumerate(live):
                common = common_prefix(text, earlier)
                if common > best:
                    best, best_index = common, index
            matched = best // CHARS_PER_TOKEN  # whole tokens only
            read = 0
            if total >= minimum and matched >= minimum:
                read = minimum + (matched - minimum) // increment * increment
                live[best_index] = (live[best_index][0], now + self.config.ttl_s)
            if total >= minimum:
                live.append((text, now + self.config.ttl_s))
            conv.prompts = live[-_PROMPTS_KEPT:]
        return CacheOutcome(prompt=total, read=read)


def common_prefix(a: str, b: str) -> int:
    """How many leading characters ``a`` and ``b`` share.

    Hand-written: ``os.path.commonprefix`` compares character by character in Python, too slow for
    prompts of hundreds of kilobytes; this compares whole chunks, then halves the first that differs.
    """
    limit = min(len(a), len(b))
    start = 0
    while start < limit and a[start : start + _CHUNK] == b[start : start + _CHUNK]:
        start += _CHUNK
    if start >= limit:
        return limit
    lo, hi = start, min(limit, start + _CHUNK)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[start:mid] == b[start:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo
