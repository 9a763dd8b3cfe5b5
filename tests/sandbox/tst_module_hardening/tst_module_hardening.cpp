// v3vee.ko against hostile userspace (issue 18), in the sandbox: VMs freed
// while their VM, stream and blocked-reader files are open; four processes
// creating and freeing at once; a random multi-process ioctl stress; creates
// and reservations larger than the host can afford; giving reserved memory
// back; and the shipped sample configs, which must build and create, with
// build_vm refusing what the module refuses in the module's words. After
// each, the kernel log must be free of warnings, oopses and OOM kills, and
// the module must unload.
#include "linux_guest_files.h"
#include "sandbox_runner.h"

#include "config/diagnostic.h"
#include "config/image_writer.h"
#include "hosted_host.h"
#include "lib/host.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

namespace {

// Debian ships no KASAN or lockdep kernel (its -dbg packages are the stock
// kernel's symbols), so the lifetime tests boot the stock kernel with SLUB
// debugging on: freed slab objects are poisoned and red-zoned, and a use
// after free or an overrun is reported as "BUG kmalloc-..." in the log.
QStringList withSlubDebug(QStringList options) {
    return options << "--append"
                   << "slub_debug=FZPU";
}

// Everything the kernel prints when it is hurt: warnings, BUG/oops, KASAN
// and lockdep reports, sysfs duplicates, and the OOM killer at work.
const QByteArray kPrelude = R"SH(
insmod /lib/modules/v3vee.ko || { echo "@insmod failed"; exit 1; }
clean_log() {
  if dmesg | grep -E 'WARNING|BUG|Oops|Call Trace|general protection|KASAN|possible circular|duplicate filename|Out of memory|oom-kill|invoked oom-killer'; then echo no; else echo yes; fi
}
hello_runs() {
  dev=$(v3_create /root/hello.img after) || return 1
  v3_launch $dev || return 1
  out=$(timeout 60 v3_monitor $dev com1 </dev/null 2>/dev/null | tr -d '\r')
  v3_free ${dev#/dev/v3-vm}
  [ "$out" = "Hello from a Palacios guest!" ]
}
)SH";

// The markers every test ends with: no VM left, the module unloads, the
// log is clean.
const QByteArray kEpilogue = R"SH(
echo "@guests $(wc -l </proc/v3vee/v3-guests)"
rmmod v3vee && echo "@rmmod ok"
echo "@clean $(clean_log)"
)SH";

void verifyHealthyEnd(const SandboxRun& run, const QMap<QString, QString>& m) {
    QVERIFY2(m.value("guests") == "0", qPrintable(run.output));
    QVERIFY2(m.value("rmmod") == "ok", qPrintable(run.output));
    QVERIFY2(m.value("clean") == "yes", qPrintable(run.output));
}

// A program's summary line "NAME ...: N checks, 0 failed".
void verifyNoFailures(const SandboxRun& run, const QString& summary) {
    QVERIFY2(summary.endsWith(", 0 failed"), qPrintable(summary + "\n" + run.output));
    QVERIFY2(summary.section(": ", 1).section(' ', 0, 0).toInt() > 0, qPrintable(summary));
}

QString lineAfter(const QString& output, const QString& prefix) {
    for (const QString& line : output.split('\n'))
        if (line.startsWith(prefix))
            return line.trimmed();
    return {};
}

} // namespace

class TestModuleHardening : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        static v3_host_services host = v3::hosted::make_host_services();
        v3::set_host(&host);
        for (const char* f : {"hello.img", "spin.img", "hello.bin", "console_echo.img",
                              "vm_lifetimes", "ioctl_stress", "hostile_create"})
            QVERIFY2(QFile::exists(builtGuestFile(f)),
                     qPrintable("missing " + builtGuestFile(f) + "; build first (make)"));
    }

    // The host crash of issue 18: V3_FREE_GUEST while /dev/v3-vmN is open
    // and the VM runs, then every ioctl on the old fd and its close. Also a
    // reopen of the freed VM's inode through /proc, after its index was
    // given to a new VM.
    void freeWhileTheVmFdIsOpen() {
        SandboxRun run = runInSandbox(kPrelude + R"SH(
v3_mem 64 >/dev/null
/root/vm_lifetimes vm-fd /root/hello.img; echo "@vmfd_status $?"
/root/vm_lifetimes reopen /root/hello.img; echo "@reopen_status $?"
echo "@after $(hello_runs && echo runs)"
)SH" + kEpilogue,
                                      withSlubDebug(withGuestFiles({"hello.img", "vm_lifetimes"})));
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors + run.output));
        auto m = markers(run.output);
        QVERIFY2(m["vmfd_status"] == "0", qPrintable(run.output));
        verifyNoFailures(run, lineAfter(run.output, "vm_lifetimes vm-fd:"));
        QVERIFY2(m["reopen_status"] == "0", qPrintable(run.output));
        verifyNoFailures(run, lineAfter(run.output, "vm_lifetimes reopen:"));
        QCOMPARE(m["after"], QString("runs"));
        verifyHealthyEnd(run, m);
    }

    // The text console's fd as the last file open, with a reader blocked
    // in read(): it wakes with ENODEV, everything else answers ENODEV or
    // POLLERR|POLLHUP, and the memory goes on close (under SLUB debugging).
    void freeWhileAConsoleFdIsOpen() {
        SandboxRun run = runInSandbox(
            kPrelude + R"SH(
v3_mem 64 >/dev/null
/root/vm_lifetimes console-fd /root/console_echo.img; echo "@console_status $?"
echo "@after $(hello_runs && echo runs)"
)SH" + kEpilogue,
            withSlubDebug(withGuestFiles({"hello.img", "console_echo.img", "vm_lifetimes"})));
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors + run.output));
        auto m = markers(run.output);
        QVERIFY2(m["console_status"] == "0", qPrintable(run.output));
        verifyNoFailures(run, lineAfter(run.output, "vm_lifetimes console-fd:"));
        QCOMPARE(m["after"], QString("runs"));
        verifyHealthyEnd(run, m);
    }

    // The same with a stream fd as the last file open, and with a reader
    // blocked in read() when the VM goes: it wakes with ENODEV.
    void freeWhileAStreamFdIsOpen() {
        SandboxRun run = runInSandbox(kPrelude + R"SH(
v3_mem 64 >/dev/null
/root/vm_lifetimes stream-fd /root/hello.img; echo "@stream_status $?"
/root/vm_lifetimes blocked /root/hello.img; echo "@blocked_status $?"
echo "@after $(hello_runs && echo runs)"
)SH" + kEpilogue,
                                      withSlubDebug(withGuestFiles({"hello.img", "vm_lifetimes"})));
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors + run.output));
        auto m = markers(run.output);
        QVERIFY2(m["stream_status"] == "0", qPrintable(run.output));
        verifyNoFailures(run, lineAfter(run.output, "vm_lifetimes stream-fd:"));
        QVERIFY2(m["blocked_status"] == "0", qPrintable(run.output));
        verifyNoFailures(run, lineAfter(run.output, "vm_lifetimes blocked:"));
        QCOMPARE(m["after"], QString("runs"));
        verifyHealthyEnd(run, m);
    }

    // Four processes creating and freeing 25 VMs each (half freed while an
    // fd is open, some while running): no index is handed out before its
    // device is gone (the sysfs duplicate of issue 18), nothing leaks.
    void concurrentCreateAndFreeFromFourProcesses() {
        SandboxRun run =
            runInSandbox(kPrelude + R"SH(
v3_mem 128 >/dev/null
pool_free() { v3_info --kv | sed -n 's/^guest_memory_free=//p'; }
core() { v3_info --kv | grep "^core_$1=" | cut -d= -f2; }
before=$(pool_free); allocs=$(core allocations); pages=$(core pages)
/root/vm_lifetimes churn /root/hello.img 4 25; echo "@churn_status $?"
echo "@pool_same $([ "$(pool_free)" = "$before" ] && echo yes || echo no)"
echo "@allocations $allocs $(core allocations)"
echo "@pages $pages $(core pages)"
echo "@created $(dmesg | grep -c 'v3vee: VM churn[0-9]*-[0-9]* created')"
echo "@after $(hello_runs && echo runs)"
)SH" + kEpilogue,
                         withSlubDebug(withGuestFiles({"hello.img", "vm_lifetimes"})), 400);
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors + run.output));
        auto m = markers(run.output);
        QVERIFY2(m["churn_status"] == "0", qPrintable(run.output));
        verifyNoFailures(run, lineAfter(run.output, "vm_lifetimes churn:"));
        // 128 MB hold 8 VMs of 16 MB; with 4 processes each holding at most
        // one, every create should have succeeded.
        QVERIFY2(m["created"].toInt() == 100, qPrintable(m["created"]));
        QCOMPARE(m["pool_same"], QString("yes"));
        // Every VM's memory went with its last reference: the core's own
        // heap and page counters are back where they started.
        const QStringList allocations = m["allocations"].split(' ');
        QVERIFY2(allocations.size() == 2 && allocations[0] == allocations[1],
                 qPrintable(m["allocations"]));
        const QStringList pages = m["pages"].split(' ');
        QVERIFY2(pages.size() == 2 && pages[0] == pages[1], qPrintable(m["pages"]));
        QCOMPARE(m["after"], QString("runs"));
        verifyHealthyEnd(run, m);
    }

    // Six processes doing 10,000 random valid and invalid things each to
    // every ioctl and every kind of fd, with guests that end by themselves
    // (hello) and guests that keep running (spin); afterwards no core thread
    // is left, a guest still creates and runs, and the module unloads. The
    // run logs more than the kernel's ring holds, so /dev/kmsg is copied as
    // it comes and searched too (the copier must survive: no record lost).
    void ioctlStressLeavesTheModuleHealthy() {
        SandboxRun run = runInSandbox(
            kPrelude + R"SH(
cat /dev/kmsg >/tmp/kmsg 2>/tmp/kmsg_err & reader=$!
v3_mem 128 >/dev/null
core() { v3_info --kv | grep "^core_$1=" | cut -d= -f2; }
allocs=$(core allocations); pages=$(core pages)
/root/ioctl_stress /root/hello.img 6 10000 /root/spin.img >/tmp/stress 2>&1; echo "@stress_status $?"
cat /tmp/stress
echo "@workers $(grep -c '^worker [0-9]*: [0-9]* operations, 0 unexpected' /tmp/stress)"
echo "@launched $(grep -c 'v3vee: VM st[0-9] launched' /tmp/kmsg)"
echo "@listed $(wc -l </proc/v3vee/v3-guests)"
echo "@core_threads $(ps -o comm | grep -c '^st[0-9]-0$')"
echo "@allocations $allocs $(core allocations)"
echo "@pages $pages $(core pages)"
# For a failure's message: files still open on the module, and the counters
# a moment later (a late teardown differs from a leak).
echo "@fds_left $(ls -l /proc/[0-9]*/fd 2>/dev/null | grep -c -E 'v3-vm|v3vee|stream')"
sleep 2
echo "@counters_later $(core allocations) $(core pages)"
echo "@after $(hello_runs && echo runs)"
kill -0 $reader 2>/dev/null && echo "@reader alive"
echo "@kmsg_clean $(if grep -E 'WARNING|BUG|Oops|Call Trace|general protection|KASAN|possible circular|duplicate filename|Out of memory|oom-kill' /tmp/kmsg; then echo no; else echo yes; fi)"
)SH" + kEpilogue,
            withSlubDebug(withGuestFiles({"hello.img", "spin.img", "ioctl_stress"})), 500);
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors + run.output));
        auto m = markers(run.output);
        QVERIFY2(m["stress_status"] == "0", qPrintable(run.output));
        QCOMPARE(m["workers"], QString("6"));
        QCOMPARE(m["reader"], QString("alive"));
        QVERIFY2(m["kmsg_clean"] == "yes", qPrintable(run.output));
        QCOMPARE(m["core_threads"], QString("0"));
        const QString counters = "allocations before/after " + m["allocations"] + ", pages " +
                                 m["pages"] + ", 2 s later " + m["counters_later"] +
                                 "; files open on the module " + m["fds_left"] +
                                 "; VMs still listed " + m["listed"];
        const QStringList allocations = m["allocations"].split(' ');
        QVERIFY2(allocations.size() == 2 && allocations[0] == allocations[1], qPrintable(counters));
        const QStringList pages = m["pages"].split(' ');
        QVERIFY2(pages.size() == 2 && pages[0] == pages[1], qPrintable(counters));
        // The random walk reached the interesting states: running VMs.
        QVERIFY2(m["launched"].toInt() > 0, qPrintable(run.output));
        QCOMPARE(m["listed"], QString("0"));
        QCOMPARE(m["after"], QString("runs"));
        verifyHealthyEnd(run, m);
    }

    // A 1 GB host: six processes at once each hand V3_CREATE_GUEST a
    // well-formed 512 MB image (free for them: untouched anonymous memory);
    // a reservation of nearly all RAM. The module refuses what the host
    // cannot afford, says why, and nothing is OOM-killed.
    void hostileCreatesAndOversizedReservationsAreRefusedWithoutOom() {
        SandboxRun run = runInSandbox(kPrelude + R"SH(
sleep 1000 & sentinel=$!
v3_mem 900 2>/tmp/err; echo "@mem_status $?"
echo "@mem_error $(cat /tmp/err)"
echo "@mem_log $(dmesg | grep -c 'v3vee: refused to reserve 900 MB for guests')"
echo "@reserved $(v3_info --kv | sed -n 's/^guest_memory_total=//p')"
v3_mem 32 >/dev/null && echo "@small_mem ok"
/root/hostile_create 512 6 >/tmp/hostile; echo "@hostile_status $?"
cat /tmp/hostile
echo "@summary $(tail -n 1 /tmp/hostile)"
echo "@image_log $(dmesg | grep -c 'v3vee: refused a 512 MB image')"
kill -0 $sentinel 2>/dev/null && echo "@sentinel alive"
echo "@after $(hello_runs && echo runs)"
)SH" + kEpilogue,
                                      withGuestFiles({"hello.img", "hostile_create"}) << "--mem"
                                                                                      << "1024",
                                      400);
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors + run.output));
        auto m = markers(run.output);
        QCOMPARE(m["mem_status"], QString("1"));
        QVERIFY2(
            m["mem_error"].startsWith("v3_mem: cannot reserve 900 MB for guests: the host has "),
            qPrintable(m["mem_error"]));
        QVERIFY2(m["mem_error"].contains("min_host_free_mb"), qPrintable(m["mem_error"]));
        QCOMPARE(m["mem_log"], QString("1"));
        QCOMPARE(m["reserved"], QString("0")); // refused means nothing taken
        QCOMPARE(m["small_mem"], QString("ok"));
        QVERIFY2(m["hostile_status"] == "0", qPrintable(run.output));
        // Each create was refused: for memory (up front) or, when admitted,
        // as an image with nothing to boot; at least one for memory.
        const QString summary = m["summary"];
        QVERIFY2(summary.endsWith(", 0 other"), qPrintable(run.output));
        QVERIFY2(summary.section(' ', 1, 1).toInt() >= 1, qPrintable(run.output));
        QVERIFY2(m["image_log"].toInt() >= 1, qPrintable(run.output));
        const QStringList lines = run.output.split('\n');
        for (const QString& line : lines) {
            if (line.startsWith("@create ") && line.contains(" ENOMEM "))
                QVERIFY2(line.contains("the image is 512 MB but the host has") &&
                             line.contains("min_host_free_mb"),
                         qPrintable(line));
            if (line.startsWith("@create ") && line.contains(" EINVAL "))
                QVERIFY2(line.contains("nothing to boot"), qPrintable(line));
        }
        QCOMPARE(m["sentinel"], QString("alive"));
        QCOMPARE(m["after"], QString("runs"));
        verifyHealthyEnd(run, m);
    }

    // v3_mem --release gives unused reservation back (all, or MB of it);
    // shrink_on_free=1 returns a freed VM's memory at once; the floor is a
    // module parameter.
    void reservedMemoryGoesBackToTheHost() {
        SandboxRun run = runInSandbox(kPrelude + R"SH(
total() { v3_info --kv | sed -n 's/^guest_memory_total=//p'; }
v3_mem 64 >/dev/null
dev=$(v3_create /root/hello.img held)
echo "@release_some $(v3_mem --release 10)"
echo "@total_after_some $(( $(total) >> 20 ))"
echo "@release_all $(v3_mem --release)"
echo "@total_in_use $(( $(total) >> 20 ))"
v3_free 0
echo "@release_rest $(v3_mem --release)"
echo "@total_empty $(total)"
v3_mem --release 0 2>/tmp/err; echo "@bad_release $? $(cat /tmp/err)"
rmmod v3vee
insmod /lib/modules/v3vee.ko shrink_on_free=1
v3_mem 64 >/dev/null
dev=$(v3_create /root/hello.img shrink)
v3_free 0
echo "@total_shrunk $(( $(total) >> 20 ))"
rmmod v3vee
insmod /lib/modules/v3vee.ko min_host_free_mb=100000
v3_mem 16 2>/tmp/err; echo "@floor $? $(cat /tmp/err)"
)SH" + kEpilogue,
                                      withGuestFiles({"hello.img"}));
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors + run.output));
        auto m = markers(run.output);
        // 64 MB are 32 blocks; the VM holds 8 of them (16 MB).
        QCOMPARE(m["release_some"], QString("gave 10 MB of guest memory back to the host"));
        QCOMPARE(m["total_after_some"], QString("54"));
        QCOMPARE(m["release_all"], QString("gave 38 MB of guest memory back to the host"));
        QCOMPARE(m["total_in_use"], QString("16"));
        QCOMPARE(m["release_rest"], QString("gave 16 MB of guest memory back to the host"));
        QCOMPARE(m["total_empty"], QString("0"));
        QVERIFY2(m["bad_release"].startsWith("2 v3_mem: '0' is not a size in MB"),
                 qPrintable(m["bad_release"]));
        QCOMPARE(m["total_shrunk"], QString("48"));
        QVERIFY2(m["floor"].startsWith("1 v3_mem: cannot reserve 16 MB for guests:"),
                 qPrintable(m["floor"]));
        QVERIFY2(m["floor"].contains("keeps 100000 MB"), qPrintable(m["floor"]));
        verifyHealthyEnd(run, m);
    }

    // Every shipped sample config builds (with the file its comment names
    // put beside it) and creates; an image with nothing to boot gets the
    // same sentence from build_vm and from the module.
    void sampleConfigsBuildAndCreateAndBothSidesRefuseAlike() {
        QTemporaryDir work;
        QVERIFY(work.isValid());
        const QString buildVm = testpaths::buildRoot() + "/bin/build_vm";
        QStringList options = withGuestFiles({"hello.img"});
        const QDir configs(testpaths::sourceRoot() + "/resources/configs");
        const QStringList samples = configs.entryList({"*.xml"}, QDir::Files, QDir::Name);
        QVERIFY(!samples.isEmpty());
        QByteArray script;
        // The files the samples ask for in their comments and README: a
        // ROM, a BIOS, and the Linux sample's kernel and initramfs.
        QFile::copy(builtGuestFile("hello.bin"), work.filePath("hello.bin"));
        QFile::copy(builtGuestFile("hello.bin"), work.filePath("bios.bin"));
        const QString linuxFiles = linuxguest::writeBootFiles(QDir(work.path()));
        QVERIFY2(linuxFiles.isEmpty(), qPrintable(linuxFiles));
        for (const QString& sample : samples) {
            QFile::copy(configs.filePath(sample), work.filePath(sample));
            QProcess p;
            const QString image = work.filePath(QFileInfo(sample).completeBaseName() + ".img");
            p.start(buildVm, {work.filePath(sample), "-o", image});
            QVERIFY(p.waitForFinished(30000));
            QVERIFY2(p.exitCode() == 0, qPrintable(sample + ": " + p.readAllStandardError()));
            const QString inside = "/root/" + QFileInfo(image).fileName();
            options << "--file" << image + ":" + inside;
            const QByteArray name = QFileInfo(sample).completeBaseName().toUtf8();
            script += "dev=$(v3_create " + inside.toUtf8() + " " + name +
                      " 2>/tmp/err) && echo \"@sample_" + name + " created\" || echo \"@sample_" +
                      name +
                      " $(cat /tmp/err)\"\n"
                      "v3_free ${dev#/dev/v3-vm} 2>/dev/null\n";
        }

        // An image without a 'bios' blob, written with the core's own writer
        // (build_vm no longer writes one).
        const QByteArray xml = "<vm class=\"PC\">\n  <memory>16</memory>\n  <files>\n"
                               "    <file id=\"disk\" filename=\"kernel.bin\"/>\n  </files>\n"
                               "</vm>\n";
        QFile xmlFile(work.filePath("nobios.xml"));
        QVERIFY(xmlFile.open(QIODevice::WriteOnly));
        xmlFile.write(xml);
        xmlFile.close();
        QFile kernelFile(work.filePath("kernel.bin"));
        QVERIFY(kernelFile.open(QIODevice::WriteOnly));
        kernelFile.write(QByteArray(4096, '\x90'));
        kernelFile.close();
        QProcess p;
        p.start(buildVm, {work.filePath("nobios.xml"), "-o", work.filePath("x.img")});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 1);
        const QString buildVmError = QString::fromLocal8Bit(p.readAllStandardError()).trimmed();
        const QString prefix = "build_vm: " + work.filePath("nobios.xml") + ": ";
        QVERIFY2(buildVmError.startsWith(prefix), qPrintable(buildVmError));
        const QString buildVmReason = buildVmError.mid(prefix.size());

        v3::config::Diagnostic diag{};
        v3::config::ImageWriter writer;
        QVERIFY(writer.set_xml(v3::StringView(xml.constData(), size_t(xml.size())), diag));
        const QByteArray kernel(4096, '\x90');
        QVERIFY(writer.add_blob("disk", reinterpret_cast<const v3::u8*>(kernel.constData()),
                                v3::u64(kernel.size()), diag));
        QByteArray image(int(writer.image_size()), 0);
        QVERIFY(writer.fill(reinterpret_cast<v3::u8*>(image.data()), v3::u64(image.size()), diag));
        QFile imageFile(work.filePath("nobios.img"));
        QVERIFY(imageFile.open(QIODevice::WriteOnly));
        imageFile.write(image);
        imageFile.close();
        options << "--file" << work.filePath("nobios.img") + ":/root/nobios.img";
        script += "v3_create /root/nobios.img nobios 2>/tmp/err; echo \"@nobios $? $(cat "
                  "/tmp/err)\"\n";

        SandboxRun run =
            runInSandbox(kPrelude + "v3_mem 300 >/dev/null\n" + script + kEpilogue, options);
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors + run.output));
        auto m = markers(run.output);
        for (const QString& sample : samples) {
            const QString key = "sample_" + QFileInfo(sample).completeBaseName();
            QVERIFY2(m[key] == "created", qPrintable(sample + ": " + m[key]));
        }
        QVERIFY2(m["nobios"].startsWith("1 v3_create: cannot create VM 'nobios': "),
                 qPrintable(m["nobios"]));
        QVERIFY2(m["nobios"].endsWith(buildVmReason),
                 qPrintable("module: " + m["nobios"] + "\nbuild_vm: " + buildVmReason));
        QVERIFY(buildVmReason.contains("nothing to boot"));
        verifyHealthyEnd(run, m);
    }
};

QTEST_APPLESS_MAIN(TestModuleHardening)
#include "tst_module_hardening.moc"
