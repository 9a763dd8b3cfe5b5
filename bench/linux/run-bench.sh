#!/usr/bin/env bash
# Linux boot benchmark: v3vee.ko against kvm_amd, in one sandbox boot, on the
# same (emulated) CPU. The same kernel (the sandbox's own Debian kernel), the
# same busybox initramfs (tests/guests/linux/make-initramfs.sh) and the same
# command line are booted
#   (a) under v3vee.ko (direct Linux boot, one core, 256 MB), and
#   (b) under kvm_amd by QEMU (-M microvm, -kernel/-initrd, one core, 256 MB;
#       this machine's qemu-system-x86_64 carried into the sandbox with its
#       libraries and firmware),
# each until /init prints its marker. Reported per run: wall time from launch
# to the marker (sandbox clock) and the guest's own /proc/uptime at the
# marker, then the means and the ratio v3vee/KVM. Not a test: it prints
# figures and never fails on speed.
#   bench/linux/run-bench.sh          (after `make`; RUNS=2 by default)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${PALACIOS_BUILD:-$repo/build}
export PALACIOS_BUILD=$build
runs=${RUNS:-2}
out=$build/bench/linux
sandbox=$repo/v3tools/sandbox/v3sandbox
cache=${PALACIOS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/palacios}
cmdline="console=ttyS0 panic=-1"
mkdir -p "$out"

"$sandbox" fetch
kver=$("$sandbox" kernel-version)
cp "$cache/sandbox/$kver/vmlinuz" "$out/vmlinuz"
"$repo/tests/guests/linux/make-initramfs.sh" "$out/initramfs.cpio.gz"
sed "s|<cmdline>console=ttyS0</cmdline>|<cmdline>$cmdline</cmdline>|" \
    "$repo/resources/configs/linux-busybox.xml" >"$out/linux.xml"
"$build/bin/build_vm" "$out/linux.xml" -o "$out/linux.img" >/dev/null

# QEMU and everything it loads, under /q in the sandbox (which has no libc).
qemu=$(command -v qemu-system-x86_64) || { echo "no qemu-system-x86_64 on PATH" >&2; exit 1; }
files=(--file "$out/linux.img:/root/linux.img" --file "$out/vmlinuz:/root/vmlinuz"
    --file "$out/initramfs.cpio.gz:/root/initramfs.cpio.gz" --file "$qemu:/q/qemu")
loader=""
while read -r lib; do
    [ -f "$lib" ] || continue
    case $lib in
    */ld-linux*) loader=$lib; files+=(--file "$lib:/q/ld.so") ;;
    *) files+=(--file "$lib:/q/lib/$(basename "$lib")") ;;
    esac
done < <(ldd "$qemu" | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p')
[ -n "$loader" ] || { echo "cannot find the dynamic loader of $qemu" >&2; exit 1; }
for fw in bios-microvm.bin qboot.rom linuxboot_dma.bin; do
    [ -f "/usr/share/qemu/$fw" ] && files+=(--file "/usr/share/qemu/$fw:/q/share/$fw")
done

cat >"$out/inside.sh" <<INSIDE
cd /root
now() { cut -d' ' -f1 /proc/uptime; }
# Waits (up to 300 s) for the marker in \$1; prints "WALL UPTIME".
await_marker() {
  i=0
  while ! grep -q 'PALACIOS-GUEST-READY uptime' "\$1"; do
    i=\$((i+1)); [ \$i -gt 3000 ] && { echo "timeout"; return 1; }; sleep 0.1
  done
  echo "\$(awk -v a=\$start -v b=\$(now) 'BEGIN{printf "%.2f", b-a}') \$(tr -d '\r' <"\$1" | sed -n 's/.*PALACIOS-GUEST-READY uptime //p' | head -n 1)"
}
insmod /lib/modules/v3vee.ko || exit 1
v3_mem 256 >/dev/null || exit 1
for run in \$(seq $runs); do
  dev=\$(v3_create /root/linux.img linux\$run) || exit 1
  v3_monitor \$dev com1 >/tmp/v3_\$run 2>/dev/null &
  mon=\$!
  start=\$(now)
  v3_launch \$dev
  echo "v3 \$run \$(await_marker /tmp/v3_\$run)"
  v3_stop \$dev; wait \$mon 2>/dev/null; v3_free \${dev#/dev/v3-vm}
done
rmmod v3vee
for m in \$(cat /lib/modules/extra/kvm_amd.order); do insmod /lib/modules/extra/\$m || exit 1; done
chmod +x /q/qemu /q/ld.so
for run in \$(seq $runs); do
  start=\$(now)
  /q/ld.so --library-path /q/lib /q/qemu -L /q/share -M microvm -accel kvm -cpu host -smp 1 -m 256 \\
    -nodefaults -no-user-config -display none -serial file:/tmp/kvm_\$run \\
    -kernel /root/vmlinuz -initrd /root/initramfs.cpio.gz -append "$cmdline" 2>/tmp/qemu_err &
  q=\$!
  echo "kvm \$run \$(await_marker /tmp/kvm_\$run || cat /tmp/qemu_err)"
  kill \$q; wait \$q 2>/dev/null
done
INSIDE

"$sandbox" run --timeout 1500 "${files[@]}" "$out/inside.sh" | tee "$out/raw.txt"

awk '
$1 == "v3" || $1 == "kvm" { if ($3 ~ /^[0-9.]+$/) { wall[$1] += $3; up[$1] += $4; n[$1]++ } }
END {
    if (!n["v3"] || !n["kvm"]) { print "incomplete: see raw.txt"; exit 0 }
    printf "boot to /init marker, mean of %d run(s):\n", n["v3"]
    printf "  v3vee.ko: wall %.2f s, guest uptime %.2f s\n", wall["v3"]/n["v3"], up["v3"]/n["v3"]
    printf "  kvm_amd:  wall %.2f s, guest uptime %.2f s\n", wall["kvm"]/n["kvm"], up["kvm"]/n["kvm"]
    printf "  ratio v3vee/KVM: wall %.2f, guest uptime %.2f\n", (wall["v3"]/n["v3"])/(wall["kvm"]/n["kvm"]), (up["v3"]/n["v3"])/(up["kvm"]/n["kvm"])
}' "$out/raw.txt" | tee "$out/summary.txt"
