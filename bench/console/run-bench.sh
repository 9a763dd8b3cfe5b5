#!/usr/bin/env bash
# Text console benchmark (issue 11): the bench_console guest under v3vee.ko in
# the sandbox, viewed by console_bench through V3_VM_CONSOLE_CONNECT:
#   (a) guest write -> viewer delay (guest-timestamped with its TSC),
#   (b) key -> guest -> screen round trip,
#   (c) bytes per update for a full-screen scroll vs a full redraw.
# Not a test: it prints figures and never fails on speed.
#   bench/console/run-bench.sh   (after `make`; SAMPLES=N, default 200)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${PALACIOS_BUILD:-$repo/build}
samples=${SAMPLES:-200}
out=$build/bench/console
mkdir -p "$out"

gcc -m32 -c -o "$out/bench_console.o" "$here/bench_console.S"
ld -m elf_i386 -T "$repo/tests/guests/rom.ld" -o "$out/bench_console.bin" "$out/bench_console.o"
cp "$here/bench_console.xml" "$out/"
"$build/bin/build_vm" "$out/bench_console.xml" -o "$out/bench_console.img" >/dev/null
gcc -static -O2 -Wall -I "$repo/kmod" -o "$out/console_bench" "$here/console_bench.c"

cat >"$out/inside.sh" <<INSIDE
cd /root
insmod /lib/modules/v3vee.ko || exit 1
v3_mem 64 >/dev/null
dev=\$(v3_create bench_console.img bench_console) || exit 1
v3_launch \$dev || exit 1
khz=\$(dmesg | sed -n 's/.*tsc: Refined TSC clocksource calibration: \([0-9.]*\) MHz.*/\1/p; s/.*tsc: Detected \([0-9.]*\) MHz processor.*/\1/p' | tail -n 1)
khz=\$(awk -v m="\$khz" 'BEGIN { printf "%d", m * 1000 }')
echo "TSC \$khz kHz"
./console_bench \$dev \$khz $samples
v3_stop \$dev >/dev/null; v3_free \$dev >/dev/null
INSIDE

"$repo/v3tools/sandbox/v3sandbox" run --timeout 900 \
    --file "$out/bench_console.img:/root/bench_console.img" \
    --file "$out/console_bench:/root/console_bench" "$out/inside.sh" | tee "$out/raw.txt"
