#!/usr/bin/env bash
# Exit-cost benchmark: v3vee.ko against kvm_amd, in one sandbox boot, on the
# same (emulated) CPU, with the same guest ROMs.
#   (a) 100,000 CPUID exits            (handled in the kernel by both)
#   (b) 100,000 OUTs to port 0x70      (an in-kernel device in v3vee; a
#                                       userspace device in the KVM runner)
#   (c) launch to the guest's first COM1 byte (hello)
# The guests time (a) and (b) themselves with RDTSC; the runners time (c).
# Each case runs RUNS times per VMM; the mean is reported with the ratio
# v3vee/KVM. Not a test: it prints figures and never fails on speed.
#   bench/svm/run-bench.sh            (after `make`; uses $PALACIOS_BUILD or build/)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${PALACIOS_BUILD:-$repo/build}
runs=${RUNS:-2}
out=$build/bench/svm
mkdir -p "$out"

# Guest ROMs and images, built like the test guests.
for g in bench_cpuid bench_out; do
    gcc -m32 -c -I "$repo/tests/guests" -o "$out/$g.o" "$here/$g.S"
    ld -m elf_i386 -T "$repo/tests/guests/rom.ld" -o "$out/$g.bin" "$out/$g.o"
    cp "$here/$g.xml" "$out/"
    "$build/bin/build_vm" "$out/$g.xml" -o "$out/$g.img" >/dev/null
done
cp "$build/guests/hello.bin" "$build/guests/hello.img" "$out/"
for r in kvm_runner v3_runner; do
    gcc -static -O2 -Wall -I "$repo/kmod" -o "$out/$r" "$here/$r.c"
done

cat >"$out/inside.sh" <<INSIDE
cd /root
insmod /lib/modules/v3vee.ko || exit 1
v3_mem 64 >/dev/null
for run in \$(seq $runs); do
  for g in bench_cpuid bench_out hello; do
    ./v3_runner \$g.img \$g\$run >/tmp/out 2>/tmp/err || { cat /tmp/err; exit 1; }
    hex=\$(tr -d '\r' </tmp/out | sed -n 's/.*_cycles=//p')
    echo "v3 \$g \$(( 0x\${hex:-0} )) \$(sed -n 's/first_byte_us=//p' /tmp/err)"
  done
done
rmmod v3vee
for m in \$(cat /lib/modules/extra/kvm_amd.order); do insmod /lib/modules/extra/\$m || exit 1; done
for run in \$(seq $runs); do
  for g in bench_cpuid bench_out hello; do
    ./kvm_runner \$g.bin >/tmp/out 2>/tmp/err || { cat /tmp/err; exit 1; }
    hex=\$(tr -d '\r' </tmp/out | sed -n 's/.*_cycles=//p')
    echo "kvm \$g \$(( 0x\${hex:-0} )) \$(sed -n 's/first_byte_us=//p' /tmp/err)"
  done
done
echo "tsc_khz \$(dmesg | sed -n 's/.*tsc: Refined TSC clocksource calibration: \([0-9.]*\) MHz.*/\1/p; s/.*tsc: Detected \([0-9.]*\) MHz processor.*/\1/p' | tail -n 1)"
INSIDE

files=()
for f in bench_cpuid.img bench_out.img hello.img bench_cpuid.bin bench_out.bin hello.bin kvm_runner v3_runner; do
    files+=(--file "$out/$f:/root/$f")
done
"$repo/v3tools/sandbox/v3sandbox" run --timeout 1200 "${files[@]}" "$out/inside.sh" | tee "$out/raw.txt"

awk -v iterations=100000 '
/^tsc_khz/ { mhz = $2 }
/^(v3|kvm) / {
    vmm = $1; guest = $2
    if (guest == "hello") { first[vmm] += $4; nfirst[vmm]++ }
    else { cycles[vmm, guest] += $3; n[vmm, guest]++ }
}
END {
    if (mhz == "") { print "could not read the TSC frequency"; exit 1 }
    printf "TSC %.1f MHz (emulated CPU, QEMU TCG with SVM)\n\n", mhz
    printf "%-34s %14s %14s %10s\n", "", "v3vee.ko", "kvm_amd", "v3vee/KVM"
    split("bench_cpuid bench_out", order, " ")
    names["bench_cpuid"] = "(a) CPUID exit, per exit"
    names["bench_out"] = "(b) OUT exit, per exit"
    for (i = 1; i <= 2; i++) {
        g = order[i]
        v = cycles["v3", g] / n["v3", g] / iterations / mhz
        k = cycles["kvm", g] / n["kvm", g] / iterations / mhz
        printf "%-34s %11.2f us %11.2f us %10.2f\n", names[g], v, k, v / k
    }
    v = first["v3"] / nfirst["v3"]; k = first["kvm"] / nfirst["kvm"]
    printf "%-34s %11.0f us %11.0f us %10.2f\n", "(c) launch to first serial byte", v, k, v / k
}' "$out/raw.txt"
