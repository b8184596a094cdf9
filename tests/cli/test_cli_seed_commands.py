"""The design document's own commands, typed as it spells them.

``bench --batch-details ID`` and ``--specialist @org/name`` with a templates folder
(``--templates-dir`` or ``ZEBENCH_TEMPLATES_DIR``), for ``bench`` and the ``mint`` commands.
"""

from __future__ import annotations

import json
from pathlib import Path

from cli_helpers import CliRun, as_json
from test_cli_specialist import TEMPLATE

ECHO = ["bench", "examples", "fix-failing-tests", "--agent", "echo", "--skip-warmup", "--sandbox", "none"]


def _template(folder: Path, filename: str, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / filename
    path.write_text(json.dumps({**TEMPLATE, "name": name}))
    return path


def test_batch_details_is_an_alias_of_batch(zb: CliRun) -> None:
    zb(*ECHO, "--batch-id", "my_custom_batch", check=1)
    shown = zb("batch", "my_custom_batch", check=0)
    alias = zb("bench", "--batch-details", "my_custom_batch", check=0)
    assert alias.stdout == shown.stdout and "my_custom_batch" in alias.stdout
    as_batch = as_json(zb("batch", "my_custom_batch", "--json", check=0))
    assert as_json(zb("bench", "--batch-details", "my_custom_batch", "--json", check=0)) == as_batch
    missing = zb("bench", "--batch-details", "nope", check=2)
    assert missing.stderr.count("\n") == 1 and "nope" in missing.stderr
    assert "nope" in zb("batch", "nope", check=2).stderr
    mixed = zb("bench", "examples", "--batch-details", "my_custom_batch", check=2)
    assert "--batch-details shows a stored batch and runs nothing" in mixed.stderr


def test_specialist_by_scoped_name_from_a_templates_folder(zb: CliRun, tmp_path: Path) -> None:
    # The file name says nothing: the template is found by its name field, in the folder given.
    _template(tmp_path / "my-templates", "v1.json5", "@org/my-specialist")
    _template(tmp_path / "my-templates", "other.json5", "@org/other-specialist")
    flag = as_json(
        zb(*ECHO, "--json", "--specialist", "@org/my-specialist", "--templates-dir", "my-templates", check=1)
    )
    assert flag["specialist_name"] == "@org/my-specialist"
    env = as_json(
        zb(
            *ECHO,
            "--json",
            "--batch-id",
            "arms",
            "--specialist",
            "@org/my-specialist",
            check=1,
            ZEBENCH_TEMPLATES_DIR="my-templates",
        )
    )
    assert env["specialist_name"] == "@org/my-specialist" and env["specialist_version"] == "1.2.0"
    # The mint commands take the same names from the same folder.
    valid = zb("mint", "validate", "@org/my-specialist", check=0, ZEBENCH_TEMPLATES_DIR="my-templates")
    assert "v1.json5: valid (@org/my-specialist 1.2.0)" in valid.stdout
    minted = zb(
        "mint",
        "snapshot",
        "@org/my-specialist",
        "--batch-id",
        "arms",
        "--output",
        "snaps",
        "--templates-dir",
        "my-templates",
        check=0,
    )
    assert (tmp_path / "snaps" / "my-specialist" / "1.2.0" / "snapshot-001.json5").is_file(), minted.stdout


def test_two_templates_with_one_name_or_none_are_one_line(zb: CliRun, tmp_path: Path) -> None:
    _template(tmp_path / "templates", "a.json5", "@org/my-specialist")
    _template(tmp_path / "templates", "b.jsonc", "@org/my-specialist")
    for args in (
        [*ECHO, "--specialist", "@org/my-specialist"],
        ["mint", "validate", "@org/my-specialist"],
        ["mint", "enrich", "@org/my-specialist"],
    ):
        proc = zb(*args, check=2)
        assert proc.stderr.count("\n") == 1, proc.stderr
        assert proc.stderr.startswith(
            "error: templates: name: 2 templates are named '@org/my-specialist': a.json5, b.jsonc"
        ), proc.stderr
        assert "give each template a name of its own, or pass the template's path" in proc.stderr
    proc = zb(*ECHO, "--specialist", "@org/nobody", check=2)
    assert proc.stderr.startswith("error: templates: no template named '@org/nobody'"), proc.stderr
    assert "templates there: a.json5, b.jsonc" in proc.stderr and "--templates-dir" in proc.stderr
    proc = zb(*ECHO, "--specialist", "@org/nobody", "--templates-dir", "elsewhere", check=2)
    assert proc.stderr.startswith(
        "error: elsewhere: no template named '@org/nobody': the templates folder does not exist"
    ), proc.stderr
    # A path still works however the names clash.
    by_path = as_json(zb(*ECHO, "--json", "--specialist", "templates/b.jsonc", check=1))
    assert by_path["specialist_name"] == "@org/my-specialist"
