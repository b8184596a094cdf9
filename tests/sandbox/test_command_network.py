"""Per-command network: install commands may fetch, everything else stays offline under bwrap.

A real HTTP server on the host's 127.0.0.1 tells which validation commands reached it; each
command's result records whether it had the network.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sandboxkit import require_bwrap

from zebench.errors import ZebenchError
from zebench.sandbox import create_runner
from zebench.scenarios.loader import load_scenario_dir
from zebench.validation import run_validation

PROBE = "python3 -c \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:{port}/{name}', timeout=5)\""


@pytest.fixture
def server() -> Iterator[tuple[int, list[str]]]:
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path.strip("/"))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return None

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield httpd.server_address[1], hits
    finally:
        httpd.shutdown()
        httpd.server_close()


def _scenario(root: Path, port: int, *, ze_format: bool = False, scenario_network: bool = False):  # type: ignore[no-untyped-def]
    directory = root / "suite" / "scenarios" / "net"
    (directory / "repo-fixture").mkdir(parents=True)
    (directory / "repo-fixture" / "a.txt").write_text("a\n")

    def probe(name: str) -> str:
        return PROBE.format(port=port, name=name)

    data: dict[str, object]
    if ze_format:
        data = {"id": "net", "validation": {"commands": {"install": probe("install"), "test": probe("test")}}}
    else:
        data = {
            "name": "net",
            "network": scenario_network,
            "validation_commands": [
                {"name": "deps", "kind": "install", "command": probe("deps")},
                {"name": "tests", "kind": "test", "command": probe("tests")},
                {"name": "fetch-data", "kind": "custom", "network": True, "command": probe("fetch-data")},
                {
                    "name": "offline-install",
                    "kind": "install",
                    "network": False,
                    "command": probe("offline-install"),
                },
            ],
        }
    text = yaml.safe_dump(data)
    (directory / "scenario.yaml").write_text(text)
    return load_scenario_dir(directory, "suite")


def test_only_commands_that_declare_the_network_reach_it(
    server: tuple[int, list[str]], tmp_path: Path
) -> None:
    require_bwrap()
    port, hits = server
    scenario = _scenario(tmp_path, port)
    assert [c.network for c in scenario.validation] == [True, False, True, False]
    results = run_validation(scenario, scenario.fixture_dir, create_runner("bwrap", scenario))  # type: ignore[arg-type]
    by_name = {r.name: r for r in results}
    assert sorted(hits) == ["deps", "fetch-data"]
    assert by_name["deps"].exit_code == 0 and by_name["fetch-data"].exit_code == 0
    assert by_name["tests"].exit_code != 0 and by_name["offline-install"].exit_code != 0
    assert {r.name: r.network for r in results} == {
        "deps": True,
        "tests": False,
        "fetch-data": True,
        "offline-install": False,
    }


def test_the_original_install_kind_gets_the_network(server: tuple[int, list[str]], tmp_path: Path) -> None:
    require_bwrap()
    port, hits = server
    scenario = _scenario(tmp_path, port, ze_format=True)
    assert scenario.format == "ze-benchmarks"
    results = run_validation(scenario, scenario.fixture_dir, create_runner("bwrap", scenario))  # type: ignore[arg-type]
    assert hits == ["install"]
    assert [(r.name, r.network, r.exit_code == 0) for r in results] == [
        ("install", True, True),
        ("test", False, False),
    ]


def test_scenario_network_true_opens_every_command(server: tuple[int, list[str]], tmp_path: Path) -> None:
    port, _ = server
    scenario = _scenario(tmp_path, port, scenario_network=True)
    assert [c.network for c in scenario.validation] == [True, True, True, False]  # explicit false still wins


def test_on_the_host_every_command_has_the_network_and_says_so(
    server: tuple[int, list[str]], tmp_path: Path
) -> None:
    port, hits = server
    scenario = _scenario(tmp_path, port)
    results = run_validation(scenario, scenario.fixture_dir, create_runner("none", scenario))  # type: ignore[arg-type]
    assert all(r.network is True and r.exit_code == 0 for r in results)
    assert sorted(hits) == ["deps", "fetch-data", "offline-install", "tests"]


def test_offline_takes_the_network_from_every_command(server: tuple[int, list[str]], tmp_path: Path) -> None:
    require_bwrap()
    port, hits = server
    scenario = _scenario(tmp_path, port, scenario_network=True)
    runner = create_runner("bwrap", scenario, offline=True)
    results = run_validation(scenario, scenario.fixture_dir, runner)  # type: ignore[arg-type]
    assert hits == []
    assert all(r.network is False and r.exit_code != 0 for r in results)
    told = runner.run("echo $npm_config_offline $PIP_NO_INDEX", tmp_path)
    assert told.stdout.split() == ["true", "1"]  # package managers fail at once instead of retrying


def test_offline_needs_the_sandbox(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path, 9)
    with pytest.raises(ZebenchError, match="--offline needs the sandbox"):
        create_runner("none", scenario, offline=True)
