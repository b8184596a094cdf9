"""The allow-listed environment commands run with. API keys never reach a scenario or agent command."""

from __future__ import annotations

import os
from collections.abc import Mapping

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


def safe_environment(
    extra: Mapping[str, str] | None = None,
    *,
    home: str | None = None,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Build a scrubbed environment: the allow-list from ``base`` (default ``os.environ``) plus ``extra``.

    ``home`` sets HOME so tools that write caches (npm, pip) do not touch the user's home folder.
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
        env.update({str(k): str(v) for k, v in extra.items()})
    return env
