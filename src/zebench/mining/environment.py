"""A mined scenario's test command and ``environment:``, read from the repository's own files.

The test command is what the project declares (tox.ini, package.json, its pytest configuration)
or ``--test-command``. The environment is the project's declared runtime and test dependencies
(pyproject.toml, setup.cfg, requirements files, tox.ini; package.json), each pinned to the exact
version its registry resolves today, so every run of the scenario gets the same tools.
"""

from __future__ import annotations

import configparser
import json
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from zebench.mining.python_runner import is_test_module, modules_runner
from zebench.mining.repo import MiningError

Reader = Callable[[str], str | None]  # a file of the parent commit's tree, as text (None: absent)

RESOLVE_TIMEOUT_S = 600.0
PYTEST_COMMAND = "python -m pytest -rA -p no:cacheprovider"
UNITTEST_COMMAND = "python -m unittest -v"
_TEST_EXTRAS = ("test", "tests", "testing")
_REQUIREMENT_FILES = (
    "requirements-test.txt",
    "requirements-tests.txt",
    "requirements_test.txt",
    "test-requirements.txt",
    "test_requirements.txt",
    "requirements-dev.txt",
    "requirements/test.txt",
    "requirements/tests.txt",
    "requirements/testing.txt",
)
_NPM_NO_TEST = "no test specified"


@dataclass
class Detected:
    """What the repository declares: a test command, and requirements not yet pinned."""

    test_command: str | None = None
    python: list[str] = field(default_factory=list)
    npm: dict[str, str] = field(default_factory=dict)  # name -> range from package.json
    env: dict[str, str] = field(default_factory=dict)  # e.g. PYTHONPATH=src for a src layout
    notes: list[str] = field(default_factory=list)


def detect(read: Reader, files: list[str], *, tests_run: Sequence[str] = ()) -> Detected:
    """Detect the test command and declared dependencies of the tree that ``read`` reads.

    ``tests_run`` are the test files that will run (a mined commit's): their style counts first.
    """
    found = Detected()
    package_json = _json(read("package.json"))
    if isinstance(package_json, dict):
        _detect_node(package_json, found)
    if found.test_command is None and any(p.endswith(".py") for p in files):
        _detect_python(read, files, found, tests_run)
    if found.test_command is None and "go.mod" in files:
        found.test_command = "go test -json ./..."
    return found


def _detect_node(package: dict[str, object], found: Detected) -> None:
    scripts = package.get("scripts")
    test = scripts.get("test") if isinstance(scripts, dict) else None
    if isinstance(test, str) and _NPM_NO_TEST not in test:
        found.test_command = "npm test"
    for key in ("dependencies", "devDependencies"):
        deps = package.get(key)
        if isinstance(deps, dict):
            found.npm.update({str(k): str(v) for k, v in deps.items()})


def _detect_python(read: Reader, files: list[str], found: Detected, tests_run: Sequence[str]) -> None:
    pyproject = _toml(read("pyproject.toml"))
    setup_cfg = _ini(read("setup.cfg"))
    tox = _ini(read("tox.ini"))
    tox_commands = tox.get("testenv", "commands", fallback="") if tox else ""
    tox_deps = tox.get("testenv", "deps", fallback="") if tox else ""
    found.python += _pyproject_requirements(pyproject)
    found.python += _setup_cfg_requirements(setup_cfg)
    found.python += _requirement_lines(read("requirements.txt") or "", read)
    for name in _REQUIREMENT_FILES:
        found.python += _requirement_lines(read(name) or "", read, base=name.rpartition("/")[0])
    found.python += _requirement_lines(tox_deps, read)
    uses_pytest = (
        "pytest" in tox_commands
        or "py.test" in tox_commands
        or "pytest.ini" in files
        or any(p.rpartition("/")[2] == "conftest.py" for p in files)
        or _has_pytest_table(pyproject)
        or (setup_cfg is not None and setup_cfg.has_section("tool:pytest"))
        or any(_name(r) == "pytest" for r in found.python)
    )
    # Nothing declared: the test modules say which runner they are written for.
    style = (
        None if uses_pytest or "unittest" in tox_commands else modules_runner(read, files, first=tests_run)
    )
    if uses_pytest or style == "pytest":
        found.test_command = PYTEST_COMMAND
        if not any(_name(r) == "pytest" for r in found.python):
            found.python.append("pytest")
            declared = (
                "is not declared"
                if uses_pytest
                else "is not declared, but the test modules are written for it"
            )
            found.notes.append(f"pytest {declared}; the latest release is used")
    elif "unittest" in tox_commands or style == "unittest" or any(is_test_module(p) for p in files):
        found.test_command = UNITTEST_COMMAND
    if any(p.startswith("src/") and p.endswith("/__init__.py") for p in files):
        found.env["PYTHONPATH"] = "src"  # a src layout is importable from the tree without installing
    own = _own_name(pyproject, setup_cfg)
    found.python = _dedupe(r for r in found.python if _name(r) not in own)


def _has_pytest_table(pyproject: dict[str, object]) -> bool:
    tool = pyproject.get("tool")
    return isinstance(tool, dict) and "pytest" in tool


def _pyproject_requirements(data: dict[str, object]) -> list[str]:
    project = data.get("project")
    out: list[str] = []
    if isinstance(project, dict):
        out += [str(r) for r in project.get("dependencies") or []]
        extras = project.get("optional-dependencies") or {}
        if isinstance(extras, dict):
            for key in _TEST_EXTRAS:
                out += [str(r) for r in extras.get(key) or []]
    groups = data.get("dependency-groups")
    if isinstance(groups, dict):
        for key in (*_TEST_EXTRAS, "dev"):
            out += [r for r in groups.get(key) or [] if isinstance(r, str)]
    return out


def _setup_cfg_requirements(cfg: configparser.ConfigParser | None) -> list[str]:
    if cfg is None:
        return []
    out = _split_lines(cfg.get("options", "install_requires", fallback=""))
    for key in _TEST_EXTRAS:
        out += _split_lines(cfg.get("options.extras_require", key, fallback=""))
    return out


def _requirement_lines(text: str, read: Reader, base: str = "", depth: int = 0) -> list[str]:
    """Requirement lines; ``-r other.txt`` is followed one level, options and URLs are skipped."""
    out: list[str] = []
    for line in _split_lines(text):
        if line.startswith(("-r ", "--requirement ")) and depth == 0:
            target = line.split(None, 1)[1].strip()
            path = f"{base}/{target}" if base else target
            out += _requirement_lines(read(path) or "", read, path.rpartition("/")[0], depth + 1)
        elif not line.startswith(("-", ".", "/")) and "://" not in line and "{" not in line:
            out.append(line)
    return out


def _split_lines(text: str) -> list[str]:
    lines = (line.split(" #", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def _own_name(pyproject: dict[str, object], cfg: configparser.ConfigParser | None) -> set[str]:
    names: set[str] = set()
    project = pyproject.get("project")
    if isinstance(project, dict) and isinstance(project.get("name"), str):
        names.add(_normalise(str(project["name"])))
    if cfg is not None and cfg.has_option("metadata", "name"):
        names.add(_normalise(cfg.get("metadata", "name")))
    return names


_NAME_RE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _name(requirement: str) -> str:
    match = _NAME_RE.match(requirement)
    return _normalise(match.group(1)) if match else ""


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _dedupe(requirements: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for requirement in requirements:
        seen.setdefault(_name(requirement), requirement.strip())
    return [req for name, req in seen.items() if name]


def _json(text: str | None) -> object:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def _toml(text: str | None) -> dict[str, object]:
    try:
        return tomllib.loads(text) if text else {}
    except tomllib.TOMLDecodeError:
        return {}


def _ini(text: str | None) -> configparser.ConfigParser | None:
    if not text:
        return None
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    return parser


# --- pinning --------------------------------------------------------------------------------------


def pin_python(requirements: list[str]) -> list[str]:
    """``requirements`` as exact ``name==version`` pins, as pip resolves them today for this Python.

    pip's own resolver (``install --dry-run --report``) decides, with the user's pip configuration;
    only the requested packages are pinned, their dependencies follow from those pins.
    """
    if not requirements:
        return []
    argv = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
            "--no-input", "--disable-pip-version-check", "--report", "-", *requirements]  # fmt: skip
    proc = _run(argv, "pip")
    try:
        report = json.loads(proc.stdout)
    except ValueError as exc:
        raise MiningError(f"pip printed no resolution report for {', '.join(requirements)}") from exc
    wanted = {_name(r) for r in requirements}
    pins = []
    for item in report.get("install", []):
        metadata = item.get("metadata", {})
        name = _normalise(str(metadata.get("name", "")))
        if name in wanted:
            pins.append(f"{name}=={metadata.get('version')}")
    return sorted(pins)


def pin_npm(ranges: dict[str, str]) -> list[str]:
    """``name@range`` as ``name@version``: the highest version the npm registry has in the range."""
    npm = shutil.which("npm")
    if ranges and npm is None:
        raise MiningError("the repository declares npm dependencies, but npm is not installed")
    pins = []
    for name, spec in sorted(ranges.items()):
        proc = _run([str(npm), "view", f"{name}@{spec}", "version", "--json"], "npm")
        versions = _json(proc.stdout)
        if isinstance(versions, list):
            versions = versions[-1] if versions else None
        if not isinstance(versions, str):
            raise MiningError(f"npm resolves no version of {name}@{spec}")
        pins.append(f"{name}@{versions}")
    return pins


def _run(argv: list[str], tool: str) -> subprocess.CompletedProcess[str]:
    try:
        proc = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=RESOLVE_TIMEOUT_S,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise MiningError(f"{tool} could not resolve the dependencies: {exc}") from exc
    if proc.returncode != 0:
        from zebench.packages.tools import failure_line

        raise MiningError(
            f"{tool} could not resolve the dependencies: {failure_line(proc.stderr + proc.stdout)}",
            hint="pass --environment pins, or check the network",
        )
    return proc


def parse_pins(values: list[str]) -> tuple[list[str], list[str]]:
    """``--environment`` values as (python pins, npm pins); each must be an exact pin."""
    python: list[str] = []
    npm: list[str] = []
    for value in values:
        kind, _, pin = value.partition(":") if value.startswith(("python:", "npm:")) else ("", "", value)
        if kind == "npm" or (not kind and "==" not in pin and "@" in pin.lstrip("@")):
            name, at, version = pin.rpartition("@")
            if not at or not name or not re.fullmatch(r"\d+\.\d+\.\d+\S*", version):
                raise MiningError(
                    f"'{value}' is not an exact npm pin", field="--environment", hint="write NAME@1.2.3"
                )
            npm.append(pin)
        else:
            if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*(\[[^\]]*\])?==[^=,;\s]+", pin):
                raise MiningError(
                    f"'{value}' is not an exact Python pin", field="--environment", hint="write NAME==1.2.3"
                )
            python.append(pin)
    return python, npm


def targeted_command(command: str, test_files: list[str]) -> str:
    """The detected runner pointed at the commit's own test files, as SWE-bench runs them.

    Only the test modules the commit adds or changes run, so tests that fail in the tree for
    unrelated reasons (an uninstalled package's metadata, a missing tool) do not block the lock.
    """
    modules = [p for p in test_files if p.endswith(".py") and p.rpartition("/")[2].startswith("test")]
    if not modules:
        return command
    if command == PYTEST_COMMAND:
        return f"{command} {' '.join(modules)}"
    if command == UNITTEST_COMMAND:
        return f"{command} {' '.join(m.removesuffix('.py').replace('/', '.') for m in modules)}"
    return command
