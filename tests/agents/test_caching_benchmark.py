"""``benchmarks/caching.py``'s ``measure_caching()``, the figures ``benchmarks/summary.py`` reads:
a short run of the same script, its shape and its verdicts (its cost ratios, not its timing)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "caching.py"


def load(monkeypatch: Any) -> Any:
    spec = importlib.util.spec_from_file_location("caching_benchmark", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_measure_caching_reports_the_saving_and_the_same_result(monkeypatch: Any, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    result = load(monkeypatch).measure_caching(turns=12, step=100, budget=5000)
    labels = [r["label"] for r in result["runs"]]
    assert labels == [
        "no prompt cache",
        "prompt cache",
        "prompt cache + budget 5000",
        "openai, automatic cache",
    ]
    plain, cached, trimmed, openai = result["runs"]
    assert result["same_result"] and result["all_turns"] and all(r["successful"] for r in result["runs"])
    assert plain["prompt_tokens"] == cached["prompt_tokens"] == plain["plain_input"]  # same prompts
    assert plain["cache_read"] == plain["cache_write"] == 0 and cached["cache_read"] > 0
    assert trimmed["trims"] > 0 and trimmed["prompt_tokens"] < cached["prompt_tokens"]
    assert openai["cache_read"] > 0 and openai["cache_write"] == 0
    # The uncached figure the gateway stores for the cached run is what the uncached run paid.
    assert abs(cached["cost_without_cache_usd"] - plain["cost_usd"]) < 1e-6
    assert result["input_ratio"] == round(plain["input_equivalent"] / cached["input_equivalent"], 2) > 2
    assert result["met"] == (min(result["input_ratio"], result["usd_ratio"]) >= result["goal"] == 3.0)
