"""Record every LLM exchange of a run, and replay a recording with no network.

A recording is a directory of ``0001.json``, ``0002.json``... (one provider-neutral request and
response per call) plus ``meta.json``. Every file is redacted before it is written. Recording is a
client wrapper, so it works the same for every provider.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from zebench.errors import AgentConfigError
from zebench.llm.redact import redact
from zebench.llm.types import LLMClient, LLMRequest, LLMResponse, Provider, ToolUseBlock
from zebench.results.models import utcnow

FORMAT_VERSION = 1
META_FILE = "meta.json"


class RecordingError(AgentConfigError):
    """A recording directory is missing, empty or corrupt."""


class ReplayDivergedError(Exception):
    """The replayed run asked for something the recording does not contain."""


class RecordedExchange(BaseModel):
    """One file of a recording."""

    model_config = ConfigDict(extra="ignore")

    index: int
    provider: Provider
    request: LLMRequest
    response: LLMResponse


class RecordingMeta(BaseModel):
    model_config = ConfigDict(extra="ignore")

    format_version: int = FORMAT_VERSION
    provider: Provider
    model: str
    agent: str | None = None
    run_id: str | None = None
    calls: int = 0
    created_at: str = Field(default_factory=lambda: utcnow().isoformat())


class Recorder:
    """Writes one run's exchanges into ``directory``, scrubbing ``secrets`` and key-like strings."""

    def __init__(self, directory: Path, *, secrets: Iterable[str | None] = (), meta: RecordingMeta) -> None:
        self.directory = directory
        self._secrets = [s for s in secrets if s]
        self._meta = meta
        self._count = 0
        self._lock = threading.Lock()
        directory.mkdir(parents=True, exist_ok=True)
        self._write(META_FILE, meta.model_dump(mode="json"))

    def _write(self, name: str, data: dict[str, Any]) -> None:
        text = redact(json.dumps(data, indent=2, ensure_ascii=False), self._secrets)
        tmp = self.directory / f".{name}.tmp"
        tmp.write_text(text + "\n", encoding="utf-8")
        tmp.replace(self.directory / name)  # never leave a half-written file for replay to choke on

    def record(self, provider: Provider, request: LLMRequest, response: LLMResponse) -> Path:
        """Store one exchange and bump the call count in meta.json."""
        with self._lock:
            self._count += 1
            name = f"{self._count:04d}.json"
            exchange = RecordedExchange(
                index=self._count, provider=provider, request=request, response=response
            )
            self._write(name, exchange.model_dump(mode="json"))
            self._meta = self._meta.model_copy(update={"calls": self._count})
            self._write(META_FILE, self._meta.model_dump(mode="json"))
            return self.directory / name


class RecordingClient:
    """An :class:`LLMClient` wrapper that records each successful exchange."""

    def __init__(self, inner: LLMClient, recorder: Recorder) -> None:
        self.inner = inner
        self.recorder = recorder
        self.provider: Provider = inner.provider

    def complete(self, request: LLMRequest) -> LLMResponse:
        response = self.inner.complete(request)
        self.recorder.record(self.provider, request, response)
        return response


def resolve_recording_dir(path: Path) -> Path:
    """The recording in ``path``: the directory itself, or its only sub-directory holding a recording.

    ``--record DIR`` writes each run into ``DIR/<run_id>/`` so parallel runs never collide.
    """
    if not path.is_dir():
        raise RecordingError(
            "recording directory does not exist", file=path, hint="pass the --record directory"
        )
    if (path / META_FILE).is_file():
        return path
    runs = sorted(p for p in path.iterdir() if (p / META_FILE).is_file())
    if len(runs) == 1:
        return runs[0]
    if not runs:
        raise RecordingError(f"no {META_FILE} found: not a zebench recording", file=path)
    names = ", ".join(p.name for p in runs[:5])
    raise RecordingError(
        f"{len(runs)} recordings found ({names}...)", file=path, hint="point at one run's directory"
    )


class Recording:
    """A loaded, validated recording."""

    def __init__(self, directory: Path, meta: RecordingMeta, exchanges: list[RecordedExchange]) -> None:
        self.directory = directory
        self.meta = meta
        self.exchanges = exchanges

    @classmethod
    def load(cls, path: Path) -> Recording:
        """Read and validate every file; a gap, a bad file or a count mismatch is a RecordingError."""
        directory = resolve_recording_dir(path)
        meta = RecordingMeta.model_validate(_read_json(directory / META_FILE))
        files = sorted(p for p in directory.glob("[0-9][0-9][0-9][0-9].json"))
        exchanges: list[RecordedExchange] = []
        for expected, file in enumerate(files, start=1):
            if file.stem != f"{expected:04d}":
                raise RecordingError(f"call {expected:04d}.json is missing", file=directory)
            try:
                exchanges.append(RecordedExchange.model_validate(_read_json(file)))
            except ValidationError as exc:
                raise RecordingError(f"corrupt exchange: {exc.errors()[0]['msg']}", file=file) from exc
        if not exchanges:
            raise RecordingError("the recording holds no LLM calls", file=directory)
        if meta.calls != len(exchanges):
            raise RecordingError(
                f"meta.json says {meta.calls} calls but {len(exchanges)} files are present", file=directory
            )
        return cls(directory, meta, exchanges)


def _read_json(file: Path) -> dict[str, Any]:
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RecordingError("file is missing", file=file) from exc
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RecordingError(f"not valid JSON: {exc}", file=file) from exc
    if not isinstance(data, dict):
        raise RecordingError("expected a JSON object", file=file)
    return data


class ReplayClient:
    """Serves a recording's responses in order, checking that the run asks the same things."""

    def __init__(self, recording: Recording) -> None:
        self.recording = recording
        self.provider: Provider = recording.meta.provider
        self._next = 0
        self._lock = threading.Lock()

    @property
    def calls_served(self) -> int:
        return self._next

    def complete(self, request: LLMRequest) -> LLMResponse:
        with self._lock:
            index = self._next
            self._next += 1
        exchanges = self.recording.exchanges
        if index >= len(exchanges):
            raise ReplayDivergedError(
                f"the run made LLM call {index + 1} but the recording has only {len(exchanges)}"
            )
        recorded = exchanges[index]
        _check_same(index + 1, recorded.request, request)
        # Replaying costs nothing: the recorded tokens are kept for comparison, the spend is zero.
        return recorded.response.model_copy(
            update={"cost_usd": 0.0, "cost_kind": "measured", "duration_ms": 0}
        )


def _tool_uses(request: LLMRequest) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for message in request.messages:
        if isinstance(message.content, list):
            found.extend((b.id, b.name) for b in message.content if isinstance(b, ToolUseBlock))
    return found


def _check_same(call: int, recorded: LLMRequest, actual: LLMRequest) -> None:
    recorded_tools = sorted(t.name for t in recorded.tools)
    actual_tools = sorted(t.name for t in actual.tools)
    if recorded_tools != actual_tools:
        raise ReplayDivergedError(
            f"call {call}: the recording offered tools {recorded_tools} but this run offers {actual_tools}"
        )
    if len(recorded.messages) != len(actual.messages):
        raise ReplayDivergedError(
            f"call {call}: the recording sent {len(recorded.messages)} messages, this run {len(actual.messages)}"
        )
    recorded_calls = [name for _, name in _tool_uses(recorded)]
    actual_calls = [name for _, name in _tool_uses(actual)]
    if recorded_calls != actual_calls:
        raise ReplayDivergedError(
            f"call {call}: tool calls differ: recorded {recorded_calls}, this run {actual_calls}"
        )
