// libv3ctl without a module: host info encodings, errors a user sees, the
// process runner and the sandbox connection against a stand-in script.
#include "agent_messages.h"
#include "guest_ops.h"
#include "host_connection.h"
#include "local_host.h"
#include "process.h"
#include "sandbox_host.h"

#include <uapi/v3vee.h>

#include <QFile>
#include <QJsonArray>
#include <QRegularExpression>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <cerrno>
#include <cstring>

using namespace v3ctl;

namespace {

HostInfo sampleInfo() {
    v3_host_info raw{};
    raw.abi_version = V3_ABI_VERSION;
    raw.features = V3_FEATURE_SVM | V3_FEATURE_NESTED_PAGING;
    raw.svm_revision = 1;
    raw.num_asids = 16;
    raw.cpus_possible = 2;
    raw.cpus_enabled = 2;
    raw.num_guests = 0;
    std::strcpy(raw.module_version, "0.1.0");
    std::strcpy(raw.kernel_release, "6.1.0-56-amd64");
    return HostInfo::fromAbi(raw);
}

// Writes an executable shell script standing in for v3sandbox.
QString writeScript(const QTemporaryDir& dir, const QByteArray& body) {
    QString path = dir.filePath("v3sandbox");
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return {};
    f.write("#!/bin/sh\n" + body);
    f.close();
    f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    return path;
}

} // namespace

class TestLibV3ctl : public QObject {
    Q_OBJECT

private slots:
    // v3ctl::VmState is the lifecycle of kmod/uapi/v3vee_lifecycle.h, plus
    // Unknown and Inactive with their own (narrow) rules.
    void vmStateFollowsTheLifecycle() {
        using S = VmState;
        using Op = VmOperation;
        QCOMPARE(uint32_t(S::Stopped), uint32_t(V3_STATE_STOPPED));
        QCOMPARE(stateFromAbi(V3_STATE_PAUSED), S::Paused);
        QCOMPARE(stateFromAbi(V3_STATE_COUNT), S::Unknown);
        QCOMPARE(stateFromAbi(0xffffffffu), S::Unknown);
        QCOMPARE(QString(stateName(S::Error)), QString("error"));
        QCOMPARE(QString(stateName(S::Unknown)), QString("unknown"));
        QCOMPARE(QString(stateName(S::Inactive)), QString("inactive"));
        QCOMPARE(QString(operationName(Op::Continue)), QString("continue"));

        // Relaunch: a stopped VM launches again, with a reset.
        QVERIFY(allows(S::Stopped, Op::Launch));
        QCOMPARE(stateAfter(S::Stopped, Op::Launch), std::optional(S::Running));
        QVERIFY(resets(S::Stopped, Op::Launch));
        QVERIFY(!resets(S::Created, Op::Launch));
        QVERIFY(!allows(S::Running, Op::Launch));
        QVERIFY(!allows(S::Error, Op::Launch));
        QVERIFY(!allows(S::Stopped, Op::Stop));
        QCOMPARE(stateAfter(S::Paused, Op::Stop), std::optional(S::Stopped));
        QCOMPARE(stateAfter(S::Running, Op::Free), std::optional(S::Inactive));
        QCOMPARE(stateAfter(S::Created, Op::Pause), std::nullopt);
        QVERIFY(isLaunched(S::Paused) && isLaunched(S::Running));
        QVERIFY(!isLaunched(S::Stopped) && !isLaunched(S::Unknown));

        // Unknown: only stop and free may be asked, with no known outcome.
        for (Op op : kVmOperations) {
            QCOMPARE(allows(S::Unknown, op), op == Op::Stop || op == Op::Free);
            QCOMPARE(stateAfter(S::Unknown, op), std::nullopt);
            QVERIFY(!allows(S::Inactive, op));
        }
    }

    void fromAbiStopsAtUnterminatedStrings() {
        v3_host_info raw{};
        std::memset(raw.module_version, 'x', sizeof raw.module_version); // no NUL
        HostInfo info = HostInfo::fromAbi(raw);
        QCOMPARE(info.moduleVersion.size(), sizeof raw.module_version);
    }

    void keyValuesRoundTrip() {
        HostInfo info = sampleInfo();
        auto parsed = HostInfo::fromKeyValues(info.toKeyValues() + "sandbox_accel=tcg\n");
        QVERIFY(parsed.ok());
        QCOMPARE(parsed.value().toKeyValues(), info.toKeyValues());
        QCOMPARE(parsed.value().kernelRelease, std::string("6.1.0-56-amd64"));
    }

    void keyValuesToleratesCarriageReturns() {
        std::string text = sampleInfo().toKeyValues();
        std::string crlf;
        for (char c : text)
            crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
        auto parsed = HostInfo::fromKeyValues(crlf);
        QVERIFY(parsed.ok());
        QCOMPARE(parsed.value().moduleVersion, std::string("0.1.0"));
    }

    void keyValuesNamesTheMissingOrBadField() {
        auto missing = HostInfo::fromKeyValues("abi_version=1\n");
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().errnum, EPROTO);
        QVERIFY(missing.error().message.find("'features'") != std::string::npos);

        std::string text = sampleInfo().toKeyValues();
        text.replace(text.find("cpus_enabled=2"), 14, "cpus_enabled=two");
        auto bad = HostInfo::fromKeyValues(text);
        QVERIFY(!bad.ok());
        QVERIFY(bad.error().message.find("'cpus_enabled' is not a number: 'two'") !=
                std::string::npos);

        std::string negative = sampleInfo().toKeyValues();
        negative.replace(negative.find("num_asids=16"), 12, "num_asids=99999999999");
        QVERIFY(!HostInfo::fromKeyValues(negative).ok());
    }

    void jsonIsValidAndComplete() {
        HostInfo info = sampleInfo();
        info.kernelRelease = "quote\" backslash\\ ctl\x01";
        QJsonParseError error{};
        QJsonDocument doc =
            QJsonDocument::fromJson(QByteArray::fromStdString(info.toJson()), &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        QJsonObject o = doc.object();
        QCOMPARE(o["kernel_release"].toString(), QString("quote\" backslash\\ ctl\x01"));
        QCOMPARE(o["cpus_enabled"].toInt(), 2);
        QCOMPARE(o["features"].toArray(), QJsonArray({"svm", "nested-paging"}));
    }

    void summaryNamesModuleKernelAndCpus() {
        QCOMPARE(sampleInfo().summary(),
                 "v3vee 0.1.0 (ABI " + std::to_string(V3_ABI_VERSION) +
                     ") on Linux 6.1.0-56-amd64, SVM on 2/2 CPUs, nested paging, 0 VMs");
    }

    void localHostWithoutModuleSaysWhatToDo() {
        LocalHost host("/nonexistent/v3vee");
        QVERIFY(!LocalHost::available("/nonexistent/v3vee"));
        auto info = host.hostInfo();
        QVERIFY(!info.ok());
        QCOMPARE(info.error().errnum, ENOENT);
        const std::string& m = info.error().message;
        QVERIFY2(m.find("cannot open /nonexistent/v3vee") != std::string::npos, m.c_str());
        // Where the CPU has no SVM the module cannot load, so the advice is
        // the sandbox; elsewhere it is loading the module.
        QFile cpuinfo("/proc/cpuinfo");
        QVERIFY(cpuinfo.open(QIODevice::ReadOnly));
        const bool svm = QString::fromLatin1(cpuinfo.readAll())
                             .contains(QRegularExpression("^flags\\s*:.*\\bsvm\\b",
                                                          QRegularExpression::MultilineOption));
        if (svm)
            QVERIFY2(m.find("modprobe v3vee") != std::string::npos, m.c_str());
        else
            QVERIFY2(m.find("v3vee.ko needs AMD SVM and this CPU has none (no 'svm' in "
                            "/proc/cpuinfo)") != std::string::npos &&
                         m.find("--host sandbox") != std::string::npos,
                     m.c_str());
    }

    void localHostOnANonV3DeviceFails() {
        LocalHost host("/dev/null");
        auto info = host.hostInfo();
        QVERIFY(!info.ok());
        QCOMPARE(info.error().errnum, ENOTTY);
        QVERIFY(info.error().message.find("V3_HOST_INFO") != std::string::npos);
    }

    void openHostRejectsUnknownUris() {
        auto host = openHost("telnet://example");
        QVERIFY(!host.ok());
        QCOMPARE(host.error().errnum, EINVAL);
        QVERIFY(host.error().message.find("local, sandbox or auto") != std::string::npos);
        QVERIFY(openHost("local").ok());
        QCOMPARE(openHost("sandbox").value()->uri(), std::string("sandbox"));
    }

    void runProcessCollectsOutputAndStatus() {
        auto r = runProcess({"sh", "-c", "echo out; echo err >&2; exit 3"});
        QVERIFY(r.ok());
        QCOMPARE(r.value().exitCode, 3);
        QCOMPARE(r.value().out, std::string("out\n"));
        QCOMPARE(r.value().err, std::string("err\n"));

        // More than a pipe buffer on both streams must not deadlock.
        auto big =
            runProcess({"sh", "-c", "head -c 300000 /dev/zero; head -c 300000 /dev/zero >&2"});
        QVERIFY(big.ok());
        QCOMPARE(big.value().out.size(), size_t(300000));
        QCOMPARE(big.value().err.size(), size_t(300000));

        auto missing = runProcess({"/nonexistent/program"});
        QVERIFY(!missing.ok());
        QVERIFY(missing.error().message.find("cannot run /nonexistent/program") !=
                std::string::npos);
    }

    void kmsgRecordsParse() {
        KernelLogLine line;
        QVERIFY(parseKmsgRecord("6,1234,5678901,-;v3vee: VM hello launched\n", line));
        QCOMPARE(line.sequence, uint64_t(1234));
        QCOMPARE(line.timestampUs, uint64_t(5678901));
        QCOMPARE(line.text, std::string("v3vee: VM hello launched"));
        // Continuation lines carry metadata, not text.
        QVERIFY(parseKmsgRecord("4,7,8,c;v3vee: x\n SUBSYSTEM=misc\n", line));
        QCOMPARE(line.text, std::string("v3vee: x"));
        QVERIFY(!parseKmsgRecord("no semicolon here", line));
        QVERIFY(!parseKmsgRecord("6,abc,1,-;text", line));
        QVERIFY(!parseKmsgRecord(";text", line));
    }

    void kernelLogTravelsThroughAgentFields() {
        KernelLog log;
        log.lines.push_back({41, 1000, "v3vee: cpu 0: SVM enabled"});
        log.lines.push_back({43, 2000, "v3vee: VM a launched"});
        log.next = 44;
        agent::FieldWriter out;
        agent::writeKernelLog(out, log);
        auto fields = agent::Fields::parse(out.bytes());
        QVERIFY(fields.ok());
        auto back = agent::readKernelLog(fields.value());
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().message.c_str());
        QCOMPARE(back.value().lines.size(), size_t(2));
        QCOMPARE(back.value().lines[1].sequence, uint64_t(43));
        QCOMPARE(back.value().lines[1].timestampUs, uint64_t(2000));
        QCOMPARE(back.value().lines[1].text, std::string("v3vee: VM a launched"));
        QCOMPARE(back.value().next, uint64_t(44));
        // A text before any sequence is refused, not misattributed.
        agent::FieldWriter bad;
        bad.str(agent::Tag::Text, "orphan").u64(agent::Tag::Next, 1);
        QVERIFY(!agent::readKernelLog(agent::Fields::parse(bad.bytes()).value()).ok());
    }

    void sandboxHostParsesTheStartBanner() {
        QTemporaryDir dir;
        std::string kv = sampleInfo().toKeyValues();
        QString script = writeScript(
            dir, "case $1 in start) printf '%s' '" + QByteArray::fromStdString(kv) +
                     "'; echo sandbox_accel=tcg;; stop) echo stopped > \"$3/stopped\";; esac\n");
        SandboxHost host(dir.path().toStdString(), script.toStdString());
        auto info = host.hostInfo();
        QVERIFY2(info.ok(), info.ok() ? "" : info.error().message.c_str());
        QCOMPARE(info.value().cpusEnabled, 2u);
        QCOMPARE(host.displayName(), std::string("sandbox (QEMU TCG)"));
        QVERIFY(host.bootedHere());
        QVERIFY(host.stop().ok());
        QVERIFY(QFile::exists(dir.filePath("stopped")));
    }

    void sandboxHostReportsWhyStartFailed() {
        QTemporaryDir dir;
        QString script = writeScript(
            dir,
            "echo 'v3sandbox: v3vee.ko did not load in the sandbox: No such device' >&2; exit 2\n");
        SandboxHost host(dir.path().toStdString(), script.toStdString());
        auto info = host.hostInfo();
        QVERIFY(!info.ok());
        QCOMPARE(info.error().message,
                 std::string("the sandbox did not start: v3sandbox: v3vee.ko did not load in the "
                             "sandbox: No such device"));
    }

    // The operation table: one name per agent code, the states column, and
    // a connection that implements nothing refusing each row by its words.
    void operationTableNamesCodesAndStates() {
        // Every row's code has its name; codes no row has (the gap before
        // the checkpoint rows at 30) have none.
        int rows = 0;
        ops::findOperation([&]<typename Op>() {
            ++rows;
            [&] { QVERIFY2(ops::nameOfCode(Op::code), qPrintable(QString::number(Op::code))); }();
            [&] { QCOMPARE(std::string(ops::nameOfCode(Op::code)), std::string(Op::name)); }();
            return false;
        });
        QCOMPARE(rows, 16);
        QVERIFY(!ops::nameOfCode(15));
        QCOMPARE(std::string(ops::nameOfCode(ops::SaveVm::code)), std::string("save"));
        QVERIFY(!ops::nameOfCode(0));
        QVERIFY(!ops::nameOfCode(ops::kLastCode + 1));
        QCOMPARE(std::string(ops::nameOfCode(ops::Resume::code)), std::string("continue"));

        QVERIFY(ops::allows<ops::Launch>(VmState::Created));
        QVERIFY(!ops::allows<ops::Launch>(VmState::Running));
        QVERIFY(ops::allows<ops::Launch>(VmState::Stopped)); // relaunch, as the lifecycle says
        QVERIFY(!ops::allows<ops::Launch>(VmState::Inactive));
        QVERIFY(ops::allows<ops::Pause>(VmState::Running));
        QVERIFY(!ops::allows<ops::Pause>(VmState::Paused));
        QVERIFY(ops::allows<ops::Resume>(VmState::Paused));
        QVERIFY(ops::allows<ops::Stop>(VmState::Paused));
        QVERIFY(!ops::allows<ops::Stop>(VmState::Created));
        QVERIFY(ops::allows<ops::FreeGuest>(VmState::Error));

        struct Bare : HostConnection {
            std::string uri() const override { return "bare"; }
            std::string displayName() const override { return "bare"; }
        } bare;
        auto launched = bare.launch(0);
        QVERIFY(!launched.ok());
        QCOMPARE(launched.error().errnum, ENOSYS);
        QCOMPARE(launched.error().message,
                 std::string("launching a VM is not available over the 'bare' connection yet; run "
                             "the v3 tools inside the host instead"));
        QCOMPARE(bare.kernelLog(0).error().errnum, ENOSYS);
    }

    void sandboxHostNoticesAReusedSandbox() {
        QTemporaryDir dir;
        std::string kv = sampleInfo().toKeyValues();
        QString script = writeScript(dir, "printf '%s' '" + QByteArray::fromStdString(kv) +
                                              "'; echo sandbox_reused=1\n");
        SandboxHost host(dir.path().toStdString(), script.toStdString());
        QVERIFY(host.start().ok());
        QVERIFY(!host.bootedHere());
    }
};

QTEST_APPLESS_MAIN(TestLibV3ctl)
#include "tst_libv3ctl.moc"
