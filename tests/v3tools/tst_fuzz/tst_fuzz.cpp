// A short slot of coverage-guided fuzzing for each libFuzzer target under
// AddressSanitizer and UndefinedBehaviorSanitizer:
//   fuzz_image    the image container, the XML config reader and the device
//                 validators (what V3_CREATE_GUEST runs before building a VM)
//   fuzz_devices  every ISA device as a hostile guest drives it, and the
//                 checkpoint round trip of their state
//   fuzz_x86      the x86 decoder and MMIO emulator
//   fuzz_agent    the v3agent protocol, as the agent and as its client
// Each run starts from the target's regression inputs (tests/fuzz/
// regressions/TARGET: inputs that once found a bug) and, for fuzz_image, the
// seeds built from the sample configs. Any crash, leak, timeout or
// out-of-memory fails the test and leaves the input in the test output
// folder. Longer runs: bench/fuzz/run-fuzz-long.sh.
#include "test_paths.h"

#include <QtTest>

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

namespace {

QString fuzzDir() {
    return testpaths::buildRoot() + "/fuzz";
}
QString regressions(const QString& target) {
    return testpaths::sourceRoot() + "/tests/fuzz/regressions/" + target;
}
QString buildCommand() {
    return "make -C tests/fuzz OUT=" + fuzzDir();
}

} // namespace

class TestFuzz : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        for (const char* target : {"fuzz_image", "fuzz_devices", "fuzz_x86", "fuzz_agent"})
            QVERIFY2(
                QFileInfo(fuzzDir() + "/" + target).isExecutable(),
                qPrintable(fuzzDir() + "/" + target + " is not built; run: " + buildCommand()));
        QVERIFY2(!QDir(fuzzDir() + "/corpus").entryList(QDir::Files).isEmpty(),
                 qPrintable(fuzzDir() + "/corpus has no seeds; run: " + buildCommand()));
    }

    void imageCorpusHasSeedsForEverySampleConfig() {
        QDir configs(testpaths::sourceRoot() + "/resources/configs");
        const QStringList names = configs.entryList({"*.xml"}, QDir::Files);
        QVERIFY2(!names.isEmpty(), qPrintable("no sample configs in " + configs.path()));
        const QString seeds = fuzzDir() + "/corpus";
        for (const QString& name : names) {
            QString stem = QFileInfo(name).completeBaseName();
            QVERIFY2(QFileInfo::exists(seeds + "/xml-" + stem), qPrintable(stem));
            QVERIFY2(QFileInfo::exists(seeds + "/image-" + stem), qPrintable(stem));
        }
    }

    void shortRunFindsNothing_data() {
        QTest::addColumn<QString>("target");
        QTest::addColumn<int>("seconds");
        QTest::newRow("image") << "fuzz_image" << 60;
        QTest::newRow("devices") << "fuzz_devices" << 30;
        QTest::newRow("x86") << "fuzz_x86" << 30;
        QTest::newRow("agent") << "fuzz_agent" << 20;
    }

    void shortRunFindsNothing() {
        QFETCH(QString, target);
        QFETCH(int, seconds);
        QTemporaryDir work;
        QVERIFY(work.isValid());
        QString artifacts = work.filePath("artifacts/");
        QString newInputs = work.filePath("corpus");
        QVERIFY(QDir().mkpath(artifacts) && QDir().mkpath(newInputs));

        // New inputs go to the first (temporary) corpus folder, so the seed
        // and regression folders stay as they are.
        QStringList args{"-max_total_time=" + QString::number(seconds),
                         "-timeout=10",
                         "-rss_limit_mb=2048",
                         "-print_final_stats=1",
                         "-artifact_prefix=" + artifacts,
                         newInputs};
        if (QDir(regressions(target)).exists())
            args << regressions(target);
        if (target == "fuzz_image")
            args << fuzzDir() + "/corpus";
        QProcess fuzzer;
        fuzzer.setWorkingDirectory(work.path());
        fuzzer.setProcessChannelMode(QProcess::MergedChannels);
        fuzzer.start(fuzzDir() + "/" + target, args);
        QVERIFY2(fuzzer.waitForStarted(), qPrintable(fuzzer.errorString()));
        const int limitMs = (seconds + 180) * 1000;
        bool finished = fuzzer.waitForFinished(limitMs);
        if (!finished)
            fuzzer.kill(), fuzzer.waitForFinished();
        QByteArray output = fuzzer.readAll();

        QString log = testpaths::outputDir() + "/" + target + ".log";
        QFile logFile(log);
        if (logFile.open(QIODevice::WriteOnly))
            logFile.write(output);
        QStringList findings = QDir(artifacts).entryList(
            {"crash-*", "leak-*", "timeout-*", "oom-*", "slow-unit-*"}, QDir::Files);
        for (const QString& finding : findings)
            QFile::copy(artifacts + finding, testpaths::outputDir() + "/" + target + "-" + finding);

        QVERIFY2(finished, qPrintable(QString("the fuzzer did not stop after %1 s; log: %2")
                                          .arg(limitMs / 1000)
                                          .arg(log)));
        QVERIFY2(fuzzer.exitStatus() == QProcess::NormalExit,
                 qPrintable("the fuzzer crashed; log: " + log));
        QVERIFY2(findings.isEmpty(), qPrintable("findings (copied to " + testpaths::outputDir() +
                                                "): " + findings.join(", ") + "; log: " + log));
        QVERIFY2(fuzzer.exitCode() == 0,
                 qPrintable(QString("exit %1; log: %2\n%3")
                                .arg(fuzzer.exitCode())
                                .arg(log, QString::fromUtf8(output.right(3000)))));
        // It really ran: libFuzzer reports its execution count at the end.
        QVERIFY2(output.contains("stat::number_of_executed_units:"), qPrintable(log));
        qInfo().noquote()
            << target << output.mid(output.lastIndexOf("stat::number_of_executed_units")).trimmed();
    }
};

QTEST_GUILESS_MAIN(TestFuzz)
#include "tst_fuzz.moc"
