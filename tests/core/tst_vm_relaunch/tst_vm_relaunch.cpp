// The VM lifecycle as the core applies it (kmod/uapi/v3vee_lifecycle.h), and
// relaunching a stopped VM: it is reset (devices, guest time and RAM back to
// how v3_create_vm left them, the boot files loaded again, fresh cores) so
// it boots again as on its first launch. The hosted build cannot enter a
// guest, so the core threads here are stand-ins that never run;
// tests/sandbox/tst_guests sees a relaunched guest print its banner again.
#include "vm_harness.h"

#include <boot/guest_boot.h>
#include <config/guest_image.h>
#include <config/image_writer.h>
#include <v3/vmm.h>

#include <QtTest>

#include <cerrno>
#include <vector>

namespace {

const char kConfig[] = R"(<vm class="PC">
  <memory>4</memory>
  <cores count="1"/>
  <files><file id="bios" filename="bios.bin"/></files>
  <devices test_devices="yes">
    <device class="8259A" id="pic"/>
    <device class="8254_PIT" id="pit"/>
    <device class="SERIAL" id="serial"/>
    <device class="CHAR_STREAM" id="com1_stream" name="com1">
      <frontend tag="serial" com_port="1"/>
    </device>
    <device class="NVRAM" id="nvram"/>
    <device class="TEST_EXIT" id="exit"/>
  </devices>
</vm>)";

constexpr v3::u64 kBiosSize = 64 * 1024;
constexpr v3::u64 kRamBytes = 4 << 20;
constexpr v3::u16 kCom1Scratch = 0x3ff;
constexpr v3::u16 kCom1LineControl = 0x3fb;

// The image v3_create_vm gets: kConfig and a BIOS with a recognizable pattern.
std::vector<v3::u8> buildImage() {
    static std::vector<v3::u8> bios = [] {
        std::vector<v3::u8> b(kBiosSize);
        for (size_t i = 0; i < b.size(); ++i)
            b[i] = v3::u8(i * 7 + 3);
        return b;
    }();
    v3::config::ImageWriter writer;
    v3::config::Diagnostic diag;
    if (writer.set_xml(v3::StringView(kConfig, sizeof kConfig - 1), diag).is_error() ||
        writer.add_blob("bios", bios.data(), bios.size(), diag).is_error())
        qFatal("cannot build the test image: %s", diag.message);
    std::vector<v3::u8> image(writer.image_size());
    if (writer.fill(image.data(), image.size(), diag).is_error())
        qFatal("cannot write the test image: %s", diag.message);
    return image;
}

QByteArray ram(const v3::Vm& vm) {
    QByteArray bytes(qsizetype(vm.memory().ram_bytes()), 0);
    if (vm.memory().read(0, bytes.data(), v3::u64(bytes.size())).is_error())
        qFatal("cannot read guest RAM");
    return bytes;
}

QByteArray deviceState(v3::Vm& vm) {
    v3::Vector<v3::u8> out;
    v3::chkpt::Writer writer(out);
    if (vm.devices().save(writer).is_error())
        qFatal("cannot save the devices");
    return QByteArray(reinterpret_cast<const char*>(out.begin()), qsizetype(out.size()));
}

// Host services whose threads never run: v3_launch_vm starts "cores" that
// cannot reach VMRUN, which the hosted build has not.
int g_threadsStarted = 0;
int g_threadsStopped = 0;
int g_streamToken = 0;

v3_host_services stillThreads() {
    v3_host_services h = v3::hosted::make_host_services();
    h.thread_start = [](int (*)(void*), void*, const char*, int) -> void* {
        ++g_threadsStarted;
        return &g_threadsStarted;
    };
    h.thread_stop = [](void*) -> int {
        ++g_threadsStopped;
        return 0;
    };
    h.stream_open = [](void*, const char*) -> void* { return &g_streamToken; };
    return h;
}

v3_vm_status status(v3_vm* vm) {
    v3_vm_status s{};
    if (v3_get_vm_status(vm, &s) != 0)
        qFatal("v3_get_vm_status failed");
    return s;
}

} // namespace

class TstVmRelaunch : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { testvm::install_host(); }

    // The core's rule is the uapi table, checked against the table written
    // out here independently.
    void theCoreAppliesTheLifecycleTable() {
        using S = v3::VmState;
        const S states[] = {S::Created, S::Running, S::Paused, S::Stopped, S::Error};
        auto expected = [](v3::u32 op, S from) {
            switch (op) {
            case V3_VM_OP_LAUNCH:
                return from == S::Created || from == S::Stopped;
            case V3_VM_OP_PAUSE:
                return from == S::Running;
            case V3_VM_OP_CONTINUE:
                return from == S::Paused;
            case V3_VM_OP_STOP:
                return from == S::Running || from == S::Paused;
            case V3_VM_OP_FREE:
                return true;
            }
            return false;
        };
        for (v3::u32 op = 0; op < V3_VM_OP_COUNT; ++op)
            for (S from : states)
                QVERIFY2(
                    v3::allows(from, op) == expected(op, from),
                    qPrintable(QString("%1 while %2").arg(v3_vm_op_name(op), v3::describe(from))));
        QCOMPARE(v3_vm_state_after(V3_STATE_STOPPED, V3_VM_OP_LAUNCH), unsigned(V3_STATE_RUNNING));
        QCOMPARE(v3_vm_state_after(V3_STATE_PAUSED, V3_VM_OP_STOP), unsigned(V3_STATE_STOPPED));
        QCOMPARE(v3_vm_state_after(V3_STATE_RUNNING, V3_VM_OP_FREE), unsigned(V3_STATE_NONE));
        QVERIFY(v3_vm_op_resets(V3_STATE_STOPPED, V3_VM_OP_LAUNCH));
        QVERIFY(!v3_vm_op_resets(V3_STATE_CREATED, V3_VM_OP_LAUNCH));
        QVERIFY(!v3_vm_op_allowed(V3_STATE_COUNT, V3_VM_OP_FREE)); // no such state
        QCOMPARE(QString(v3::describe(S::Stopped)), QString("stopped"));
        QCOMPARE(QString(v3_vm_state_name(99)), QString("unknown"));
    }

    // A VM that ran and stopped goes back to exactly how creation left it.
    void resetReturnsTheVmToHowCreationLeftIt() {
        const std::vector<v3::u8> image = buildImage();
        v3::config::Diagnostic diag;
        auto loaded = v3::config::load_guest_image(image.data(), image.size(), diag);
        QVERIFY2(!loaded.is_error(), diag.message);
        v3::config::GuestImage guest = loaded.release_value();
        testvm::MemoryStreams streams;
        v3::VmEnvironment env;
        env.streams = &streams;
        auto created = v3::Vm::try_create("relaunch", guest.config, env, diag);
        QVERIFY2(!created.is_error(), diag.message);
        v3::OwnPtr<v3::Vm> vm = created.release_value();
        QVERIFY2(!v3::boot::load_boot_files(*vm, guest, diag).is_error(), diag.message);
        QCOMPARE(vm->memory().ram_bytes(), kRamBytes);

        const QByteArray freshRam = ram(*vm);
        const QByteArray freshDevices = deviceState(*vm);
        const auto freshScratch = vm->io_ports().read(kCom1Scratch, 1);
        QVERIFY(!freshScratch.is_error());
        // The BIOS ends at 1 MB.
        QCOMPARE(v3::u8(freshRam[qsizetype(0x100000 - kBiosSize + 1)]), v3::u8(7 + 3));

        // What a run leaves behind: RAM written (the BIOS area too), device
        // registers programmed, guest time gone by, the guest's own stop.
        std::vector<v3::u8> scribble(kRamBytes, 0xa5);
        QVERIFY(!vm->memory().write(0, scribble.data(), scribble.size()).is_error());
        QVERIFY(!vm->io_ports().write(kCom1Scratch, 1, 0x5a).is_error());
        QVERIFY(!vm->io_ports().write(kCom1LineControl, 1, 0x83).is_error());
        QVERIFY(!vm->io_ports().write(0x43, 1, 0x34).is_error()); // PIT channel 0, mode 2
        QVERIFY(!vm->io_ports().write(0x40, 1, 0x00).is_error());
        QVERIFY(!vm->io_ports().write(0x40, 1, 0x10).is_error());
        QVERIFY(!vm->io_ports().write(0x21, 1, 0xfb).is_error()); // PIC mask
        QVERIFY(!vm->io_ports().write(0x70, 1, 0x0a).is_error()); // NVRAM index
        QVERIFY(!vm->clock().advance(25'000'000).is_error());
        vm->request_stop(7, "the guest asked to stop");
        QVERIFY(ram(*vm) != freshRam);
        QVERIFY(deviceState(*vm) != freshDevices); // so the comparisons below can fail
        QCOMPARE(vm->state(), v3::VmState::Stopped);

        QVERIFY2(!v3::boot::reset_and_reload(*vm, guest, diag).is_error(), diag.message);
        QCOMPARE(vm->state(), v3::VmState::Created);
        QCOMPARE(QString(vm->stop_reason()), QString());
        QCOMPARE(vm->exit_code(), 0u);
        QCOMPARE(vm->clock().now_ns(), v3::u64(0));
        QVERIFY(ram(*vm) == freshRam); // zeroed, BIOS loaded again
        QVERIFY(deviceState(*vm) == freshDevices);
        const auto scratch = vm->io_ports().read(kCom1Scratch, 1);
        QVERIFY(!scratch.is_error());
        QCOMPARE(scratch.value(), freshScratch.value());
    }

    // Through the host's API: the table's refusals with their errnos, and a
    // stopped VM launched again (reset, fresh cores) instead of EBUSY.
    void aStoppedVmLaunchesAgain() {
        static v3_host_services services = stillThreads();
        v3::set_host(&services);
        const std::vector<v3::u8> image = buildImage();
        char error[256] = {};
        v3_vm* vm = nullptr;
        QCOMPARE(
            v3_create_vm(image.data(), image.size(), "relaunch", nullptr, &vm, error, sizeof error),
            0);
        QVERIFY2(vm, error);
        QCOMPARE(status(vm).state, unsigned(V3_STATE_CREATED));
        QCOMPARE(v3_stop_vm(vm), -EINVAL);
        QCOMPARE(v3_pause_vm(vm), -EINVAL);
        QCOMPARE(v3_continue_vm(vm), -EINVAL);

        QCOMPARE(v3_launch_vm(vm), 0);
        QCOMPARE(status(vm).state, unsigned(V3_STATE_RUNNING));
        QCOMPARE(g_threadsStarted, 1);
        QCOMPARE(v3_launch_vm(vm), -EBUSY); // running: already launched
        QCOMPARE(v3_continue_vm(vm), -EINVAL);

        QCOMPARE(v3_stop_vm(vm), 0);
        QCOMPARE(g_threadsStopped, 1);
        v3_vm_status stopped = status(vm);
        QCOMPARE(stopped.state, unsigned(V3_STATE_STOPPED));
        QCOMPARE(QString(stopped.reason), QString("stopped by the host"));
        QCOMPARE(v3_stop_vm(vm), -EINVAL);
        QCOMPARE(v3_pause_vm(vm), -EINVAL);

        QCOMPARE(v3_launch_vm(vm), 0); // relaunch, not EBUSY
        v3_vm_status again = status(vm);
        QCOMPARE(again.state, unsigned(V3_STATE_RUNNING));
        QCOMPARE(QString(again.reason), QString()); // the reset cleared it
        QCOMPARE(g_threadsStarted, 2);
        QVERIFY(v3::hosted::captured_log().find("reset and launched again") != std::string::npos);

        v3_free_vm(vm); // stops the cores first
        QCOMPARE(g_threadsStopped, 2);
        testvm::install_host();
    }
};

QTEST_APPLESS_MAIN(TstVmRelaunch)
#include "tst_vm_relaunch.moc"
