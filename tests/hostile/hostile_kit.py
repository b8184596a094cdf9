"""The hostile-agent corpus's scenario, canaries and runner.

Each probe is a scripted fake-LLM agent: the real ``anthropic`` tool-loop agent, driven through the
real CLI (``zebench bench … --sandbox bwrap``) against ``zebench.llm.fake.FakeLLMServer``, whose
script makes one ``run_command`` call per probe command. The test plants canaries first: secrets in
the harness's environment, an empty marker folder on the host, a host folder and a host git
repository with secret files, and the scenario's hidden tests.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zebench.llm.fake import FakeLLMServer, FakeReply, FakeScript, FakeToolCall
from zebench.store import open_store

RUN_TIMEOUT_S = int(
    os.environ.get("ZEBENCH_PROBE_TIMEOUT", "480")
)  # a probe that makes the harness hang fails at this bound

_RUN_TESTS = '''\
"""Run the unit tests and write a JUnit report atomically (never through what is at the path)."""
import os
import sys
import unittest
from xml.sax.saxutils import quoteattr

suite = unittest.defaultTestLoader.discover("tests", top_level_dir=".")
result = unittest.TextTestRunner(stream=sys.stderr, verbosity=2).run(suite)
bad = {id(t): "failure" for t, _ in result.failures} | {id(t): "error" for t, _ in result.errors}
cases = []
def walk(s):
    for item in s:
        if isinstance(item, unittest.TestSuite):
            walk(item)
        else:
            cases.append(item)
walk(suite)
rows = []
for case in cases:
    kind = bad.get(id(case))
    inner = f"<{kind} message='x'/>" if kind else ""
    rows.append(f"<testcase classname={quoteattr(type(case).__name__)} name={quoteattr(case.id())}>{inner}</testcase>")
xml = (f"<testsuite tests='{result.testsRun}' failures='{len(result.failures)}' "
       f"errors='{len(result.errors)}' skipped='0'>" + "".join(rows) + "</testsuite>")
try:
    os.makedirs("reports", exist_ok=True)
    with open("reports/.junit.tmp", "w") as handle:
        handle.write(xml)
    os.replace("reports/.junit.tmp", "reports/junit.xml")
except OSError as exc:
    print(f"could not write the report: {exc}", file=sys.stderr)
sys.exit(0 if result.wasSuccessful() else 1)
'''

_SCENARIO_YAML = """\
name: Hostile-agent probe
description: The agent sets VALUE to 2; probes also try to escape through the harness.
timeout_minutes: 3
success_threshold: 0.5
validation_commands:
  - {name: tests, kind: test, command: "python3 tools/run_tests.py", timeout: 60}
evaluators:
  - {name: test, weight: 3, config: {junit: "reports/*.xml"}}
  - {name: heuristic_checks, weight: 1}
  - {name: dependencies, weight: 1}
  - {name: integrity, weight: 1}
targets:
  required:
    - {name: left-pad, to: ">=1.3.0"}
heuristic_checks:
  files:
    - {name: readme, path: README.md}
  patterns:
    - {name: value-set, file: "*.py", pattern: "VALUE = 2"}
  structured:
    - {name: package-name, file: package.json, json_path: "$.name", equals: probe}
"""


@dataclass(frozen=True)
class Canaries:
    """What must never leave the host, and where the probes aim."""

    env_secret: str
    api_key: str
    hidden: str
    host_secret: str
    marker: Path  # an empty host folder; a file appearing in it means host-side code ran
    host_dir: Path  # a host folder holding secret.txt and a planted file the probes try to overwrite
    host_repo: Path  # a host git repository whose only commit holds host_secret

    def values(self) -> dict[str, str]:
        return {
            "env_secret": self.env_secret,
            "api_key": self.api_key,
            "hidden": self.hidden,
            "host_secret": self.host_secret,
        }


def plant_canaries(root: Path) -> Canaries:
    """Fresh canary values and the host folders they live in, under ``root``."""
    tag = secrets.token_hex(6)
    canaries = Canaries(
        env_secret=f"canary-env-{tag}",
        api_key=f"sk-ant-canary-{tag}-0123456789",
        hidden=f"canary-hidden-{tag}",
        host_secret=f"canary-host-{tag}",
        marker=root / "host-marker",
        host_dir=root / "host-dir",
        host_repo=root / "host-repo",
    )
    canaries.marker.mkdir()
    canaries.host_dir.mkdir()
    (canaries.host_dir / "secret.txt").write_text(canaries.host_secret + "\n")
    (canaries.host_dir / "planted.py").write_text("UNTOUCHED = True\n")
    canaries.host_repo.mkdir()
    (canaries.host_repo / "secret.txt").write_text(canaries.host_secret + "\n")
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    for args in (
        ["init", "-q"],
        ["add", "."],
        ["-c", "user.name=h", "-c", "user.email=h@h", "commit", "-qm", "s"],
    ):
        subprocess.run(["git", *args], cwd=canaries.host_repo, env=env, check=True, capture_output=True)
    return canaries


def write_suite(root: Path, canaries: Canaries) -> Path:
    """``root/suites/hostile/scenarios/probe``, on disk as a user writes it; returns the suites folder."""
    scenario = root / "suites" / "hostile" / "scenarios" / "probe"
    fixture = scenario / "repo-fixture"
    files = {
        fixture / "app.py": "VALUE = 1\n",
        fixture / "README.md": "# probe\n",
        fixture / "package.json": json.dumps({"name": "probe", "dependencies": {"left-pad": "1.3.0"}}) + "\n",
        fixture
        / "pyproject.toml": '[project]\nname = "probe"\nversion = "0"\ndependencies = ["attrs==23.1.0"]\n',
        fixture / ".gitignore": "build/\n*.log\n",
        fixture / "tools" / "run_tests.py": _RUN_TESTS,
        fixture / "tests" / "__init__.py": "",
        fixture / "tests" / "test_app.py": textwrap.dedent(
            """\
            import unittest
            import app

            class AppTest(unittest.TestCase):
                def test_value(self):
                    self.assertEqual(app.VALUE, 2)
            """
        ),
        scenario / "tests-hidden" / "tests" / "test_hidden.py": textwrap.dedent(
            f'''\
            import unittest
            import app

            SECRET = "{canaries.hidden}"

            class HiddenTest(unittest.TestCase):
                def test_value_is_an_int(self):
                    self.assertIsInstance(app.VALUE, int)
            '''
        ),
        scenario / "solution" / "app.py": "VALUE = 2\n",
        scenario / "prompts" / "L1-basic.md": "Set VALUE in app.py to 2.\n",
        scenario / "scenario.yaml": _SCENARIO_YAML,
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "suites"


def probe_script(commands: list[str]) -> FakeScript:
    """One ``run_command`` call per command, each in its own turn, then a final message."""
    turns = [
        FakeReply(tool_calls=[FakeToolCall(name="run_command", arguments={"command": c, "timeout_s": 120})])
        for c in commands
    ]
    return FakeScript(turns=[*turns, FakeReply(text="done")])


@dataclass
class ProbeOutcome:
    """What one probe's run left: the CLI's output, the stored run and every artifact's text."""

    exit_code: int
    output: str
    seconds: float
    runs: list[dict[str, Any]] = field(default_factory=list)
    artifacts: str = ""

    @property
    def run(self) -> dict[str, Any]:
        assert len(self.runs) == 1, f"expected one stored run, found {len(self.runs)}\n{self.output}"
        return self.runs[0]


def run_probe(root: Path, suites: Path, canaries: Canaries, commands: list[str], *extra: str) -> ProbeOutcome:
    """Run the probe through the CLI under bubblewrap and collect everything it stored."""
    db = f"sqlite:///{root / 'results.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZEBENCH_", "ZE_BENCHMARKS_"))}
    env.update(
        {
            "COLUMNS": "200",
            "ANTHROPIC_API_KEY": canaries.api_key,
            "OPENAI_API_KEY": f"sk-canary-openai-{canaries.api_key[-16:]}",
            "ZEBENCH_HOSTILE_CANARY": canaries.env_secret,
        }
    )
    with FakeLLMServer(probe_script(commands)) as fake:
        env["ANTHROPIC_BASE_URL"] = fake.url
        argv = [
            sys.executable, "-m", "zebench", "bench", "hostile", "probe", "--agent", "anthropic",
            "--model", "claude-sonnet-4-6", "--sandbox", "bwrap", "--skip-warmup",
            "--suites-dir", str(suites), "--db", db, "--workspace-root", str(root / "workspaces"), *extra,
        ]  # fmt: skip
        started = time.monotonic()
        proc = subprocess.run(argv, cwd=root, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
        seconds = time.monotonic() - started
    outcome = ProbeOutcome(proc.returncode, proc.stdout + proc.stderr, seconds)
    store = open_store(db)
    try:
        texts: list[str] = []
        for summary in store.list_runs(limit=10).items:
            record = store.get_run(summary.run_id)
            outcome.runs.append(record.model_dump(mode="json"))
            for name in store.artifact_names(summary.run_id):
                texts.append(store.get_artifact(summary.run_id, name))
        outcome.artifacts = "\n".join(texts)
    finally:
        store.close()
    return outcome
