#!/usr/bin/env bash
# Run the suite's end-to-end tests N times in a row on a deliberately busy machine.
#
# A test that passes on an idle machine and fails on a loaded one fails by chance,
# and a suite that fails by chance teaches everyone to ignore red (issue 10, part 6).
# This runs the tests most exposed to timing -- real terminals (pty, tmux), Synapse,
# live servers and their bots, vanish timers, crash/restart and fault injection --
# with CPU-burning processes beside them, and stops at the first failing run.
#
# Usage: scripts/stress.sh [-n RUNS] [-b BURNERS] [-- PYTEST_ARGS...]
#   -n RUNS      runs in a row (default 10)
#   -b BURNERS   CPU-burning processes beside the tests (default 2; 0 for none)
#   PYTEST_ARGS  replace the default test paths/options, e.g. -- tests/hostile -x
#
# Environment: PYTHON (default .venv/bin/python), CHATUI_SYNAPSE_PYTHON (default
# .venv-synapse/bin/python when it exists). CI=1 is set unless already set, so a
# test whose real part is missing (tmux, Synapse, a Secret Service) fails rather
# than skipping its way to a pass; run with CI= (empty) to allow skips.
#
# Output: one line per run; each run's full log is kept in a temporary directory
# named at the start. Exit status 0 when every run passed, 1 at the first failure.

set -euo pipefail

cd "$(dirname "$0")/.."

runs=10
burners=2
while getopts "n:b:h" opt; do
    case "$opt" in
        n) runs="$OPTARG" ;;
        b) burners="$OPTARG" ;;
        h) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "usage: $0 [-n RUNS] [-b BURNERS] [-- PYTEST_ARGS...]" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[[ "${1:-}" == "--" ]] && shift

# Why these folders: each one drives real parts whose timing a loaded machine
# changes. tests/e2e (tmux and pty end to end), tests/hostile (the app on a pty;
# its sanitiser tests are fast), tests/backends/matrix (Synapse), tests/vanish (timers,
# restarts, bytes on disk), tests/faults (fault-injecting proxies, the outbox
# storm), tests/demo (live servers and bots), tests/session (a client killed with
# SIGKILL and restarted, the app started offline), tests/ui (the whole app under Pilot against live servers:
# palette searches, live updates, two apps at once). Pure logic (tests/core), the
# server's own API tests and the fuzzers are left out: nothing there waits.
if [[ $# -gt 0 ]]; then
    pytest_args=("$@")
else
    pytest_args=(tests/e2e tests/hostile tests/backends/matrix tests/vanish tests/faults tests/demo
                 tests/session tests/ui)
fi

PYTHON="${PYTHON:-.venv/bin/python}"
if [[ -z "${CHATUI_SYNAPSE_PYTHON:-}" && -x .venv-synapse/bin/python ]]; then
    export CHATUI_SYNAPSE_PYTHON="$PWD/.venv-synapse/bin/python"
fi
export CI="${CI-1}"  # an empty CI stays empty: skips allowed

logs="$(mktemp -d "${TMPDIR:-/tmp}/chatui-stress.XXXXXX")"
burner_pids=()
stop_burners() {
    # Only the processes this script started, by their ids.
    for pid in "${burner_pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${burner_pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    burner_pids=()
}
trap stop_burners EXIT
trap 'stop_burners; exit 130' INT TERM

for ((i = 0; i < burners; i++)); do
    "$PYTHON" -c 'while True: pass' &
    burner_pids+=("$!")
done

echo "stress: $runs run(s) of: ${pytest_args[*]}"
echo "stress: $burners CPU burner(s) on $(nproc) core(s); logs in $logs"
passed=0
for ((run = 1; run <= runs; run++)); do
    log="$logs/run-$run.log"
    start=$SECONDS
    if "$PYTHON" -m pytest -q -p no:cacheprovider "${pytest_args[@]}" >"$log" 2>&1; then
        passed=$((passed + 1))
        echo "run $run/$runs: passed in $((SECONDS - start)) s ($(tail -n 1 "$log"))"
    else
        echo "run $run/$runs: FAILED after $((SECONDS - start)) s; its log: $log"
        grep -E '^(FAILED|ERROR) ' "$log" | sed 's/^/    /' || tail -n 20 "$log"
        echo "stress: $passed run(s) in a row passed before the first failure"
        exit 1
    fi
done
echo "stress: all $passed of $runs runs passed in a row with $burners CPU burner(s)"
