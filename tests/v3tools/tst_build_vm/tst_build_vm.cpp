// build_vm as a user runs it: every sample config in resources/configs builds
// into an image that --check reads back, and every kind of mistake ends with
// exit status 1 (2 for usage) and one line that says what is wrong.
#include "test_paths.h"

#include <QtTest>

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QXmlStreamReader>

namespace {

struct Run {
    int exitCode = -1;
    QString out;
    QString err;
};

QString buildVm() {
    return testpaths::buildRoot() + "/bin/build_vm";
}

Run runBuildVm(const QStringList& args) {
    QProcess process;
    process.start(buildVm(), args);
    Run run;
    if (!process.waitForFinished(60000) || process.exitStatus() != QProcess::NormalExit) {
        run.err = "build_vm did not finish normally: " + process.errorString();
        return run;
    }
    run.exitCode = process.exitCode();
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

QString describe(const Run& run) {
    return QString("exit %1\nstdout: %2\nstderr: %3").arg(run.exitCode).arg(run.out, run.err);
}

// The error contract: one line on stderr, nothing on stdout.
void verifyOneLineError(const Run& run, int exitCode, const QStringList& mustContain) {
    QVERIFY2(run.exitCode == exitCode, qPrintable(describe(run)));
    QVERIFY2(run.out.isEmpty(), qPrintable(describe(run)));
    QVERIFY2(run.err.endsWith('\n') && run.err.count('\n') == 1, qPrintable(describe(run)));
    QVERIFY2(run.err.startsWith("build_vm: "), qPrintable(describe(run)));
    for (const QString& part : mustContain)
        QVERIFY2(run.err.contains(part),
                 qPrintable(QString("missing \"%1\" in: %2").arg(part, run.err)));
}

bool writeFile(const QString& path, const QByteArray& bytes) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

// The setup header of a relocatable 64-bit bzImage (boot protocol 2.15)
// before 64 KB of "kernel", needing 32 MB from its load address.
QByteArray bzImageStandIn() {
    QByteArray k(5 * 512 + 65536, '\0');
    auto put32 = [&](int at, quint32 v) {
        for (int b = 0; b < 4; ++b)
            k[at + b] = char(v >> (8 * b));
    };
    k[0x1f1] = 4;
    k[0x1fe] = char(0x55);
    k[0x1ff] = char(0xaa);
    k[0x201] = 0x6a;
    put32(0x202, 0x53726448); // "HdrS"
    k[0x206] = 0x0f;          // protocol 2.15
    k[0x207] = 0x02;
    k[0x211] = 0x01; // LOADED_HIGH
    put32(0x22c, 0x7fffffff);
    put32(0x230, 0x200000);
    k[0x234] = 1;
    put32(0x238, 2047);
    put32(0x260, 32 << 20);
    return k;
}

QByteArray dummyContents(int index, int size) {
    QByteArray bytes(size, '\0');
    for (int i = 0; i < size; ++i)
        bytes[i] = char(index * 31 + i * 7);
    return bytes;
}

struct FileRef {
    QString id;
    QString filename;
};

struct ConfigFacts {
    QList<FileRef> files;
    QList<QPair<QString, QString>> devices; // class, id
};

ConfigFacts readFacts(const QByteArray& xml) {
    ConfigFacts facts;
    QXmlStreamReader reader(xml);
    QStringList path;
    while (!reader.atEnd()) {
        reader.readNext();
        if (reader.isStartElement()) {
            path << reader.name().toString();
            auto attrs = reader.attributes();
            if (path == QStringList{"vm", "files", "file"})
                facts.files.append(
                    {attrs.value("id").toString(), attrs.value("filename").toString()});
            if (path == QStringList{"vm", "devices", "device"})
                facts.devices.append(
                    {attrs.value("class").toString(), attrs.value("id").toString()});
        } else if (reader.isEndElement()) {
            path.removeLast();
        }
    }
    return facts;
}

const char kSmallConfig[] = R"(<vm class="PC">
  <memory>16</memory>
  <files>
    <file id="bios" filename="kernel.bin"/>
    <file id="disk" filename="disks/disk.img"/>
  </files>
</vm>
)";

} // namespace

class TestBuildVm : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;

    QString path(const QString& name) const { return dir_.filePath(name); }

    // The small config with its three files in place.
    QString writeSmallConfig() {
        writeFile(path("rom.bin"), dummyContents(3, 4096));
        writeFile(path("kernel.bin"), dummyContents(1, 5000));
        writeFile(path("disks/disk.img"), dummyContents(2, 8192));
        QString config = path("small.xml");
        writeFile(config, kSmallConfig);
        return config;
    }

    QStringList leftoverTemporaries() const {
        return QDir(dir_.path()).entryList({"*.tmp.*"}, QDir::Files);
    }

private slots:
    void initTestCase() {
        QVERIFY2(QFileInfo(buildVm()).isExecutable(),
                 qPrintable(buildVm() + " is not built (build v3tools/build_vm first)"));
        QVERIFY(dir_.isValid());
    }

    void helpDescribesUsage() {
        Run run = runBuildVm({"--help"});
        QCOMPARE(run.exitCode, 0);
        QVERIFY(run.out.contains("Usage: build_vm CONFIG.xml -o IMAGE"));
        QVERIFY(run.out.contains("build_vm --check IMAGE"));
        QVERIFY(run.err.isEmpty());
    }

    void usageErrorsExitWithTwo_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("expected");
        QTest::newRow("nothing") << QStringList{} << "no CONFIG.xml given";
        QTest::newRow("no output") << QStringList{"a.xml"} << "no output image given (-o IMAGE)";
        QTest::newRow("-o without path") << QStringList{"a.xml", "-o"} << "-o needs an IMAGE path";
        QTest::newRow("unknown option")
            << QStringList{"--frobnicate"} << "unknown option '--frobnicate'";
        QTest::newRow("two configs") << QStringList{"a.xml", "b.xml", "-o", "x.img"}
                                     << "more than one CONFIG.xml given ('a.xml' and 'b.xml')";
        QTest::newRow("--check with a config")
            << QStringList{"a.xml", "--check", "x.img"} << "--check takes only the IMAGE path";
        QTest::newRow("--check without path")
            << QStringList{"--check"} << "--check needs an IMAGE path";
    }

    void usageErrorsExitWithTwo() {
        QFETCH(QStringList, args);
        QFETCH(QString, expected);
        verifyOneLineError(runBuildVm(args), 2, {expected, "(see build_vm --help)"});
    }

    void buildsEverySampleConfig_data() {
        QTest::addColumn<QString>("config");
        QDir configs(testpaths::sourceRoot() + "/resources/configs");
        const QStringList names = configs.entryList({"*.xml"}, QDir::Files, QDir::Name);
        if (names.isEmpty()) // a row that fails, rather than no rows at all
            QTest::newRow("no sample configs") << configs.path();
        for (const QString& name : names)
            QTest::newRow(qPrintable(name)) << configs.filePath(name);
    }

    // A temporary copy of each sample with small dummy files for its <files>
    // entries (absolute paths are redirected into the copy's folder).
    void buildsEverySampleConfig() {
        QFETCH(QString, config);
        QVERIFY2(QFileInfo(config).isFile(), qPrintable("no sample config: " + config));
        QFile source(config);
        QVERIFY(source.open(QIODevice::ReadOnly));
        QByteArray xml = source.readAll();
        ConfigFacts facts = readFacts(xml);

        QString work = path("sample-" + QFileInfo(config).completeBaseName());
        QVERIFY(QDir().mkpath(work));
        QMap<QString, int> sizes;
        for (int i = 0; i < facts.files.size(); ++i) {
            FileRef file = facts.files[i];
            QString local = file.filename;
            if (QDir::isAbsolutePath(local)) {
                local = "files/" + QFileInfo(local).fileName();
                xml.replace("\"" + file.filename.toUtf8() + "\"", "\"" + local.toUtf8() + "\"");
            }
            // A 'kernel' must be a bzImage (build_vm checks its setup
            // header); every other file may be anything.
            QByteArray contents =
                file.id == "kernel" ? bzImageStandIn() : dummyContents(i, 100 + 1000 * i);
            QVERIFY(writeFile(work + "/" + local, contents));
            sizes[file.id] = int(contents.size());
        }
        QString copy = work + "/" + QFileInfo(config).fileName();
        QVERIFY(writeFile(copy, xml));
        QString image = work + "/guest.img";

        Run built = runBuildVm({copy, "-o", image});
        QVERIFY2(built.exitCode == 0, qPrintable(describe(built)));
        QVERIFY2(built.err.isEmpty(), qPrintable(describe(built)));
        QVERIFY(QFileInfo(image).isFile());
        QVERIFY(built.out.contains("image     " + image + " ("));
        QVERIFY(built.out.contains("class     PC"));
        QVERIFY(built.out.contains(QRegularExpression("memory    \\d+ (MiB|GiB)")));
        QVERIFY(built.out.contains(QRegularExpression("cores     \\d+")));
        QVERIFY(built.out.contains(QRegularExpression("paging    (nested|shadow)")));
        QVERIFY2(built.out.contains(QString("devices   %1\n").arg(facts.devices.size())),
                 qPrintable(built.out));
        for (const auto& device : facts.devices)
            QVERIFY2(
                built.out.contains(
                    QRegularExpression("\n  " + QRegularExpression::escape(device.first) + " +" +
                                       QRegularExpression::escape(device.second) + "\n")),
                qPrintable(device.first + " " + device.second + " not listed in:\n" + built.out));
        QVERIFY(built.out.contains(QString("files     %1\n").arg(facts.files.size())));
        for (auto it = sizes.cbegin(); it != sizes.cend(); ++it)
            QVERIFY2(built.out.contains(
                         QRegularExpression("\n  " + QRegularExpression::escape(it.key()) + " +" +
                                            QString::number(it.value()) + " bytes ")),
                     qPrintable(it.key() + " not listed with its size in:\n" + built.out));
        QCOMPARE(leftoverTemporaries(), QStringList());

        Run checked = runBuildVm({"--check", image});
        QVERIFY2(checked.exitCode == 0, qPrintable(describe(checked)));
        QCOMPARE(checked.out, built.out); // the same summary, read back from the image
    }

    void embedsFilesRelativeToTheConfigFolder() {
        QString config = writeSmallConfig();
        QString image = path("small.img");
        // Run from another folder: paths must resolve beside the config.
        QProcess process;
        process.setWorkingDirectory(QDir::rootPath());
        process.start(buildVm(), {config, "-o", image});
        QVERIFY(process.waitForFinished(60000));
        QCOMPARE(process.exitCode(), 0);
        QFile file(image);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QByteArray bytes = file.readAll();
        QCOMPARE(bytes.left(8), QByteArray("v3vee\0\0\0", 8));
        QVERIFY(bytes.contains(dummyContents(1, 5000)));
        QVERIFY(bytes.contains(dummyContents(2, 8192)));
        QVERIFY(bytes.contains(kSmallConfig));
        Run checked = runBuildVm({"--check", image});
        QVERIFY2(checked.exitCode == 0, qPrintable(describe(checked)));
        QVERIFY(checked.out.contains(QRegularExpression("\n  bios +5000 bytes +kernel.bin\n")));
        QVERIFY(checked.out.contains(QRegularExpression("\n  disk +8192 bytes +disks/disk.img\n")));
        QVERIFY(checked.out.contains("memory    16 MiB\n"));
    }

    // A <memmap> region builds (the image is valid) but maps host memory,
    // which only the host's administrator can allow: build and --check both
    // say so, naming the region and how the host grants it.
    void passthroughWarnsThatTheHostMustGrantIt() {
        QString config = path("passthrough.xml");
        QVERIFY(writeFile(path("rom.bin"), dummyContents(3, 4096)));
        QVERIFY(writeFile(config, R"(<vm class="PC">
  <memory>16</memory>
  <files><file id="bios" filename="rom.bin"/></files>
  <memmap><region start="0xc0000" end="0xc2000" host_addr="0x10000000"/></memmap>
</vm>
)"));
        QString image = path("passthrough.img");
        const QString warning =
            ": /vm/memmap region 0xc0000-0xc2000 maps host physical 0x10000000-0x10002000 into "
            "the guest; v3vee.ko refuses it unless the host's administrator reserved that range "
            "(memmap= on the kernel command line) and granted it (v3vee.ko "
            "passthrough=SIZE@START)\n";
        Run built = runBuildVm({config, "-o", image});
        QVERIFY2(built.exitCode == 0, qPrintable(describe(built)));
        QCOMPARE(built.err, "build_vm: warning: " + config + warning);
        QVERIFY(built.out.contains("image     " + image + " ("));
        Run checked = runBuildVm({"--check", image});
        QVERIFY2(checked.exitCode == 0, qPrintable(describe(checked)));
        QCOMPARE(checked.err, "build_vm: warning: " + image + warning);

        // Without <memmap> nothing is said.
        Run plain = runBuildVm({writeSmallConfig(), "-o", path("plain.img")});
        QVERIFY2(plain.exitCode == 0 && plain.err.isEmpty(), qPrintable(describe(plain)));
    }

    void missingFileNamesTheIdAndThePath() {
        QString config = writeSmallConfig();
        QFile::remove(path("disks/disk.img"));
        QString image = path("missing.img");
        verifyOneLineError(
            runBuildVm({config, "-o", image}), 1,
            {config, "<files> entry 'disk'", path("disks/disk.img"), "No such file or directory"});
        QVERIFY(!QFileInfo::exists(image));
        QCOMPARE(leftoverTemporaries(), QStringList());
    }

    void failedBuildLeavesThePreviousImageUntouched() {
        QString config = writeSmallConfig();
        QString image = path("keep.img");
        QVERIFY(writeFile(image, "previous image"));
        QFile::remove(path("kernel.bin"));
        verifyOneLineError(runBuildVm({config, "-o", image}), 1, {"<files> entry 'bios'"});
        QFile file(image);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), QByteArray("previous image"));
    }

    void unreadableConfigIsReported() {
        verifyOneLineError(runBuildVm({path("nope.xml"), "-o", path("x.img")}), 1,
                           {"cannot read '" + path("nope.xml") + "': No such file or directory"});
    }

    void unwritableOutputIsReported() {
        QString config = writeSmallConfig();
        verifyOneLineError(runBuildVm({config, "-o", path("no/such/dir/x.img")}), 1,
                           {path("no/such/dir/x.img"), "No such file or directory"});
    }

    void badXmlGivesLineAndColumn() {
        QString config = path("broken.xml");
        writeFile(config, "<vm class=\"PC\">\n  <memory>16</memory>\n  <files>\n    <file id=\"a\" "
                          "filename=\"b\"\n  </files>\n</vm>\n");
        Run run = runBuildVm({config, "-o", path("broken.img")});
        verifyOneLineError(run, 1, {config + ": line "});
        QVERIFY2(run.err.contains(QRegularExpression("line [45], column \\d+: ")),
                 qPrintable(run.err));
    }

    void unknownDeviceClassListsTheKnownOnes() {
        QString config = path("unknown.xml");
        writeFile(config, "<vm class=\"PC\"><memory>16</memory><devices>"
                          "<device class=\"FLUX_CAPACITOR\" id=\"fc\"/></devices></vm>\n");
        Run run = runBuildVm({config, "-o", path("unknown.img")});
        verifyOneLineError(run, 1,
                           {"/vm/devices/device (id=fc)",
                            "unknown device class 'FLUX_CAPACITOR'; known classes: "});
    }

    void corruptedImageFailsCheckNamingTheChecksum() {
        QString config = writeSmallConfig();
        QString image = path("corrupt.img");
        QCOMPARE(runBuildVm({config, "-o", image}).exitCode, 0);
        QFile file(image);
        QVERIFY(file.open(QIODevice::ReadWrite));
        QByteArray bytes = file.readAll();
        qsizetype at = bytes.indexOf(dummyContents(2, 8192)) + 1234;
        QVERIFY(at > 4096);
        bytes[at] = char(bytes[at] ^ 0x40);
        QVERIFY(file.seek(0));
        QCOMPARE(file.write(bytes), bytes.size());
        file.close();
        verifyOneLineError(runBuildVm({"--check", image}), 1,
                           {image + ": image blob 'disk' checksum mismatch: stored 0x"});

        bytes[at] = char(bytes[at] ^ 0x40);
        bytes[bytes.indexOf("<memory>") + 1] = 'M';
        QVERIFY(writeFile(image, bytes));
        verifyOneLineError(runBuildVm({"--check", image}), 1, {"image XML checksum mismatch"});
    }

    void truncatedImageFailsCheck() {
        QString config = writeSmallConfig();
        QString image = path("truncated.img");
        QCOMPARE(runBuildVm({config, "-o", image}).exitCode, 0);
        QVERIFY(QFile::resize(image, QFileInfo(image).size() - 1));
        verifyOneLineError(runBuildVm({"--check", image}), 1,
                           {"image header says the image is", "(truncated or extended)"});
    }

    // What V3_CREATE_GUEST refuses, build_vm refuses at build time with the
    // module's own sentence (config::check_bootable decides both).
    void imageWithNothingToBootIsRefusedWithTheModulesMessage() {
        writeFile(path("disk.bin"), dummyContents(1, 5000));
        QString config = path("nobios.xml");
        writeFile(config, "<vm class=\"PC\">\n  <memory>16</memory>\n  <files>\n"
                          "    <file id=\"disk\" filename=\"disk.bin\"/>\n  </files>\n"
                          "</vm>\n");
        QString image = path("nobios.img");
        verifyOneLineError(runBuildVm({config, "-o", image}), 1,
                           {config + ": the guest has nothing to boot: add <file id=\"bios\"",
                            "or <file id=\"kernel\""});
        QVERIFY(!QFileInfo::exists(image));
        QCOMPARE(leftoverTemporaries(), QStringList());
    }

    void biosLargerThanOneMegabyteIsRefused() {
        writeFile(path("big.bin"), dummyContents(4, (1 << 20) + 1));
        QString config = path("bigbios.xml");
        writeFile(config, "<vm class=\"PC\">\n  <memory>16</memory>\n  <files>\n"
                          "    <file id=\"bios\" filename=\"big.bin\"/>\n  </files>\n</vm>\n");
        verifyOneLineError(runBuildVm({config, "-o", path("bigbios.img")}), 1,
                           {"the 'bios' file is 1048577 bytes; it must be 1 byte to 1 MB"});
    }

    void checkRejectsWhatIsNotAnImage() {
        QString notImage = path("small.xml");
        writeSmallConfig();
        verifyOneLineError(runBuildVm({"--check", notImage}), 1,
                           {notImage + ": image magic is", "not a Palacios guest image"});
        verifyOneLineError(runBuildVm({"--check", path("absent.img")}), 1,
                           {"cannot read '" + path("absent.img") + "': No such file or directory"});
    }
};

QTEST_GUILESS_MAIN(TestBuildVm)
#include "tst_build_vm.moc"
