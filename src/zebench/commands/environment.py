"""The allow-listed environment commands run with. API keys never reach a scenario or agent command."""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Mapping

# An allow-list, not a deny-list: a new secret variable name can never leak by accident.
SAFE_ENV_KEYS = (
    "PATH",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TERM",
    "TZ",
    "TMPDIR",
    "SHELL",
    "USER",
    "LOGNAME",
    "PYENV_VERSION",
    "PYENV_ROOT",
    "VIRTUAL_ENV",
    "NODE_PATH",
)

# Variable names that hold credentials. Used twice: a scenario's ``env:`` may not smuggle one into a
# command (see ``strip_secret_names``), and the values of such variables in the harness's own
# environment are scrubbed from everything stored (``zebench.sandbox.secrets``).
SECRET_NAME_PATTERN = re.compile(
    r"(?i)(?:^|_)(?:API_?KEY|TOKEN|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)$"
    r"|SECRET|PASSWORD|PASSWD"
    r"|^(?:ANTHROPIC|OPENAI|OPENROUTER|ZE_BENCHMARKS|AWS|GITHUB|GH|HF|HUGGING_?FACE)_.*(?:KEY|TOKEN|AUTH)"
)


def looks_like_secret_name(name: str) -> bool:
    """Whether an environment variable called ``name`` probably holds a credential."""
    return bool(SECRET_NAME_PATTERN.search(name))


def safe_environment(
    extra: Mapping[str, str] | None = None,
    *,
    home: str | None = None,
    base: Mapping[str, str] | None = None,
    strip_secret_names: bool = False,
    allow_names: Collection[str] = (),
) -> dict[str, str]:
    """Build a scrubbed environment: the allow-list from ``base`` (default ``os.environ``) plus ``extra``.

    ``home`` sets HOME so tools that write caches (npm, pip) do not touch the user's home folder.
    With ``strip_secret_names`` (what command runners use for a scenario's ``env:``), entries of
    ``extra`` whose name looks like a credential (``*_API_KEY``, ``*_TOKEN``, ``*SECRET*``, ...)
    are dropped unless listed in ``allow_names``: a scenario file cannot route a key into the
    agent's commands by naming it, and the harness code must opt in explicitly.
    """
    source = os.environ if base is None else base
    env = {key: source[key] for key in SAFE_ENV_KEYS if key in source}
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    env.setdefault("LANG", "C.UTF-8")
    env["HOME"] = home or source.get("HOME", "/tmp")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["NO_COLOR"] = "1"
    env["CI"] = "1"  # test runners skip interactive/watch modes
    if extra:
        allowed = set(allow_names)
        for key, value in extra.items():
            name = str(key)
            if strip_secret_names and name not in allowed and looks_like_secret_name(name):
                continue
            env[name] = str(value)
    return env
