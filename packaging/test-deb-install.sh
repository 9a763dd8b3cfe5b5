#!/usr/bin/env bash
# What a user of a fresh Debian 12 machine gets from the packages `make deb`
# built: installs palacios, palacios-sandbox and v3vee-dkms with apt into a
# new Debian 12 root (debootstrap, kept as a pristine copy under
# $PALACIOS_DEBROOT, default /var/tmp/palacios-debroot, and copied afresh for
# every run), then checks, as root and as an ordinary member of v3vee:
#   - the maintainer scripts: the group v3vee and /etc/modprobe.d/v3vee.conf
#     with its number, the udev rule, DKMS registration (its build for the
#     running kernel may fail there: no headers for it; it must not fail the
#     install);
#   - DKMS building v3vee.ko for the Debian kernel whose headers are
#     installed, and that module loading and running a guest in the sandbox;
#   - the installed programs: --version, the man pages, and the packaged
#     sandbox booting for a group member, with no source tree anywhere;
#   - purge: programs, module source, DKMS registration and the modprobe
#     file are gone (the group stays, as Debian policy asks).
# Needs root, mount namespaces and the Debian mirror. Prints one line per
# check and exits non-zero if any failed. Not part of make check: it takes a
# package build and several minutes of downloads and QEMU.
#
#   make deb && packaging/test-deb-install.sh      (or: make deb-test)
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${PALACIOS_BUILD:-$root/build}
version=$(cat "$root/VERSION")
base=${PALACIOS_DEBROOT:-/var/tmp/palacios-debroot}
kver=$("$root/v3tools/sandbox/v3sandbox" kernel-version)
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

die() { echo "test-deb-install: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "run as root (it installs packages into a chroot)"
debs=("$build/deb/palacios_${version}_amd64.deb" "$build/deb/palacios-sandbox_${version}_amd64.deb"
      "$build/deb/v3vee-dkms_${version}_all.deb")
for deb in "${debs[@]}"; do
    [ -f "$deb" ] || die "missing $deb: run make deb first"
done
[ -f "$build/guests/hello.img" ] || die "missing $build/guests/hello.img: run make first"

if [ ! -d "$base/pristine" ]; then
    echo "test-deb-install: creating a Debian 12 root in $base/pristine (once)"
    rm -rf "$base/pristine.tmp" && mkdir -p "$base"
    debootstrap --variant=minbase bookworm "$base/pristine.tmp" "$mirror" >"$base/debootstrap.log" 2>&1 ||
        die "debootstrap failed; see $base/debootstrap.log"
    mv "$base/pristine.tmp" "$base/pristine"
fi
target=$base/run
rm -rf "$target" && cp -a "$base/pristine" "$target" || die "cannot copy the pristine root"
# The same archive as this machine (the kernel's headers come from
# bookworm-security), and the packages and a test guest to install.
rm -f "$target/etc/apt/sources.list"
cp /etc/apt/sources.list.d/*.sources "$target/etc/apt/sources.list.d/" 2>/dev/null ||
    cp /etc/apt/sources.list "$target/etc/apt/sources.list"
mkdir -p "$target/tmp/debs"
cp "${debs[@]}" "$target/tmp/debs/"
cp "$build/guests/hello.img" "$target/tmp/hello.img"

# Everything inside runs in a private mount namespace: /proc, /sys, /dev
# and /run of the chroot vanish with it.
unshare -m bash -s "$target" "$version" "$kver" <<'OUTER'
target=$1 version=$2 kver=$3
mount -t proc proc "$target/proc"
mount --rbind /sys "$target/sys"
mount --rbind /dev "$target/dev"
mount -t tmpfs tmpfs "$target/run"
cp /etc/resolv.conf "$target/etc/resolv.conf" 2>/dev/null
exec chroot "$target" /bin/bash -s "$version" "$kver" <<'INNER'
version=$1 kver=$2
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 PATH=/usr/sbin:/usr/bin:/sbin:/bin
failed=0
check() { # check NAME COMMAND...: runs it, prints ok/FAIL with its output on failure
    local name=$1; shift
    if out=$("$@" 2>&1); then echo "ok   $name"; else echo "FAIL $name"; sed 's/^/     /' <<<"$out" | tail -15; failed=1; fi
}
apt-get update -q >/tmp/apt.log 2>&1 || { echo "FAIL apt-get update"; tail /tmp/apt.log; exit 1; }
# The headers of the sandbox's Debian kernel: what a user has for the
# kernel they run (the running kernel here is the build machine's own).
check "apt installs the packages and the kernel headers" \
    apt-get install -y -q --no-install-recommends "linux-headers-$kver" \
    /tmp/debs/palacios_*.deb /tmp/debs/palacios-sandbox_*.deb /tmp/debs/v3vee-dkms_*.deb
gid=$(getent group v3vee | cut -d: -f3)
check "postinst created the group v3vee" test -n "$gid"
check "postinst wrote options v3vee gid=$gid" grep -qx "options v3vee gid=$gid" /etc/modprobe.d/v3vee.conf
check "the udev rule is installed" grep -q 'GROUP="v3vee"' /usr/lib/udev/rules.d/60-v3vee.rules
check "DKMS knows v3vee/$version" sh -c "dkms status -m v3vee -v $version | grep -q ."
check "dkms install builds v3vee.ko for $kver" dkms install -m v3vee -v "$version" -k "$kver"
ko=$(find "/lib/modules/$kver" -name 'v3vee.ko*' | head -1)
check "the DKMS module is for $kver" sh -c "modinfo -F vermagic '$ko' | grep -q '^$kver '"
for program in palacios build_vm v3_create v3_launch v3_info v3_stream v3_mem v3agent; do
    check "$program --version" env QT_QPA_PLATFORM=offscreen "$program" --version
done
check "man pages are installed" test -f /usr/share/man/man1/v3_create.1.gz -a -f /usr/share/man/man5/v3vee-config.5.gz
check "no file of the packages names a build tree" sh -c \
    "! dpkg -L palacios palacios-sandbox | xargs grep -lsI -e /work/ -e '/build/deb/' 2>/dev/null | grep ."
useradd -m -G v3vee alice
# A member of v3vee runs the packaged sandbox (the kernel image is fetched
# from Debian on first use) with the module DKMS built, and a guest in it.
cp "$ko" /tmp/dkms-v3vee.ko
cp /tmp/hello.img /home/alice/hello.img && chown alice /home/alice/hello.img /tmp/dkms-v3vee.ko
cat >/home/alice/guest.sh <<'SH'
rmmod v3vee 2>/dev/null
insmod /root/dkms-v3vee.ko || { echo "@insmod failed"; exit 1; }
echo "@version $(cat /sys/module/v3vee/version 2>/dev/null)"
v3_mem 64 >/dev/null || exit 1
dev=$(v3_create /root/hello.img hello) || exit 1
v3_launch "$dev" || exit 1
timeout 60 v3_stream "$dev" com1 </dev/null | tr -d '\r' | head -1 | sed 's/^/@output /'
SH
check "a v3vee member boots the packaged sandbox with the DKMS module and runs a guest" \
    su alice -c "cd && /usr/share/palacios/sandbox/v3sandbox run --accel tcg --timeout 240 \
        --file /tmp/dkms-v3vee.ko:/root/dkms-v3vee.ko --file hello.img:/root/hello.img guest.sh \
        >out.txt 2>err.txt; grep -q '^@output .' out.txt || { cat out.txt err.txt; false; }"
echo "     guest said: $(sed -n 's/^@output //p' /home/alice/out.txt)"
check "apt purges the packages" apt-get purge -y -q palacios palacios-sandbox v3vee-dkms
check "purge removed the programs" sh -c '! command -v palacios && ! command -v v3_create'
check "purge removed the module source and its DKMS registration" \
    sh -c "test ! -e /usr/src/v3vee-$version && ! dkms status -m v3vee | grep -q ."
check "purge removed /etc/modprobe.d/v3vee.conf" test ! -e /etc/modprobe.d/v3vee.conf
check "the group stays after purge" getent group v3vee
exit $failed
INNER
OUTER
status=$?
[ $status = 0 ] && echo "test-deb-install: all checks passed" || echo "test-deb-install: some checks FAILED"
exit $status
