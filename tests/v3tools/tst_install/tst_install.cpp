// What issue 16 promises a user who installs Palacios rather than running it
// from the source tree: `make install DESTDIR=... PREFIX=/usr` puts every
// program, page and file where Debian looks; the installed programs answer
// --version and --help, every man page renders, the desktop entry and the
// AppStream metadata validate; the installed tools reach the installed
// sandbox with the source and build trees hidden (a mount namespace lays an
// empty tmpfs over them); `make uninstall` leaves nothing behind; and, in
// the sandbox, the group the install sets up (v3vee-setup-group writing
// `options v3vee gid=N`) is what lets a non-root user use the module.
#include "sandbox_runner.h"

#include <uapi/v3vee.h>

#include <QDirIterator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

namespace {

struct Ran {
    int exitCode = -1;
    QString out;
    QString err;
};

Ran runProgram(const QString& program, const QStringList& args,
               const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment(),
               int timeoutMs = 120000) {
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, args);
    Ran ran;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        ran.err = program + " did not finish";
        return ran;
    }
    ran.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    // man marks bold and underline by overstriking (X BS X); keep the text.
    ran.out = QString::fromLocal8Bit(p.readAllStandardOutput()).remove(QRegularExpression(".\x08"));
    ran.err = QString::fromLocal8Bit(p.readAllStandardError());
    return ran;
}

// The environment of a user who has only the installed product: no
// PALACIOS_* variables pointing into the build, no display.
QProcessEnvironment installedUserEnvironment() {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString& key : env.keys())
        if (key.startsWith("PALACIOS_") || key == "DISPLAY" || key == "WAYLAND_DISPLAY" ||
            key == "QT_QPA_PLATFORM")
            env.remove(key);
    return env;
}

QString version() {
    QFile file(testpaths::sourceRoot() + "/VERSION");
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll()).trimmed();
}

const QStringList kTools{"v3_mem",      "v3_create",  "v3_free", "v3_launch", "v3_pause",
                         "v3_continue", "v3_stop",    "v3_info", "v3_stream", "v3_cons",
                         "v3_cons_sc",  "v3_monitor", "v3_save", "v3_load",   "v3agent"};

} // namespace

class TestInstall : public QObject {
    Q_OBJECT

    QTemporaryDir staging_{QDir::tempPath() + "/palacios-install-XXXXXX"};
    QString root_; // DESTDIR/usr

    QString installed(const QString& relative) const { return root_ + "/" + relative; }

    Ran make(const QString& target) {
        return runProgram("make",
                          {"-C", testpaths::sourceRoot(), "--no-print-directory", target,
                           "DESTDIR=" + staging_.path(), "PREFIX=/usr"},
                          QProcessEnvironment::systemEnvironment(), 900000);
    }

private slots:
    void initTestCase() {
        QVERIFY(staging_.isValid());
        root_ = staging_.path() + "/usr";
        Ran install = make("install");
        QVERIFY2(install.exitCode == 0, qPrintable(install.out.right(3000) + install.err));
        QVERIFY2(install.out.contains("install: Palacios " + version() + " in " + root_),
                 qPrintable(install.out.right(500)));
    }

    // FHS places: programs in bin, the tools' shared binary and the
    // sandbox's initramfs in lib/palacios, scripts and samples in
    // share/palacios, and the files desktops, man and udev read.
    void installsTheFhsLayout() {
        for (const QString& program : QStringList{"palacios", "build_vm"} + kTools)
            QVERIFY2(QFileInfo(installed("bin/" + program)).isExecutable(), qPrintable(program));
        QFileInfo create(installed("bin/v3_create"));
        QVERIFY(create.isSymLink());
        QCOMPARE(create.canonicalFilePath(),
                 QFileInfo(installed("lib/palacios/v3tools")).canonicalFilePath());
        for (const QString& file :
             {"lib/palacios/sandbox/initramfs.cpio.gz", "lib/palacios/sandbox/kernel-version",
              "lib/palacios/v3vee-setup-group", "share/palacios/sandbox/v3sandbox",
              "share/palacios/configs/minimal-serial.xml", "share/palacios/configs/default-pc.xml",
              "share/palacios/guests/hello.img", "share/applications/org.v3vee.Palacios.desktop",
              "share/metainfo/org.v3vee.Palacios.metainfo.xml",
              "share/icons/hicolor/scalable/apps/palacios.svg", "share/man/man1/palacios.1",
              "share/man/man5/v3vee-config.5"})
            QVERIFY2(QFile::exists(installed(file)), qPrintable(file));
        QVERIFY(QFile::exists(staging_.path() + "/usr/lib/udev/rules.d/60-v3vee.rules"));
        QVERIFY(QFile::exists(staging_.path() + "/usr/lib/sysusers.d/v3vee.conf"));
        // Only the installed copy of v3sandbox uses the installed layout.
        QFile script(installed("share/palacios/sandbox/v3sandbox"));
        QVERIFY(script.open(QIODevice::ReadOnly));
        QVERIFY(script.readAll().contains("\nlayout=installed # set by make install\n"));
    }

    // The issue's complaint: binaries carried the source path. No installed
    // file may name the source or the build tree.
    void nothingInstalledNamesTheSourceTree() {
        const QByteArray source = QDir(testpaths::sourceRoot()).canonicalPath().toUtf8();
        const QByteArray build = QDir(testpaths::buildRoot()).canonicalPath().toUtf8();
        QDirIterator it(staging_.path(), QDir::Files | QDir::NoSymLinks,
                        QDirIterator::Subdirectories);
        int checked = 0;
        while (it.hasNext()) {
            QFile file(it.next());
            QVERIFY(file.open(QIODevice::ReadOnly));
            QByteArray bytes = file.readAll();
            if (file.fileName().endsWith(".gz")) // the initramfs: its cpio is compressed
                continue;
            QVERIFY2(!bytes.contains(source) && !bytes.contains(build),
                     qPrintable(file.fileName() + " names " + source));
            ++checked;
        }
        QVERIFY2(checked >= 20, qPrintable(QString::number(checked)));
    }

    // --version on every program, with no display (the window's too), in
    // the form help2man and packagers expect.
    void everyProgramAnswersVersionAndHelp() {
        const QProcessEnvironment env = installedUserEnvironment();
        Ran window = runProgram(installed("bin/palacios"), {"--version"}, env);
        QCOMPARE(window.exitCode, 0);
        QCOMPARE(window.out.section('\n', 0, 0), "palacios (Palacios) " + version());
        Ran windowHelp = runProgram(installed("bin/palacios"), {"--help"}, env);
        QCOMPARE(windowHelp.exitCode, 0);
        QVERIFY2(windowHelp.out.contains("--host <URI>"), qPrintable(windowHelp.out));
        for (const QString& program : QStringList{"build_vm"} + kTools) {
            Ran ran = runProgram(installed("bin/" + program), {"--version"}, env);
            QCOMPARE(ran.exitCode, 0);
            QCOMPARE(ran.out.section('\n', 0, 0), program + " (Palacios) " + version());
        }
        Ran help = runProgram(installed("bin/v3_create"), {"--help"}, env);
        QCOMPARE(help.exitCode, 0);
        QVERIFY2(help.out.startsWith("Usage: v3_create [--host URI] [--json] IMAGE NAME\n"),
                 qPrintable(help.out));
    }

    // A page per program and v3vee-config(5); each renders without a
    // warning and describes what it is named after.
    void everyManPageRenders() {
        QStringList pages;
        for (const QString& program : QStringList{"palacios", "build_vm"} + kTools)
            pages << "man1/" + program + ".1";
        pages << "man5/v3vee-config.5";
        QProcessEnvironment env = installedUserEnvironment();
        env.insert("MANWIDTH", "80");
        env.insert("MAN_KEEP_FORMATTING", "0");
        for (const QString& page : pages) {
            const QString path = installed("share/man/" + page);
            QVERIFY2(QFile::exists(path), qPrintable(page));
            Ran man = runProgram("man", {"--warnings", "-l", path}, env);
            QVERIFY2(man.exitCode == 0 && man.err.isEmpty(), qPrintable(page + ": " + man.err));
            const QString name = QFileInfo(page).completeBaseName();
            QVERIFY2(man.out.contains(QRegularExpression(
                         "NAME\\s+" + QRegularExpression::escape(name) + "\\s+-\\s+\\S")),
                     qPrintable(page + ":\n" + man.out.left(400)));
        }
        Ran tool = runProgram("man", {"-l", installed("share/man/man1/v3_create.1")}, env);
        QVERIFY(tool.out.contains("v3vee-config(5)"));
        QVERIFY(tool.out.contains("usermod -aG v3vee"));
        Ran config = runProgram("man", {"-l", installed("share/man/man5/v3vee-config.5")}, env);
        QVERIFY(config.out.contains("<vm class=\"PC\">"));
        QVERIFY(config.out.contains("64-byte header"));
    }

    void desktopEntryAndAppStreamValidate() {
        Ran desktop = runProgram("desktop-file-validate",
                                 {installed("share/applications/org.v3vee.Palacios.desktop")});
        QVERIFY2(desktop.exitCode == 0 && desktop.out.isEmpty() && desktop.err.isEmpty(),
                 qPrintable(desktop.out + desktop.err));
        Ran metainfo = runProgram(
            "appstreamcli",
            {"validate", "--no-net", installed("share/metainfo/org.v3vee.Palacios.metainfo.xml")});
        QVERIFY2(metainfo.exitCode == 0, qPrintable(metainfo.out + metainfo.err));
    }

    // The udev rule names the nodes the module creates (/dev/v3vee,
    // /dev/v3-vmN, class v3vee) and gives them to group v3vee, 0660.
    void udevRuleCoversTheModulesNodes() {
        QFile rules(staging_.path() + "/usr/lib/udev/rules.d/60-v3vee.rules");
        QVERIFY(rules.open(QIODevice::ReadOnly));
        QStringList globs;
        for (const QString& line : QString::fromUtf8(rules.readAll()).split('\n')) {
            if (line.trimmed().isEmpty() || line.startsWith('#'))
                continue;
            QVERIFY2(line.contains("SUBSYSTEM==\"v3vee\"") && line.contains("GROUP=\"v3vee\"") &&
                         line.contains("MODE=\"0660\""),
                     qPrintable(line));
            auto match = QRegularExpression("KERNEL==\"([^\"]+)\"").match(line);
            QVERIFY2(match.hasMatch(), qPrintable(line));
            globs << match.captured(1);
        }
        auto covered = [&](const QString& node) {
            for (const QString& glob : globs)
                if (QRegularExpression(QRegularExpression::wildcardToRegularExpression(glob))
                        .match(node)
                        .hasMatch())
                    return true;
            return false;
        };
        for (const QString& node : {"v3vee", "v3-vm0", "v3-vm17"})
            QVERIFY2(covered(node), qPrintable(node));
        QVERIFY(!covered("v3-vmx"));
    }

    // The proof that installed programs find their data by install-relative
    // paths: with the source and build trees hidden under an empty tmpfs,
    // the installed v3_info boots the installed sandbox (its prebuilt
    // initramfs) and reports the module running in it.
    void installedToolsReachTheInstalledSandboxWithoutTheSourceTree() {
        if (::geteuid() != 0)
            QSKIP("needs root for a private mount namespace (unshare -m)");
        QTemporaryDir run(QDir::tempPath() + "/palacios-installed-sandbox-XXXXXX");
        const QString source = QDir(testpaths::sourceRoot()).canonicalPath();
        const QString build = QDir(testpaths::buildRoot()).canonicalPath();
        const QString script = QString(R"SH(
set -u
mount -t tmpfs -o ro,size=1M hidden '%1'
if [ '%2' != '%1' ] && [ -d '%2' ]; then mount -t tmpfs -o ro,size=1M hidden '%2'; fi
echo "@hidden $(ls -A '%1' | wc -l)"
'%3/bin/v3_info' --host sandbox --kv >'%4/info' 2>'%4/err'; echo "@info $?"
'%3/share/palacios/sandbox/v3sandbox' stop --dir '%4/sandbox' >/dev/null 2>&1
)SH")
                                   .arg(source, build, root_, run.path());
        QProcessEnvironment env = installedUserEnvironment();
        env.insert("PALACIOS_SANDBOX_DIR", run.path() + "/sandbox");
        Ran ran = runProgram("unshare", {"--mount", "--propagation", "private", "sh", "-c", script},
                             env, 400000);
        QFile info(run.path() + "/info"), err(run.path() + "/err");
        (void)info.open(QIODevice::ReadOnly);
        (void)err.open(QIODevice::ReadOnly);
        const QString infoText = QString::fromUtf8(info.readAll());
        const QString errText = QString::fromUtf8(err.readAll());
        auto m = markers(ran.out);
        QCOMPARE(m["hidden"], QString("0"));
        QVERIFY2(m["info"] == "0", qPrintable(ran.out + ran.err + errText));
        QVERIFY2(
            infoText.contains(QRegularExpression(QString("^abi_version=%1$").arg(V3_ABI_VERSION),
                                                 QRegularExpression::MultilineOption)),
            qPrintable(infoText));
    }

    // v3vee-setup-group (what make install and the package run as root)
    // makes the group and the modprobe option; with them a member opens the
    // nodes and creates a VM, an outsider cannot open them, and `auto`
    // tells the outsider in one line why it falls back and how to join.
    void groupMembersUseTheModuleOthersCannot() {
        const QString guests = testpaths::buildRoot() + "/guests/";
        for (const QString& f : {QString("hello.img"), QString("run_as")})
            QVERIFY2(QFile::exists(guests + f), qPrintable("missing " + guests + f));
        SandboxRun run = runInSandbox(
            R"SH(
touch /etc/group # the sandbox starts without one
/root/v3vee-setup-group /etc/modprobe.d/v3vee.conf >/tmp/out 2>&1; echo "@setup $? $(cat /tmp/out)"
gid=$(sed -n 's/^v3vee:[^:]*:\([0-9]*\):.*/\1/p' /etc/group); echo "@gid $gid"
opts=$(sed -n 's/^options v3vee //p' /etc/modprobe.d/v3vee.conf); echo "@opts $opts"
insmod /lib/modules/v3vee.ko $opts || { echo "@insmod failed"; exit 1; }
echo "@node $(stat -c '%a %g' /dev/v3vee)"
member() { /root/run_as 1001 1001,$gid "$@"; }
outsider() { /root/run_as 1000 1000 "$@"; }
member v3_info --host local --kv >/tmp/out 2>/tmp/err; echo "@member_info $? $(sed -n 's/^abi_version=//p' /tmp/out) $(cat /tmp/err)"
member v3_mem 16 >/dev/null 2>/tmp/err; echo "@member_mem $? $(cat /tmp/err)"
dev=$(member v3_create /root/hello.img hello 2>/tmp/err); echo "@member_create $dev $(cat /tmp/err)"
echo "@vm_node $(stat -c '%a %g' /dev/v3-vm0)"
outsider v3_info --host local >/dev/null 2>/tmp/err; echo "@outsider_local $? $(cat /tmp/err)"
outsider v3_info >/dev/null 2>/tmp/err; echo "@outsider_auto $? $(head -n 1 /tmp/err)"
echo "@outsider_lines $(wc -l </tmp/err)"
member v3_free 0 2>&1; echo "@free $?"
)SH",
            {"--file",
             testpaths::sourceRoot() + "/packaging/v3vee-setup-group:/root/v3vee-setup-group",
             "--file", guests + "hello.img:/root/hello.img", "--file",
             guests + "run_as:/root/run_as"});
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors + run.output));
        auto m = markers(run.output);
        const QString gid = m["gid"];
        QVERIFY2(gid.toInt() > 0, qPrintable(run.output));
        QVERIFY2(m["setup"].startsWith("0 v3vee-setup-group: /etc/modprobe.d/v3vee.conf: options "
                                       "v3vee gid=" +
                                       gid),
                 qPrintable(m["setup"]));
        QCOMPARE(m["opts"], "gid=" + gid);
        QCOMPARE(m["node"], "660 " + gid);
        QCOMPARE(m["member_info"], QString("0 %1 ").arg(V3_ABI_VERSION));
        QCOMPARE(m["member_mem"], QString("0 "));
        QVERIFY2(m["member_create"].startsWith("/dev/v3-vm0"), qPrintable(m["member_create"]));
        QCOMPARE(m["vm_node"], "660 " + gid);
        QVERIFY2(m["outsider_local"].startsWith("1 v3_info: cannot open /dev/v3vee") &&
                     m["outsider_local"].contains("Permission denied") &&
                     m["outsider_local"].contains("usermod -aG v3vee"),
                 qPrintable(m["outsider_local"]));
        QCOMPARE(m["outsider_auto"].section(' ', 0, 0), QString("1"));
        QCOMPARE(m["outsider_auto"].section(' ', 1),
                 QString("v3_info: /dev/v3vee exists but cannot be opened (Permission denied); "
                         "using the sandbox instead. To use this machine's module, join its "
                         "group: sudo usermod -aG v3vee $USER, then log in again"));
        QCOMPARE(m["free"], QString("0"));
    }

    // Last: uninstall removes every file install put there.
    void uninstallLeavesNothing() {
        Ran uninstall = make("uninstall");
        QVERIFY2(uninstall.exitCode == 0, qPrintable(uninstall.out + uninstall.err));
        QStringList left;
        QDirIterator it(staging_.path(), QDir::Files | QDir::System | QDir::Hidden,
                        QDirIterator::Subdirectories);
        while (it.hasNext())
            left << it.next();
        QVERIFY2(left.isEmpty(), qPrintable(left.join('\n')));
        QVERIFY(!QDir(installed("share/palacios")).exists());
        QVERIFY(!QDir(installed("lib/palacios")).exists());
    }
};

QTEST_GUILESS_MAIN(TestInstall)
#include "tst_install.moc"
