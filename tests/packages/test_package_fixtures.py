"""Fixtures from published packages: downloaded once with pip or npm, verified, unpacked, patched.

pip and npm really download, from the protocol-faithful registries on 127.0.0.1 in conftest.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pkgkit import demo_yaml, sdist_sha256, write_scenario
from registries import LocalRegistries, npm_tarball, serve, sri_sha512

from zebench.errors import ScenarioError
from zebench.packages import FetchError, cache_dir, materialize_fixture
from zebench.scenarios.loader import load_scenario_dir
from zebench.workspace import prepare_workspace


def _downloads(reg: LocalRegistries) -> int:
    return sum(
        path.startswith(("/files/", "/npm/")) and path.endswith((".tar.gz", ".tgz")) for path in reg.hits
    )


def test_pypi_fixture_is_downloaded_verified_unpacked_and_patched(
    registries: LocalRegistries, tmp_path: Path
) -> None:
    directory = write_scenario(tmp_path, demo_yaml(sdist_sha256(registries)))
    scenario = load_scenario_dir(directory, "pkgs")
    assert scenario.fixture_dir is None and scenario.package_fixture is not None
    assert scenario.package_fixture.patch == directory / "setup.patch"

    workspace = prepare_workspace(scenario, tmp_path / "ws")
    files = sorted(
        p.relative_to(workspace.path).as_posix() for p in workspace.path.rglob("*") if ".git" not in p.parts
    )
    assert "demo_lib/__init__.py" in files and "tests/test_add.py" in files  # the top folder is stripped
    assert (
        workspace.path / "README.txt"
    ).read_text() == "demo lib, set up by zebench\n"  # setup.patch applied
    assert workspace.diff().patch == ""  # the patched tree is the baseline, not a change
    assert _downloads(registries) == 1

    again = prepare_workspace(scenario, tmp_path / "ws")  # cached: no second download
    assert (again.path / "demo_lib" / "__init__.py").read_text().endswith("return a - b\n")
    assert _downloads(registries) == 1
    assert any(cache_dir().joinpath("downloads", "pypi").rglob("demo-lib-1.0.0.tar.gz"))


def test_hash_mismatch_is_an_error_and_the_file_is_set_aside(
    registries: LocalRegistries, tmp_path: Path
) -> None:
    wrong = "0" * 64
    scenario = load_scenario_dir(write_scenario(tmp_path, demo_yaml(wrong)), "pkgs")
    with pytest.raises(FetchError) as caught:
        prepare_workspace(scenario, tmp_path / "ws")
    line = caught.value.one_line()
    assert line.startswith(f"{scenario.config_file}: fixture.sha256: demo-lib==1.0.0 is pinned to {wrong}")
    assert f"the downloaded demo-lib-1.0.0.tar.gz has {sdist_sha256(registries)}" in line
    assert "\n" not in line
    assert list(cache_dir().rglob("demo-lib-1.0.0.tar.gz.rejected"))
    assert not list(cache_dir().rglob("demo-lib-1.0.0.tar.gz"))  # nothing unverified is kept for use


def test_a_cached_file_that_fails_its_pin_is_not_replaced_silently(
    registries: LocalRegistries, tmp_path: Path
) -> None:
    scenario = load_scenario_dir(write_scenario(tmp_path, demo_yaml(sdist_sha256(registries))), "pkgs")
    assert scenario.package_fixture is not None
    materialize_fixture(scenario.package_fixture)
    archive = next(cache_dir().joinpath("downloads").rglob("demo-lib-1.0.0.tar.gz"))
    archive.write_bytes(b"tampered")
    for tree in cache_dir().joinpath("fixtures").iterdir():  # force a rebuild from the archive
        if tree.is_dir():
            import shutil

            shutil.rmtree(tree)
    with pytest.raises(FetchError, match="changed since it was verified") as caught:
        materialize_fixture(scenario.package_fixture)
    assert _downloads(registries) == 1  # an error, never a silent second download
    assert "set aside as demo-lib-1.0.0.tar.gz.rejected" in caught.value.one_line()
    assert archive.with_name(archive.name + ".rejected").read_bytes() == b"tampered"
    materialize_fixture(scenario.package_fixture)  # the next attempt downloads it afresh
    assert _downloads(registries) == 2 and archive.read_bytes() != b"tampered"


def test_without_network_and_cache_the_error_names_package_and_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    down = LocalRegistries()
    with serve(down):
        pass  # the port is closed again: like a machine without the network
    for key, value in down.env(tmp_path / "npm-cache").items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("PIP_FIND_LINKS", raising=False)
    monkeypatch.setenv("PIP_RETRIES", "0")
    monkeypatch.setenv("PIP_TIMEOUT", "3")
    monkeypatch.setenv("ZEBENCH_CACHE_DIR", str(tmp_path / "cache"))
    scenario = load_scenario_dir(write_scenario(tmp_path, demo_yaml("a" * 64)), "pkgs")
    with pytest.raises(FetchError) as caught:
        prepare_workspace(scenario, tmp_path / "ws")
    line = caught.value.one_line()
    assert line.startswith("fixture: cannot download demo-lib==1.0.0 from PyPI")
    assert str(tmp_path / "cache" / "downloads" / "pypi" / "demo-lib-1.0.0") in line
    assert "zebench fetch" in line and "\n" not in line


def test_a_filled_cache_needs_no_network(registries: LocalRegistries, tmp_path: Path) -> None:
    scenario = load_scenario_dir(write_scenario(tmp_path, demo_yaml(sdist_sha256(registries))), "pkgs")
    assert scenario.package_fixture is not None
    first = materialize_fixture(scenario.package_fixture)
    hits = len(registries.hits)
    # A new tree key (another patch) still needs only the cached archive, not the registry.
    (scenario.directory / "setup.patch").write_text(
        (scenario.directory / "setup.patch").read_text().replace("zebench", "zb")
    )
    second = materialize_fixture(load_scenario_dir(scenario.directory, "pkgs").package_fixture)  # type: ignore[arg-type]
    assert first != second and (second / "README.txt").read_text() == "demo lib, set up by zb\n"
    assert len(registries.hits) == hits


def test_npm_fixture_is_checked_by_integrity(registries: LocalRegistries, tmp_path: Path) -> None:
    integrity = registries.add_npm(
        "@demo/lib", "1.2.3", npm_tarball("@demo/lib", "1.2.3", {"lib.js": "module.exports = 1;\n"})
    )
    yaml_text = (
        "name: npm fixture\n"
        f"fixture: {{npm: '@demo/lib@1.2.3', integrity: '{integrity}'}}\n"
        "validation_commands: ['test -f lib.js']\n"
    )
    scenario = load_scenario_dir(write_scenario(tmp_path, yaml_text, patch=None), "pkgs")
    workspace = prepare_workspace(scenario, tmp_path / "ws")
    assert (workspace.path / "lib.js").read_text() == "module.exports = 1;\n"  # package/ is stripped
    assert (workspace.path / "package.json").is_file()

    wrong = sri_sha512(b"some other tarball")
    bad = load_scenario_dir(
        write_scenario(tmp_path / "b", yaml_text.replace(integrity, wrong), patch=None), "pkgs"
    )
    # The cached archive fails the other pin: an error naming the pin, and the archive stays.
    with pytest.raises(FetchError) as caught:
        prepare_workspace(bad, tmp_path / "ws")
    assert (
        f"fixture.integrity: @demo/lib@1.2.3 is pinned to {wrong}, but the cached" in caught.value.one_line()
    )
    assert f"has {integrity}" in caught.value.one_line()
    assert prepare_workspace(scenario, tmp_path / "ws2").path.joinpath("lib.js").is_file()


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("{pypi: 'demo-lib>=1.0', sha256: '%s'}" % ("a" * 64), "expected NAME==VERSION"),
        ("{pypi: 'demo-lib==1.0.0'}", "pypi fixtures need sha256"),
        ("{pypi: 'demo-lib==1.0.0', sha256: 'abc'}", "pypi fixtures need sha256"),
        ("{npm: 'left-pad@^1.3.0', integrity: 'sha512-x'}", "exact version"),
        ("{npm: 'left-pad@1.3.0', integrity: 'sha1-abc'}", "npm fixtures need integrity"),
        ("{pypi: 'a==1', npm: 'b@1.0.0', sha256: '%s'}" % ("a" * 64), "name exactly one package"),
        ("{}", "name exactly one package"),
    ],
)
def test_bad_fixture_keys_name_the_field_and_the_fix(tmp_path: Path, fixture: str, message: str) -> None:
    directory = write_scenario(tmp_path, f"name: x\nfixture: {fixture}\n", patch=None)
    with pytest.raises(ScenarioError) as caught:
        load_scenario_dir(directory, "pkgs")
    line = caught.value.one_line()
    assert "scenario.yaml" in line and "fixture" in line and message in line, line


def test_environment_pins_must_be_exact(tmp_path: Path) -> None:
    directory = write_scenario(tmp_path, "name: x\nenvironment: {python: ['pytest>=8']}\n", patch=None)
    (directory / "repo-fixture").mkdir()
    with pytest.raises(
        ScenarioError, match=r"environment\.python\[0\]: expected an exact pin like 'pytest==8.3.4'"
    ):
        load_scenario_dir(directory, "pkgs")


def test_fixture_and_a_fixture_folder_are_ambiguous(tmp_path: Path) -> None:
    directory = write_scenario(tmp_path, demo_yaml("a" * 64))
    (directory / "repo-fixture").mkdir()
    with pytest.raises(ScenarioError, match="both fixture: and a repo-fixture/ folder"):
        load_scenario_dir(directory, "pkgs")


def test_a_setup_patch_without_a_package_fixture_is_refused(tmp_path: Path) -> None:
    directory = write_scenario(tmp_path, "name: x\n")
    (directory / "repo-fixture").mkdir()
    with pytest.raises(ScenarioError, match=r"setup\.patch is applied only to package fixtures"):
        load_scenario_dir(directory, "pkgs")


def test_a_setup_patch_that_does_not_apply_names_the_patch(
    registries: LocalRegistries, tmp_path: Path
) -> None:
    broken = "--- a/README.txt\n+++ b/README.txt\n@@ -1 +1 @@\n-something else\n+x\n"
    scenario = load_scenario_dir(
        write_scenario(tmp_path, demo_yaml(sdist_sha256(registries)), patch=broken), "pkgs"
    )
    with pytest.raises(ScenarioError) as caught:
        prepare_workspace(scenario, tmp_path / "ws")
    line = caught.value.one_line()
    assert "setup.patch" in line and "does not apply to demo-lib==1.0.0" in line
