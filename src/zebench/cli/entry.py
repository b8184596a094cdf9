"""The process entry point of the ``zebench`` command (``python -m zebench`` and the script).

The CLI, and the module of the one command being run, are imported with the cyclic garbage
collector paused and what they built frozen (``zebench._gc.collector_paused``): ~50 ms of a ~0.5 s
start is the collector scanning long-lived objects as imports pile them up.
"""

from __future__ import annotations

import sys

from zebench._gc import collector_paused


def main() -> None:
    """Import the CLI with the garbage collector paused, then run the command."""
    with collector_paused():
        from zebench.cli.app import application_for
        from zebench.cli.app import main as run_command

        application = application_for(sys.argv)
    run_command(application)
