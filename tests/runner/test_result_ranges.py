"""The local pipeline never stores a number the results API would refuse: a plug-in evaluator's
score outside 0..1 (or NaN) is that evaluator's error, and the run is stored with the rest."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from zebench.evaluators import base
from zebench.evaluators.base import EvaluationContext, register_evaluator
from zebench.results.models import EvaluationResult
from zebench.runner.pipeline import RunSpec, run_one
from zebench.scenarios.loader import load_scenario_dir
from zebench.store import open_store

RETURNS = {
    "too_high": {"score": 1.5},
    "not_a_number": {"score": math.nan},
    "zero_max": {"score": 0.0, "max_score": 0.0},
    "fine": {"score": 0.5},
}


@pytest.fixture
def plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "_REGISTRY", dict(base._REGISTRY))  # the plug-ins leave no trace
    for name, fields in RETURNS.items():

        class Plugin:
            def __init__(self, name: str = name, fields: dict[str, float] = fields) -> None:
                self.name, self.fields = name, fields

            def evaluate(self, ctx: EvaluationContext) -> EvaluationResult:
                return EvaluationResult(name=self.name, passed=True, **self.fields)

        register_evaluator(name)(Plugin)


def test_a_plugins_out_of_range_score_is_its_error_not_stored(tmp_path: Path, plugins: None) -> None:
    directory = tmp_path / "suite" / "scenarios" / "calc"
    for rel, text in {
        "repo-fixture/calc.py": "def double(x):\n    return x + 2\n",
        "solution/calc.py": "def double(x):\n    return x * 2\n",
        "prompts/L1-basic.md": "double() is wrong.\n",
    }.items():
        (directory / rel).parent.mkdir(parents=True, exist_ok=True)
        (directory / rel).write_text(text)
    evaluators = ", ".join(f"{{name: {name}, weight: 1}}" for name in RETURNS)
    (directory / "scenario.yaml").write_text(
        "name: calc\nvalidation_commands: [{name: build, kind: build, command: 'python3 -c \"import calc\"'}]\n"
        f"evaluators: [{{name: build, weight: 1}}, {evaluators}]\n"
    )
    scenario = load_scenario_dir(directory, "suite")
    spec = RunSpec(scenario=scenario, tier="L1", agent="oracle", batch_id="b", workspace_root=tmp_path / "ws")
    with open_store(f"sqlite:///{tmp_path / 'z.db'}") as store:
        record = run_one(spec, store)
        stored = {e.name: e for e in store.get_run(record.run_id).evaluations}
    for name, problem in (
        ("too_high", "score 1.5 is outside 0..1"),
        ("not_a_number", "score nan is outside 0..1"),
        ("zero_max", "max_score 0.0 is outside (0, 1]"),
    ):
        assert stored[name].status == "error" and stored[name].score is None
        assert stored[name].summary == f"evaluator returned an invalid result: {problem}"
        assert stored[name].weight == 1.0  # the scenario's weight still applies
    assert (stored["fine"].status, stored["fine"].score) == ("scored", 0.5)
    assert record.total_score == pytest.approx((1.0 + 0.5) / 2)  # build and fine: the errors do not count
