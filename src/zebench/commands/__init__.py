"""Running shell commands safely: scrubbed environment, output caps, process-group timeouts.

Every command zebench runs on behalf of a scenario or an agent (validation, heuristic checks, the
agent's ``run_command`` tool, warmup) goes through a :class:`CommandRunner`, so the isolation layer
(issue: bubblewrap sandbox) plugs in at one place.
"""

from zebench.commands.environment import SAFE_ENV_KEYS, looks_like_secret_name, safe_environment
from zebench.commands.runner import DEFAULT_OUTPUT_CAP, CommandRunner, LocalCommandRunner

__all__ = [
    "DEFAULT_OUTPUT_CAP",
    "SAFE_ENV_KEYS",
    "CommandRunner",
    "LocalCommandRunner",
    "looks_like_secret_name",
    "safe_environment",
]
