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

# The virtio-serial port named org.palacios.agent, once its driver is loaded
# (probing is asynchronous: wait up to 5 s for the device node).
agent_port() {
    local m p i
    for m in $(cat /lib/modules/extra/agent.order); do
        insmod "/lib/modules/extra/$m" 2>/dev/null
    done
    for i in $(seq 50); do
        for p in /sys/class/virtio-ports/*; do
            [ "$(cat "$p/name" 2>/dev/null)" = org.palacios.agent ] && [ -c "/dev/${p##*/}" ] &&
                { echo "/dev/${p##*/}"; return 0; }
        done
        sleep 0.1
    done
    return 1
}

# Service mode (v3sandbox start): load the module, serve it on the agent
# channel (which leaves the VM as RUNDIR/agent.sock: a virtio-serial port, or
# ttyS1 with v3sandbox.agent=serial), report, and stay up. The agent starts
# before the report so a client never talks to an unopened port; it is
# restarted should it ever end. Its log goes to the console
# (RUNDIR/console.log).
if grep -qw v3sandbox.service /proc/cmdline; then
    if insmod /lib/modules/v3vee.ko 2>/tmp/insmod.err; then
        if grep -qw v3sandbox.agent=serial /proc/cmdline; then
            stty -F /dev/ttyS1 raw -echo 2>/dev/null
            (while :; do v3agent --stdio <>/dev/ttyS1 >&0 2>/dev/console; sleep 1; done) &
            agent=serial
        elif port=$(agent_port); then
            (while :; do v3agent --port "$port" 2>/dev/console; sleep 1; done) &
            agent=virtio
        else
            echo "V3SANDBOX-FAILED no virtio-serial port for the agent (modules: $(cat /lib/modules/extra/agent.order | tr '\n' ' '))"
            while :; do sleep 3600; done
        fi
        echo "V3SANDBOX-READY"
        v3_info --kv
        echo "sandbox_agent=$agent"
        echo "V3SANDBOX-READY-END"
    else
        echo "V3SANDBOX-FAILED $(cat /tmp/insmod.err) / $(dmesg | grep v3vee | tail -n 1)"
    fi
    while :; do sleep 3600; done
fi

echo "v3sandbox: $(uname -r), modules in /lib/modules (insmod /lib/modules/v3vee.ko)"
setsid cttyhack sh -l
poweroff -f
