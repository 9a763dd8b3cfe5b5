#!/usr/bin/env bash
# Checkpoint benchmark (issue 13): the spin guest (tests/guests/spin.S, a
# counter on COM1) with 256 MB of RAM under v3vee.ko in the sandbox:
#   save: v3_pause + v3_save to a file in the sandbox's tmpfs, MB/s;
#   load: v3_create from the same image + v3_load + v3_launch, MB/s;
#   downtime: from the pause to the restored guest's next COM1 line;
# and whether the guest's counter went on from where it was saved.
# Not a test: it prints figures and never fails on speed. RUNS=N (default 3);
# output in build/bench/chkpt/. Times come from the sandbox's
# /proc/uptime (10 ms resolution), under QEMU's emulated SVM (TCG) unless
# the machine has nested virtualization.
#   bench/chkpt/run-bench.sh   (after `make`)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${PALACIOS_BUILD:-$repo/build}
runs=${RUNS:-3}
out=$build/bench/chkpt
mkdir -p "$out"

cp "$here/bench_chkpt.xml" "$build/guests/spin.bin" "$out/"
"$build/bin/build_vm" "$out/bench_chkpt.xml" -o "$out/bench_chkpt.img" >/dev/null

cat >"$out/inside.sh" <<INSIDE
cd /root
insmod /lib/modules/v3vee.ko || exit 1
v3_mem 600 >/dev/null || exit 1
now() { cut -d' ' -f1 /proc/uptime; }
lines() { tr -d '\r' <\$1 | grep -c .; }
for run in \$(seq 1 $runs); do
    dev=\$(v3_create bench_chkpt.img spin) || exit 1
    v3_launch \$dev
    timeout 300 v3_monitor \$dev com1 >/tmp/out1 2>/dev/null &
    mon=\$!
    until [ "\$(lines /tmp/out1)" -ge 4 ]; do sleep 0.2; done
    t0=\$(now)
    v3_pause \$dev || exit 1
    t1=\$(now)
    v3_save \$dev file /tmp/spin.ckpt >/dev/null 2>/tmp/save_err || { cat /tmp/save_err; exit 1; }
    t2=\$(now)
    last=\$(tr -d '\r' </tmp/out1 | tail -n 1)
    kill \$mon 2>/dev/null; wait \$mon 2>/dev/null || true
    v3_free \$dev
    t3=\$(now)
    dev=\$(v3_create bench_chkpt.img spin2) || exit 1
    t4=\$(now)
    v3_load \$dev file /tmp/spin.ckpt >/dev/null || exit 1
    t5=\$(now)
    timeout 300 v3_monitor \$dev com1 >/tmp/out2 2>/dev/null &
    mon=\$!
    v3_launch \$dev
    until [ "\$(lines /tmp/out2)" -ge 1 ]; do sleep 0.01; done
    t6=\$(now)
    first=\$(tr -d '\r' </tmp/out2 | head -n 1)
    v3_stop \$dev; kill \$mon 2>/dev/null; wait \$mon 2>/dev/null || true
    v3_free \$dev
    size=\$(wc -c </tmp/spin.ckpt)
    rm -f /tmp/spin.ckpt
    awk -v s=\$size -v t0=\$t0 -v t1=\$t1 -v t2=\$t2 -v t3=\$t3 -v t4=\$t4 -v t5=\$t5 -v t6=\$t6 \
        -v last="\$last" -v first="\$first" 'BEGIN {
        mb = s / 1048576
        printf "run %d: checkpoint %.1f MB; pause %.2f s; save %.2f s (%.0f MB/s); free+create %.2f s; load %.2f s (%.0f MB/s); downtime (pause to next line) %.2f s; last line saved \"%s\", first after load \"%s\"\n",
            '\$run', mb, t1 - t0, t2 - t1, (t2 > t1 ? mb / (t2 - t1) : 0), t4 - t2, t5 - t4,
            (t5 > t4 ? mb / (t5 - t4) : 0), t6 - t0, last, first }'
done
INSIDE

"$repo/v3tools/sandbox/v3sandbox" run --timeout 1200 \
    --file "$out/bench_chkpt.img:/root/bench_chkpt.img" "$out/inside.sh" | tee "$out/raw.txt"
