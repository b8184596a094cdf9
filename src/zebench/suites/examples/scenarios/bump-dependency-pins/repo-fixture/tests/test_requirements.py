"""Policy checks on requirements.txt (run in CI next to tools/check_pins.py)."""

import importlib.util
import json
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_tool(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_pins = load_tool("check_pins")
audit = load_tool("audit")


class RequirementsPolicyTests(unittest.TestCase):
    def setUp(self):
        self.path = ROOT / "requirements.txt"
        self.pins = audit.read_pins(self.path)

    def test_only_exact_pins(self):
        self.assertEqual(check_pins.check(self.path), [])

    def test_core_http_stack_is_pinned(self):
        for name in ("requests", "urllib3", "certifi", "idna", "pyyaml"):
            self.assertIn(name, self.pins, f"{name} must stay pinned in requirements.txt")

    def test_pyyaml_is_held_back(self):
        # pingboard/config.py uses yaml.load() without a Loader; PyYAML 6 removed that (OPS-412).
        self.assertEqual(self.pins["pyyaml"], "5.4.1")

    def test_no_known_vulnerabilities(self):
        advisories = json.loads((ROOT / "tools" / "advisories.json").read_text())["advisories"]
        findings = audit.audit(self.pins, advisories)
        self.assertEqual(findings, [], "\n" + "\n".join(findings))


class AuditToolTests(unittest.TestCase):
    def test_version_ordering(self):
        self.assertLess(audit.version_key("2020.12.5"), audit.version_key("2024.07.04"))
        self.assertEqual(audit.version_key("2.0"), audit.version_key("2.0.0"))
        self.assertLess(audit.version_key("1.26.19"), audit.version_key("2.2.2"))

    def test_range_matching(self):
        ranges = [{"introduced": "0", "fixed": "1.2"}, {"introduced": "2.0", "fixed": "2.1"}]
        advisories = [{"id": "X-1", "package": "Demo_Pkg", "summary": "s", "ranges": ranges}]
        self.assertEqual(len(audit.audit({"demo-pkg": "1.1.9"}, advisories)), 1)
        self.assertEqual(audit.audit({"demo-pkg": "1.2"}, advisories), [])
        self.assertEqual(len(audit.audit({"demo-pkg": "2.0.5"}, advisories)), 1)
        self.assertEqual(audit.audit({"demo-pkg": "2.1.0"}, advisories), [])


if __name__ == "__main__":
    unittest.main()
