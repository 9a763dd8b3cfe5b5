#!/bin/sh
# make-initramfs.sh OUT.cpio.gz: the smallest initramfs that gives a Linux
# guest an interactive shell on its console: a static busybox (the
# busybox-static package) with its applets, and an /init that mounts /proc,
# /sys and /dev, prints the marker "PALACIOS-GUEST-READY" and its uptime,
# and runs sh on the console (ttyS0 with console=ttyS0).
set -eu
[ $# -eq 1 ] || { echo "usage: $0 OUT.cpio.gz" >&2; exit 2; }
out=$1
busybox=$(command -v busybox || true)
if [ -z "$busybox" ] || readelf -l "$busybox" 2>/dev/null | grep -q 'program interpreter'; then
    echo "$0: no static busybox on PATH: install busybox-static" >&2
    exit 1
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/bin "$root"/sbin "$root"/usr/bin "$root"/usr/sbin "$root"/proc "$root"/sys \
    "$root"/dev "$root"/tmp "$root"/root
cp "$busybox" "$root/bin/busybox"
"$busybox" --list-full | while read -r applet; do
    [ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done
cat >"$root/init" <<'INIT'
#!/bin/sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "PALACIOS-GUEST-READY uptime $(cut -d' ' -f1 /proc/uptime)"
exec setsid cttyhack sh -l
INIT
chmod 0755 "$root/init"
tmp=$out.tmp.$$
(cd "$root" && find . -print0 | sort -z | cpio --null -o -H newc --quiet) | gzip -9 >"$tmp"
mv "$tmp" "$out"
