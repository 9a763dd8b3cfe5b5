// The core as built into v3vee.ko: no C or C++ runtime, no global
// constructors, the kernel's retpoline/return-thunk code generation, and a
// module whose every import the kernel exports.
#include "test_paths.h"

#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QtTest>

class TestFreestanding : public QObject {
    Q_OBJECT

private:
    QString coreObject() const { return testpaths::buildRoot() + "/kmod/v3core.o"; }
    QString module() const { return testpaths::buildRoot() + "/kmod/v3vee.ko"; }

    static QString run(const QString& program, const QStringList& args) {
        QProcess p;
        p.start(program, args);
        if (!p.waitForFinished(60000) || p.exitStatus() != QProcess::NormalExit ||
            p.exitCode() != 0) {
            qWarning("%s %s failed: %s", qPrintable(program), qPrintable(args.join(' ')),
                     p.readAllStandardError().constData());
            return {};
        }
        return QString::fromLocal8Bit(p.readAllStandardOutput());
    }

    static QStringList undefinedSymbols(const QString& object) {
        QStringList symbols;
        for (const QString& line : run("nm", {"-u", object}).split('\n', Qt::SkipEmptyParts))
            symbols << line.trimmed().section(' ', -1);
        return symbols;
    }

private slots:
    void initTestCase() {
        QVERIFY2(QFile::exists(coreObject()), "build v3vee.ko first (make)");
        QVERIFY(QFile::exists(module()));
    }

    // Everything the freestanding core may import: symbols the kernel itself
    // provides for compiler-generated code. Anything from libc or libstdc++
    // (malloc, operator new, __cxa_*, _Unwind_*, the personality routine)
    // would mean the core silently depends on a runtime the kernel lacks.
    void coreImportsOnlyKernelCompilerSupport() {
        const QRegularExpression allowed(
            "^(__stack_chk_fail|__x86_return_thunk|__x86_indirect_thunk_r[a-z0-9]+|"
            "memcpy|memset|memmove|memcmp)$");
        const QStringList symbols = undefinedSymbols(coreObject());
        QVERIFY(!symbols.isEmpty()); // at least the return thunk: nm really ran
        for (const QString& sym : symbols)
            QVERIFY2(allowed.match(sym).hasMatch(),
                     qPrintable("the freestanding core imports '" + sym + "'"));
    }

    void coreHasNoGlobalConstructorsOrUnwindTables() {
        const QString sections = run("objdump", {"-h", coreObject()});
        QVERIFY(sections.contains(".text"));
        for (const char* forbidden : {".init_array", ".ctors", ".eh_frame", ".gcc_except_table"})
            QVERIFY2(!sections.contains(forbidden),
                     qPrintable(QString("v3core.o has a %1 section").arg(forbidden)));
    }

    // The kernel is built with retpolines and return thunks (Spectre v2 /
    // Retbleed); code linked into it must be too, or it reopens the holes.
    void coreUsesTheKernelsSpeculationMitigations() {
        const QString code = run("objdump", {"-d", "--no-show-raw-insn", coreObject()});
        const QRegularExpression indirect(R"(\s(call|jmp)q?\s+\*%)");
        const QRegularExpression bareReturn(R"(\sretq?\s*$)", QRegularExpression::MultilineOption);
        QVERIFY2(!indirect.match(code).hasMatch(), "indirect branch without a retpoline thunk");
        QVERIFY2(!bareReturn.match(code).hasMatch(), "a bare ret instead of the return thunk");
        const QString relocs = run("objdump", {"-r", coreObject()});
        QVERIFY(relocs.contains("__x86_return_thunk"));
        // Calls through the host services table go through retpoline thunks.
        QVERIFY(relocs.contains("__x86_indirect_thunk_"));
    }

    void moduleMatchesTheSandboxKernel() {
        const QString kernel = run(testpaths::sandboxScript(), {"kernel-version"}).trimmed();
        QVERIFY(!kernel.isEmpty());
        const QString vermagic = run("modinfo", {"-F", "vermagic", module()}).trimmed();
        QVERIFY2(vermagic.startsWith(kernel + " "), qPrintable(vermagic + " vs " + kernel));
        QCOMPARE(run("modinfo", {"-F", "license", module()}).trimmed(), QString("GPL"));
    }

    // modpost checks this too, but only warns for some cases; the module
    // must not import anything Debian's kernel does not export.
    void moduleImportsOnlyExportedKernelSymbols() {
        const QString kernel = run(testpaths::sandboxScript(), {"kernel-version"}).trimmed();
        QFile symvers("/usr/src/linux-headers-" + kernel + "/Module.symvers");
        QVERIFY(symvers.open(QIODevice::ReadOnly));
        QSet<QString> exported;
        while (!symvers.atEnd())
            exported.insert(QString::fromLatin1(symvers.readLine()).section('\t', 1, 1));
        QVERIFY(exported.size() > 1000);
        const QStringList symbols = undefinedSymbols(module());
        QVERIFY(symbols.contains("smp_call_function_single"));
        for (const QString& sym : symbols)
            QVERIFY2(exported.contains(sym), qPrintable("v3vee.ko imports unexported " + sym));
    }
};

QTEST_APPLESS_MAIN(TestFreestanding)
#include "tst_freestanding.moc"
