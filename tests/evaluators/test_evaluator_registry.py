"""The evaluator registry: built-ins and plug-ins are listed by name and imported on first use."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from zebench.errors import ScenarioError
from zebench.evaluators import base, evaluator_names, get_evaluator
from zebench.evaluators.base import BUILTIN_EVALUATORS, unknown_evaluators

PLUGIN_MODULE = """
from zebench.results.models import EvaluationResult


class AlwaysOne:
    name = "always_one"

    def evaluate(self, ctx):
        return EvaluationResult(name=self.name, score=1.0, passed=True, summary="always")
"""

ENTRY_POINTS = """[zebench.evaluators]
always_one = zebench_test_eval_plugin:AlwaysOne
test = zebench_test_eval_plugin:AlwaysOne
"""


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Install a real distribution with an evaluator entry point by putting its .dist-info on sys.path."""
    (tmp_path / "zebench_test_eval_plugin.py").write_text(PLUGIN_MODULE)
    info = tmp_path / "zebench_test_eval_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: zebench-test-eval-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(ENTRY_POINTS)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(base, "_REGISTRY", dict(base._REGISTRY))  # the plug-in leaves no trace
    yield
    sys.modules.pop("zebench_test_eval_plugin", None)


@pytest.mark.parametrize("name", sorted(BUILTIN_EVALUATORS))
def test_every_builtin_is_listed_and_its_module_registers_it(name: str) -> None:
    assert name in evaluator_names()
    evaluator = get_evaluator(name)
    assert evaluator.name == name
    assert type(evaluator).__module__ == BUILTIN_EVALUATORS[name]


def test_builtins_are_listed_without_importing_them_and_imported_one_by_one() -> None:
    # A fresh interpreter: which modules are imported is the point.
    code = """
import json, sys
from zebench.evaluators import evaluator_names, get_evaluator

def loaded():
    return sorted(m for m in sys.modules if m.startswith("zebench.evaluators.builtin."))

names = evaluator_names()
listed = loaded()
get_evaluator("test")
print(json.dumps({"names": names, "listed": listed, "used": loaded(), "all": sorted(sys.modules)}))
"""
    out = json.loads(
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    )
    assert set(BUILTIN_EVALUATORS) <= set(out["names"])
    assert out["listed"] == []
    assert "zebench.evaluators.builtin.tests" in out["used"]
    assert not {"zebench.evaluators.builtin.llm_judge", "zebench.evaluators.builtin.heuristics"} & set(
        out["used"]
    )
    assert not {"jsonpath_ng", "zebench.llm.client"} & set(out["all"])


def test_unknown_names_are_reported_in_order() -> None:
    assert unknown_evaluators(["test", "nope", "integrity", "nada"]) == ["nope", "nada"]
    with pytest.raises(ScenarioError) as info:
        get_evaluator("nope")
    assert "unknown evaluator 'nope'" in info.value.message
    assert info.value.hint is not None and "integrity" in info.value.hint


@pytest.mark.usefixtures("plugin")
def test_plugins_are_listed_without_loading_and_loaded_on_use() -> None:
    assert "always_one" in evaluator_names()
    assert unknown_evaluators(["always_one"]) == []
    assert "zebench_test_eval_plugin" not in sys.modules
    evaluator = get_evaluator("always_one")
    assert type(evaluator).__name__ == "AlwaysOne" and evaluator.name == "always_one"
    # A built-in name wins over a plug-in of the same name.
    assert type(get_evaluator("test")).__module__ == BUILTIN_EVALUATORS["test"]
