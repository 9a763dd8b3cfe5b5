// v3vee.ko on Debian's stock kernel in the sandbox (QEMU with emulated SVM):
// loads, enables SVM on both CPUs (checked through the MSRs themselves),
// publishes its device and proc files, unloads cleanly, and refuses cleanly
// where SVM is missing or already in use.
#include "sandbox_runner.h"

#include <QtTest>

namespace {

// Shell helpers for the scripts: EFER of a CPU through the msr driver, and a
// check that the kernel log has no warning, bug, oops or call trace.
const QByteArray kHelpers = R"SH(
insmod /lib/modules/extra/msr.ko
efer() { dd if=/dev/cpu/$1/msr bs=8 count=1 skip=$((0xC0000080)) iflag=skip_bytes 2>/dev/null | od -An -tx8 | tr -d ' '; }
svme() { [ $(( 0x$(efer $1) & 0x1000 )) -ne 0 ] && echo on || echo off; }
clean_log() { if dmesg | grep -E 'WARNING|BUG|Oops|Call Trace|general protection'; then echo no; else echo yes; fi; }
)SH";

} // namespace

class TestSandboxModule : public QObject {
    Q_OBJECT

private slots:
    void loadsEnablesSvmAndUnloadsCleanly() {
        SandboxRun run = runInSandbox(kHelpers + R"SH(
echo "@kernel $(uname -r)"
echo "@cpus $(grep -c ^processor /proc/cpuinfo)"
echo "@svme_before $(svme 0) $(svme 1)"
insmod /lib/modules/v3vee.ko && echo "@insmod ok"
echo "@svme_loaded $(svme 0) $(svme 1)"
echo "@cpu0 $(dmesg | grep -c 'v3vee: cpu 0: SVM enabled')"
echo "@cpu1 $(dmesg | grep -c 'v3vee: cpu 1: SVM enabled')"
[ -c /dev/v3vee ] && echo "@device char $(stat -c %a /dev/v3vee)"
echo "@class $(ls /sys/class/v3vee)"
[ -f /proc/v3vee/v3-guests ] && echo "@guests_bytes $(wc -c < /proc/v3vee/v3-guests)"
echo "@info $(v3_info --kv | tr '\n' ' ')"
rmmod v3vee && echo "@rmmod ok"
echo "@svme_after $(svme 0) $(svme 1)"
echo "@hsave_after $(dd if=/dev/cpu/0/msr bs=8 count=1 skip=$((0xC0010117)) iflag=skip_bytes 2>/dev/null | od -An -tx8 | tr -d ' ')"
[ -e /dev/v3vee ] || echo "@device_gone yes"
[ -e /proc/v3vee ] || echo "@proc_gone yes"
[ -e /sys/class/v3vee ] || echo "@class_gone yes"
echo "@disabled $(dmesg | grep -c 'SVM disabled')"
echo "@clean $(clean_log)"
)SH");
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors + run.output));
        auto m = markers(run.output);
        QVERIFY2(m["kernel"].endsWith("-amd64"), qPrintable(run.output));
        QCOMPARE(m["cpus"], QString("2"));
        QCOMPARE(m["svme_before"], QString("off off"));
        QCOMPARE(m["insmod"], QString("ok"));
        QCOMPARE(m["svme_loaded"], QString("on on"));
        QCOMPARE(m["cpu0"], QString("1"));
        QCOMPARE(m["cpu1"], QString("1"));
        QCOMPARE(m["device"], QString("char 600"));
        QCOMPARE(m["class"], QString("v3vee"));
        QCOMPARE(m["guests_bytes"], QString("0"));
        QVERIFY2(m["info"].contains("cpus_enabled=2"), qPrintable(m["info"]));
        QVERIFY(m["info"].contains("kernel_release=" + m["kernel"]));
        QCOMPARE(m["rmmod"], QString("ok"));
        QCOMPARE(m["svme_after"], QString("off off"));
        QCOMPARE(m["hsave_after"], QString("0000000000000000"));
        QCOMPARE(m["device_gone"], QString("yes"));
        QCOMPARE(m["proc_gone"], QString("yes"));
        QCOMPARE(m["class_gone"], QString("yes"));
        QCOMPARE(m["disabled"], QString("2"));
        QVERIFY2(m["clean"] == "yes", qPrintable(run.output));
    }

    void loadUnloadCycles() {
        SandboxRun run = runInSandbox(kHelpers + R"SH(
ok=0
for i in $(seq 20); do insmod /lib/modules/v3vee.ko && rmmod v3vee && ok=$((ok + 1)); done
echo "@cycles $ok"
echo "@svme $(svme 0) $(svme 1)"
echo "@clean $(clean_log)"
)SH");
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors + run.output));
        auto m = markers(run.output);
        QCOMPARE(m["cycles"], QString("20"));
        QCOMPARE(m["svme"], QString("off off"));
        QCOMPARE(m["clean"], QString("yes"));
    }

    void refusesCpuWithoutSvm() {
        SandboxRun run = runInSandbox(R"SH(
insmod /lib/modules/v3vee.ko 2>/tmp/err; echo "@insmod_status $?"
echo "@insmod_error $(cat /tmp/err)"
echo "@reason $(dmesg | grep -c 'v3vee: cannot load: this CPU has no AMD SVM')"
[ -e /dev/v3vee ] || echo "@device_absent yes"
grep -q '^v3vee ' /proc/modules || echo "@not_loaded yes"
if dmesg | grep -E 'WARNING|BUG|Oops|Call Trace'; then echo "@clean no"; else echo "@clean yes"; fi
)SH",
                                      {"--cpu", "qemu64,-svm"});
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors + run.output));
        auto m = markers(run.output);
        QVERIFY(m["insmod_status"] != "0");
        QVERIFY2(m["insmod_error"].contains("No such device"), qPrintable(run.output));
        QVERIFY(m["reason"].toInt() >= 1);
        QCOMPARE(m["device_absent"], QString("yes"));
        QCOMPARE(m["not_loaded"], QString("yes"));
        QCOMPARE(m["clean"], QString("yes"));
    }

    // Another hypervisor holding SVM on one CPU (simulated by setting
    // EFER.SVME through the msr driver): v3vee must refuse with EBUSY and
    // leave every CPU as it found it.
    void refusesWhenSvmIsAlreadyInUse() {
        SandboxRun run = runInSandbox(kHelpers + R"SH(
set_efer() { v=$2; s=""; for i in 0 1 2 3 4 5 6 7; do s="$s\\$(printf %03o $(( (v >> (8 * i)) & 255 )))"; done; printf "$s" | dd of=/dev/cpu/$1/msr bs=8 count=1 seek=$((0xC0000080)) oflag=seek_bytes conv=notrunc 2>/dev/null; }
orig=$((0x$(efer 1)))
set_efer 1 $((orig | 0x1000))
echo "@svme_preset $(svme 0) $(svme 1)"
insmod /lib/modules/v3vee.ko 2>/tmp/err; echo "@insmod_status $?"
echo "@insmod_error $(cat /tmp/err)"
echo "@reason $(dmesg | grep -c 'cpu 1: cannot enable SVM: EFER.SVME is already set')"
echo "@svme_after $(svme 0) $(svme 1)"
set_efer 1 $orig
insmod /lib/modules/v3vee.ko && echo "@retry ok"
rmmod v3vee
echo "@clean $(clean_log)"
)SH");
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors + run.output));
        auto m = markers(run.output);
        QCOMPARE(m["svme_preset"], QString("off on"));
        QVERIFY(m["insmod_status"] != "0");
        QVERIFY2(m["insmod_error"].contains("busy"), qPrintable(run.output));
        QVERIFY(m["reason"].toInt() >= 1);
        QCOMPARE(m["svme_after"], QString("off on")); // CPU 0 rolled back, CPU 1 untouched
        QCOMPARE(m["retry"], QString("ok"));
        QCOMPARE(m["clean"], QString("yes"));
    }

    // kvm_amd, the peer of every benchmark, loads in the same sandbox.
    void kvmAmdLoadsInTheSameSandbox() {
        SandboxRun run = runInSandbox(R"SH(
for m in $(cat /lib/modules/extra/kvm_amd.order); do insmod /lib/modules/extra/$m || exit 1; done
grep -q '^kvm_amd ' /proc/modules && echo "@kvm_amd loaded"
[ -c /dev/kvm ] && echo "@dev_kvm yes"
)SH");
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors + run.output));
        auto m = markers(run.output);
        QCOMPARE(m["kvm_amd"], QString("loaded"));
        QCOMPARE(m["dev_kvm"], QString("yes"));
    }

    void scriptStatusAndTimeoutAreReported() {
        SandboxRun failing = runInSandbox("echo before; exit 7\n");
        QCOMPARE(failing.exitCode, 7);
        QVERIFY(failing.output.contains("before"));

        SandboxRun hung = runInSandbox("sleep 600\n", {}, 20);
        QCOMPARE(hung.exitCode, 125);
        QVERIFY2(hung.errors.contains("timed out after 20s"), qPrintable(hung.errors));
    }
};

QTEST_APPLESS_MAIN(TestSandboxModule)
#include "tst_sandbox_module.moc"
