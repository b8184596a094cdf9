"""SWE-bench interchange: export a suite as SWE-bench JSONL, import SWE-bench instances as scenarios."""

from __future__ import annotations

from zebench.swebench.export import Exported, export_scenario, export_suite, instance_line, repo_slug
from zebench.swebench.importer import Imported, ImportOptions, import_instance, read_instances, scenario_id
from zebench.swebench.models import SWEBenchInstance, ZebenchExtras, encode_list

__all__ = [
    "Exported",
    "ImportOptions",
    "Imported",
    "SWEBenchInstance",
    "ZebenchExtras",
    "encode_list",
    "export_scenario",
    "export_suite",
    "import_instance",
    "instance_line",
    "read_instances",
    "repo_slug",
    "scenario_id",
]
