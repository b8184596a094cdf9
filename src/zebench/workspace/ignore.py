"""Which untracked files a snapshot leaves out: the fixture's own ``.gitignore`` rules, frozen.

The rules come from the pristine fixture, read once when its baseline is built, never from the
workspace after the agent ran: an agent's ``.gitignore`` cannot hide its new files from the diff,
and the harness reads no ignore file the agent wrote. Folders in :data:`EXCLUDED_DIRS` (installs,
builds, caches) are left out at any depth.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from zebench.workspace.copy import EXCLUDED_DIRS

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec


def skipped_name(name: str) -> bool:
    """Names never snapshotted: git's own folder (any case) and dependency, build and cache folders."""
    return name.lower() == ".git" or name in EXCLUDED_DIRS


@dataclass
class IgnoreRules:
    """``.gitignore`` lines per folder (``""`` is the root), with git's precedence: deeper wins."""

    lines: dict[str, list[str]] = field(default_factory=dict)

    def add(self, folder: str, text: str) -> None:
        """Record the ``.gitignore`` of ``folder`` (relative, no trailing slash)."""
        kept = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
        if kept:
            self.lines[folder] = kept
            self.__dict__.pop("_specs", None)

    @cached_property
    def _specs(self) -> dict[str, GitIgnoreSpec]:
        from pathspec import GitIgnoreSpec  # only runs that have .gitignore files pay for the import

        return {folder: GitIgnoreSpec.from_lines(lines) for folder, lines in self.lines.items()}

    def ignored(self, rel: str, *, is_dir: bool) -> bool:
        """Whether git would ignore the untracked ``rel`` under these rules."""
        if not self.lines:
            return False
        parts = rel.split("/")
        # Deepest folder first: its .gitignore overrides its parents'.
        for depth in range(len(parts) - 1, -1, -1):
            folder = "/".join(parts[:depth])
            spec = self._specs.get(folder)
            if spec is None:
                continue
            tail = "/".join(parts[depth:]) + ("/" if is_dir else "")
            verdict = spec.check_file(tail).include
            if verdict is not None:
                return verdict
        return False

    def to_json(self) -> str:
        return json.dumps(self.lines, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> IgnoreRules:
        data = json.loads(text)
        return cls({str(k): [str(line) for line in v] for k, v in data.items()})
