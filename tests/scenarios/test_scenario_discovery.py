"""Finding suites: explicit folder, $ZEBENCH_SUITES_DIR, ./suites and the bundled examples suite."""

from __future__ import annotations

from pathlib import Path

import pytest

from zebench.errors import ScenarioError
from zebench.scenarios import (
    bundled_suites_dir,
    discover_suites,
    discovery,
    load_scenario,
    load_suite,
    resolve_suites_dir,
)

BUNDLED_EXAMPLES = bundled_suites_dir() / "examples" / "scenarios"


@pytest.fixture
def two_suites(make_scenario, suites_dir: Path) -> Path:
    make_scenario("name: a\n", suite="alpha", name="one")
    make_scenario("name: b\n", suite="alpha", name="two")
    make_scenario("id: z\n", suite="beta", name="zed")
    (suites_dir / "alpha" / "scenarios" / "not-a-scenario").mkdir()  # no scenario.yaml: skipped
    (suites_dir / "no-scenarios-folder").mkdir()  # not a suite
    return suites_dir


def test_bundled_suites_dir_is_inside_the_package() -> None:
    import zebench

    assert bundled_suites_dir() == Path(zebench.__file__).parent / "suites"


def test_discovers_user_suites_plus_bundled_examples(two_suites: Path, monkeypatch, tmp_path) -> None:
    fake_bundled = tmp_path / "bundled"
    (fake_bundled / "examples" / "scenarios" / "ex").mkdir(parents=True)
    (fake_bundled / "examples" / "scenarios" / "ex" / "scenario.yaml").write_text("name: ex\n")
    (fake_bundled / "other" / "scenarios").mkdir(parents=True)  # only `examples` is exposed
    monkeypatch.setattr(discovery, "bundled_suites_dir", lambda: fake_bundled)

    suites = discover_suites(two_suites)
    assert [(s.name, s.scenario_ids, s.bundled) for s in suites] == [
        ("alpha", ["one", "two"], False),
        ("beta", ["zed"], False),
        ("examples", ["ex"], True),
    ]
    assert suites[0].directory == (two_suites / "alpha").resolve()


def test_user_suite_shadows_bundled_examples(make_scenario, suites_dir: Path, monkeypatch, tmp_path) -> None:
    fake_bundled = tmp_path / "bundled"
    (fake_bundled / "examples" / "scenarios").mkdir(parents=True)
    monkeypatch.setattr(discovery, "bundled_suites_dir", lambda: fake_bundled)
    make_scenario("name: mine\n", suite="examples", name="mine")
    [suite] = discover_suites(suites_dir)
    assert suite.name == "examples" and suite.bundled is False and suite.scenario_ids == ["mine"]


@pytest.mark.skipif(not BUNDLED_EXAMPLES.is_dir(), reason="the bundled examples suite is not written yet")
def test_real_bundled_examples_suite_is_always_available(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ZEBENCH_SUITES_DIR", raising=False)
    suite = load_suite("examples")
    assert suite.bundled is True
    for scenario_id in suite.scenario_ids:
        assert load_scenario("examples", scenario_id).id == scenario_id


def test_resolve_suites_dir_precedence(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ZEBENCH_SUITES_DIR", raising=False)
    assert resolve_suites_dir(None) is None
    (tmp_path / "suites").mkdir()
    assert resolve_suites_dir(None) == Path("suites")
    monkeypatch.setenv("ZEBENCH_SUITES_DIR", str(tmp_path / "env"))
    assert resolve_suites_dir(None) == tmp_path / "env"
    assert resolve_suites_dir(tmp_path / "explicit") == tmp_path / "explicit"


def test_env_var_selects_the_suites_folder(two_suites: Path, monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ZEBENCH_SUITES_DIR", str(two_suites))
    assert load_scenario("beta", "zed").format == "ze-benchmarks"
    assert "alpha" in [s.name for s in discover_suites()]


def test_missing_suites_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="suites folder does not exist"):
        discover_suites(tmp_path / "nowhere")


def test_missing_suite_lists_available_suites(two_suites: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load_suite("gamma", two_suites)
    assert "no suite named 'gamma'" in str(info.value)
    assert "alpha, beta" in str(info.value)


def test_missing_scenario_lists_available_scenarios(two_suites: Path) -> None:
    with pytest.raises(ScenarioError, match=r"suite 'alpha' has no scenario 'three' \(available: one, two\)"):
        load_scenario("alpha", "three", two_suites)


def test_load_scenario_returns_the_folder_scenario(two_suites: Path) -> None:
    scenario = load_scenario("alpha", "two", two_suites)
    assert (scenario.suite, scenario.id, scenario.title, scenario.key) == ("alpha", "two", "b", "alpha/two")
