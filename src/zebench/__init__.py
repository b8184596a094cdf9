"""zebench: benchmark AI coding agents on real repositories and turn the results into evidence.

The package is a library first; the ``zebench`` CLI and the results server are thin shells over it.
Data flows one way: scenario → workspace → agent → validation → evaluators → score → store.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("zebench")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
