// End to end through v3agent: the v3 tools on this side of the sandbox
// (--host sandbox) drive v3vee.ko inside it. Images are read here and
// uploaded through the agent; guest output comes back over a stream channel;
// every lifecycle step and refusal crosses the sandbox's agent channel
// (virtio-serial; V3SANDBOX_AGENT_CHANNEL=serial runs it over ttyS1). Also:
// the same tools with --host local inside the sandbox, the agent surviving a
// client that sends garbage and vanishes mid-frame, many clients sharing the
// sandbox through a relay, and the agent's round-trip time for an info
// request.
#include "agent_host.h"
#include "agent_transport.h"
#include "sandbox_runner.h"

#include <QProcess>
#include <QTemporaryFile>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <chrono>

namespace {

struct ToolRun {
    int exitCode = -1;
    QString out;
    QString err;
};

QString guestImage(const QString& name) {
    return testpaths::buildRoot() + "/guests/" + name + ".img";
}

QMap<QString, QString> keyValues(const QString& text) {
    QMap<QString, QString> kv;
    for (const QString& line : text.split('\n'))
        if (int eq = line.indexOf('='); eq > 0)
            kv[line.left(eq)] = line.mid(eq + 1);
    return kv;
}

} // namespace

class TestAgentSandbox : public QObject {
    Q_OBJECT

    QTemporaryDir runDir_;

    ToolRun tool(const QString& name, const QStringList& args, int timeoutMs = 200000) {
        QProcess p;
        p.start(testpaths::buildRoot() + "/bin/" + name, QStringList{"--host", "sandbox"} + args);
        ToolRun r;
        if (!p.waitForFinished(timeoutMs)) {
            p.kill();
            p.waitForFinished();
            r.err = name + " did not finish";
            return r;
        }
        r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = QString::fromLocal8Bit(p.readAllStandardOutput());
        r.err = QString::fromLocal8Bit(p.readAllStandardError());
        return r;
    }

    // "virtio" or "serial": how the agent channel leaves this sandbox.
    QString channel() {
        QFile f(runDir_.filePath("host-info"));
        if (!f.open(QIODevice::ReadOnly))
            return "unknown";
        return keyValues(QString::fromLocal8Bit(f.readAll())).value("sandbox_agent", "none");
    }

    QMap<QString, QString> vmInfo(const QString& device) {
        return keyValues(tool("v3_info", {"--kv", device}).out);
    }

private slots:
    void initTestCase() {
        for (const char* g : {"hello", "spin"})
            QVERIFY2(QFile::exists(guestImage(g)),
                     qPrintable("missing " + guestImage(g) + "; build first"));
        QVERIFY(runDir_.isValid());
        // A private sandbox for this test, built from this build tree.
        qputenv("PALACIOS_SANDBOX_DIR", runDir_.path().toLocal8Bit());
        qputenv("PALACIOS_BUILD", testpaths::buildRoot().toLocal8Bit());
    }

    void cleanupTestCase() {
        QProcess::execute(testpaths::sandboxScript(), {"stop", "--dir", runDir_.path()});
        QVERIFY(!QFile::exists(runDir_.filePath("qemu.pid")));
    }

    // The first tool call boots the sandbox; the image is read here and
    // uploaded; the guest's output comes back through a stream channel.
    void helloRunsFromTheHostSide() {
        QElapsedTimer clock;
        clock.start();
        ToolRun mem = tool("v3_mem", {"64"});
        QVERIFY2(mem.exitCode == 0, qPrintable(mem.err));
        QCOMPARE(mem.out.trimmed(), QString("reserved 64 MB for guests"));
        qInfo("sandbox booted and v3_mem answered after %lld ms", clock.elapsed());
        QVERIFY(QFile::exists(runDir_.filePath("agent.sock")));

        ToolRun host = tool("v3_info", {"--kv"});
        QCOMPARE(host.exitCode, 0);
        auto hostKv = keyValues(host.out);
        QCOMPARE(hostKv["guest_memory_total"],
                 QString::number(64 << 20)); // live, not the boot report
        QCOMPARE(hostKv["cpus_enabled"], QString("2"));

        clock.restart();
        ToolRun create = tool("v3_create", {guestImage("hello"), "hello"});
        qint64 createMs = clock.elapsed();
        QVERIFY2(create.exitCode == 0, qPrintable(create.err));
        QCOMPARE(create.out.trimmed(), QString("/dev/v3-vm0"));
        qInfo("v3_create --host sandbox with the %lld-byte hello.img took %lld ms",
              QFileInfo(guestImage("hello")).size(), createMs);
        QCOMPARE(vmInfo("/dev/v3-vm0")["state"], QString("created"));

        ToolRun launch = tool("v3_launch", {"/dev/v3-vm0"});
        QVERIFY2(launch.exitCode == 0, qPrintable(launch.err));
        ToolRun monitor = tool("v3_monitor", {"/dev/v3-vm0", "com1"}, 60000);
        QCOMPARE(monitor.exitCode, 0);
        QCOMPARE(monitor.out.remove('\r').trimmed(), QString("Hello from a Palacios guest!"));
        QCOMPARE(monitor.err.trimmed(),
                 QString("[VM stopped: the guest wrote 0 to the test-exit port]"));
        auto info = vmInfo("/dev/v3-vm0");
        QCOMPARE(info["state"], QString("stopped"));
        QCOMPARE(info["name"], QString("hello"));
        QVERIFY(info["exits.io"].toInt() > 30);

        ToolRun freed = tool("v3_free", {"0"});
        QVERIFY2(freed.exitCode == 0, qPrintable(freed.err));
        QCOMPARE(keyValues(tool("v3_info", {"--kv"}).out)["num_guests"], QString("0"));
    }

    void spinIsPausedContinuedStoppedAndFreed() {
        ToolRun create = tool("v3_create", {guestImage("spin"), "spin"});
        QVERIFY2(create.exitCode == 0, qPrintable(create.err));
        const QString dev = create.out.trimmed();
        QVERIFY(dev.startsWith("/dev/v3-vm"));
        QCOMPARE(tool("v3_launch", {dev}).exitCode, 0);
        QCOMPARE(vmInfo(dev)["state"], QString("running"));

        QCOMPARE(tool("v3_pause", {dev}).exitCode, 0);
        auto paused1 = vmInfo(dev);
        QCOMPARE(paused1["state"], QString("paused"));
        QTest::qWait(1000);
        auto paused2 = vmInfo(dev);
        QCOMPARE(paused2["exits_total"], paused1["exits_total"]); // no progress while paused

        QCOMPARE(tool("v3_continue", {dev}).exitCode, 0);
        QCOMPARE(vmInfo(dev)["state"], QString("running"));
        QTest::qWait(1000);
        QVERIFY(vmInfo(dev)["exits_total"].toULongLong() > paused2["exits_total"].toULongLong());

        // Its console through a stream channel, while it runs.
        QProcess monitor;
        monitor.start(testpaths::buildRoot() + "/bin/v3_monitor",
                      {"--host", "sandbox", dev, "com1"});
        QByteArray seen;
        QElapsedTimer clock;
        clock.start();
        while (!seen.contains("beat 2") && clock.elapsed() < 30000) {
            monitor.waitForReadyRead(500);
            seen += monitor.readAllStandardOutput();
        }
        // What it printed before anyone listened, then its heartbeat.
        QVERIFY2(seen.startsWith("spin: running"), seen.constData());
        QVERIFY2(seen.contains("beat 2"), seen.constData());
        monitor.kill();
        monitor.waitForFinished();

        QCOMPARE(tool("v3_stop", {dev}).exitCode, 0);
        auto stopped = vmInfo(dev);
        QCOMPARE(stopped["state"], QString("stopped"));
        QCOMPARE(stopped["reason"], QString("stopped by the host"));
        QCOMPARE(tool("v3_free", {dev}).exitCode, 0);

        // Refusals come back with the kernel's reason and exit status 1.
        ToolRun gone = tool("v3_info", {dev});
        QCOMPARE(gone.exitCode, 1);
        QVERIFY2(gone.err.contains("cannot open " + dev), qPrintable(gone.err));
        ToolRun missing = tool("v3_launch", {"/dev/v3-vm9"});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY2(missing.err.contains("/dev/v3-vm9"), qPrintable(missing.err));
        ToolRun bad = tool("v3_create", {guestImage("hello"), "bad name!"});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY2(bad.err.contains("name"), qPrintable(bad.err));
        QCOMPARE(keyValues(tool("v3_info", {"--kv"}).out)["num_guests"], QString("0"));
    }

    // A large upload goes through in several frames and the kernel's
    // verdict on it comes back (noise is not an image): 16 MiB, or 1.25 MiB
    // over ttyS1, which moves only ~50 KB/s under TCG.
    void largeUploadReachesTheKernel() {
        const int quarters = channel() == "virtio" ? 64 : 5; // pieces of 256 KiB
        QTemporaryFile image;
        QVERIFY(image.open());
        QByteArray chunk(256 << 10, '\0');
        for (int i = 0; i < quarters; ++i) {
            for (int j = 0; j < chunk.size(); ++j)
                chunk[j] = char((i * 131 + j * 7) ^ (j >> 9));
            image.write(chunk);
        }
        image.close();
        QElapsedTimer clock;
        clock.start();
        ToolRun create = tool("v3_create", {image.fileName(), "noise"});
        qint64 ms = std::max<qint64>(1, clock.elapsed());
        QCOMPARE(create.exitCode, 1);
        QVERIFY2(create.err.contains("cannot create VM 'noise'") &&
                     create.err.contains("not a Palacios guest image"),
                 qPrintable(create.err));
        const double mb = quarters / 4.0;
        qInfo("%.2f MiB image uploaded and refused in %lld ms (%.2f MiB/s through the %s channel)",
              mb, ms, mb * 1000 / ms, qPrintable(channel()));
        QCOMPARE(keyValues(tool("v3_info", {"--kv"}).out)["num_guests"], QString("0"));
    }

    // A client that sends garbage and half a frame, then vanishes (on a
    // serial line the agent cannot even see it go). The next client works.
    void agentSurvivesARudeClient() {
        auto rude = v3ctl::connectUnixSocket(runDir_.filePath("agent.sock").toStdString());
        QVERIFY2(rude.ok(), rude.ok() ? "" : rude.error().message.c_str());
        std::string junk =
            "garbage on the line" + v3ctl::agent::encodeFrame(v3ctl::agent::FrameType::Request, 0,
                                                              0, 5, std::string(3000, 'x'))
                                        .substr(0, 700);
        QVERIFY(v3ctl::writeAll(rude.value().readFd.get(), junk.data(), junk.size()));
        QTest::qWait(300);
        rude.value().readFd.reset();
        ToolRun after = tool("v3_info", {"--kv"});
        QVERIFY2(after.exitCode == 0, qPrintable(after.err));
        QCOMPARE(keyValues(after.out)["cpus_enabled"], QString("2"));
    }

    // The agent's round trip for an info request on one connection.
    void infoRoundTripTime() {
        auto transport = v3ctl::connectUnixSocket(runDir_.filePath("agent.sock").toStdString());
        QVERIFY(transport.ok());
        auto agent = v3ctl::AgentHost::connect(std::move(transport.value()), 30000);
        QVERIFY2(agent.ok(), agent.ok() ? "" : agent.error().message.c_str());
        std::vector<double> ms;
        for (int i = 0; i < 100; ++i) {
            auto start = std::chrono::steady_clock::now();
            auto info = agent.value()->hostInfo();
            auto end = std::chrono::steady_clock::now();
            QVERIFY(info.ok());
            ms.push_back(std::chrono::duration<double, std::milli>(end - start).count());
        }
        std::sort(ms.begin(), ms.end());
        qInfo("agent round trip for a host info request over the sandbox's %s channel: "
              "median %.2f ms, min %.2f ms, max %.2f ms (100 requests)",
              qPrintable(channel()), ms[50], ms.front(), ms.back());
        QVERIFY(ms[50] < 1000); // a sanity bound, not a benchmark
        agent.value().reset();

        QElapsedTimer clock;
        clock.start();
        QCOMPARE(tool("v3_info", {"--kv"}).exitCode, 0);
        qInfo("a whole 'v3_info --host sandbox' (connect, handshake, request, goodbye): %lld ms",
              clock.elapsed());
    }

    // The module's kernel log lines reach the host side through the agent,
    // and a second request returns only what is newer.
    void kernelLogArrivesThroughTheAgent() {
        auto transport = v3ctl::connectUnixSocket(runDir_.filePath("agent.sock").toStdString());
        QVERIFY(transport.ok());
        auto agent = v3ctl::AgentHost::connect(std::move(transport.value()), 30000);
        QVERIFY2(agent.ok(), agent.ok() ? "" : agent.error().message.c_str());
        auto log = agent.value()->kernelLog(0);
        QVERIFY2(log.ok(), log.ok() ? "" : log.error().message.c_str());
        QStringList texts;
        for (const v3ctl::KernelLogLine& line : log.value().lines) {
            QVERIFY(line.sequence > 0 && line.sequence <= log.value().next);
            texts << QString::fromStdString(line.text);
        }
        QVERIFY2(texts.contains("v3vee: cpu 0: SVM enabled (revision 1, 16 ASIDs, nested paging "
                                "yes, nrip-save no), host save area at 0x" +
                                texts.filter("cpu 0: SVM enabled").value(0).section("0x", 1)),
                 qPrintable(texts.join('\n')));
        for (const QString& t : texts)
            QVERIFY2(t.startsWith("v3vee:"), qPrintable(t)); // only the module's lines
        auto again = agent.value()->kernelLog(log.value().next);
        QVERIFY(again.ok());
        for (const v3ctl::KernelLogLine& line : again.value().lines)
            QVERIFY(line.sequence > log.value().next);
    }

    // The sandbox's channel carries one client at a time; a relay
    // (v3agent --host sandbox --listen PATH) multiplexes many over it: two
    // consoles and lifecycle calls at once.
    void severalClientsShareTheSandboxThroughARelay() {
        const QString relaySocket = runDir_.filePath("relay.sock");
        QProcess relay;
        relay.start(testpaths::buildRoot() + "/bin/v3agent",
                    {"--host", "sandbox", "--listen", relaySocket});
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(relaySocket), 10000);
        const QStringList via{"--host", "unix:" + relaySocket};
        auto run = [&](const QString& name, const QStringList& args) {
            QProcess p;
            p.start(testpaths::buildRoot() + "/bin/" + name, via + args);
            p.waitForFinished(60000);
            return ToolRun{p.exitCode(), QString::fromLocal8Bit(p.readAllStandardOutput()),
                           QString::fromLocal8Bit(p.readAllStandardError())};
        };
        QStringList devices;
        for (const char* name : {"left", "right"}) {
            ToolRun created = run("v3_create", {guestImage("spin"), name});
            QVERIFY2(created.exitCode == 0, qPrintable(created.err));
            devices << created.out.trimmed();
            QCOMPARE(run("v3_launch", {devices.last()}).exitCode, 0);
        }
        QProcess monitors[2];
        for (int i = 0; i < 2; ++i)
            monitors[i].start(testpaths::buildRoot() + "/bin/v3_monitor",
                              via + QStringList{devices[i], "com1"});
        QByteArray seen[2];
        QElapsedTimer clock;
        clock.start();
        while ((!seen[0].contains("beat 3") || !seen[1].contains("beat 3")) &&
               clock.elapsed() < 60000) {
            for (int i = 0; i < 2; ++i) {
                monitors[i].waitForReadyRead(100);
                seen[i] += monitors[i].readAllStandardOutput();
            }
            // Meanwhile other calls go through the same channel.
            QCOMPARE(keyValues(run("v3_info", {"--kv", devices[1]}).out)["state"],
                     QString("running"));
        }
        for (int i = 0; i < 2; ++i) {
            QVERIFY2(seen[i].startsWith("spin: running") && seen[i].contains("beat 3"),
                     seen[i].constData());
            monitors[i].kill();
            monitors[i].waitForFinished();
        }
        for (const QString& dev : devices) {
            QCOMPARE(run("v3_stop", {dev}).exitCode, 0);
            QCOMPARE(run("v3_free", {dev}).exitCode, 0);
        }
        relay.terminate();
        QVERIFY(relay.waitForFinished(10000));
        QCOMPARE(relay.exitCode(), 0);
        QVERIFY(!QFile::exists(relaySocket));
        // The relay let go of the channel: direct clients work again.
        QCOMPARE(keyValues(tool("v3_info", {"--kv"}).out)["num_guests"], QString("0"));
    }

    // Inside the sandbox the same commands work with --host local.
    void sameCommandsWorkWithHostLocalInside() {
        SandboxRun run = runInSandbox(R"SH(
insmod /lib/modules/v3vee.ko || exit 1
v3_mem --host local 64 >/dev/null || exit 1
dev=$(v3_create --host local /root/hello.img hello)
echo "@device $dev"
v3_launch --host local $dev && echo "@launched yes"
timeout 60 v3_monitor --host local $dev com1 >/tmp/out 2>/dev/null
echo "@output $(tr -d '\r' </tmp/out)"
echo "@state $(v3_info --host local --kv $dev | sed -n 's/^state=//p')"
v3_free --host local $dev && echo "@freed yes"
)SH",
                                      {"--file", guestImage("hello") + ":/root/hello.img"});
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors + run.output));
        auto m = markers(run.output);
        QCOMPARE(m["device"], QString("/dev/v3-vm0"));
        QCOMPARE(m["launched"], QString("yes"));
        QCOMPARE(m["output"], QString("Hello from a Palacios guest!"));
        QCOMPARE(m["state"], QString("stopped"));
        QCOMPARE(m["freed"], QString("yes"));
    }
};

QTEST_APPLESS_MAIN(TestAgentSandbox)
#include "tst_agent_sandbox.moc"
