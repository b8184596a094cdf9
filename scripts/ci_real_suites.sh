#!/usr/bin/env bash
# Real code, real tests, proven in CI (where PyPI and npm can be reached):
#   1. `zebench fetch realworld` downloads every package fixture and builds its test environment;
#   2. `zebench check realworld` then runs with the network disabled (unshare -n): the oracle
#      passes and resolves every scenario, echo fails and scores 0 on the resolution evaluator
#      (tests.lock.json's fail-to-pass and pass-to-pass tests), the control (the pristine fixture
#      with the hidden tests) shows the fail-to-pass tests failing, validation is not flaky, all
#      from the cache;
#   3. the original ze-benchmarks update-deps suite runs for real with pnpm: echo gets through
#      install and every validation command and fails on the merits; the oracle, with the solution
#      from tests/compat_solutions/, passes;
#   4. scripts/ci_mining.sh: `zebench mine` on the toolz bundle, bounded, and the SWE-bench
#      export/import round trip of a realworld scenario and a mined one.
#
#   bash scripts/ci_real_suites.sh        # with zebench installed (the CI's .venv)
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
COMPAT="${ZEBENCH_COMPAT_DIR:-$REPO/../shared/compat/ze-benchmarks}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/zebench-real-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
export COLUMNS=160

fail() { echo "real-suites: FAILED: $*" >&2; exit 1; }
offline() {  # run a command in a network namespace of its own: no route anywhere
  if [ "$(id -u)" = 0 ]; then unshare --net -- "$@"; else unshare --net --map-root-user -- "$@"; fi
}

started=$SECONDS
zebench fetch realworld >fetch.out 2>fetch.err || { cat fetch.out fetch.err >&2; fail "zebench fetch realworld"; }
echo "real-suites: ok   zebench fetch realworld ($((SECONDS - started)) s)"

started=$SECONDS
offline python3 -c "import socket; socket.create_connection(('pypi.org', 443), 3)" 2>/dev/null \
  && fail "unshare --net still reaches the network"
if ! offline zebench check realworld --json >check.json 2>check.err; then
  cat check.err >&2
  python3 - <<'EOF' >&2 || true
import json
for p in json.load(open("check.json")):
    if not p["ok"]:
        print(f"  {p['scenario']}: {'; '.join(p['problems'])}")
EOF
  fail "zebench check realworld without the network"
fi
echo "real-suites: ok   zebench check realworld, network disabled ($((SECONDS - started)) s)"
python3 - <<'EOF' || fail "zebench check realworld: resolution or control not as expected"
import json
proofs = json.load(open("check.json"))
print(f"  {'scenario':<40} {'F2P':>4} {'P2P':>5} {'oracle':>7} {'echo':>6} {'echo resolved':>14}  control: F2P failing")
bad = []
for p in proofs:
    oracle, echo, control = p["oracle"], p["echo"], p["control"]
    failing = control["tests"]["f2p_total"] - control["tests"]["f2p_passed"]
    print(f"  {p['scenario']:<40} {p['fail_to_pass']:>4} {p['pass_to_pass']:>5} {oracle['total_score']:7.3f}"
          f" {echo['total_score']:6.3f} {echo['resolved_score']:14.0f}  {failing}/{control['tests']['f2p_total']}")
    if not (p["locked"] and p["fail_to_pass"] > 0):
        bad.append(f"{p['scenario']}: no tests.lock.json with fail-to-pass tests")
    if oracle["resolved_score"] != 1.0 or echo["resolved_score"] != 0.0:
        bad.append(f"{p['scenario']}: oracle resolved {oracle['resolved_score']}, echo {echo['resolved_score']}")
    if failing != p["fail_to_pass"] or len(control["failed_tests"]) < failing:
        bad.append(f"{p['scenario']}: the control shows {failing} of {p['fail_to_pass']} F2P tests failing")
print(f"  {sum(p['ok'] for p in proofs)} of {len(proofs)} proven; echo resolves {sum(p['echo']['resolved_score'] == 1 for p in proofs)}")
assert not bad, "\n".join(bad)
EOF

# The original's update-deps suite, copied so the oracle's solution can be laid into it.
[ -d "$COMPAT/suites/update-deps" ] || fail "the original's suites are not at $COMPAT (set ZEBENCH_COMPAT_DIR)"
command -v pnpm >/dev/null || fail "pnpm is not installed (npm install -g pnpm)"
cp -r "$COMPAT/suites" compat-suites
set +e
zebench bench update-deps nx-pnpm-monorepo --suites-dir compat-suites --agent echo --json >echo.json 2>echo.err
echo_rc=$?
set -e
[ $echo_rc -eq 1 ] || { cat echo.err >&2; fail "update-deps with echo exited $echo_rc, expected 1 (a failed run)"; }
python3 - <<'EOF' || fail "update-deps with echo did not fail on the merits"
import json
run = json.load(open("echo.json"))
assert run["status"] == "completed", run["reason"]
for c in run["validation"]:
    assert isinstance(c["exit_code"], int) and c["exit_code"] not in (126, 127), c
    print(f"  {c['name']:<10} exit {c['exit_code']}  network {'yes' if c['network'] else 'no':<3}  {c['command']}")
scores = {e["name"]: e for e in run["evaluations"]}
assert not run["is_successful"] and scores["dependencies"]["passed"] is False, scores["dependencies"]
print(f"  echo: {run['reason']} (dependencies: {scores['dependencies']['summary']})")
EOF
echo "real-suites: ok   update-deps with echo: every command ran, the run fails on the merits"

cp -r "$REPO/tests/compat_solutions/update-deps/nx-pnpm-monorepo/solution" \
  compat-suites/update-deps/scenarios/nx-pnpm-monorepo/solution
zebench bench update-deps nx-pnpm-monorepo --suites-dir compat-suites --agent oracle --json >oracle.json 2>oracle.err \
  || { cat oracle.err >&2; fail "update-deps with the oracle did not pass"; }
python3 -c "import json; r=json.load(open('oracle.json')); print(f\"  oracle: PASS, score {r['total_score']:.2f}\")"
echo "real-suites: ok   update-deps with the oracle passes"

# 4. Mining a real history, bounded, and the SWE-bench round trip (a script of its own, so the
#    step can be run alone: bash scripts/ci_mining.sh).
bash "$REPO/scripts/ci_mining.sh" || fail "zebench mine / SWE-bench round trip"
