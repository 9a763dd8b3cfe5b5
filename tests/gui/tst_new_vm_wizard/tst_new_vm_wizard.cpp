// The New VM wizard: the name checked live (rules, inventory and host
// names), the source and compose pages' validation, the generated XML (read
// back with the details page's reader), a real build with build_vm adding
// the VM to the inventory with absolute paths, and build_vm failures shown
// with its reason while the wizard stays open; names as one path component,
// every missing or unreadable file named inline, a built image given as a
// payload offered as the image, memory checked against the host's, and the
// adopt dialog's checks of the image.
#include "adopt_vm_dialog.h"
#include "inventory.h"
#include "inventory_service.h"
#include "new_vm_wizard.h"
#include "path_field.h"
#include "test_paths.h"
#include "vm_config_summary.h"
#include "vm_entry.h"
#include "wizard_compose_page.h"
#include "wizard_name_page.h"
#include "wizard_source_page.h"
#include "wizard_summary_page.h"

#include <QAbstractButton>
#include <QCheckBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <unistd.h>

class TestNewVmWizard : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(dir_.isValid());
        qputenv("PALACIOS_INVENTORY", dir_.filePath("data/inventory.db").toLocal8Bit());
        inventory_ = std::make_unique<InventoryService>(dbPath());
        payload_ = dir_.filePath("payload.bin");
        QFile blob(payload_);
        QVERIFY(blob.open(QIODevice::WriteOnly));
        blob.write(QByteArray(4096, '\xf4')); // hlt, hlt, ...
    }

    void nameIsValidatedAsTyped() {
        NewVmWizard wizard({"taken"}, inventory_.get(), "stub");
        WizardNamePage* page = wizard.namePage();
        QLineEdit* edit = page->nameEdit();
        QVERIFY(!page->isComplete());
        QTest::keyClicks(edit, "two words");
        QVERIFY(!page->isComplete());
        QVERIFY2(page->problemText().contains("space", Qt::CaseInsensitive),
                 qPrintable(page->problemText()));
        edit->setText("taken");
        QVERIFY(!page->isComplete());
        QVERIFY(page->problemText().contains("already exists"));
        edit->setText(QString(200, 'x'));
        QVERIFY(!page->isComplete());
        edit->setText("fresh");
        QVERIFY(page->isComplete());
        QVERIFY(page->problemText().isEmpty());
    }

    // The module's rule for names: one path component of [A-Za-z0-9_.-],
    // at most 31 characters (the VM's folder is named after it).
    void nameIsOnePathComponent_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("problem");
        QTest::newRow("slash") << "bad/name"
                               << "only letters, digits, '_', '.' and '-'";
        QTest::newRow("backslash") << "bad\\name"
                                   << "only letters, digits";
        QTest::newRow("32 characters") << QString(32, 'x') << "at most 31 characters";
        QTest::newRow("dot") << "."
                             << "cannot be \".\" or \"..\"";
        QTest::newRow("dot dot") << ".."
                                 << "cannot be \".\" or \"..\"";
        QTest::newRow("umlaut") << QString::fromUtf8("gr\xc3\xbcn") << "only letters, digits";
        QTest::newRow("31 characters") << QString(31, 'x') << "";
        QTest::newRow("dots and dashes") << "a.b-c_d"
                                         << "";
    }

    void nameIsOnePathComponent() {
        QFETCH(QString, name);
        QFETCH(QString, problem);
        NewVmWizard wizard({}, inventory_.get(), "stub");
        WizardNamePage* page = wizard.namePage();
        page->nameEdit()->setText(name);
        QCOMPARE(page->isComplete(), problem.isEmpty());
        if (problem.isEmpty())
            QVERIFY2(page->problemText().isEmpty(), qPrintable(page->problemText()));
        else
            QVERIFY2(page->problemText().contains(problem), qPrintable(page->problemText()));
    }

    // Every missing or unreadable file of an existing source is named
    // inline; a built image alone is enough (its config is inside it).
    void existingSourceNamesEveryFileProblem() {
        NewVmWizard wizard({}, inventory_.get(), "stub");
        WizardSourcePage* page = wizard.sourcePage();
        page->existingButton()->setChecked(true);
        QVERIFY(!page->isComplete());
        QVERIFY2(page->problemText().isEmpty(), qPrintable(page->problemText())); // untouched

        const QString missingXml = dir_.filePath("missing.xml");
        page->configField()->setPath(missingXml);
        QVERIFY(!page->isComplete());
        QVERIFY2(page->problemText().contains("The config " + missingXml + " does not exist"),
                 qPrintable(page->problemText()));
        page->configField()->setPath(dir_.path()); // a folder
        QVERIFY(!page->isComplete());
        QVERIFY2(page->problemText().contains("cannot be read"), qPrintable(page->problemText()));
        if (::geteuid() != 0) { // root reads any file
            const QString locked = dir_.filePath("locked.xml");
            QFile file(locked);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("<vm/>");
            file.close();
            QVERIFY(file.setPermissions(QFileDevice::WriteOwner));
            page->configField()->setPath(locked);
            QVERIFY(!page->isComplete());
            QVERIFY2(page->problemText().contains("The config " + locked + " cannot be read"),
                     qPrintable(page->problemText()));
        }
        page->configField()->setPath(QString());

        const QString missingImg = dir_.filePath("missing.img");
        page->imageField()->setPath(missingImg);
        QTRY_VERIFY2(page->problemText().contains("The image " + missingImg + " does not exist"),
                     qPrintable(page->problemText()));
        QVERIFY(!page->isComplete());
        page->imageField()->setPath(payload_); // a flat binary, not an image
        QTRY_VERIFY2(page->problemText().contains("is not a guest image"),
                     qPrintable(page->problemText()));
        QVERIFY(!page->isComplete());
        page->imageField()->setPath(builtImage(64));
        QTRY_VERIFY2(page->isComplete(), qPrintable(page->problemText()));
        QVERIFY2(page->problemText().isEmpty(), qPrintable(page->problemText()));
    }

    // A payload that is itself a built image is recognised; the wizard
    // offers to use it as the VM's image and takes the user there.
    void aBuiltImageAsPayloadIsOfferedAsTheImage() {
        NewVmWizard wizard({}, inventory_.get(), "stub");
        wizard.namePage()->nameEdit()->setText("fromimage");
        wizard.show();
        wizard.next(); // source: compose
        wizard.next(); // compose
        QCOMPARE(wizard.currentId(), int(NewVmWizard::ComposePage));
        WizardComposePage* page = wizard.composePage();
        const QString image = builtImage(32);
        page->payload()->setPath(image);
        QTRY_VERIFY2(page->problemText().contains("is a built guest image"),
                     qPrintable(page->problemText()));
        QVERIFY(!page->isComplete());
        QVERIFY(page->useAsImageButton()->isVisible());
        page->useAsImageButton()->click();
        QCOMPARE(wizard.currentId(), int(NewVmWizard::SourcePage));
        QVERIFY(wizard.sourcePage()->existingButton()->isChecked());
        QCOMPARE(wizard.sourcePage()->imagePath(), image);
        QTRY_VERIFY2(wizard.sourcePage()->isComplete(),
                     qPrintable(wizard.sourcePage()->problemText()));
        QVERIFY(!wizard.needsBuild());
        QCOMPARE(wizard.imagePath(), image);
        // A flat binary again is no image: no offer.
        page->payload()->setPath(payload_);
        QTRY_VERIFY(page->useAsImageButton()->isHidden());
        QVERIFY2(page->problemText().isEmpty(), qPrintable(page->problemText()));
    }

    // The VM's memory against the host's free guest memory, with an offer
    // to reserve what is missing when the wizard finishes.
    void memoryIsCheckedAgainstTheHost() {
        NewVmWizard wizard({}, inventory_.get(), "stub");
        WizardComposePage* page = wizard.composePage();
        QVERIFY(page->memoryNote()->text().isEmpty()); // host unknown: no check
        QCOMPARE(page->missingGuestMemoryMb(), 0);
        wizard.setHostGuestMemory(256, 100);
        page->memory()->setValue(64);
        QVERIFY2(page->memoryNote()->text().contains("100 MB of guest memory free: enough"),
                 qPrintable(page->memoryNote()->text()));
        QVERIFY(page->reserveMemory()->isHidden());
        QVERIFY(!page->reserveMissingMemory());
        page->memory()->setValue(4000);
        QCOMPARE(page->missingGuestMemoryMb(), 3900);
        QVERIFY2(page->memoryNote()->text().contains("only 100 MB of guest memory free (of 256 "
                                                     "MB reserved); this VM needs 4000 MB"),
                 qPrintable(page->memoryNote()->text()));
        QVERIFY(!page->reserveMemory()->isHidden());
        QVERIFY2(page->reserveMemory()->text().contains("3900 MB"),
                 qPrintable(page->reserveMemory()->text()));
        QVERIFY(page->reserveMissingMemory());
        page->reserveMemory()->setChecked(false);
        QVERIFY(!page->reserveMissingMemory());
    }

    void finishReservesTheMissingMemory() {
        const QString buildVm = testpaths::buildRoot() + "/bin/build_vm";
        if (!QFileInfo(buildVm).isExecutable())
            QSKIP("build_vm is not built");
        qputenv("PALACIOS_BUILD_VM", buildVm.toLocal8Bit());
        NewVmWizard wizard({}, inventory_.get(), "stub");
        wizard.setHostGuestMemory(64, 16);
        QSignalSpy reserve(&wizard, &NewVmWizard::reserveMemoryRequested);
        QSignalSpy created(&wizard, &NewVmWizard::vmCreated);
        QSignalSpy failed(&wizard, &NewVmWizard::creationFailed);
        fillComposition(wizard, "bigger");
        wizard.composePage()->memory()->setValue(80);
        wizard.show();
        walkToSummary(wizard);
        wizard.button(QWizard::FinishButton)->click();
        QTRY_VERIFY_WITH_TIMEOUT(created.count() + failed.count() > 0, 20000);
        QVERIFY2(failed.isEmpty(),
                 failed.isEmpty() ? "" : qPrintable(failed.first().at(0).toString()));
        QCOMPARE(reserve.count(), 1);
        QCOMPARE(reserve.first().at(0).toInt(), 64);
    }

    // Adoption: the image must exist, be one, and ask for the memory the
    // host reports for the running VM.
    void adoptionChecksTheImage() {
        VmEntry orphan;
        orphan.name = "stray";
        orphan.group = VmGroup::NotInInventory;
        orphan.status = VmStatus::Running;
        orphan.memoryMb = 64;
        AdoptVmDialog dialog(orphan);
        QVERIFY(!dialog.canAccept());
        const QString missing = dir_.filePath("gone.img");
        dialog.imageField()->setPath(missing);
        QTRY_VERIFY2(dialog.problemText().contains("The image " + missing + " does not exist"),
                     qPrintable(dialog.problemText()));
        QVERIFY(!dialog.canAccept());
        dialog.imageField()->setPath(payload_);
        QTRY_VERIFY2(dialog.problemText().contains("is not a guest image"),
                     qPrintable(dialog.problemText()));
        QVERIFY(!dialog.canAccept());
        const QString small = builtImage(16);
        dialog.imageField()->setPath(small);
        QTRY_VERIFY2(dialog.problemText().contains("asks for 16 MB of memory, but stray on the "
                                                   "host has 64 MB"),
                     qPrintable(dialog.problemText()));
        QVERIFY(!dialog.canAccept());
        const QString right = builtImage(64);
        dialog.imageField()->setPath(right);
        QTRY_VERIFY2(dialog.canAccept(), qPrintable(dialog.problemText()));
        QVERIFY2(dialog.problemText().isEmpty(), qPrintable(dialog.problemText()));
        QCOMPARE(dialog.imagePath(), right);
        dialog.configField()->setPath(dir_.filePath("nothere.xml"));
        QVERIFY(!dialog.canAccept());
        QVERIFY2(dialog.problemText().contains("does not exist"), qPrintable(dialog.problemText()));
    }

    void composeValidationAndXml() {
        NewVmWizard wizard({}, inventory_.get(), "stub");
        wizard.namePage()->nameEdit()->setText("composed");
        WizardComposePage* page = wizard.composePage();
        QVERIFY(!page->isComplete()); // no payload yet
        page->payload()->setPath(dir_.filePath("missing.bin"));
        QVERIFY(!page->isComplete());
        QVERIFY(page->problemText().contains("does not exist"));
        page->payload()->setPath(payload_);
        QVERIFY(page->isComplete());
        page->memory()->setValue(128);
        page->cores()->setValue(2);
        page->textConsole()->setChecked(true);

        const QString xml = wizard.generatedXml();
        QString error;
        VmConfigSummary summary = VmConfigSummary::parse(xml.toUtf8(), "/x/composed.xml", &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(summary.memoryMb, 128);
        QCOMPARE(summary.cores, 2);
        QCOMPARE(summary.paging, QString("nested"));
        QCOMPARE(summary.files.size(), 1);
        QCOMPARE(summary.files.first().id, QString("bios"));
        QCOMPARE(summary.files.first().path, payload_); // absolute, as given
        QCOMPARE(summary.streams, QStringList({"com1"}));
        QVERIFY(summary.hasTextConsole);
        QVERIFY(!summary.hasVga);
        QStringList classes;
        for (const auto& d : summary.devices)
            classes << d.deviceClass;
        QVERIFY(classes.contains("SERIAL") && classes.contains("CHAR_STREAM") &&
                classes.contains("CURSES_CONSOLE") && classes.contains("8259A"));
        // The text console as the Palacios manual writes it, with the
        // keyboard its keys reach the guest through.
        QVERIFY(classes.contains("KEYBOARD"));
        for (const auto& d : summary.devices) {
            if (d.deviceClass == "CGA_VIDEO") {
                QCOMPARE(d.id, QString("cga"));
                QCOMPARE(d.backend, QString("passthrough=disable"));
            }
            if (d.deviceClass == "CURSES_CONSOLE") {
                QCOMPARE(d.id, QString("curses"));
                QCOMPARE(d.backend, QString("frontend cga"));
            }
        }
        // Paths the VM will be recorded with are absolute.
        QVERIFY(QDir::isAbsolutePath(wizard.configPath()));
        QVERIFY(QDir::isAbsolutePath(wizard.imagePath()));
    }

    void existingSourceNeedsAConfig() {
        NewVmWizard wizard({}, inventory_.get(), "stub");
        WizardSourcePage* page = wizard.sourcePage();
        QVERIFY(page->isComplete()); // compose is the default
        page->existingButton()->setChecked(true);
        QVERIFY(!page->isComplete());
        page->configField()->setPath(testpaths::sourceRoot() +
                                     "/resources/configs/minimal-serial.xml");
        QVERIFY(page->isComplete()); // image empty: built from the config
        page->imageField()->setPath(dir_.filePath("nope.img"));
        QVERIFY(!page->isComplete());
        QCOMPARE(page->nextId(), int(NewVmWizard::SummaryPage));
        page->composeButton()->setChecked(true);
        QCOMPARE(page->nextId(), int(NewVmWizard::ComposePage));
    }

    void finishBuildsAndAddsToTheInventory() {
        const QString buildVm = testpaths::buildRoot() + "/bin/build_vm";
        if (!QFileInfo(buildVm).isExecutable())
            QSKIP("build_vm is not built");
        qputenv("PALACIOS_BUILD_VM", buildVm.toLocal8Bit());
        NewVmWizard wizard({}, inventory_.get(), "stub");
        QSignalSpy created(&wizard, &NewVmWizard::vmCreated);
        QSignalSpy failed(&wizard, &NewVmWizard::creationFailed);
        fillComposition(wizard, "built");
        wizard.show();
        walkToSummary(wizard);
        QVERIFY(wizard.summaryPage()->xmlView()->toPlainText().contains("<memory>64</memory>"));
        wizard.summaryPage()->grab().save(testpaths::outputDir() + "/new_vm_wizard_summary.png");
        // The build shows its steps: config, build_vm, inventory.
        QProgressBar* bar = wizard.summaryPage()->progressBar();
        QStringList steps;
        connect(bar, &QProgressBar::valueChanged, this, [&]() { steps << bar->format(); });
        wizard.button(QWizard::FinishButton)->click();
        QTRY_VERIFY_WITH_TIMEOUT(created.count() + failed.count() > 0, 20000);
        QVERIFY2(failed.isEmpty(),
                 failed.isEmpty() ? "" : qPrintable(failed.first().at(0).toString()));
        steps.removeDuplicates();
        QCOMPARE(steps, QStringList({"Step 1 of 3", "Step 2 of 3", "Step 3 of 3"}));
        QVERIFY(QFileInfo(wizard.imagePath()).size() > 4096);

        auto inv = inventory::Inventory::open(dbPath().toStdString());
        QVERIFY(inv);
        auto vm = inv.value().find("built");
        QVERIFY(vm);
        QCOMPARE(vm.value().state, inventory::VmState::Inactive);
        QCOMPARE(vm.value().host, std::string("stub"));
        QVERIFY(QDir::isAbsolutePath(QString::fromStdString(vm.value().image_path)));
        QVERIFY(QDir::isAbsolutePath(QString::fromStdString(vm.value().config_path)));
        QCOMPARE(QString::fromStdString(vm.value().image_path), wizard.imagePath());
    }

    // "Boot a Linux kernel directly": kernel, initrd and command line (with
    // console=ttyS0 as given default), memory raised to what a kernel
    // needs, and the real build_vm accepting the bzImage it names.
    void linuxKernelSourceBuildsAnImage() {
        const QString kernel = dir_.filePath("vmlinuz");
        QFile k(kernel);
        QVERIFY(k.open(QIODevice::WriteOnly));
        k.write(fakeBzImage());
        k.close();
        const QString initrd = dir_.filePath("initrd.cpio.gz");
        QFile i(initrd);
        QVERIFY(i.open(QIODevice::WriteOnly));
        i.write(QByteArray(8192, 'i'));
        i.close();

        NewVmWizard wizard({}, inventory_.get(), "stub");
        QSignalSpy created(&wizard, &NewVmWizard::vmCreated);
        QSignalSpy failed(&wizard, &NewVmWizard::creationFailed);
        wizard.namePage()->nameEdit()->setText("penguin");
        WizardComposePage* page = wizard.composePage();
        page->linuxBoot()->setChecked(true);
        QVERIFY(!page->payload()->isEnabled());
        QCOMPARE(page->memory()->value(), 256);
        QCOMPARE(page->cmdline()->text(), QString("console=ttyS0"));
        QVERIFY(!page->isComplete()); // no kernel yet
        page->kernel()->setPath(dir_.filePath("missing-vmlinuz"));
        QVERIFY(!page->isComplete());
        QVERIFY2(page->problemText().contains("the kernel"), qPrintable(page->problemText()));
        page->kernel()->setPath(kernel);
        page->initrd()->setPath(initrd);
        page->cmdline()->setText("console=ttyS0 quiet");
        QVERIFY2(page->isComplete(), qPrintable(page->problemText()));

        const QString xml = wizard.generatedXml();
        QVERIFY2(xml.contains("<file id=\"kernel\" filename=\"" + kernel + "\"/>"),
                 qPrintable(xml));
        QVERIFY2(xml.contains("<file id=\"initrd\" filename=\"" + initrd + "\"/>"),
                 qPrintable(xml));
        QVERIFY2(xml.contains("<cmdline>console=ttyS0 quiet</cmdline>"), qPrintable(xml));
        QVERIFY(!xml.contains("id=\"bios\""));

        const QString buildVm = testpaths::buildRoot() + "/bin/build_vm";
        if (!QFileInfo(buildVm).isExecutable())
            QSKIP("build_vm is not built");
        qputenv("PALACIOS_BUILD_VM", buildVm.toLocal8Bit());
        wizard.show();
        walkToSummary(wizard);
        wizard.button(QWizard::FinishButton)->click();
        QTRY_VERIFY_WITH_TIMEOUT(created.count() + failed.count() > 0, 20000);
        QVERIFY2(failed.isEmpty(),
                 failed.isEmpty() ? "" : qPrintable(failed.first().at(0).toString()));
        QVERIFY(QFileInfo(wizard.imagePath()).size() > 1 << 20);
    }

    void buildVmFailureIsShownAndTheWizardStays() {
        // A build_vm that fails the way the real one does: one line on stderr, status 1.
        const QString fake = dir_.filePath("failing_build_vm");
        QFile script(fake);
        QVERIFY(script.open(QIODevice::WriteOnly));
        script.write("#!/bin/sh\necho \"build_vm: $1: <devices>: unknown device class "
                     "'CGA_VIDEO'\" >&2\nexit 1\n");
        script.close();
        script.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        qputenv("PALACIOS_BUILD_VM", fake.toLocal8Bit());

        NewVmWizard wizard({}, inventory_.get(), "stub");
        QSignalSpy failed(&wizard, &NewVmWizard::creationFailed);
        fillComposition(wizard, "broken");
        wizard.show();
        walkToSummary(wizard);
        wizard.button(QWizard::FinishButton)->click();
        QVERIFY(failed.wait(10000));
        const QString message = wizard.summaryPage()->statusLabel()->text();
        QVERIFY2(message.startsWith("The image could not be built: build_vm: "),
                 qPrintable(message));
        QVERIFY(message.contains("unknown device class 'CGA_VIDEO'"));
        QVERIFY(wizard.isVisible());
        QVERIFY(!wizard.isWorking());
        QVERIFY(!inventory::Inventory::open(dbPath().toStdString()).value().find("broken"));
        wizard.grab().save(testpaths::outputDir() + "/new_vm_wizard_build_error.png");

        // A build_vm that cannot be started at all.
        qputenv("PALACIOS_BUILD_VM", dir_.filePath("no-such-program").toLocal8Bit());
        wizard.button(QWizard::FinishButton)->click();
        QVERIFY(failed.wait(10000));
        QVERIFY(wizard.summaryPage()->statusLabel()->text().contains("could not be started"));
    }

private:
    std::unique_ptr<InventoryService> inventory_; // what the window would hand the wizard
    // The setup header of a 64-bit relocatable bzImage (boot protocol 2.15)
    // in front of 1 MB of "kernel": what build_vm's loader checks.
    static QByteArray fakeBzImage() {
        QByteArray k(5 * 512 + (1 << 20), '\0');
        auto put32 = [&](int at, quint32 v) {
            for (int b = 0; b < 4; ++b)
                k[at + b] = char(v >> (8 * b));
        };
        k[0x1f1] = 4;          // setup_sects
        k[0x1fe] = char(0x55); // boot sector signature
        k[0x1ff] = char(0xaa);
        k[0x201] = 0x6a;          // header length
        put32(0x202, 0x53726448); // "HdrS"
        k[0x206] = 0x0f;          // protocol 2.15
        k[0x207] = 0x02;
        k[0x211] = 0x01;          // LOADED_HIGH
        put32(0x22c, 0x7fffffff); // initrd_addr_max
        put32(0x230, 0x200000);   // kernel_alignment
        k[0x234] = 1;             // relocatable
        put32(0x238, 2047);       // cmdline_size
        put32(0x260, 64 << 20);   // init_size
        return k;
    }
    // A file with the guest image header (IMAGE-FORMAT.md) and an embedded
    // config asking for memoryMb; enough for the window's probe, which
    // reads the magic and the XML (build_vm --check would want blobs too).
    QString builtImage(int memoryMb) {
        const QString path = dir_.filePath(QString("built-%1.img").arg(memoryMb));
        const QByteArray xml =
            QString("<vm class=\"PC\"><memory>%1</memory></vm>").arg(memoryMb).toUtf8();
        QByteArray header(64, '\0');
        header.replace(0, 5, "v3vee");
        auto put = [&](int at, quint64 value, int bytes) {
            for (int i = 0; i < bytes; ++i)
                header[at + i] = char((value >> (8 * i)) & 0xff);
        };
        put(8, 1, 4);                         // version
        put(12, 64, 4);                       // header size
        put(16, 64 + quint64(xml.size()), 8); // image size
        put(24, 64, 8);                       // XML offset
        put(32, quint64(xml.size()), 8);      // XML size
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            qFatal("cannot write %s", qPrintable(path));
        file.write(header + xml);
        return path;
    }
    QString dbPath() const { return QString::fromLocal8Bit(qgetenv("PALACIOS_INVENTORY")); }
    void fillComposition(NewVmWizard& wizard, const QString& name) {
        wizard.namePage()->nameEdit()->setText(name);
        wizard.composePage()->payload()->setPath(payload_);
    }
    void walkToSummary(NewVmWizard& wizard) {
        while (wizard.currentId() != NewVmWizard::SummaryPage) {
            const int before = wizard.currentId();
            wizard.next();
            QVERIFY(wizard.currentId() != before);
        }
    }

    QTemporaryDir dir_;
    QString payload_;
};

QTEST_MAIN(TestNewVmWizard)
#include "tst_new_vm_wizard.moc"
