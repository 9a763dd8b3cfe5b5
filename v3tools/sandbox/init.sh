#!/bin/sh
# /init of the sandbox initramfs. Mounts the usual file systems, then either
# runs /job/run.sh with its output on ttyS1 followed by "V3SANDBOX-EXIT <status>"
# and powers off, or (no job) gives a shell on the console.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
hostname v3sandbox
echo 1 >/proc/sys/kernel/printk_devkmsg 2>/dev/null

if [ -f /job/run.sh ]; then
    stty -F /dev/ttyS1 raw -echo 2>/dev/null
    cd /root
    sh /job/run.sh >/dev/ttyS1 2>&1 </dev/null
    status=$?
    echo "V3SANDBOX-EXIT $status" >/dev/ttyS1
    sync
    poweroff -f
fi

# Service mode (v3sandbox start): load the module, report, and stay up.
if grep -qw v3sandbox.service /proc/cmdline; then
    if insmod /lib/modules/v3vee.ko 2>/tmp/insmod.err; then
        echo "V3SANDBOX-READY"
        v3_info --kv
        echo "V3SANDBOX-READY-END"
    else
        echo "V3SANDBOX-FAILED $(cat /tmp/insmod.err) / $(dmesg | grep v3vee | tail -n 1)"
    fi
    while :; do sleep 3600; done
fi

echo "v3sandbox: $(uname -r), modules in /lib/modules (insmod /lib/modules/v3vee.ko)"
setsid cttyhack sh -l
poweroff -f
