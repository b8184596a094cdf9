#!/usr/bin/env bash
# The whole test suite, as the README documents it: lint, types, then pytest on both cores.
set -euo pipefail
cd "$(dirname "$0")/.."
ruff check src tests benchmarks
ruff format --check src tests benchmarks
mypy
python -m pytest -n 2 -q "$@"
