#!/usr/bin/env bash
# Runs every test program under BUILD/tests/bin, one after another, and ends
# with one line over all of them: "Totals: N passed, N failed, N skipped".
# A program that crashes or prints no Qt Test totals counts as one failure.
# Exit status: 0 only when nothing failed.
set -uo pipefail
build=${1:?usage: run-tests.sh BUILD_DIR}
bin=$build/tests/bin
logs=$build/tests/logs
mkdir -p "$logs"
# Tests and the sandbox script they call use this build.
export PALACIOS_BUILD=$build
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
export PALACIOS_TEST_OUTPUT=${PALACIOS_TEST_OUTPUT:-$build/tests/output}
mkdir -p "$PALACIOS_TEST_OUTPUT"

passed=0 failed=0 skipped=0
shopt -s nullglob
programs=("$bin"/tst_*)
if [ ${#programs[@]} -eq 0 ]; then
    echo "run-tests: no test programs in $bin (build first)" >&2
    echo "Totals: 0 passed, 1 failed, 0 skipped"
    exit 1
fi
for program in "${programs[@]}"; do
    name=$(basename "$program")
    echo "=== $name"
    timeout --kill-after=10 900 "$program" 2>&1 | tee "$logs/$name.txt"
    rc=${PIPESTATUS[0]}
    totals=$(grep -E '^Totals: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped' "$logs/$name.txt" | tail -n 1)
    if [ -z "$totals" ]; then
        echo "run-tests: $name ended with status $rc and printed no totals; counted as a failure"
        failed=$((failed + 1))
        continue
    fi
    read -r p f s < <(sed -E 's/^Totals: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped.*/\1 \2 \3/' <<<"$totals")
    passed=$((passed + p))
    failed=$((failed + f))
    skipped=$((skipped + s))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "run-tests: $name exited with status $rc although no test failed; counted as a failure"
        failed=$((failed + 1))
    fi
done
echo "Totals: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
