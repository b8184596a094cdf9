"""Load the endpoint list. Still uses the pre-6.0 PyYAML API (see the HOLD note in requirements.txt)."""

import yaml


def load_config(path):
    with open(path, encoding="utf-8") as handle:
        # PyYAML 6 requires Loader=...; migration tracked in OPS-412.
        data = yaml.load(handle)  # type: ignore[call-arg]
    return data.get("endpoints", [])
