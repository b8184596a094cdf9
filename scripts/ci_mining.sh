#!/usr/bin/env bash
# Mining a real history in CI, bounded, then the SWE-bench interchange on what it kept:
#   1. `zebench mine` on the toolz bundle's 3 newest candidates (--limit 3): the newest,
#      5a7e078c94 "Raise in partition_all when length is invalid", is kept with its fail-to-pass
#      test, the others are rejected with a reason; `zebench check` proves the mined suite again;
#   2. a realworld scenario (a PyPI fixture) and the mined one go through `zebench export swebench`
#      and `zebench import swebench`, keep their fail-to-pass/pass-to-pass lists, and are proven.
# Needs PyPI (pytest for the mined scenario, toolz's sdist for the realworld one). Part of
# scripts/ci_real_suites.sh; run alone with zebench installed:
#
#   bash scripts/ci_mining.sh
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
BUNDLES="${ZEBENCH_BUNDLES_DIR:-$REPO/../shared/repos}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/zebench-mining-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
export COLUMNS=160
KEEPER=5a7e078c94

fail() { echo "mining: FAILED: $*" >&2; exit 1; }

[ -f "$BUNDLES/toolz.bundle" ] || fail "the toolz bundle is not at $BUNDLES (set ZEBENCH_BUNDLES_DIR)"
git clone -q "$BUNDLES/toolz.bundle" toolz
started=$SECONDS
zebench mine toolz -o mined/toolz-mined --limit 3 --parallel 2 --json >mine.json 2>mine.err \
  || { cat mine.err >&2; fail "zebench mine toolz --limit 3 kept nothing"; }
KEEPER=$KEEPER python3 - <<'PY' || fail "zebench mine toolz --limit 3 did not decide as expected"
import json, os
report = json.load(open("mine.json"))
for d in report["decisions"]:
    print(f"  {d['commit'][:10]} {d['status']:<8} F2P {d['fail_to_pass']:<2} {d['reason'][:110]}")
print(f"  {report['kept']} kept, {report['rejected']} rejected; by kind: {report['reasons']}")
decided = {d["commit"][:10]: d for d in report["decisions"]}
assert len(decided) == 3, decided
keeper = decided[os.environ["KEEPER"]]
assert keeper["status"] == "kept" and keeper["fail_to_pass"] >= 1, keeper
assert all(d["reason"] for d in report["decisions"]), "a decision without its reason"
PY
zebench check toolz-mined --suites-dir mined >mined-check.out 2>&1 \
  || { cat mined-check.out >&2; fail "the mined suite is not proven again by check"; }
echo "mining: ok   zebench mine toolz --limit 3 ($((SECONDS - started)) s), proven again by check"

started=$SECONDS
zebench export swebench realworld -o rw.jsonl 2>export.err || { cat export.err >&2; fail "export swebench realworld"; }
zebench export swebench toolz-mined --suites-dir mined -o mined.jsonl 2>>export.err \
  || { cat export.err >&2; fail "export swebench of the mined suite"; }
grep '"instance_id": "toolz-interpose-empty"' rw.jsonl >trip.jsonl || fail "toolz-interpose-empty was not exported"
cat mined.jsonl >>trip.jsonl
zebench import swebench trip.jsonl --repo toolz -o back/roundtrip >import.out 2>&1 \
  || { cat import.out >&2; fail "import swebench"; }
python3 - <<'PY' || fail "the lists changed across the round trip"
import json
from pathlib import Path
from zebench.swebench.importer import scenario_id
for line in Path("trip.jsonl").read_text().splitlines():
    sent = json.loads(line)
    folder = Path("back/roundtrip/scenarios") / scenario_id(sent["instance_id"])
    assert folder.is_dir(), f"{sent['instance_id']} was not imported"
    lock = json.loads((folder / "tests.lock.json").read_text())
    assert lock["fail_to_pass"] == sorted(json.loads(sent["FAIL_TO_PASS"])), folder
    assert lock["pass_to_pass"] == sorted(json.loads(sent["PASS_TO_PASS"])), folder
    print(f"  {sent['instance_id']} -> {folder.name}: {len(lock['fail_to_pass'])} F2P, {len(lock['pass_to_pass'])} P2P")
PY
zebench check roundtrip --suites-dir back >trip-check.out 2>&1 \
  || { cat trip-check.out >&2; fail "the round-tripped scenarios are not proven"; }
echo "mining: ok   export swebench / import swebench round trip of a realworld and a mined scenario, proven ($((SECONDS - started)) s)"
