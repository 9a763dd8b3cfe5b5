// The Palacios guest configuration as the kernel reads it: the sample
// configs, every rejection (each message names the element path a user
// would look for), the value readers devices use, and the per-device
// validator hook.
#include "counting_host.h"

#include <config/diagnostic.h>
#include <config/vm_config.h>

#include <QFile>
#include <QtTest>

#include <utility>

using namespace v3::config;
using v3::StringView;

namespace {

const char* const kKnownClasses[] = {"8259A", "8254_PIT",    "SERIAL",   "CHAR_STREAM", "KEYBOARD",
                                     "NVRAM", "BOCHS_DEBUG", "OS_DEBUG", nullptr};
const char* const kTestClasses[] = {"TEST_EXIT", "MMIO_TEST", nullptr};

StringView view(const QByteArray& bytes) {
    return StringView(bytes.constData(), bytes.size());
}
QString qs(StringView s) {
    return QString::fromUtf8(s.data(), qsizetype(s.length()));
}

QByteArray vm(const QByteArray& inner) {
    return "<vm class=\"PC\">\n  <memory>16</memory>\n" + inner + "</vm>\n";
}
QByteArray withDevices(const QByteArray& devices, const QByteArray& before = {}) {
    return vm(before + "  <devices>\n" + devices + "  </devices>\n");
}

QByteArray readConfig(const QString& name) {
    QFile file(QStringLiteral(PALACIOS_SOURCE_ROOT) + "/resources/configs/" + name);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(file.fileName()));
    return file.readAll();
}

// What the validator hook saw, in call order.
QStringList g_validated;
QString g_failOnId;
bool g_failSilently = false;

v3::Result<void> recordingValidator(const DeviceEntry& device, const VmConfig& config,
                                    Diagnostic& diag) {
    g_validated
        << QString("%1:%2:%3").arg(qs(device.class_name), qs(device.id)).arg(config.devices.size());
    if (qs(device.id) == g_failOnId) {
        if (g_failSilently)
            return v3::make_error(v3::Errno::Inval, "bad device");
        return diag.fail(*device.element, "com_port %s is not 1..4",
                         device.element->child("frontend") ? "9" : "?");
    }
    return {};
}

} // namespace

class TestVmConfig : public QObject {
    Q_OBJECT

private:
    CountingHost host_;

    struct Parsed {
        bool ok = false;
        VmConfig config;
        Diagnostic diag;
        v3::Errno code = v3::Errno::Inval;
    };
    static Parsed parse(const QByteArray& text, DeviceValidator validator = nullptr) {
        Parsed p;
        auto result = parse_vm_config(view(text), kKnownClasses, validator, p.diag, kTestClasses);
        p.ok = !result.is_error();
        if (p.ok)
            p.config = result.release_value();
        else
            p.code = result.error().code;
        return p;
    }

private slots:
    void init() {
        g_validated.clear();
        g_failOnId.clear();
        g_failSilently = false;
    }
    void cleanup() { QCOMPARE(CountingHost::live(), 0L); }

    void minimalSerialSampleParses() {
        Parsed p = parse(readConfig("minimal-serial.xml"));
        QVERIFY2(p.ok, p.diag.message);
        const VmConfig& c = p.config;
        QCOMPARE(qs(c.vm_class), QString("PC"));
        QCOMPARE(c.memory_bytes, quint64(16) << 20);
        QCOMPARE(c.memory_alignment, quint64(4096));
        QCOMPARE(c.telemetry, false);
        QCOMPARE(c.paging, PagingMode::Nested);
        QCOMPARE(c.large_pages, false);
        QVERIFY(c.paging_strategy.is_empty());
        QCOMPARE(c.schedule_hz, 100u);
        QCOMPARE(c.num_cores, 1u);
        QCOMPARE(c.memmap.size(), size_t(0));
        QCOMPARE(c.extensions.size(), size_t(0));
        QCOMPARE(c.files.size(), size_t(1));
        QCOMPARE(qs(c.files[0].id), QString("bios"));
        QCOMPARE(qs(c.files[0].filename), QString("hello.bin"));
        QVERIFY(c.find_file("bios") == &c.files[0]);
        QVERIFY(c.find_file("boot") == nullptr);

        QStringList classes, ids;
        for (const DeviceEntry& d : c.devices) {
            classes << qs(d.class_name);
            ids << qs(d.id);
        }
        QCOMPARE(classes, QStringList({"8259A", "8254_PIT", "SERIAL", "CHAR_STREAM", "TEST_EXIT"}));
        QCOMPARE(ids, QStringList({"PIC", "PIT", "serial", "com1_stream", "test_exit"}));
        QVERIFY(c.test_devices); // the sample's guest reports through TEST_EXIT
        const DeviceEntry* stream = c.find_device("com1_stream");
        QVERIFY(stream == &c.devices[3]);
        QCOMPARE(qs(*stream->element->attribute("name")), QString("com1"));
        const v3::xml::Element* frontend = stream->element->child("frontend");
        QVERIFY(frontend);
        QCOMPARE(qs(*frontend->attribute("tag")), QString("serial"));
        QCOMPARE(qs(*frontend->attribute("com_port")), QString("1"));
        QVERIFY(c.find_device("com2") == nullptr);
    }

    void defaultPcSampleParses() {
        Parsed p = parse(readConfig("default-pc.xml"), recordingValidator);
        QVERIFY2(p.ok, p.diag.message);
        const VmConfig& c = p.config;
        QCOMPARE(c.memory_bytes, quint64(256) << 20);
        QCOMPARE(c.telemetry, true);
        QCOMPARE(c.paging, PagingMode::Nested);
        QCOMPARE(c.num_cores, 1u);
        QCOMPARE(c.schedule_hz, 100u);
        QStringList classes;
        for (const DeviceEntry& d : c.devices)
            classes << qs(d.class_name);
        // A product sample: only the devices of a PC, no test devices.
        QCOMPARE(classes, QStringList({"8259A", "KEYBOARD", "8254_PIT", "BOCHS_DEBUG", "OS_DEBUG",
                                       "NVRAM", "SERIAL", "CHAR_STREAM"}));
        QVERIFY(!c.test_devices);
        QCOMPARE(g_validated.size(), 8);
        QCOMPARE(qs(*c.find_device("com1_stream")->element->attribute("name")), QString("com1"));
    }

    void readsEverySetting() {
        Parsed p = parse(
            "<vm class='pc'>\n"
            "  <memory alignment='2MB'>0x200</memory>\n"
            "  <telemetry>Disable</telemetry>\n"
            "  <extensions><extension name='VMWARE_IFACE'/><extension name='MTRRS'/></extensions>\n"
            "  <paging "
            "mode='Nested'><large_pages>yes</large_pages><strategy>VTLB</strategy></paging>\n"
            "  <schedule_hz>1000</schedule_hz>\n"
            "  <cores count='4'/>\n"
            "  <memmap>\n"
            "    "
            "<region><start>0xa0000</start><end>0xc0000</end><host_addr>0xa0000</host_addr></"
            "region>\n"
            "    <region start='0xc0000' end='0x100000' host_addr='0x200000'/>\n"
            "  </memmap>\n"
            "  <files><file id='bios' filename='bios.bin'/><file id='disk' "
            "filename='d.img'/></files>\n"
            "</vm>");
        QVERIFY2(p.ok, p.diag.message);
        const VmConfig& c = p.config;
        QCOMPARE(qs(c.vm_class), QString("pc"));
        QCOMPARE(c.memory_bytes, quint64(512) << 20);
        QCOMPARE(c.memory_alignment, quint64(2) << 20);
        QCOMPARE(c.telemetry, false);
        QCOMPARE(c.extensions.size(), size_t(2));
        QCOMPARE(qs(c.extensions[1]), QString("MTRRS"));
        QCOMPARE(c.paging, PagingMode::Nested);
        QCOMPARE(c.large_pages, true);
        QCOMPARE(qs(c.paging_strategy), QString("VTLB"));
        QCOMPARE(c.schedule_hz, 1000u);
        QCOMPARE(c.num_cores, 4u);
        QCOMPARE(c.memmap.size(), size_t(2));
        QCOMPARE(c.memmap[0].start, quint64(0xa0000));
        QCOMPARE(c.memmap[0].end, quint64(0xc0000));
        QCOMPARE(c.memmap[0].host_addr, quint64(0xa0000));
        QCOMPARE(c.memmap[1].start, quint64(0xc0000)); // adjacent is not overlapping
        QCOMPARE(c.memmap[1].host_addr, quint64(0x200000));
        QCOMPARE(qs(c.find_file("disk")->filename), QString("d.img"));
        QCOMPARE(c.devices.size(), size_t(0));
    }

    // Shadow paging is not implemented: asking for it is refused, not
    // silently replaced by nested paging.
    void shadowPagingIsRefused() {
        Parsed p = parse("<vm class='PC'><memory>16</memory><paging mode='shadow'/></vm>");
        QVERIFY(!p.ok);
        QVERIFY2(QString(p.diag.message).contains("/vm/paging"), p.diag.message);
        QVERIFY2(QString(p.diag.message).contains("'shadow' is not implemented"), p.diag.message);
    }

    void readsTheKernelCommandLine() {
        Parsed p = parse("<vm class='PC'><memory>64</memory><files><file id='kernel' "
                         "filename='vmlinuz'/></files><cmdline> console=ttyS0 quiet "
                         "</cmdline></vm>");
        QVERIFY2(p.ok, p.diag.message);
        QCOMPARE(qs(p.config.cmdline), QString("console=ttyS0 quiet"));
        Parsed orphan = parse("<vm class='PC'><memory>64</memory><cmdline>quiet</cmdline></vm>");
        QVERIFY(!orphan.ok);
        QVERIFY2(QString(orphan.diag.message).contains("/vm/cmdline"), orphan.diag.message);
        QVERIFY2(QString(orphan.diag.message).contains("no <file id=\"kernel\">"),
                 orphan.diag.message);
    }

    void defaultsApplyWhenSectionsAreAbsent() {
        Parsed p = parse("<vm class='PC'><memory>1</memory></vm>");
        QVERIFY2(p.ok, p.diag.message);
        QCOMPARE(p.config.memory_bytes, quint64(1) << 20);
        QCOMPARE(p.config.num_cores, 1u);
        QCOMPARE(p.config.schedule_hz, 100u);
        QCOMPARE(p.config.paging, PagingMode::Nested);
        QCOMPARE(p.config.telemetry, false);
        p = parse("<vm class='PC'><memory alignment='1GB'>65536</memory><cores count='64'/>"
                  "<schedule_hz>10000</schedule_hz></vm>");
        QVERIFY2(p.ok, p.diag.message); // the upper bounds are inclusive
        QCOMPARE(p.config.memory_bytes, quint64(65536) << 20);
        QCOMPARE(p.config.num_cores, 64u);
    }

    void configSurvivesMoves() {
        VmConfig moved;
        {
            Diagnostic diag;
            auto result = parse_vm_config(view(readConfig("minimal-serial.xml")), kKnownClasses,
                                          nullptr, diag, kTestClasses);
            QVERIFY(!result.is_error());
            VmConfig first = result.release_value();
            moved = std::move(first);
            QVERIFY(!first.document);
        }
        QVERIFY(moved.document);
        QCOMPARE(qs(moved.devices[4].id), QString("test_exit"));
        QCOMPARE(qs(moved.devices[4].element->name()), QString("device"));
        QCOMPARE(qs(moved.files[0].filename), QString("hello.bin"));
        QVERIFY(CountingHost::live() > 0);
        moved = VmConfig();
        QCOMPARE(CountingHost::live(), 0L);
    }

    void rejectsInvalidConfigs_data() {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("message");
        auto row = [](const char* name, const QByteArray& text, const char* message) {
            QTest::newRow(name) << text << QString(message);
        };
        const QByteArray booleans =
            "is not a boolean (use true/false, yes/no, enable/disable, on/off or 1/0)";

        // The document and <vm>.
        row("XML syntax", "<vm class='PC'>\n<memory>16</memory>",
            "line 2, column 20: the document ends inside <vm> (opened at line 1, column 1)");
        row("DOCTYPE", "<!DOCTYPE vm>\n<vm class='PC'/>",
            "line 1, column 1: DOCTYPE declarations are not supported (this parser has no DTD "
            "support): remove the <!DOCTYPE ...> declaration");
        row("root is not vm", "<domain type='kvm'/>",
            "/domain: the root element must be <vm>, not <domain>");
        row("class missing", "<vm><memory>16</memory></vm>",
            "/vm: missing class attribute: write <vm class=\"PC\"> (PC is the only guest class "
            "this VMM builds)");
        row("class not PC", "<vm class='ARM'><memory>16</memory></vm>",
            "/vm: class 'ARM' is not supported: this VMM builds x86 PC guests only, so write "
            "class=\"PC\"");
        row("unknown top-level element", vm("  <network/>\n"),
            "/vm/network: unknown element <network> under <vm>; accepted: memory, telemetry, "
            "extensions, paging, schedule_hz, cores, memmap, files, cmdline, devices");
        row("repeated top-level element", vm("  <memory>32</memory>\n"),
            "/vm/memory[2]: <memory> may appear only once under <vm>");
        // <memory>.
        row("memory missing", "<vm class='PC'><cores count='1'/></vm>",
            "/vm: missing <memory>: the guest memory size in MB (1..65536), e.g. "
            "<memory>256</memory>");
        row("memory zero", "<vm class='PC'><memory>0</memory></vm>",
            "/vm/memory: 'memory' value '0' is out of range [1, 65536]");
        row("memory too large", "<vm class='PC'><memory>65537</memory></vm>",
            "/vm/memory: 'memory' value '65537' is out of range [1, 65536]");
        row("memory hex too large", "<vm class='PC'><memory>0x10001</memory></vm>",
            "/vm/memory: 'memory' value '0x10001' is out of range [0x1, 0x10000]");
        row("memory not a number", "<vm class='PC'><memory>256MB</memory></vm>",
            "/vm/memory: 'memory' value '256MB' is not a number (use decimal or 0x hex)");
        row("memory negative", "<vm class='PC'><memory>-16</memory></vm>",
            "/vm/memory: 'memory' value '-16' is not a number (use decimal or 0x hex)");
        row("memory empty", "<vm class='PC'><memory> </memory></vm>",
            "/vm/memory: 'memory' is empty: expected a number");
        row("memory overflows", "<vm class='PC'><memory>18446744073709551616</memory></vm>",
            "/vm/memory: 'memory' value '18446744073709551616' does not fit in 64 bits");
        row("memory with children", "<vm class='PC'><memory>16<unit>MB</unit></memory></vm>",
            "/vm/memory/unit: unexpected <unit>: <memory> has no child elements");
        row("alignment invalid", "<vm class='PC'><memory alignment='3MB'>16</memory></vm>",
            "/vm/memory: alignment '3MB' is not supported: use 4KB, 2MB or 1GB");
        row("memory not a multiple of 2MB",
            "<vm class='PC'><memory alignment='2MB'>15</memory></vm>",
            "/vm/memory: memory size 15 MB is not a multiple of its 2MB alignment");
        row("memory not a multiple of 1GB",
            "<vm class='PC'><memory alignment='1GB'>1536</memory></vm>",
            "/vm/memory: memory size 1536 MB is not a multiple of its 1GB alignment");
        // Scalars.
        row("telemetry not boolean", vm("  <telemetry>maybe</telemetry>\n"),
            QByteArray("/vm/telemetry: 'telemetry' value 'maybe' " + booleans).constData());
        row("paging mode", vm("  <paging mode='ept'/>\n"),
            "/vm/paging: paging mode 'ept' is not supported: use nested or shadow");
        row("large_pages not boolean",
            vm("  <paging mode='nested'><large_pages>2</large_pages></paging>\n"),
            QByteArray("/vm/paging/large_pages: 'large_pages' value '2' " + booleans).constData());
        row("paging unknown child", vm("  <paging><huge_pages>true</huge_pages></paging>\n"),
            "/vm/paging/huge_pages: unexpected <huge_pages> inside <paging>; accepted: "
            "large_pages, strategy");
        row("schedule_hz zero", vm("  <schedule_hz>0</schedule_hz>\n"),
            "/vm/schedule_hz: 'schedule_hz' value '0' is out of range [1, 10000]");
        row("schedule_hz too high", vm("  <schedule_hz>20000</schedule_hz>\n"),
            "/vm/schedule_hz: 'schedule_hz' value '20000' is out of range [1, 10000]");
        // <cores>.
        row("cores count missing", vm("  <cores/>\n"),
            "/vm/cores: missing 'count' (an attribute or a <count> child element)");
        row("cores count zero", vm("  <cores count='0'/>\n"),
            "/vm/cores: 'count' value '0' is out of range [1, 64]");
        row("cores count too high", vm("  <cores count='65'/>\n"),
            "/vm/cores: 'count' value '65' is out of range [1, 64]");
        row("cores count garbage", vm("  <cores count='two'/>\n"),
            "/vm/cores: 'count' value 'two' is not a number (use decimal or 0x hex)");
        row("core list disagrees", vm("  <cores count='2'><core/><core/><core/></cores>\n"),
            "/vm/cores: count is 2 but 3 <core> elements are listed: list one per core, or none");
        row("cores unknown child", vm("  <cores count='1'><cpu/></cores>\n"),
            "/vm/cores/cpu: unexpected <cpu> inside <cores>; accepted: core, count");
        // <memmap>.
        row("region end missing",
            vm("  "
               "<memmap><region><start>0xa0000</start><host_addr>0xa0000</host_addr></region></"
               "memmap>\n"),
            "/vm/memmap/region: missing 'end' (an attribute or a <end> child element)");
        row("region start unaligned",
            vm("  <memmap><region start='0xa0001' end='0xc0000' host_addr='0xa0000'/></memmap>\n"),
            "/vm/memmap/region: start 0xa0001 is not 4 KiB page aligned");
        row("region host_addr unaligned",
            vm("  <memmap><region start='0xa0000' end='0xc0000' host_addr='0x10'/></memmap>\n"),
            "/vm/memmap/region: host_addr 0x10 is not 4 KiB page aligned");
        row("region start not below end",
            vm("  <memmap><region start='0xc0000' end='0xa0000' host_addr='0'/></memmap>\n"),
            "/vm/memmap/region: start 0xc0000 is not below end 0xa0000");
        row("region empty",
            vm("  <memmap><region start='0xa0000' end='0xa0000' host_addr='0'/></memmap>\n"),
            "/vm/memmap/region: start 0xa0000 is not below end 0xa0000");
        row("regions overlap",
            vm("  <memmap>\n"
               "    <region start='0xa0000' end='0xc0000' host_addr='0xa0000'/>\n"
               "    <region start='0xb0000' end='0xd0000' host_addr='0x100000'/>\n"
               "  </memmap>\n"),
            "/vm/memmap/region[2]: [0xb0000, 0xd0000) overlaps region[1] [0xa0000, 0xc0000)");
        row("region host range wraps",
            vm("  <memmap><region start='0' end='0x2000' "
               "host_addr='0xfffffffffffff000'/></memmap>\n"),
            "/vm/memmap/region: host_addr 0xfffffffffffff000 plus the region size is beyond 2^64");
        row("region value garbage",
            vm("  <memmap><region start='0xzz' end='0x2000' host_addr='0'/></memmap>\n"),
            "/vm/memmap/region: 'start' value '0xzz' is not a number (use decimal or 0x hex)");
        row("memmap unknown child", vm("  <memmap><range/></memmap>\n"),
            "/vm/memmap/range: unexpected <range> inside <memmap>; accepted: region");
        // <files>.
        row("file id missing", vm("  <files><file filename='a.bin'/></files>\n"),
            "/vm/files/file: missing 'id' (an attribute or a <id> child element)");
        row("file id empty", vm("  <files><file id='' filename='a.bin'/></files>\n"),
            "/vm/files/file (id=): 'id' must not be empty");
        row("file id duplicate",
            vm("  <files><file id='boot' filename='a.bin'/><file id='boot' "
               "filename='b.bin'/></files>\n"),
            "/vm/files/file[2] (id=boot): duplicate file id 'boot': file[1] already uses it");
        row("filename missing", vm("  <files><file id='boot'/></files>\n"),
            "/vm/files/file (id=boot): missing 'filename' (an attribute or a <filename> child "
            "element)");
        row("filename empty", vm("  <files><file id='boot' filename=' '/></files>\n"),
            "/vm/files/file (id=boot): 'filename' must not be empty");
        row("files unknown child", vm("  <files><image id='x'/></files>\n"),
            "/vm/files/image (id=x): unexpected <image> inside <files>; accepted: file");
        // <extensions>.
        row("extension name missing", vm("  <extensions><extension/></extensions>\n"),
            "/vm/extensions/extension: missing 'name' (an attribute or a <name> child element)");
        row("extensions unknown child", vm("  <extensions><ext name='x'/></extensions>\n"),
            "/vm/extensions/ext: unexpected <ext> inside <extensions>; accepted: extension");
        // <devices>: classes and ids.
        row("device class missing", withDevices("    <device id='x'/>\n"),
            "/vm/devices/device (id=x): missing class attribute: say which kind of device this "
            "is, e.g. class=\"SERIAL\"");
        row("device class unknown",
            withDevices(
                "    <device class='8259A' id='PIC'/>\n    <device class='NE2000' id='net'/>\n"),
            "/vm/devices/device[2] (id=net): unknown device class 'NE2000'; known classes: 8259A, "
            "8254_PIT, SERIAL, CHAR_STREAM, KEYBOARD, NVRAM, BOCHS_DEBUG, OS_DEBUG");
        row("device class wrong case", withDevices("    <device class='serial' id='com1'/>\n"),
            "/vm/devices/device (id=com1): unknown device class 'serial' (class names are "
            "case-sensitive: did you mean 'SERIAL'?); known classes: 8259A, 8254_PIT, SERIAL, "
            "CHAR_STREAM, KEYBOARD, NVRAM, BOCHS_DEBUG, OS_DEBUG");
        // Test devices: only where <devices test_devices="yes"> allows them.
        row("test device without test_devices",
            withDevices("    <device class='TEST_EXIT' id='e'/>\n"),
            "/vm/devices/device (id=e): 'TEST_EXIT' is a test device (for test guests, not a "
            "guest's machine): write <devices test_devices=\"yes\"> to use it");
        row("test device with test_devices=no",
            vm("  <devices test_devices='no'>\n    <device class='MMIO_TEST' id='m'/>\n"
               "  </devices>\n"),
            "/vm/devices/device (id=m): 'MMIO_TEST' is a test device (for test guests, not a "
            "guest's machine): write <devices test_devices=\"yes\"> to use it");
        row("test_devices not a yes or no",
            vm("  <devices test_devices='sometimes'>\n  </devices>\n"),
            "/vm/devices: 'test_devices' value 'sometimes' is not a boolean (use true/false, "
            "yes/no, enable/disable, on/off or 1/0)");
        row("unknown class lists the test classes when allowed",
            vm("  <devices test_devices='yes'>\n    <device class='test_exit' id='e'/>\n"
               "  </devices>\n"),
            "/vm/devices/device (id=e): unknown device class 'test_exit' (class names are "
            "case-sensitive: did you mean 'TEST_EXIT'?); known classes: 8259A, 8254_PIT, SERIAL, "
            "CHAR_STREAM, KEYBOARD, NVRAM, BOCHS_DEBUG, OS_DEBUG, TEST_EXIT, MMIO_TEST");
        row("device id missing", withDevices("    <device class='8259A'/>\n"),
            "/vm/devices/device: missing id attribute: every device needs a unique id");
        row("device id empty", withDevices("    <device class='8259A' id=''/>\n"),
            "/vm/devices/device (id=): missing id attribute: every device needs a unique id");
        row("device id duplicate",
            withDevices(
                "    <device class='8259A' id='PIC'/>\n    <device class='8254_PIT' id='PIC'/>\n"),
            "/vm/devices/device[2] (id=PIC): duplicate device id 'PIC': device[1] (class 8259A) "
            "already uses it");
        row("devices unknown child", withDevices("    <dev class='8259A' id='PIC'/>\n"),
            "/vm/devices/dev (id=PIC): unexpected <dev> inside <devices>; accepted: device");
        // <devices>: references.
        row("frontend declared later",
            withDevices("    <device class='CHAR_STREAM' id='stream1' name='com1'><frontend "
                        "tag='serial' com_port='1'/></device>\n"
                        "    <device class='SERIAL' id='serial'/>\n"),
            "/vm/devices/device[1] (id=stream1): frontend 'serial' is declared after it (devices "
            "may only refer to earlier devices)");
        row("frontend not declared",
            withDevices(
                "    <device class='SERIAL' id='serial'/>\n"
                "    <device class='8259A' id='PIC'/>\n"
                "    <device class='CHAR_STREAM' id='serial0'><frontend tag='pci0'/></device>\n"),
            "/vm/devices/device[3] (id=serial0): frontend 'pci0' is not declared: no device has "
            "that id");
        row("frontend is itself",
            withDevices("    <device class='CHAR_STREAM' id='stream1'><frontend "
                        "tag='stream1'/></device>\n"),
            "/vm/devices/device (id=stream1): frontend 'stream1' is this device itself (devices "
            "may only refer to earlier devices)");
        row("frontend without tag",
            withDevices(
                "    <device class='SERIAL' id='serial'/>\n"
                "    <device class='CHAR_STREAM' id='stream1'><frontend com_port='1'/></device>\n"),
            "/vm/devices/device[2] (id=stream1): <frontend> needs a tag attribute naming the "
            "earlier device it connects to");
        row("frontend tag empty",
            withDevices(
                "    <device class='CHAR_STREAM' id='stream1'><frontend tag=' '/></device>\n"),
            "/vm/devices/device (id=stream1): <frontend> is empty: it must name the id of an "
            "earlier device");
        row("bus not declared",
            withDevices("    <device class='NVRAM' id='nvram'><bus>pci0</bus></device>\n"),
            "/vm/devices/device (id=nvram): bus 'pci0' is not declared: no device has that id");
        row("controller declared later",
            withDevices(
                "    <device class='NVRAM' id='nvram'><controller>kbd</controller></device>\n"
                "    <device class='KEYBOARD' id='kbd'/>\n"),
            "/vm/devices/device[1] (id=nvram): controller 'kbd' is declared after it (devices may "
            "only refer to earlier devices)");
        row("apic not declared",
            withDevices("    <device class='8259A' id='PIC'><apic>lapic</apic></device>\n"),
            "/vm/devices/device (id=PIC): apic 'lapic' is not declared: no device has that id");
        row("storage declared later",
            withDevices("    <device class='NVRAM' id='nvram'><storage>disk</storage></device>\n"
                        "    <device class='SERIAL' id='disk'/>\n"),
            "/vm/devices/device[1] (id=nvram): storage 'disk' is declared after it (devices may "
            "only refer to earlier devices)");
        row("bus empty", withDevices("    <device class='NVRAM' id='nvram'><bus/></device>\n"),
            "/vm/devices/device (id=nvram): <bus> is empty: it must name the id of an earlier "
            "device");
        row("file element not declared",
            withDevices("    <device class='NVRAM' id='nvram'><file>cmos</file></device>\n",
                        "  <files><file id='boot' filename='hello.bin'/></files>\n"),
            "/vm/devices/device (id=nvram): file 'cmos' is not declared in <files>");
        row("file attribute not declared",
            withDevices("    <device class='NVRAM' id='nvram' file='cmos'/>\n"),
            "/vm/devices/device (id=nvram): file 'cmos' is not declared in <files>");
        row("file element empty",
            withDevices("    <device class='NVRAM' id='nvram'><file></file></device>\n"),
            "/vm/devices/device (id=nvram): file reference is empty: it must name an id from "
            "<files>");
        // Counts.
        QByteArray many;
        for (int i = 0; i <= int(kMaxDevices); ++i)
            many += "    <device class='SERIAL' id='s" + QByteArray::number(i) + "'/>\n";
        row("too many devices", withDevices(many), "/vm/devices: more than 256 devices");
    }

    void rejectsInvalidConfigs() {
        QFETCH(QByteArray, text);
        QFETCH(QString, message);
        Parsed p = parse(text, recordingValidator);
        QVERIFY2(!p.ok, "the invalid config was accepted");
        QCOMPARE(p.code, v3::Errno::Inval);
        QCOMPARE(QString(p.diag.message), message);
        QVERIFY(g_validated.isEmpty()); // device validators only see configs that passed
    }

    void referencesToEarlierDevicesAndFilesAreAccepted() {
        Parsed p =
            parse(withDevices("    <device class='SERIAL' id='serial'/>\n"
                              "    <device class='NVRAM' id='nvram' file='cmos'><bus>serial</bus>"
                              "<controller>serial</controller><apic>serial</apic>"
                              "<storage>serial</storage><file>boot</file></device>\n"
                              "    <device class='CHAR_STREAM' id='s'><frontend tag='nvram'/>"
                              "<frontend tag='serial'/></device>\n",
                              "  <files><file id='boot' filename='a'/><file id='cmos' "
                              "filename='b'/></files>\n"));
        QVERIFY2(p.ok, p.diag.message);
        QCOMPARE(p.config.devices.size(), size_t(3));
    }

    void anyClassIsAcceptedWithoutAClassList() {
        Diagnostic diag;
        auto result = parse_vm_config(view(withDevices("    <device class='FUTURE' id='f'/>\n")),
                                      nullptr, nullptr, diag);
        QVERIFY2(!result.is_error(), diag.message);
        QCOMPARE(qs(result.value().devices[0].class_name), QString("FUTURE"));
    }

    void testDevicesNeedTheirRegistryAndTheOptIn() {
        QByteArray text = vm("  <devices test_devices='yes'>\n"
                             "    <device class='TEST_EXIT' id='e'/>\n"
                             "    <device class='MMIO_TEST' id='m'/>\n  </devices>\n");
        Parsed p = parse(text);
        QVERIFY2(p.ok, p.diag.message);
        QVERIFY(p.config.test_devices);
        QCOMPARE(p.config.devices.size(), size_t(2));
        // A caller that offers no test registry (nullptr) accepts none.
        Diagnostic diag;
        auto result = parse_vm_config(view(text), kKnownClasses, nullptr, diag);
        QVERIFY(result.is_error());
        QVERIFY2(QString(diag.message).contains("unknown device class 'TEST_EXIT'"), diag.message);
        // Opting in changes nothing for a config without test devices.
        Parsed plain = parse(vm("  <devices test_devices='yes'>\n"
                                "    <device class='8259A' id='pic'/>\n  </devices>\n"));
        QVERIFY2(plain.ok, plain.diag.message);
        QCOMPARE(plain.config.devices.size(), size_t(1));
    }

    void validatorRunsInOrderAfterTheGenericChecks() {
        QByteArray text = readConfig("minimal-serial.xml");
        Parsed p = parse(text, recordingValidator);
        QVERIFY2(p.ok, p.diag.message);
        // Each call sees the whole device list, so a device may look at the others.
        QCOMPARE(g_validated, QStringList({"8259A:PIC:5", "8254_PIT:PIT:5", "SERIAL:serial:5",
                                           "CHAR_STREAM:com1_stream:5", "TEST_EXIT:test_exit:5"}));
    }

    void validatorFailureStopsAndIsReported() {
        g_failOnId = "com1_stream";
        Parsed p = parse(readConfig("minimal-serial.xml"), recordingValidator);
        QVERIFY(!p.ok);
        QCOMPARE(p.code, v3::Errno::Inval);
        QCOMPARE(QString(p.diag.message),
                 QString("/vm/devices/device[4] (id=com1_stream): com_port 9 is not 1..4"));
        QCOMPARE(g_validated.size(), 4); // test_exit was never asked
    }

    void silentValidatorFailureStillSaysWhere() {
        g_failOnId = "PIT";
        g_failSilently = true;
        Parsed p = parse(readConfig("minimal-serial.xml"), recordingValidator);
        QVERIFY(!p.ok);
        QCOMPARE(QString(p.diag.message),
                 QString("/vm/devices/device[2] (id=PIT): rejected by the 8254_PIT device"));
    }

    void pathsIndexOnlySameNamedSiblings() {
        v3::xml::ParseError error;
        QByteArray text = "<vm><a/><b><c id='x'/><c/><d/></b><b/></vm>";
        auto doc = v3::xml::Document::parse(view(text), error);
        QVERIFY(!doc.is_error());
        const v3::xml::Element& root = doc.value()->root();
        const v3::xml::Element* c2 = root.child("b")->first_child()->next_sibling();
        const v3::xml::Element* d = c2->next_sibling();
        char path[64];
        format_element_path(*c2, path, sizeof path);
        QCOMPARE(QString(path), QString("/vm/b[1]/c[2]"));
        format_element_path(*d, path, sizeof path);
        QCOMPARE(QString(path), QString("/vm/b[1]/d"));
        format_element_path(*root.child("a"), path, sizeof path);
        QCOMPARE(QString(path), QString("/vm/a"));
        format_element_path(root, path, sizeof path);
        QCOMPARE(QString(path), QString("/vm"));
        format_element_path(*c2, path, 8); // bounded
        QCOMPARE(QString(path), QString("/vm/b[1"));

        Diagnostic diag;
        v3::Error e = diag.fail(*root.child("b")->first_child(), "bad value %d", 7);
        QCOMPARE(e.code, v3::Errno::Inval);
        QCOMPARE(QString(e.message), QString("invalid configuration"));
        QCOMPARE(QString(diag.message), QString("/vm/b[1]/c[1] (id=x): bad value 7"));
        e = diag.fail_document("line %u, column %u: %s", 3u, 4u, "oops");
        QCOMPARE(QString(diag.message), QString("line 3, column 4: oops"));
    }

    void longValuesAreCutInMessages() {
        QByteArray id(300, 'i');
        Parsed p = parse(withDevices("    <device class='NOPE' id='" + id + "'/>\n"));
        QVERIFY(!p.ok);
        QString message(p.diag.message);
        QVERIFY(message.startsWith("/vm/devices/device (id=" + QString(60, 'i') + "...): unknown"));
        QVERIFY(size_t(message.size()) < sizeof p.diag.message);
    }

    void readUnsignedAcceptsDecimalAndHex() {
        v3::xml::ParseError error;
        QByteArray text = "<e a='42' h=' 0xFf ' big='0xffffffffffffffff' both='1'>"
                          "<both>2</both><c>0x10</c><bad>12x</bad><none/></e>";
        auto doc = v3::xml::Document::parse(view(text), error);
        QVERIFY(!doc.is_error());
        const v3::xml::Element& e = doc.value()->root();
        Diagnostic diag;
        auto number = [&](const char* name, quint64 min, quint64 max, quint64 def, bool required) {
            auto r = read_unsigned(e, name, min, max, def, required, diag);
            return r.is_error() ? QString("error: %1").arg(diag.message)
                                : QString::number(r.value());
        };
        const quint64 all = ~quint64(0);
        QCOMPARE(number("a", 0, all, 0, true), QString("42"));
        QCOMPARE(number("h", 0, all, 0, true), QString("255"));
        QCOMPARE(number("big", 0, all, 0, true), QString("18446744073709551615"));
        QCOMPARE(number("both", 0, all, 0, true), QString("1")); // the attribute comes first
        QCOMPARE(number("c", 0, all, 0, true), QString("16"));
        QCOMPARE(number("absent", 0, all, 77, false), QString("77"));
        QCOMPARE(number("absent", 0, all, 77, true),
                 QString("error: /e: missing 'absent' (an attribute or a <absent> child element)"));
        QCOMPARE(
            number("bad", 0, all, 0, true),
            QString("error: /e/bad: 'bad' value '12x' is not a number (use decimal or 0x hex)"));
        QCOMPARE(number("none", 0, all, 0, false),
                 QString("error: /e/none: 'none' is empty: expected a number"));
        QCOMPARE(number("a", 43, 50, 0, true),
                 QString("error: /e: 'a' value '42' is out of range [43, 50]"));
        QCOMPARE(number("h", 0, 0x7f, 0, true),
                 QString("error: /e: 'h' value '0xFf' is out of range [0x0, 0x7f]"));

        v3::u64 value = 0;
        QVERIFY(parse_unsigned("0x0", value) && value == 0);
        QVERIFY(parse_unsigned("18446744073709551615", value) && value == all);
        QVERIFY(!parse_unsigned("18446744073709551616", value));
        QVERIFY(!parse_unsigned("0x10000000000000000", value));
        QVERIFY(!parse_unsigned("0x", value));
        QVERIFY(!parse_unsigned("", value));
        QVERIFY(!parse_unsigned("+1", value));
        QVERIFY(!parse_unsigned("1 2", value));
    }

    void readBoolAcceptsTheUsualWords() {
        v3::xml::ParseError error;
        QByteArray text = "<e t1='true' t2='YES' t3='Enable' t4='on' t5='1' f1='False' f2='no' "
                          "f3='DISABLE' f4='Off' f5='0' bad='enabled'><child> yes </child></e>";
        auto doc = v3::xml::Document::parse(view(text), error);
        QVERIFY(!doc.is_error());
        const v3::xml::Element& e = doc.value()->root();
        Diagnostic diag;
        for (const char* name : {"t1", "t2", "t3", "t4", "t5", "child"}) {
            auto r = read_bool(e, name, false, diag);
            QVERIFY2(!r.is_error() && r.value(), name);
        }
        for (const char* name : {"f1", "f2", "f3", "f4", "f5"}) {
            auto r = read_bool(e, name, true, diag);
            QVERIFY2(!r.is_error() && !r.value(), name);
        }
        auto absent = read_bool(e, "absent", true, diag);
        QVERIFY(!absent.is_error() && absent.value());
        auto bad = read_bool(e, "bad", false, diag);
        QVERIFY(bad.is_error());
        QCOMPARE(QString(diag.message),
                 QString("/e: 'bad' value 'enabled' is not a boolean (use true/false, yes/no, "
                         "enable/disable, on/off or 1/0)"));
    }

    void readStringFindsAttributesAndChildren() {
        v3::xml::ParseError error;
        QByteArray text = "<e name='attr' empty=''><name>child</name><text> spaced out </text></e>";
        auto doc = v3::xml::Document::parse(view(text), error);
        QVERIFY(!doc.is_error());
        const v3::xml::Element& e = doc.value()->root();
        Diagnostic diag;
        QCOMPARE(qs(read_string(e, "name", true, diag).value()), QString("attr"));
        QCOMPARE(qs(read_string(e, "text", true, diag).value()), QString("spaced out"));
        auto absent = read_string(e, "absent", false, diag);
        QVERIFY(!absent.is_error() && absent.value().is_empty());
        QVERIFY(read_string(e, "absent", true, diag).is_error());
        QCOMPARE(QString(diag.message),
                 QString("/e: missing 'absent' (an attribute or a <absent> child element)"));
        QVERIFY(read_string(e, "empty", true, diag).is_error());
        QCOMPARE(QString(diag.message), QString("/e: 'empty' must not be empty"));
        auto optionalEmpty = read_string(e, "empty", false, diag);
        QVERIFY(!optionalEmpty.is_error() && optionalEmpty.value().is_empty());
    }

    void runningOutOfMemoryIsReportedAndLeaksNothing() {
        QByteArray text = readConfig("default-pc.xml");
        bool succeeded = false;
        for (long budget = 0; budget < 200 && !succeeded; ++budget) {
            CountingHost::fail_after(budget);
            {
                Parsed p = parse(text, recordingValidator);
                if (p.ok) {
                    succeeded = true;
                    QCOMPARE(p.config.devices.size(), size_t(8));
                } else {
                    QCOMPARE(p.code, v3::Errno::NoMem);
                    QVERIFY2(QString(p.diag.message).contains("out of memory"), p.diag.message);
                }
            }
            QCOMPARE(CountingHost::live(), 0L);
        }
        CountingHost::fail_after(-1);
        QVERIFY(succeeded);
    }
};

QTEST_APPLESS_MAIN(TestVmConfig)
#include "tst_vm_config.moc"
