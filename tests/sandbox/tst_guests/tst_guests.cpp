// Guests really run: the test guests (tests/guests) under v3vee.ko in the
// sandbox, driven exactly as a user does with the v3 tools: v3_mem,
// v3_create, v3_launch, v3_monitor/v3_stream, v3_pause, v3_continue, v3_stop,
// v3_free, v3_info. Also the refusals: malformed images and bad arguments.
#include "sandbox_runner.h"

#include <QRegularExpression>
#include <QtTest>

namespace {

QString guest(const QString& name) {
    return testpaths::buildRoot() + "/guests/" + name + ".img";
}

QStringList withGuests(const QStringList& names) {
    QStringList options;
    for (const QString& n : names)
        options << "--file" << guest(n) + ":/root/" + n + ".img";
    return options;
}

const QByteArray kPrelude = R"SH(
insmod /lib/modules/v3vee.ko || { echo "@insmod failed"; exit 1; }
v3_mem 128 >/dev/null || exit 1
pool_free() { v3_info --kv | sed -n 's/^guest_memory_free=//p'; }
clean_log() { if dmesg | grep -E 'WARNING|BUG|Oops|Call Trace|general protection'; then echo no; else echo yes; fi; }
)SH";

} // namespace

class TestGuests : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        for (const char* g :
             {"hello", "ticks", "triple", "spin", "mmio", "cpuid", "msr", "unmapped"})
            QVERIFY2(QFile::exists(guest(g)), qPrintable("missing " + guest(g) + "; build first"));
    }

    // The newcomer's path from the README, word for word, then a relaunch.
    void helloPrintsOnCom1AndExits() {
        SandboxRun run = runInSandbox(kPrelude + R"SH(
echo "@pool_before $(pool_free)"
dev=$(v3_create /root/hello.img hello)
echo "@device $dev"
echo "@listed $(cat /proc/v3vee/v3-guests)"
echo "@status_created $(grep -v '^#' /proc/v3vee/v3-status)"
v3_launch $dev && echo "@launched yes"
timeout 60 v3_stream $dev com1 </dev/null >/tmp/out 2>/tmp/err
echo "@output $(tr -d '\r' </tmp/out)"
echo "@ended $(cat /tmp/err)"
echo "@state $(v3_info --kv $dev | sed -n 's/^state=//p')"
echo "@io_exits $(v3_info --kv $dev | sed -n 's/^exits.io=//p')"
echo "@status_stopped $(grep -v '^#' /proc/v3vee/v3-status | cut -d' ' -f1-5)"
v3_stop $dev 2>/dev/null; echo "@stop_stopped $?"
v3_launch $dev && echo "@relaunched yes"
timeout 60 v3_stream $dev com1 </dev/null >/tmp/out2 2>/tmp/err2
echo "@output_again $(tr -d '\r' </tmp/out2)"
echo "@ended_again $(cat /tmp/err2)"
v3_free 0 && echo "@freed yes"
echo "@pool_after $(pool_free)"
echo "@empty $(wc -c </proc/v3vee/v3-guests)"
rmmod v3vee && echo "@rmmod ok"
echo "@clean $(clean_log)"
)SH",
                                      withGuests({"hello"}));
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors + run.output));
        auto m = markers(run.output);
        QCOMPARE(m["device"], QString("/dev/v3-vm0"));
        QCOMPARE(m["listed"], QString("hello /dev/v3-vm0"));
        QCOMPARE(m["status_created"], QString("hello /dev/v3-vm0 created 1 16 0 0 -"));
        QCOMPARE(m["status_stopped"], QString("hello /dev/v3-vm0 stopped 1 16"));
        QCOMPARE(m["launched"], QString("yes"));
        QCOMPARE(m["output"], QString("Hello from a Palacios guest!"));
        QCOMPARE(m["ended"], QString("[VM stopped: the guest wrote 0 to the test-exit port]"));
        QCOMPARE(m["state"], QString("stopped"));
        QVERIFY(m["io_exits"].toInt() > 30); // every byte is OUTs and INs on COM1
        // Stopping a stopped VM is refused; launching it again boots it from
        // the start (reset, BIOS reloaded): the banner once more, and the
        // guest's own stop again.
        QCOMPARE(m["stop_stopped"], QString("1"));
        QCOMPARE(m["relaunched"], QString("yes"));
        QCOMPARE(m["output_again"], QString("Hello from a Palacios guest!"));
        QCOMPARE(m["ended_again"], m["ended"]);
        QCOMPARE(m["freed"], QString("yes"));
        QCOMPARE(m["pool_after"], m["pool_before"]);
        QCOMPARE(m["empty"], QString("0"));
        QCOMPARE(m["rmmod"], QString("ok"));
        QCOMPARE(m["clean"], QString("yes"));
    }

    // Timer interrupts through the PIC; pause freezes guest time, continue
    // resumes it where it stopped.
    void pauseFreezesTicksAndContinueResumes() {
        SandboxRun run = runInSandbox(kPrelude + R"SH(
dev=$(v3_create /root/ticks.img ticks)
v3_launch $dev
timeout 120 v3_monitor $dev com1 >/tmp/out 2>/dev/null &
until grep -q 'tick 2' /tmp/out; do sleep 0.2; done
v3_pause $dev && echo "@paused yes"
echo "@state_paused $(v3_info --kv $dev | sed -n 's/^state=//p')"
sleep 0.5
before=$(grep -c tick /tmp/out)
sleep 3
echo "@during_pause $(( $(grep -c tick /tmp/out) - before ))"
v3_continue $dev && echo "@continued yes"
echo "@state_running $(v3_info --kv $dev | sed -n 's/^state=//p')"
wait
echo "@ticks $(tr -d '\r' </tmp/out | grep '^tick [0-9]' | tr '\n' ' ')"
echo "@done $(grep -c 'ticks: done' /tmp/out)"
echo "@state $(v3_info --kv $dev | sed -n 's/^state=//p')"
echo "@hlt $(v3_info --kv $dev | sed -n 's/^exits.hlt=//p')"
v3_free 0
echo "@clean $(clean_log)"
)SH",
                                      withGuests({"ticks"}));
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors + run.output));
        auto m = markers(run.output);
        QCOMPARE(m["paused"], QString("yes"));
        QCOMPARE(m["state_paused"], QString("paused"));
        QCOMPARE(m["during_pause"], QString("0"));
        QCOMPARE(m["continued"], QString("yes"));
        QCOMPARE(m["state_running"], QString("running"));
        // Consecutive, none skipped or repeated across the pause.
        QCOMPARE(m["ticks"].trimmed(),
                 QString("tick 1 tick 2 tick 3 tick 4 tick 5 tick 6 tick 7 tick 8 tick 9 tick 10"));
        QCOMPARE(m["done"], QString("1"));
        QCOMPARE(m["state"], QString("stopped"));
        QVERIFY(m["hlt"].toInt() >= 900); // slept in HLT between ~1000 timer interrupts
        QCOMPARE(m["clean"], QString("yes"));
    }

    // A triple fault stops that VM with its reason; a VM running beside it
    // keeps running; both outputs stay separate.
    void tripleFaultStopsOnlyThatVm() {
        SandboxRun run = runInSandbox(kPrelude + R"SH(
spin=$(v3_create /root/spin.img spin)
triple=$(v3_create /root/triple.img triple)
v3_launch $spin
v3_launch $triple
timeout 30 v3_monitor $triple com1 >/tmp/triple 2>/tmp/triple_end
echo "@triple_out $(tr -d '\r' </tmp/triple)"
echo "@triple_state $(v3_info --kv $triple | sed -n 's/^state=//p')"
echo "@triple_reason $(v3_info --kv $triple | sed -n 's/^reason=//p')"
b1=$(v3_info --kv $spin | sed -n 's/^exits_total=//p')
sleep 2
b2=$(v3_info --kv $spin | sed -n 's/^exits_total=//p')
echo "@spin_state $(v3_info --kv $spin | sed -n 's/^state=//p')"
echo "@core_thread $(ps -o comm | grep -c '^spin-0$')"
echo "@spin_progress $(( b2 > b1 ))"
timeout 3 v3_monitor $spin com1 >/tmp/spin 2>/dev/null
echo "@spin_first $(tr -d '\r' </tmp/spin | head -n 1)"
echo "@spin_has_triple $(grep -c triple /tmp/spin)"
v3_stop $spin && echo "@stopped yes"
echo "@spin_after $(v3_info --kv $spin | sed -n 's/^state=//p') $(v3_info --kv $spin | sed -n 's/^reason=//p')"
v3_free 0; v3_free 1
echo "@clean $(clean_log)"
)SH",
                                      withGuests({"spin", "triple"}));
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors + run.output));
        auto m = markers(run.output);
        QCOMPARE(m["triple_out"], QString("triple: faulting now"));
        QCOMPARE(m["triple_state"], QString("error"));
        QVERIFY2(m["triple_reason"].contains("triple fault"), qPrintable(m["triple_reason"]));
        QVERIFY(m["triple_reason"].contains("SHUTDOWN"));
        // Enough to act on: where the guest was and in which mode.
        QVERIFY2(m["triple_reason"].contains(QRegularExpression("RIP 0x[0-9a-f]+ CR0 0x[0-9a-f]+")),
                 qPrintable(m["triple_reason"]));
        QCOMPARE(m["spin_state"], QString("running"));
        QCOMPARE(m["core_thread"], QString("1")); // the core runs as kernel thread "spin-0"
        QCOMPARE(m["spin_progress"], QString("1"));
        QCOMPARE(m["spin_first"], QString("spin: running"));
        QCOMPARE(m["spin_has_triple"], QString("0"));
        QCOMPARE(m["stopped"], QString("yes"));
        QCOMPARE(m["spin_after"], QString("stopped stopped by the host"));
        QCOMPARE(m["clean"], QString("yes"));
    }

    // MMIO: nested page faults on the MMIO_TEST page, decoded and emulated
    // (MOV, OR, CMP, TEST, MOVZX, MOVSX, REP STOSD); the guest checks every
    // result and exits through an MMIO write.
    void mmioAccessesAreEmulated() {
        SandboxRun run = runInSandbox(kPrelude + R"SH(
dev=$(v3_create /root/mmio.img mmio)
v3_launch $dev
timeout 60 v3_monitor $dev com1 >/tmp/out 2>/dev/null
echo "@output $(tr -d '\r' </tmp/out)"
echo "@state $(v3_info --kv $dev | sed -n 's/^state=//p')"
echo "@reason $(v3_info --kv $dev | sed -n 's/^reason=//p')"
echo "@exit_code $(v3_info --kv $dev | sed -n 's/^exit_code=//p')"
echo "@mmio_exits $(v3_info --kv $dev | sed -n 's/^exits.mmio=//p')"
v3_free 0
echo "@clean $(clean_log)"
)SH",
                                      withGuests({"mmio"}));
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors + run.output));
        auto m = markers(run.output);
        QCOMPARE(m["output"], QString("mmio: all checks passed"));
        QCOMPARE(m["state"], QString("stopped"));
        QCOMPARE(m["reason"], QString("the guest wrote to the MMIO_TEST exit register"));
        QCOMPARE(m["exit_code"], QString("0"));
        QVERIFY(m["mmio_exits"].toInt() >= 12); // one per access, REP STOSD included
        QCOMPARE(m["clean"], QString("yes"));
    }

    // An access where there is neither RAM nor a device: the nested page
    // fault handler returns an error and the run loop fails the VM with the
    // address, the exit and the guest state, and logs the last exits.
    void unmappedAccessFailsTheVmWithTheAddress() {
        SandboxRun run = runInSandbox(kPrelude + R"SH(
dev=$(v3_create /root/unmapped.img unmapped)
v3_launch $dev
timeout 30 v3_monitor $dev com1 >/tmp/out 2>/dev/null
echo "@output $(tr -d '\r' </tmp/out)"
echo "@state $(v3_info --kv $dev | sed -n 's/^state=//p')"
echo "@reason $(v3_info --kv $dev | sed -n 's/^reason=//p')"
echo "@logged $(dmesg | grep -c 'VM unmapped stopped on an error: core 0: the guest accessed')"
echo "@exits_logged $(dmesg | grep -c 'VM unmapped core 0 exit [0-9]*: .*exit NPF')"
v3_free 0
echo "@clean $(clean_log)"
)SH",
                                      withGuests({"unmapped"}));
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors + run.output));
        auto m = markers(run.output);
        QCOMPARE(m["output"], QString("unmapped: writing to 0x100000"));
        QCOMPARE(m["state"], QString("error"));
        QVERIFY2(m["reason"].startsWith("core 0: the guest accessed guest-physical 0x100000, where "
                                        "there is neither RAM nor a device (exit NPF; RIP 0x"),
                 qPrintable(m["reason"]));
        QVERIFY2(m["reason"].contains(QRegularExpression(
                     "CR0 0x[0-9a-f]+ CR3 0x[0-9a-f]+ CR4 0x[0-9a-f]+ EFER 0x[0-9a-f]+ exits "
                     "[A-Z,]*NPF\\)$")),
                 qPrintable(m["reason"]));
        QCOMPARE(m["logged"], QString("1"));
        QCOMPARE(m["exits_logged"], QString("1"));
        QCOMPARE(m["clean"], QString("yes"));
    }

    // What the guest sees: the host vendor, the V3VEE hypervisor leaf and
    // bit, no SVM of its own, EFER without SVME, and #GP for a missing MSR.
    void cpuidAndMsrsAsTheGuestSeesThem() {
        SandboxRun run = runInSandbox(kPrelude + R"SH(
dev=$(v3_create /root/cpuid.img cpuid)
v3_launch $dev
timeout 60 v3_monitor $dev com1 >/tmp/out 2>/dev/null
echo "@output $(tr -d '\r' </tmp/out)"
echo "@cpuid_exits $(v3_info --kv $dev | sed -n 's/^exits.cpuid=//p')"
echo "@msr_exits $(v3_info --kv $dev | sed -n 's/^exits.msr=//p')"
echo "@state $(v3_info --kv $dev | sed -n 's/^state=//p')"
v3_free 0
)SH",
                                      withGuests({"cpuid"}));
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors + run.output));
        auto m = markers(run.output);
        QCOMPARE(m["output"], QString("vendor=AuthenticAMD hv=V3VEE V3VEE  hvbit=01 svm=00 "
                                      "efer_svme=00 gp=01"));
        QCOMPARE(m["cpuid_exits"], QString("4"));
        QCOMPARE(m["msr_exits"], QString("2"));
        QCOMPARE(m["state"], QString("stopped"));
    }

    // A PC without a local APIC: CPUID says so, APIC_BASE reads disabled,
    // disabling it again is accepted and enabling it #GPs; a reserved EFER
    // bit #GPs and a writable one reads back. The unknown-MSR log stays quiet
    // (every MSR here is in the CPU model).
    void apicDisableAndEferReservedBits() {
        SandboxRun run = runInSandbox(kPrelude + R"SH(
dev=$(v3_create /root/msr.img msr)
v3_launch $dev
timeout 60 v3_monitor $dev com1 >/tmp/out 2>/dev/null
echo "@output $(tr -d '\r' </tmp/out)"
echo "@state $(v3_info --kv $dev | sed -n 's/^state=//p')"
echo "@unknown_logged $(dmesg | grep -c 'which this CPU model does not have')"
v3_free 0
echo "@clean $(clean_log)"
)SH",
                                      withGuests({"msr"}));
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors + run.output));
        auto m = markers(run.output);
        QCOMPARE(m["output"], QString("apic=00 base=01 off_gp=00 on_gp=01 efer_gp=02 sce=01"));
        QCOMPARE(m["state"], QString("stopped"));
        QCOMPARE(m["unknown_logged"], QString("0"));
        QCOMPARE(m["clean"], QString("yes"));
    }

    // 50 full lifecycles: the VMM's own heap allocations and pages (counted
    // by the module) come back exactly, every guest memory block returns to
    // the pool, and the kernel's slab and vmalloc use does not creep.
    void repeatedLifecyclesLeakNothing() {
        SandboxRun run = runInSandbox(kPrelude + R"SH(
core() { v3_info --kv | grep "^core_$1=" | cut -d= -f2; }
kernel_kb() { sync; echo 3 >/proc/sys/vm/drop_caches; grep -E '^(SUnreclaim|VmallocUsed):' /proc/meminfo | awk '{s+=$2} END {print s}'; }
cycle() { dev=$(v3_create /root/spin.img cycle) && v3_launch $dev && v3_stop $dev && v3_free ${dev#/dev/v3-vm}; }
for i in 1 2 3 4 5; do cycle; done  # warm up the kernel caches
before=$(pool_free); allocs=$(core allocations); pages=$(core pages); kb=$(kernel_kb)
echo "@baseline_allocations $allocs"
ok=0
for i in $(seq 50); do cycle || break; ok=$((ok + 1)); done
echo "@cycles $ok"
echo "@pool_same $([ "$(pool_free)" = "$before" ] && echo yes || echo no)"
echo "@allocations $allocs $(core allocations)"
echo "@pages $pages $(core pages)"
echo "@kernel_growth_kb $(( $(kernel_kb) - kb ))"
echo "@guests $(wc -l </proc/v3vee/v3-guests)"
rmmod v3vee && echo "@rmmod ok"
echo "@clean $(clean_log)"
)SH",
                                      withGuests({"spin"}), 400);
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors + run.output));
        auto m = markers(run.output);
        QCOMPARE(m["cycles"], QString("50"));
        QCOMPARE(m["pool_same"], QString("yes"));
        QVERIFY(m["baseline_allocations"].toInt() > 0); // the counter is live
        const QStringList allocations = m["allocations"].split(' ');
        QCOMPARE(allocations.value(1), allocations.value(0));
        const QStringList pages = m["pages"].split(' ');
        QCOMPARE(pages.value(1), pages.value(0));
        // Unreclaimable slab and vmalloc wobble by tens of KB as the kernel's
        // own caches move; a leak of one page per cycle would be 200 KB.
        QVERIFY2(m["kernel_growth_kb"].toInt() < 200, qPrintable(m["kernel_growth_kb"]));
        QCOMPARE(m["guests"], QString("0"));
        QCOMPARE(m["rmmod"], QString("ok"));
        QCOMPARE(m["clean"], QString("yes"));
    }

    // Images the kernel must refuse, each with an errno and a sentence, and
    // lifecycle calls in the wrong state.
    void malformedImagesAndWrongStatesAreRefused() {
        SandboxRun run = runInSandbox(kPrelude + R"SH(
img=/root/hello.img
size=$(wc -c <$img)
head -c $((size / 2)) $img >/tmp/truncated.img
cp $img /tmp/badsum.img
printf 'Z' | dd of=/tmp/badsum.img bs=1 seek=$((size - 100)) conv=notrunc 2>/dev/null
head -c 4096 /dev/urandom >/tmp/garbage.img
: >/tmp/empty.img
for f in truncated badsum garbage empty; do
  v3_create /tmp/$f.img bad 2>/tmp/err; echo "@$f $? $(cat /tmp/err)"
done
v3_create $img 'bad name!' 2>/tmp/err; echo "@badname $? $(cat /tmp/err)"
dev=$(v3_create $img good)
v3_create $img good 2>/tmp/err; echo "@duplicate $? $(cat /tmp/err)"
v3_pause $dev 2>/tmp/err; echo "@pause_created $? $(cat /tmp/err)"
v3_continue $dev 2>/tmp/err; echo "@continue_created $? $(cat /tmp/err)"
# A guest that keeps running: hello may have stopped itself by the second
# launch, and launching a stopped VM boots it again.
spin=$(v3_create /root/spin.img spinner)
v3_launch $spin; v3_launch $spin 2>/tmp/err; echo "@launch_twice $? $(cat /tmp/err)"
v3_free ${spin#/dev/v3-vm}
v3_free 7 2>/tmp/err; echo "@free_missing $? $(cat /tmp/err)"
v3_launch /dev/v3-vm9 2>/tmp/err; echo "@launch_missing $? $(cat /tmp/err)"
v3_stream $dev nosuch </dev/null 2>/tmp/err; echo "@stream_missing $? $(cat /tmp/err)"
v3_free 0
echo "@guests $(wc -l </proc/v3vee/v3-guests)"
echo "@clean $(clean_log)"
)SH",
                                      withGuests({"hello", "spin"}));
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors + run.output));
        auto m = markers(run.output);
        for (const char* k : {"truncated", "badsum", "garbage", "empty", "badname", "duplicate",
                              "pause_created", "continue_created", "launch_twice", "free_missing",
                              "launch_missing", "stream_missing"})
            QVERIFY2(m[k].startsWith("1 ") || m[k].startsWith("2 "),
                     qPrintable(QString(k) + ": " + m[k]));
        QVERIFY2(m["truncated"].contains("cannot create VM 'bad'"), qPrintable(m["truncated"]));
        QVERIFY2(m["badsum"].contains("checksum") || m["badsum"].contains("CRC"),
                 qPrintable(m["badsum"]));
        QVERIFY2(m["garbage"].contains("magic") || m["garbage"].contains("image"),
                 qPrintable(m["garbage"]));
        QVERIFY(m["badname"].contains("name"));
        QVERIFY(m["duplicate"].contains("already exists"));
        QVERIFY(m["pause_created"].contains("cannot pause /dev/v3-vm0"));
        QVERIFY(m["launch_twice"].contains("already been launched"));
        QVERIFY(m["free_missing"].contains("cannot free VM 7"));
        QVERIFY(m["launch_missing"].contains("/dev/v3-vm9"));
        QVERIFY(m["stream_missing"].contains("no CHAR_STREAM named 'nosuch'"));
        QCOMPARE(m["guests"], QString("0"));
        QCOMPARE(m["clean"], QString("yes"));
    }

    // Null and wild pointers, unterminated strings, absurd sizes, unknown
    // and random commands: each refused with an errno, and the kernel log
    // stays clean (tests/guests/ioctl_abuse.c).
    void garbageIoctlArgumentsAreRefused() {
        QStringList options = withGuests({"hello"});
        options << "--file" << testpaths::buildRoot() + "/guests/ioctl_abuse:/root/ioctl_abuse";
        SandboxRun run = runInSandbox(kPrelude + R"SH(
/root/ioctl_abuse /root/hello.img >/tmp/out 2>&1; echo "@status $?"
cat /tmp/out
echo "@summary $(tail -n 1 /tmp/out)"
echo "@guests $(wc -l </proc/v3vee/v3-guests)"
rmmod v3vee && echo "@rmmod ok"
echo "@clean $(clean_log)"
)SH",
                                      options);
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors + run.output));
        auto m = markers(run.output);
        QVERIFY2(m["status"] == "0", qPrintable(run.output));
        QVERIFY2(m["summary"].endsWith(", 0 failed"), qPrintable(m["summary"]));
        // Every expectation ran (29 of them; the random calls are not counted).
        QVERIFY2(m["summary"].section(' ', 1, 1).toInt() >= 29, qPrintable(m["summary"]));
        QCOMPARE(m["guests"], QString("0"));
        QCOMPARE(m["rmmod"], QString("ok"));
        QCOMPARE(m["clean"], QString("yes"));
    }
};

QTEST_APPLESS_MAIN(TestGuests)
#include "tst_guests.moc"
