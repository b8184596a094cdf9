#!/usr/bin/env bash
# The plain install path, proven on its own: `pip install .` with no extras (and, for Dask, only
# the `distributed` extra), run outside the repository as a user would. The dev extra must never be
# what makes the product work: a green suite with dev extras once hid a product in which every API
# agent crashed on `import httpx`.
#
#   bash scripts/ci_clean_install.sh          # from the repository root; uses a temp folder
#
# Any failure prints the command and its last lines, and exits 1.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/zebench-clean-XXXXXX")"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

STEP=0
fail() { echo "clean-install: FAILED: $*" >&2; exit 1; }

# step NAME CMD...: run CMD (in the current folder) with its output in a log; on failure show it.
step() {
  local name="$1"; shift
  STEP=$((STEP + 1))
  local log="$WORK/logs/step-$STEP.log"
  mkdir -p "$WORK/logs"
  local started=$SECONDS
  if ! "$@" >"$log" 2>&1; then
    echo "clean-install: FAILED: $name" >&2
    echo "  command: $*" >&2
    echo "  last lines:" >&2
    tail -n 40 "$log" | sed 's/^/    /' >&2
    exit 1
  fi
  echo "clean-install: ok   $name ($((SECONDS - started)) s)"
  # Its last line of output (pip's notices about this machine's extra indexes left out).
  grep -v -e '^[[:space:]]*$' -e 'WARNING: Location' "$log" | tail -n 1 | sed 's/^/       /' || true
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_port() {  # wait_port PORT SECONDS
  local deadline=$((SECONDS + $2))
  until python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $1), 1)" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}

# --- 1. The README's first command, verbatim, in a fresh copy of the repository ----------------
QUICKSTART="$(awk '/^# 1\./{getline; print; exit}' "$REPO/README.md")"
[[ "$QUICKSTART" == *"pip install ."* ]] || fail "README.md: no quick-start command after '# 1.'"
mkdir -p "$WORK/clone"
git -C "$REPO" ls-files -z | (cd "$REPO" && xargs -0 cp --parents -t "$WORK/clone")
cd "$WORK/clone"
step "README quick start: $QUICKSTART" bash -c "$QUICKSTART"
VENV="$WORK/clone/.venv"
[ -x "$VENV/bin/zebench" ] || fail "the quick start did not install zebench into .venv"
# Nothing of the dev extra may be present: the rest must run on the runtime dependencies alone.
for dev_only in httpx pytest playwright; do
  if "$VENV/bin/python" -c "import $dev_only" 2>/dev/null; then fail "a plain install has $dev_only"; fi
done
step "zebench agents lists every CLI agent with its pinned version" bash -c \
  "'$VENV/bin/zebench' agents --json | '$VENV/bin/python' -c 'import json, sys; names = {r[\"name\"] for r in json.load(sys.stdin) if r[\"version\"]}; assert {\"claude-code\", \"codex\", \"gemini-cli\", \"qwen-code\", \"opencode\", \"aider\", \"mini-swe-agent\"} <= names, names; print(sorted(names))'"

# --- 2. Every API agent against the fake LLM, outside the repository ---------------------------
mkdir -p "$WORK/user" && cd "$WORK/user"
export PATH="$VENV/bin:$PATH"
"$VENV/bin/python" - <<'EOF' >script.json
import json
from zebench.scenarios import bundled_suites_dir
solution = bundled_suites_dir() / "examples" / "scenarios" / "fix-failing-tests" / "solution" / "textkit"
writes = [
    {"name": "write_file", "arguments": {"path": f"textkit/{n}", "content": (solution / n).read_text()}}
    for n in ("durations.py", "slugs.py")
]
run = {"name": "run_command", "arguments": {"command": "python3 -m unittest discover -s tests"}}
print(json.dumps({"turns": [
    {"text": "Fixing both modules.", "tool_calls": writes},
    {"text": "Running the tests.", "tool_calls": [run]},
    {"text": "Fixed; the tests pass."},
], "cost": 0.01}))
EOF
FAKE_PORT="$(free_port)"
zebench fake-llm --script script.json --port "$FAKE_PORT" >"$WORK/logs/fake-llm.log" 2>&1 &
PIDS+=($!)
wait_port "$FAKE_PORT" 30 || fail "zebench fake-llm did not listen on $FAKE_PORT: $(tail -n 5 "$WORK/logs/fake-llm.log")"
FAKE="http://127.0.0.1:$FAKE_PORT"

# check_run FILE: the --json output of one run must be a PASS with tokens recorded.
check_run() {
  python3 - "$1" <<'EOF'
import json, sys
run = json.load(open(sys.argv[1]))
tokens = run["telemetry"]["tokens"]
assert run["status"] == "completed" and run["is_successful"], (run["status"], run["reason"])
assert tokens["input"] > 0 and tokens["output"] > 0, tokens
print(f"{run['agent']}: PASS, score {run['total_score']:.2f}, tokens {tokens['input']} in / {tokens['output']} out")
EOF
}

bench_agent() {  # bench_agent NAME ARGS... ; env already set by the caller
  local name="$1"; shift
  step "bench --agent $name" bash -c "zebench bench examples fix-failing-tests --json $* > run-$name.json"
  check_run "run-$name.json" || fail "agent $name did not pass: $(head -c 2000 "run-$name.json")"
}
ANTHROPIC_API_KEY=sk-ant-clean ANTHROPIC_BASE_URL="$FAKE" bench_agent anthropic --agent anthropic
bench_agent openai --agent openai --model fake-model --base-url "$FAKE/v1"
OPENROUTER_API_KEY=sk-or-clean OPENROUTER_BASE_URL="$FAKE/api/v1" \
  bench_agent openrouter --agent openrouter --model anthropic/claude-sonnet-4.6

# --- 3. The results server and dashboard ------------------------------------------------------
SERVE_PORT="$(free_port)"
zebench serve --port "$SERVE_PORT" >"$WORK/logs/serve.log" 2>&1 &
PIDS+=($!)
wait_port "$SERVE_PORT" 60 || fail "zebench serve did not listen: $(tail -n 20 "$WORK/logs/serve.log")"
step "serve answers GET /api/runs and /" python3 - "$SERVE_PORT" <<'EOF'
import json, sys, urllib.request
base = f"http://127.0.0.1:{sys.argv[1]}"
runs = json.load(urllib.request.urlopen(f"{base}/api/runs", timeout=30))
assert len(runs["items"]) >= 3, runs
page = urllib.request.urlopen(f"{base}/", timeout=30).read().decode()
assert "zebench" in page.lower(), page[:500]
print(f"{len(runs['items'])} runs listed; dashboard {len(page)} bytes")
EOF

# --- 4. Dask: a venv with only the distributed extra, plain `dask worker` processes -------------
cd "$WORK"
step "venv with pip install '.[distributed]'" bash -c \
  "python3 -m venv '$WORK/dask-venv' && '$WORK/dask-venv/bin/pip' install -q '$WORK/clone[distributed]'"
DV="$WORK/dask-venv/bin"
SCHED_PORT="$(free_port)"
SCHED="tcp://127.0.0.1:$SCHED_PORT"
mkdir -p "$WORK/dask" && cd "$WORK/dask"
"$DV/dask" scheduler --host 127.0.0.1 --port "$SCHED_PORT" --no-dashboard >"$WORK/logs/dask-scheduler.log" 2>&1 &
PIDS+=($!)
wait_port "$SCHED_PORT" 60 || fail "dask scheduler did not listen: $(tail -n 20 "$WORK/logs/dask-scheduler.log")"
for n in 1 2; do
  "$DV/dask" worker "$SCHED" --host 127.0.0.1 --no-dashboard --nthreads 2 >"$WORK/logs/dask-worker-$n.log" 2>&1 &
  PIDS+=($!)
done
step "bench --executor dask on two plain dask workers (6 runs)" bash -c "
  '$DV/zebench' bench examples fix-failing-tests --agent oracle --iterations 6 --executor dask \
    --scheduler '$SCHED' --dask-wait 120 --batch-id clean-dask --json > dask-runs.json"
step "6 runs stored by the workers" "$DV/python" - <<'EOF'
import json
from zebench.store import open_store
with open_store("sqlite:///results/zebench.db") as store:
    detail = store.get_batch("clean-dask")
runs = json.load(open("dask-runs.json"))
hosts = {r["metadata"].get("worker") for r in runs}
assert detail.summary.runs == 6 and len(runs) == 6, (detail.summary.runs, len(runs))
assert detail.summary.successes == 6, detail.summary
print(f"batch clean-dask: {detail.summary.runs} runs stored, {detail.summary.successes} passed, workers {sorted(hosts)}")
EOF

# A worker in a Python without zebench: the batch must stop within seconds, in one line, exit 2.
step "venv with plain dask[distributed] only" bash -c \
  "python3 -m venv '$WORK/plain-venv' && '$WORK/plain-venv/bin/pip' install -q 'dask[distributed]'"
"$WORK/plain-venv/bin/dask" worker "$SCHED" --host 127.0.0.1 --no-dashboard >"$WORK/logs/dask-worker-plain.log" 2>&1 &
PIDS+=($!)
step "a worker without zebench: exit 2 in one line within 10 s" bash -c "
  sleep 3
  started=\$SECONDS
  set +e
  '$DV/zebench' bench examples fix-failing-tests --agent oracle --executor dask --scheduler '$SCHED' \
    --dask-wait 30 > plain.out 2> plain.err
  rc=\$?
  set -e
  cat plain.err
  [ \$rc -eq 2 ] || { echo \"exit \$rc, expected 2\"; exit 1; }
  [ \$((SECONDS - started)) -le 10 ] || { echo \"took \$((SECONDS - started)) s\"; exit 1; }
  [ \$(grep -c '^error:' plain.err) -eq 1 ] && grep -q 'cannot run zebench tasks' plain.err
  ! grep -q Traceback plain.err"

echo "clean-install: every step passed"
