"""``bench`` hands its parameters to ``BenchFlags(**locals())``: the two must name the same things."""

from __future__ import annotations

import dataclasses
import inspect
from pathlib import Path

from zebench.cli.bench import bench
from zebench.cli.bench_options import BenchFlags
from zebench.errors import ZebenchError


def test_bench_flags_has_one_field_per_bench_parameter() -> None:
    # mypy cannot see through **locals(): a new option on one side only fails here, not at a run
    parameters = list(inspect.signature(bench).parameters)
    fields = [f.name for f in dataclasses.fields(BenchFlags)]
    assert sorted(parameters) == sorted(fields)
    assert len(parameters) == len(set(parameters)) > 40


def test_bench_flags_carry_the_options_as_parsed(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from zebench.cli.app import app

    # --executor is checked only after BenchFlags was built (Typer does not know its values):
    # the refusal proves the value reached the plan under its own name.
    args = ["bench", "examples", "fix-failing-tests", "--agent", "echo", "--executor", "nope"]
    result = CliRunner().invoke(app, [*args, "--db", f"sqlite:///{tmp_path}/x.db"])
    # CliRunner calls the app itself: the error main() would print in one line arrives raised
    assert isinstance(result.exception, ZebenchError), result.output
    assert result.exception.one_line() == "--executor: unknown executor 'nope' (use local or dask)"
