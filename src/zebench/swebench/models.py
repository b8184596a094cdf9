"""One SWE-bench instance, as a line of JSONL: the fields SWE-bench's harness reads, plus zebench's.

``FAIL_TO_PASS`` and ``PASS_TO_PASS`` are JSON-encoded lists inside strings, as in the SWE-bench
datasets. ``zebench`` (ignored by SWE-bench's tools) carries what a round trip needs and SWE-bench
has no field for: the validation command, the environment pins, a package fixture, the tier prompts.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ZebenchExtras(BaseModel):
    """zebench's own part of an exported instance."""

    model_config = ConfigDict(extra="ignore")

    suite: str | None = None
    scenario: str | None = None
    title: str | None = None
    source: str | None = None
    validation_commands: list[dict[str, Any]] = Field(default_factory=list)
    environment: dict[str, list[str]] = Field(default_factory=dict)
    env: dict[str, str] = Field(default_factory=dict)
    fixture: dict[str, str] | None = None  # a package fixture's pin: {pypi: N==V, sha256: …}
    setup_patch: str | None = None  # the package fixture's setup.patch, when it has one
    prompts: dict[str, str] = Field(default_factory=dict)  # tier -> text
    evaluators: list[dict[str, Any]] = Field(default_factory=list)  # name, weight, required, config


class SWEBenchInstance(BaseModel):
    """A SWE-bench task instance (``princeton-nlp/SWE-bench`` field names)."""

    model_config = ConfigDict(extra="ignore")

    instance_id: str
    repo: str
    base_commit: str
    patch: str
    test_patch: str
    problem_statement: str
    FAIL_TO_PASS: str = "[]"
    PASS_TO_PASS: str = "[]"
    hints_text: str = ""
    created_at: str = ""
    version: str = ""
    environment_setup_commit: str = ""
    zebench: ZebenchExtras | None = None

    @property
    def fail_to_pass(self) -> list[str]:
        return _decode_list(self.FAIL_TO_PASS)

    @property
    def pass_to_pass(self) -> list[str]:
        return _decode_list(self.PASS_TO_PASS)


def encode_list(items: list[str]) -> str:
    """A test list the way SWE-bench stores it: a JSON array inside a string."""
    return json.dumps(list(items))


def _decode_list(value: str) -> list[str]:
    decoded = json.loads(value) if value else []
    if not isinstance(decoded, list) or not all(isinstance(x, str) for x in decoded):
        raise ValueError("expected a JSON-encoded list of test ids")
    return decoded
