"""The pinned version of every coding-agent CLI zebench installs: the one file to edit to move a pin.

Each pin was installed from its registry alone (npm with ``--ignore-scripts``, pip into a venv of its
own) and driven to PASS on ``examples fix-failing-tests`` inside the sandbox against the fake LLM.
npm packages that fetch or link a native binary in a postinstall script are run from their platform
package instead (``binaries`` lists the candidates, first found wins), so no script runs and nothing
is downloaded outside the registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Registry = Literal["npm", "pypi"]
WireApi = Literal["anthropic-messages", "openai-chat", "openai-responses", "gemini"]


@dataclass(frozen=True)
class AgentPin:
    """One CLI at one version: where it comes from and which file of the installation to run."""

    name: str  # the zebench agent name
    registry: Registry
    package: str
    version: str
    binaries: tuple[str, ...]  # candidate executables, relative to the installation folder
    env_var: str  # names a user's own binary instead (also --agent-bin)
    wire_api: WireApi

    @property
    def requirement(self) -> str:
        """``pkg@version`` (npm) or ``pkg==version`` (pip)."""
        return (
            f"{self.package}@{self.version}" if self.registry == "npm" else f"{self.package}=={self.version}"
        )


_NPM_BIN = "node_modules/.bin/"


def _npm(
    name: str, package: str, version: str, binaries: tuple[str, ...], env: str, wire: WireApi
) -> AgentPin:
    return AgentPin(name, "npm", package, version, binaries, env, wire)


def _pip(name: str, package: str, version: str, binary: str, env: str) -> AgentPin:
    # litellm underneath: both speak OpenAI Chat Completions.
    return AgentPin(name, "pypi", package, version, (f"bin/{binary}",), env, "openai-chat")


def _platform(folder: str, executable: str, platforms: tuple[str, ...]) -> tuple[str, ...]:
    """The platform packages' executables, for packages whose own bin is linked by postinstall."""
    return tuple(f"node_modules/{folder}-{platform}/{executable}" for platform in platforms)


PINS: dict[str, AgentPin] = {
    pin.name: pin
    for pin in (
        _npm(
            "claude-code",
            "@anthropic-ai/claude-code",
            "2.1.332",
            _platform(
                "@anthropic-ai/claude-code",
                "claude",
                ("linux-x64", "linux-arm64", "linux-x64-musl", "linux-arm64-musl"),
            ),
            "ZEBENCH_CLAUDE_BIN",
            "anthropic-messages",
        ),
        _npm(
            "codex",
            "@openai/codex",
            "0.171.0",
            (_NPM_BIN + "codex",),
            "ZEBENCH_CODEX_BIN",
            "openai-responses",
        ),
        _npm(
            "gemini-cli",
            "@google/gemini-cli",
            "0.61.0",
            (_NPM_BIN + "gemini",),
            "ZEBENCH_GEMINI_BIN",
            "gemini",
        ),
        _npm(
            "qwen-code",
            "@qwen-code/qwen-code",
            "0.24.4",
            (_NPM_BIN + "qwen",),
            "ZEBENCH_QWEN_BIN",
            "openai-chat",
        ),
        _npm(
            "opencode",
            "opencode-ai",
            "1.18.33",
            _platform(
                "opencode",
                "bin/opencode",
                ("linux-x64", "linux-x64-baseline", "linux-arm64", "linux-x64-musl", "linux-arm64-musl"),
            ),
            "ZEBENCH_OPENCODE_BIN",
            "openai-chat",
        ),
        _pip("aider", "aider-chat", "0.86.2", "aider", "ZEBENCH_AIDER_BIN"),
        _pip("mini-swe-agent", "mini-swe-agent", "2.4.6", "mini", "ZEBENCH_MINI_SWE_AGENT_BIN"),
    )
}
