"""A Dask worker preload (``dask worker --preload zebench.runner.dask_preload``; ``zebench worker``
adds it): what a zebench run imports, imported once when the worker starts.

Without it, each worker process paid its imports on its first runs (the runner, the sandbox, the
store's SQLAlchemy, the model gateway's uvicorn and the LLM SDKs: ~1.5 s of CPU), inside the
first batch it took part in. On a batch of a few seconds that fixed cost was most of what kept
two workers from finishing twice as fast as one. The bubblewrap probe is run here too, so the
client's per-batch check of each worker finds it cached.
"""

from __future__ import annotations

import importlib
from typing import Any

# The modules a run can need; an optional one that is not installed is skipped.
MODULES = (
    "zebench.runner.dask_tasks",
    "zebench.runner.pipeline",
    "zebench.sandbox",
    "zebench.store.sql_store",
    "zebench.evaluators.builtin.tests",
    "zebench.evaluators.builtin.integrity",
    "zebench.agents.builtin",
    "zebench.agents.openai_compat",
    "zebench.agents.anthropic",
    "zebench.llm.openai_client",
    "zebench.llm.anthropic_client",
    "zebench.gateway.gateway",
)


def preload() -> list[str]:
    """Import every module of :data:`MODULES` that is installed; returns those that were not."""
    missing = []
    for name in MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    from zebench.sandbox import probe_bwrap

    probe_bwrap()
    return missing


def dask_setup(worker: Any) -> None:
    """Dask's preload hook: runs in the worker process before it joins the scheduler."""
    del worker
    preload()
