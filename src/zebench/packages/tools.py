"""Running the registries' own clients (pip, npm) and turning their failures into one line."""

from __future__ import annotations

import subprocess


def run_tool(argv: list[str], timeout_s: float) -> str | None:
    """Run ``argv``; None when it succeeded, else the one line of its output that says why."""
    try:
        proc = subprocess.run(
            argv, capture_output=True, text=True, timeout=timeout_s, stdin=subprocess.DEVNULL, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    if proc.returncode == 0:
        return None
    return failure_line(proc.stderr + "\n" + proc.stdout) or f"exit code {proc.returncode}"


def failure_line(output: str) -> str:
    """The last line pip or npm marks as an error (``ERROR:``, ``npm ERR!``), else the last line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    marked = [line for line in lines if "ERROR" in line or "ERR!" in line]
    return (marked or lines or [""])[-1]
