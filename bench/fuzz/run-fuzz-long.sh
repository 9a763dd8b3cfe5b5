#!/usr/bin/env bash
# Long fuzzing runs: each libFuzzer target of tests/fuzz for at least RUNS
# executions (default 10,000,000), from its regression inputs (and, for
# fuzz_image, the sample-config seeds), keeping what it learns in
# build/fuzz/long/TARGET. Prints, per target, executions, executions per
# second, edge coverage and features, and lists any finding. A benchmark:
# it reports, it does not judge. Findings are written next to the corpus as
# crash-*/leak-*/timeout-*/oom-*: fix them and copy the input into
# tests/fuzz/regressions/TARGET.
#
#   bench/fuzz/run-fuzz-long.sh [TARGET...]      (make fuzz-long)
#   RUNS=1000000 bench/fuzz/run-fuzz-long.sh fuzz_agent
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${PALACIOS_BUILD:-$root/build}
runs=${RUNS:-10000000}
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(fuzz_image fuzz_devices fuzz_x86 fuzz_agent)

make -C "$root/tests/fuzz" --no-print-directory OUT="$build/fuzz" >/dev/null || {
    echo "run-fuzz-long: building the fuzz targets failed (make -C tests/fuzz)" >&2
    exit 1
}
printf '%-14s %12s %9s %7s %8s  %s\n' target executions exec/s cov ft findings
status=0
for target in "${targets[@]}"; do
    binary=$build/fuzz/$target
    [ -x "$binary" ] || { echo "run-fuzz-long: no such target: $target" >&2; status=1; continue; }
    corpus=$build/fuzz/long/$target
    mkdir -p "$corpus"
    inputs=("$corpus")
    [ -d "$root/tests/fuzz/regressions/$target" ] && inputs+=("$root/tests/fuzz/regressions/$target")
    [ "$target" = fuzz_image ] && inputs+=("$build/fuzz/corpus")
    log=$corpus.log
    "$binary" -runs="$runs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$corpus-" "${inputs[@]}" >"$log" 2>&1
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1)
    cov=$(sed -nE 's/.*cov: ([0-9]+).*/\1/p' <<<"$last")
    ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
    findings=$(cd "$(dirname "$corpus")" && ls -1 "$target"-crash-* "$target"-leak-* \
        "$target"-timeout-* "$target"-oom-* 2>/dev/null | tr '\n' ' ')
    [ -n "$findings" ] && status=1
    printf '%-14s %12s %9s %7s %8s  %s\n' "$target" "${executions:-?}" "${rate:-?}" \
        "${cov:-?}" "${ft:-?}" "${findings:-none} (log: $log)"
done
exit $status
