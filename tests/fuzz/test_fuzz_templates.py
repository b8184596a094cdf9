"""Specialist template parsing under generated input: a Template, or a TemplateError — nothing else."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zebench.errors import TemplateError
from zebench.mint.templates import load_template, validate_template

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20),
    st.sampled_from(["parent", "./parent.json5", "../../etc/passwd", "self.json5", "1.0.0", "@scope/name"]),
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=10,
)
KEYS = [
    "name",
    "version",
    "from",
    "persona",
    "prompts",
    "capabilities",
    "documentation",
    "dependencies",
    "llm",
]
mappings = st.dictionaries(st.sampled_from(KEYS), values, max_size=6).map(lambda d: json.dumps(d))
documents = st.one_of(
    st.text(max_size=150),
    mappings,
    mappings.map(lambda text: "// a comment\n" + text.replace("}", ",}", 1)),  # JSON5 trailing comma
)


# Template names long enough to exceed NAME_MAX are pinned by test_overlong_name_is_a_template_error.
def _short_names(text: str) -> bool:
    return len(text) < 200


# A name longer than NAME_MAX once raised a raw OSError(ENAMETOOLONG) from the enriched lookup.
def test_overlong_name_is_a_template_error(tmp_path: Path) -> None:
    path = tmp_path / "t.json5"
    path.write_text(json.dumps({"name": "a" * 300, "version": "1.0.0"}))
    with pytest.raises(TemplateError):
        load_template(path, templates_dir=tmp_path)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents.filter(_short_names), st.sampled_from(["t.json5", "t.jsonc", "t.json"]), st.booleans())
def test_template_loads_or_raises_template_error(text: str, file_name: str, with_parent: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="zebench-tpl-") as tmp:
        folder = Path(tmp)
        path = folder / file_name
        path.write_text(text.encode("utf-8", "replace").decode(), encoding="utf-8")
        if with_parent:
            (folder / "parent.json5").write_text('{name: "parent", version: "1.0.0", from: "self.json5"}')
            (folder / "self.json5").write_text('{from: "./self.json5"}')  # an inheritance cycle
        try:
            template = load_template(path, templates_dir=folder)
        except TemplateError:
            pass
        else:
            assert template.path == path and isinstance(template.data, dict)
        try:
            report = validate_template(path, templates_dir=folder)
        except TemplateError:
            return
        assert isinstance(report.ok, bool)
