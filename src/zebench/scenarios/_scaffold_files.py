"""The files ``scaffold_scenario`` writes: a small, working design-format scenario to edit."""

from __future__ import annotations

SCENARIO_YAML = """\
# zebench scenario: {suite}/{name}
# The scenario id is the folder name ({name}); it is what you type on the command line.

# name: a one-line title shown in tables and reports (`title:` is accepted as well).
name: "{title}"

# description: what the agent is asked to achieve; shown to the LLM judge. Multiline is fine.
description: |
  The slugify() helper in slugs.py should turn a title into a lowercase, dash-separated URL slug,
  but its unit test fails. Fix the code (not the test) so that the test suite passes.

# tags: free-form labels for filtering and reports.
tags: [python, starter]

# timeout_minutes: wall-clock limit for the whole run (agent + validation).
timeout_minutes: 10

# success_threshold: a run succeeds when its weighted score (0..1) reaches this value and every
# required evaluator passed.
success_threshold: 0.7

# validation_commands: shell commands run in the workspace after the agent, in order.
# Each entry is either a string (its kind is guessed: install, build, lint, typecheck, test or custom)
# or a mapping {{name, kind, command, timeout}} with timeout in seconds (default 600).
validation_commands:
  - name: test
    kind: test
    command: python3 -m unittest discover -s tests -v
    timeout: 60

# evaluators: what scores the run. Each entry has a name, a weight (default from zebench's table),
# `required: true` to make passing it mandatory, and any other keys as that evaluator's config.
# Leave the key out and zebench derives evaluators from the commands, checks and targets above.
evaluators:
  - name: test
    weight: 3
    required: true
  - name: integrity   # fails the run if the agent edits or deletes tests; required by default
    weight: 1

# source: where the task comes from (an upstream pull request, an issue), for people reading results.
# source: https://github.com/OWNER/REPO/pull/123

# workspace.required: false for scenarios without a codebase (no repo-fixture/ needed).
workspace:
  required: true

# fixture: instead of repo-fixture/, the code of a published release, pinned by its hash. zebench
# downloads it once into its cache (`zebench fetch {suite}` does it ahead of time) and applies a
# setup.patch beside this file first, when there is one. Delete repo-fixture/ when you use it.
# `zebench new scenario {suite} NAME --from-package NAME==VERSION` (or npm:NAME@VERSION) writes it.
# fixture: {{pypi: "toolz==1.1.0", sha256: "<the sdist's 64 hex digits>"}}
# fixture: {{npm: "qs@6.17.0", integrity: "sha512-<the registry's dist.integrity>"}}

# environment: exact pins of the tools the commands need, installed once into a cached virtualenv
# (first on PATH) or node_modules (reached through NODE_PATH).
# environment:
#   python: ["pytest==8.3.4"]
#   npm: ["tape@5.10.2"]

# network: whether sandboxed commands may use the network.
network: false

# env: extra environment variables for the validation commands (string values).
env: {{}}

# oracle.answers_file: answers the agent gets when it asks the user a question (JSON object
# question -> answer). Defaults to oracle-answers.json when that file exists.
oracle:
  answers_file: oracle-answers.json

# solution: how the built-in `oracle` agent solves the scenario, to prove it is solvable.
# A folder copied over the workspace (here solution/), a .patch file, or a script such as solve.sh.
solution: solution

# hidden_tests: a folder copied into the workspace after the agent ran, for validation only.
# Defaults to tests-hidden/ when it exists.
# hidden_tests: tests-hidden

# targets: dependency versions the run must (required) or may (optional) reach; `to` is an npm semver
# range or a PEP 440 specifier. A non-empty `required` list adds the `dependencies` evaluator.
# targets:
#   required:
#     - {{name: requests, to: ">=2.32"}}
#   optional: []

# constraints: free-form rules shown to the LLM judge (blocklists, migrations, companion versions).
# constraints:
#   blocklist:
#     - {{name: left-pad, reason: "do not add new dependencies"}}

# heuristic_checks: cheap checks on the final workspace: commands, files, patterns (regex in files
# matching a glob), structured (JSONPath into JSON/YAML) and scripts. Each has a name and a weight.
# heuristic_checks:
#   enabled: true
#   patterns:
#     - name: lowercases
#       file: slugs.py
#       pattern: "\\\\.lower\\\\(\\\\)"
#       weight: 1

# llm_judge: an LLM scores the diff on each category (1-5). Needs an API key at run time.
# llm_judge:
#   enabled: true
#   model: claude-sonnet-4-5
#   categories:
#     - "Correctness (50%): the fix addresses the root cause. Score 1-5"
#     - "Minimality (50%): only what is needed changed. Score 1-5"
"""

PROMPT_L0 = """\
The tests fail. Fix it.
"""

PROMPT_L1 = """\
The unit tests of this repository fail. Please fix the bug in the code so that
`python3 -m unittest discover -s tests -v` passes. Do not change the tests.
"""

PROMPT_L2 = """\
The unit tests of this repository fail. Please fix it step by step:

1. Run `python3 -m unittest discover -s tests -v` and read the failure.
2. Open `slugs.py`: `slugify()` should return a lowercase slug, e.g. `"Hello, World!"` -> `"hello-world"`.
3. Fix `slugify()` so the words are lowercased before they are joined with dashes.
4. Run the tests again and make sure they all pass. Do not edit anything under `tests/`.
"""

FIXTURE_MODULE = '''\
"""Turn titles into URL slugs."""

import re


def slugify(title: str) -> str:
    """A lowercase, dash-separated slug of the words in ``title``: "Hello, World!" -> "hello-world"."""
    words = re.findall(r"[A-Za-z0-9]+", title)
    return "-".join(words)
'''

SOLUTION_MODULE = '''\
"""Turn titles into URL slugs."""

import re


def slugify(title: str) -> str:
    """A lowercase, dash-separated slug of the words in ``title``: "Hello, World!" -> "hello-world"."""
    words = re.findall(r"[A-Za-z0-9]+", title.lower())
    return "-".join(words)
'''

FIXTURE_TEST = """\
import unittest

from slugs import slugify


class SlugifyTest(unittest.TestCase):
    def test_joins_words_with_dashes(self) -> None:
        self.assertEqual(slugify("a -- b"), "a-b")

    def test_lowercases(self) -> None:
        self.assertEqual(slugify("Hello, World!"), "hello-world")


if __name__ == "__main__":
    unittest.main()
"""

ORACLE_ANSWERS = "{}\n"

_PACKAGE_HEAD = """\
# zebench scenario: {suite}/{name}, built on the published release {requirement}.
# The scenario id is the folder name ({name}); it is what you type on the command line.
# To finish it: write the prompts, put the upstream fix in solution.patch (git diff style) and,
# when the release already has the fix, a setup.patch that reverts it; then `zebench check`.

name: "{requirement}: the bug in one line"
description: |
  What is wrong in {requirement}, and what a fix must do. Shown to the LLM judge.

# source: where the task comes from (the upstream pull request or issue that fixed it).
# source: https://github.com/OWNER/REPO/pull/123

timeout_minutes: 20
success_threshold: 0.7

# fixture: the code is this release, downloaded once into zebench's cache and checked against this
# hash (`zebench fetch {suite}` downloads ahead of time). A setup.patch beside this file is applied
# to the unpacked release first.
fixture: {fixture}

"""

_PACKAGE_TAIL = """\
# hidden_tests: the fix's regression tests, copied in after the agent, for validation only.
# hidden_tests: tests-hidden/

# solution: the oracle agent's answer; solution.patch beside this file is found without this key.
# solution: solution.patch

evaluators:
  - {{name: test, weight: 3, required: true}}
  - {{name: integrity, weight: 1}}

oracle:
  answers_file: oracle-answers.json
"""

PACKAGE_SCENARIO_YAML_PYPI = (
    _PACKAGE_HEAD
    + """\
# environment: exact pins of the tools the commands need, installed once into a cached virtualenv
# that is first on PATH. Add what the package's tests import, as exact pins too.
environment:
  python: ["pytest==8.3.4"]

{tests_note}
validation_commands:
  - {{name: tests, kind: test, command: "python -m pytest -q -p no:cacheprovider {targets}", timeout: 300}}

"""
    + _PACKAGE_TAIL
)

PACKAGE_SCENARIO_YAML_NPM = (
    _PACKAGE_HEAD
    + """\
# environment: exact pins of the tools the commands need (the test runner, the tests' dependencies),
# installed once into a cached node_modules reached through NODE_PATH, its .bin first on PATH.
# environment:
#   npm: ["tape@5.10.2"]

{tests_note}
# `npm test` runs package.json's test script; {targets} holds the tests.
validation_commands:
  - {{name: tests, kind: test, command: "npm test", timeout: 300}}

"""
    + _PACKAGE_TAIL
)

TESTS_FOUND = "# validation_commands: the release ships its tests; these commands run them after the agent."
NO_TESTS = """\
# validation_commands: the release ships NO tests. Copy the project's tests at this version from its
# repository into tests-hidden/ (and uncomment hidden_tests below) or add them with setup.patch."""

PACKAGE_PROMPT = """\
<!-- {tier}. Replace this file's text with what the agent is told. -->
Describe the bug as a user would report it: what you did, what you expected, what happened.
"""
