"""Helpers for the mint tests: the original's templates and a minimal valid template."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from compat_paths import COMPAT_TEMPLATES

ORIGINAL_TEMPLATES = COMPAT_TEMPLATES
LOADABLE = [
    "figma-mcp-specialist-template.jsonc",
    "mcp-demo-specialist-template.jsonc",
    "mcp-test-specialist-template.jsonc",
    "nextjs-specialist-template.jsonc",
    "shadcn-specialist-template.jsonc",
]


def minimal_template(**overrides: Any) -> dict[str, Any]:
    """The smallest template the schema accepts, plus ``overrides``."""
    data: dict[str, Any] = {
        "schema_version": "0.0.1",
        "name": "demo-specialist",
        "version": "1.0.0",
        "persona": {
            "purpose": "Helps with demos",
            "values": ["clarity"],
            "attributes": ["careful"],
            "tech_stack": ["TypeScript", "React"],
        },
        "capabilities": {"tags": ["demo", "react-ui"], "descriptions": {"demo": "demos"}},
        "preferred_models": [{"model": "claude-sonnet-4.5"}],
        "prompts": {"default": {"spawnerPrompt": "I am {{name}} v{{version}}, expert in {{tech_stack}}."}},
    }
    data.update(overrides)
    return data


def write_json(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path
