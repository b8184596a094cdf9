"""Record a run's model calls at the gateway, wire format and all, and serve them back offline.

Works for any agent, since it sits where every agent's calls pass. A recording is a folder:
``meta.json`` and one ``NNNN.json`` per call holding the request as sent upstream and the reply
as received (its body, or its server-sent events). Every file is redacted before it is written.
Replay serves the calls in order, per wire format; a run that asks for a different model or more
calls than were recorded gets an error in its wire's shape and the run fails as diverged.
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
from zebench.results.model_calls import Wire
from zebench.results.models import utcnow

FORMAT = "zebench-gateway"
META_FILE = "meta.json"
GATEWAY_SUBDIR = "gateway"  # beside the tool loop's own recording in --record DIR/<run_id>/


class GatewayRecordingError(AgentConfigError):
    """A gateway recording is missing, empty or corrupt."""


class RecordedCall(BaseModel):
    """One call of a recording."""

    model_config = ConfigDict(extra="ignore")

    index: int
    wire: Wire
    path: str
    model: str | None = None
    stream: bool = False
    request: Any = None
    status: int
    content_type: str = "application/json"
    body: str | None = None  # a complete reply
    events: list[str] | None = None  # a streamed reply, event by event


class RecordingMeta(BaseModel):
    model_config = ConfigDict(extra="ignore")

    format: str = FORMAT
    version: int = 1
    run_id: str | None = None
    agent: str | None = None
    calls: int = 0
    created_at: str = Field(default_factory=lambda: utcnow().isoformat())


class CallRecorder:
    """Writes each call into ``directory``; thread-safe, numbered in completion order."""

    def __init__(self, directory: Path, *, secrets: Iterable[str | None], meta: RecordingMeta) -> None:
        self.directory = directory
        self._secrets = [s for s in secrets if s]
        self._meta = meta
        self._count = 0
        self._lock = threading.Lock()
        directory.mkdir(parents=True, exist_ok=True)
        self._write(META_FILE, meta.model_dump(mode="json"))

    def _write(self, name: str, data: dict[str, Any]) -> None:
        text = redact(json.dumps(data, indent=1, ensure_ascii=False), self._secrets)
        tmp = self.directory / f".{name}.tmp"
        tmp.write_text(text + "\n", encoding="utf-8")
        tmp.replace(self.directory / name)  # never a half-written file for replay to choke on

    def record(self, call: RecordedCall) -> None:
        with self._lock:
            self._count += 1
            entry = call.model_copy(update={"index": self._count})
            self._write(f"{self._count:04d}.json", entry.model_dump(mode="json"))
            self._meta = self._meta.model_copy(update={"calls": self._count})
            self._write(META_FILE, self._meta.model_dump(mode="json"))


def find_recording(path: Path) -> Path:
    """The gateway recording in ``path``: the folder itself, its ``gateway/`` folder, or that of
    its only run folder (``--record DIR`` writes ``DIR/<run_id>/gateway/``)."""
    if not path.is_dir():
        raise GatewayRecordingError(
            "recording directory does not exist", file=path, hint="pass the --record DIR"
        )
    for candidate in (path, path / GATEWAY_SUBDIR):
        if _is_recording(candidate):
            return candidate
    runs = sorted(p / GATEWAY_SUBDIR for p in path.iterdir() if _is_recording(p / GATEWAY_SUBDIR))
    if len(runs) == 1:
        return runs[0]
    if not runs:
        raise GatewayRecordingError("no gateway recording found here", file=path, hint="pass a --record DIR")
    names = ", ".join(p.parent.name for p in runs[:5])
    raise GatewayRecordingError(
        f"{len(runs)} recordings found ({names}...)", file=path, hint="name one run's folder"
    )


def _is_recording(folder: Path) -> bool:
    meta = folder / META_FILE
    if not meta.is_file():
        return False
    try:
        return json.loads(meta.read_text(encoding="utf-8")).get("format") == FORMAT
    except (OSError, ValueError, AttributeError):
        return False


def load_calls(path: Path) -> list[RecordedCall]:
    """Every call of the recording at ``path``, validated."""
    folder = find_recording(path)
    files = sorted(folder.glob("[0-9][0-9][0-9][0-9].json"))
    calls: list[RecordedCall] = []
    for expected, file in enumerate(files, start=1):
        if file.stem != f"{expected:04d}":
            raise GatewayRecordingError(f"call {expected:04d}.json is missing", file=folder)
        try:
            calls.append(RecordedCall.model_validate_json(file.read_text(encoding="utf-8")))
        except (OSError, ValidationError, ValueError) as exc:
            raise GatewayRecordingError(f"corrupt recorded call: {exc}".splitlines()[0], file=file) from exc
    if not calls:
        raise GatewayRecordingError("the recording holds no model calls", file=folder)
    return calls


class ReplayBook:
    """Hands out recorded calls in order, one queue per wire format."""

    def __init__(self, calls: list[RecordedCall]) -> None:
        self._queues: dict[str, list[RecordedCall]] = {}
        for call in calls:
            self._queues.setdefault(call.wire, []).append(call)
        self._lock = threading.Lock()
        self.total = len(calls)

    def take(self, wire: Wire, model: str | None) -> tuple[RecordedCall | None, str | None]:
        """(the next recorded call of ``wire``, None) or (None, why the run diverged)."""
        with self._lock:
            queue = self._queues.get(wire) or []
            if not queue:
                return None, f"the run made one more {wire} call than the recording holds"
            call = queue[0]
            if call.model is not None and model is not None and call.model != model:
                return (
                    None,
                    f"call {call.index}: the recording asked for model {call.model!r}, this run for {model!r}",
                )
            queue.pop(0)
            return call, None

    def remaining(self) -> int:
        with self._lock:
            return sum(len(q) for q in self._queues.values())
