// v3_init / v3_shutdown against a fake machine: SVM detection, per-CPU
// enabling (EFER.SVME + VM_HSAVE_PA), refusal with a reason, and rollback.
#include "fake_cpu.h"
#include "hosted_host.h"

#include <arch/x86/msr.h>
#include <v3/vmm.h>

#include <QtTest>

#include <cerrno>
#include <set>

using namespace v3::x86;

class TestSvmInit : public QObject {
    Q_OBJECT

private:
    static bool svmeSet(const FakeMachine& m, unsigned cpu) {
        return m.msr(cpu, kMsrEfer) & kEferSvme;
    }
    static QString log() { return QString::fromStdString(v3::hosted::captured_log()); }

private slots:
    void init() { v3::hosted::clear_captured_log(); }
    void cleanup() {
        // Each test's FakeMachine shut the core down when it went out of scope.
        QCOMPARE(v3::hosted::outstanding_pages(), 0L);
    }

    void enablesSvmOnEveryOnlineCpu() {
        FakeMachine machine(4);
        v3_host_services host = machine.install();
        QCOMPARE(v3_init(&host), 0);

        std::set<uint64_t> saveAreas;
        for (unsigned cpu = 0; cpu < 4; ++cpu) {
            QVERIFY2(svmeSet(machine, cpu), qPrintable(QString("cpu %1").arg(cpu)));
            uint64_t hsave = machine.msr(cpu, kMsrVmHsavePa);
            QVERIFY(hsave != 0);
            QCOMPARE(hsave % 4096, uint64_t(0));
            saveAreas.insert(hsave);
            QVERIFY(log().contains(QString("cpu %1: SVM enabled").arg(cpu)));
            QCOMPARE(v3_cpu_enabled(cpu), 1);
        }
        QCOMPARE(saveAreas.size(), size_t(4)); // one host save area per CPU
        QCOMPARE(v3::hosted::outstanding_pages(), 4L);
        // The other EFER bits are preserved.
        QCOMPARE(machine.msr(0, kMsrEfer), uint64_t(0xd01) | kEferSvme);
    }

    void reportsHardwareInfo() {
        FakeMachine machine(2);
        machine.svmLeafEax = 0x1;
        machine.svmLeafEbx = 256;
        machine.svmLeafEdx = kSvmFeatureNestedPaging | kSvmFeatureVmcbClean;
        v3_host_services host = machine.install();
        QCOMPARE(v3_init(&host), 0);
        v3_hw_info info{};
        QCOMPARE(v3_get_hw_info(&info), 0);
        QCOMPARE(info.features, unsigned(V3_HW_SVM | V3_HW_NESTED_PAGING | V3_HW_VMCB_CLEAN));
        QCOMPARE(info.svm_revision, 1u);
        QCOMPARE(info.num_asids, 256u);
        QCOMPARE(info.cpus_possible, 2u);
        QCOMPARE(info.cpus_enabled, 2u);
        QVERIFY(log().contains("nested paging yes, nrip-save no"));
        QCOMPARE(v3_get_hw_info(nullptr), -EINVAL);
    }

    void shutdownDisablesAndFreesEverything() {
        FakeMachine machine(3);
        v3_host_services host = machine.install();
        QCOMPARE(v3_init(&host), 0);
        v3_shutdown();
        for (unsigned cpu = 0; cpu < 3; ++cpu) {
            QVERIFY(!svmeSet(machine, cpu));
            QCOMPARE(machine.msr(cpu, kMsrVmHsavePa), uint64_t(0));
            QCOMPARE(machine.msr(cpu, kMsrEfer), uint64_t(0xd01));
            QVERIFY(log().contains(QString("cpu %1: SVM disabled").arg(cpu)));
        }
        QCOMPARE(v3::hosted::outstanding_pages(), 0L);
        v3_hw_info info{};
        QCOMPARE(v3_get_hw_info(&info), -EINVAL); // nothing to report once shut down
        QCOMPARE(v3_cpu_enabled(0), 0);
        // And it can come up again.
        QCOMPARE(v3_init(&host), 0);
    }

    void refusesCpuWithoutSvm() {
        FakeMachine machine(2);
        for (FakeCpu& cpu : machine.cpus)
            cpu.svm = false;
        v3_host_services host = machine.install();
        QCOMPARE(v3_init(&host), -ENODEV);
        QVERIFY2(log().contains("cannot load: this CPU has no AMD SVM"), qPrintable(log()));
        QCOMPARE(machine.msrWrites, 0);
        QCOMPARE(v3::hosted::outstanding_pages(), 0L);
    }

    void refusesSvmDisabledByFirmware() {
        FakeMachine machine(2);
        for (FakeCpu& cpu : machine.cpus)
            cpu.msrs[kMsrVmCr] = kVmCrSvmDisable | kVmCrLock;
        v3_host_services host = machine.install();
        QCOMPARE(v3_init(&host), -ENODEV);
        QVERIFY2(log().contains("disabled by the firmware"), qPrintable(log()));
        QVERIFY(log().contains("BIOS"));
        QCOMPARE(machine.msrWrites, 0);
    }

    void refusesWhenAnotherHypervisorOwnsSvmAndRollsBack() {
        FakeMachine machine(4);
        machine.cpus[2].msrs[kMsrEfer] |= kEferSvme; // e.g. kvm_amd has a VM running
        v3_host_services host = machine.install();
        QCOMPARE(v3_init(&host), -EBUSY);
        QVERIFY2(log().contains("cpu 2: cannot enable SVM: EFER.SVME is already set"),
                 qPrintable(log()));
        QVERIFY(!svmeSet(machine, 0)); // rolled back
        QVERIFY(!svmeSet(machine, 1));
        QVERIFY(svmeSet(machine, 2)); // the other hypervisor's state is left alone
        QCOMPARE(machine.msr(0, kMsrVmHsavePa), uint64_t(0));
        QCOMPARE(v3::hosted::outstanding_pages(), 0L);
    }

    void skipsOfflineCpus() {
        FakeMachine machine(4);
        machine.cpus[1].online = false;
        v3_host_services host = machine.install();
        QCOMPARE(v3_init(&host), 0);
        QVERIFY(svmeSet(machine, 0));
        QVERIFY(!svmeSet(machine, 1));
        QVERIFY(svmeSet(machine, 2));
        QVERIFY(svmeSet(machine, 3));
        v3_hw_info info{};
        QCOMPARE(v3_get_hw_info(&info), 0);
        QCOMPARE(info.cpus_enabled, 3u);
        QCOMPARE(info.cpus_possible, 4u);
        QCOMPARE(v3::hosted::outstanding_pages(), 3L);
    }

    void msrFaultRollsBack() {
        FakeMachine machine(3);
        machine.cpus[1].faultingWrites.insert(kMsrVmHsavePa);
        v3_host_services host = machine.install();
        QCOMPARE(v3_init(&host), -ENODEV);
        QVERIFY2(log().contains("cpu 1: cannot enable SVM: an SVM MSR access faulted"),
                 qPrintable(log()));
        for (unsigned cpu = 0; cpu < 3; ++cpu)
            QCOMPARE(machine.msr(cpu, kMsrEfer), uint64_t(0xd01));
        QCOMPARE(v3::hosted::outstanding_pages(), 0L);
    }

    void rejectsIncompleteHostTable() {
        FakeMachine machine(1);
        v3_host_services host = machine.install();
        host.thread_start = nullptr;
        QCOMPARE(v3_init(&host), -EINVAL);
        QVERIFY2(log().contains("has no 'thread_start'"), qPrintable(log()));

        v3_host_services wrongVersion = machine.install();
        wrongVersion.version = V3_HOST_SERVICES_VERSION + 1;
        QCOMPARE(v3_init(&wrongVersion), -EINVAL);
        QCOMPARE(v3_init(nullptr), -EINVAL);
        QCOMPARE(machine.msrWrites, 0);
    }

    void refusesSecondInit() {
        FakeMachine machine(1);
        v3_host_services host = machine.install();
        QCOMPARE(v3_init(&host), 0);
        QCOMPARE(v3_init(&host), -EALREADY);
        QVERIFY(svmeSet(machine, 0)); // the first init is untouched
    }
};

QTEST_APPLESS_MAIN(TestSvmInit)
#include "tst_svm_init.moc"
