"""Where the original ze-benchmarks inputs live: ``shared/compat`` beside the repository clone."""

from __future__ import annotations

import os
from pathlib import Path

# CI clones the repository into a fresh folder with shared/ beside it, so resolve from here.
SHARED = Path(os.environ.get("ZEBENCH_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
COMPAT = SHARED / "compat" / "ze-benchmarks"
COMPAT_SUITES = COMPAT / "suites"
COMPAT_TEMPLATES = COMPAT / "templates"
