// One minute of coverage-guided fuzzing of load_guest_image (the image
// container, the XML config reader and the device validators) under
// AddressSanitizer and UndefinedBehaviorSanitizer. Any crash, leak, timeout
// or out-of-memory the fuzzer finds fails the test and leaves the input in
// the test output folder.
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
QString fuzzBinary() {
    return fuzzDir() + "/fuzz_image";
}
QString seedCorpus() {
    return fuzzDir() + "/corpus";
}

} // namespace

class TestFuzzImage : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QString build = "make -C tests/fuzz OUT=" + fuzzDir();
        QVERIFY2(QFileInfo(fuzzBinary()).isExecutable(),
                 qPrintable(fuzzBinary() + " is not built; run: " + build));
        QVERIFY2(!QDir(seedCorpus()).entryList(QDir::Files).isEmpty(),
                 qPrintable(seedCorpus() + " has no seeds; run: " + build));
    }

    void corpusHasSeedsForEverySampleConfig() {
        QDir configs(testpaths::sourceRoot() + "/resources/configs");
        const QStringList names = configs.entryList({"*.xml"}, QDir::Files);
        QVERIFY2(!names.isEmpty(), qPrintable("no sample configs in " + configs.path()));
        for (const QString& name : names) {
            QString stem = QFileInfo(name).completeBaseName();
            QVERIFY2(QFileInfo::exists(seedCorpus() + "/xml-" + stem), qPrintable(stem));
            QVERIFY2(QFileInfo::exists(seedCorpus() + "/image-" + stem), qPrintable(stem));
        }
    }

    void oneMinuteOfFuzzingFindsNothing() {
        QTemporaryDir work;
        QVERIFY(work.isValid());
        QString artifacts = work.filePath("artifacts/");
        QString newInputs = work.filePath("corpus");
        QVERIFY(QDir().mkpath(artifacts) && QDir().mkpath(newInputs));

        // New inputs go to the first (temporary) corpus folder, so the seed
        // corpus in the build tree stays as the Makefile wrote it.
        QProcess fuzzer;
        fuzzer.setWorkingDirectory(work.path());
        fuzzer.setProcessChannelMode(QProcess::MergedChannels);
        fuzzer.start(fuzzBinary(), {"-max_total_time=60", "-timeout=10", "-rss_limit_mb=2048",
                                    "-print_final_stats=1", "-artifact_prefix=" + artifacts,
                                    newInputs, seedCorpus()});
        QVERIFY2(fuzzer.waitForStarted(), qPrintable(fuzzer.errorString()));
        bool finished = fuzzer.waitForFinished(240 * 1000);
        if (!finished)
            fuzzer.kill(), fuzzer.waitForFinished();
        QByteArray output = fuzzer.readAll();

        QString log = testpaths::outputDir() + "/fuzz_image.log";
        QFile logFile(log);
        if (logFile.open(QIODevice::WriteOnly))
            logFile.write(output);
        QStringList findings = QDir(artifacts).entryList(
            {"crash-*", "leak-*", "timeout-*", "oom-*", "slow-unit-*"}, QDir::Files);
        for (const QString& finding : findings)
            QFile::copy(artifacts + finding, testpaths::outputDir() + "/fuzz_image-" + finding);

        QVERIFY2(finished, qPrintable("the fuzzer did not stop after 240 s; log: " + log));
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
            << output.mid(output.lastIndexOf("stat::number_of_executed_units")).trimmed();
    }
};

QTEST_GUILESS_MAIN(TestFuzzImage)
#include "tst_fuzz_image.moc"
