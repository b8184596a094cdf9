"""The process entry point of the ``zebench`` command (``python -m zebench`` and the script).

Importing the CLI builds a few hundred thousand long-lived objects (modules, classes, pydantic
validators, SQLAlchemy constructs) and almost no garbage, yet the cyclic garbage collector would
scan them over and over as they pile up: ~50 ms of a ~0.5 s start. So the collector is paused
while the CLI is imported, and what the import built is then frozen (``gc.freeze``): moved out of
the collector's way for the rest of the process, so later collections stay cheap too.
"""

from __future__ import annotations

import gc


def main() -> None:
    """Import the CLI with the garbage collector paused, then run the command."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        from zebench.cli.app import main as run_command
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
    run_command()
