// Building hosted VMs for device tests: a VM from an XML <devices> fragment,
// with in-memory host streams and an interrupt controller that records every
// line change (a fake IRQ sink, as cloud-hypervisor's device tests use).
#pragma once

#include "hosted_host.h"

#include <config/vm_config.h>
#include <devices/registry.h>
#include <lib/host.h>
#include <vm/vm.h>

#include <QByteArray>
#include <QMap>
#include <QString>
#include <QVector>

#include <memory>

namespace testvm {

// Installs the hosted host services once per process.
inline void install_host() {
    static v3_host_services services = v3::hosted::make_host_services();
    v3::set_host(&services);
}

// Records IRQ line changes; never has an interrupt for the CPU.
class RecordingIrqController : public v3::InterruptController {
public:
    struct Change {
        bool raised;
        v3::u8 line;
    };
    void raise_irq(v3::u8 line) override { changes.push_back({true, line}); }
    void lower_irq(v3::u8 line) override { changes.push_back({false, line}); }
    bool interrupt_pending() const override { return false; }
    v3::Result<v3::u8> acknowledge() override {
        return v3::make_error(v3::Errno::NoEnt, "recording controller has no vectors");
    }
    // Stands for a controller that would deliver every line, unless a test
    // with a real controller (whose mask must decide) clears it.
    bool accepts(v3::u8) const override { return accepting; }
    bool accepting = true;
    int raises(v3::u8 line) const {
        int n = 0;
        for (const Change& c : changes)
            n += c.raised && c.line == line;
        return n;
    }
    QVector<Change> changes;
};

// Host streams kept in memory: what the guest wrote per stream name, and a
// way to send host input to the guest.
class MemoryStreams : public v3::StreamProvider {
public:
    class Stream : public v3::HostStream {
    public:
        Stream(MemoryStreams& owner, QString name) : owner_(owner), name_(std::move(name)) {}
        v3::usize write(const v3::u8* data, v3::usize size) override {
            v3::usize take = size;
            if (owner_.capacity >= 0) {
                v3::usize room =
                    v3::usize(owner_.capacity) - v3::usize(owner_.output[name_].size());
                take = size < room ? size : room;
            }
            owner_.output[name_].append(reinterpret_cast<const char*>(data), qsizetype(take));
            return take;
        }
        ~Stream() override { owner_.closed << name_; }

    private:
        MemoryStreams& owner_;
        QString name_;
    };

    v3::Result<v3::OwnPtr<v3::HostStream>> open_stream(v3::StringView name,
                                                       v3::StreamSink& sink) override {
        QString key = QString::fromUtf8(name.data(), qsizetype(name.length()));
        if (refuse.contains(key))
            return v3::make_error(v3::Errno::NoEnt, "the host refused this stream");
        sinks[key] = &sink;
        return v3::OwnPtr<v3::HostStream>(new (v3::alloc) Stream(*this, key));
    }

    // Host input to the guest; returns how many bytes the guest side took.
    v3::usize send(const QString& name, const QByteArray& bytes) {
        v3::StreamSink* sink = sinks.value(name);
        return sink ? sink->deliver(reinterpret_cast<const v3::u8*>(bytes.constData()),
                                    v3::usize(bytes.size()))
                    : 0;
    }

    QMap<QString, QByteArray> output;
    QMap<QString, v3::StreamSink*> sinks;
    QStringList refuse;
    QStringList closed;
    long capacity = -1; // bytes each stream holds before refusing; -1 unlimited
};

// The host side of a text console kept in memory: the screens the core
// handed over (the last one and how many), and scan codes queued for the
// guest's keyboard.
class MemoryConsoles : public v3::ConsoleProvider {
public:
    class Console : public v3::HostConsole {
    public:
        explicit Console(MemoryConsoles& owner) : owner_(owner) {}
        ~Console() override { owner_.open = false; }
        void update(const v3_console_state& state) override {
            owner_.state = state;
            owner_.cells = QByteArray(reinterpret_cast<const char*>(state.cells),
                                      qsizetype(state.cols) * state.rows * 2);
            owner_.state.cells = nullptr;
            ++owner_.updates;
        }
        v3::usize read_keys(v3::u8* codes, v3::usize size) override {
            v3::usize n = 0;
            while (n < size && !owner_.keys.isEmpty()) {
                codes[n++] = v3::u8(owner_.keys.front());
                owner_.keys.remove(0, 1);
            }
            return n;
        }

    private:
        MemoryConsoles& owner_;
    };

    v3::Result<v3::OwnPtr<v3::HostConsole>> open_console() override {
        if (open)
            return v3::make_error(v3::Errno::Busy, "the console is already open");
        open = true;
        return v3::OwnPtr<v3::HostConsole>(new (v3::alloc) Console(*this));
    }

    // The character (`attr` false) or attribute at a screen position of the
    // last update.
    v3::u8 cell(int row, int col, bool attr = false) const {
        return v3::u8(cells.at((row * state.cols + col) * 2 + (attr ? 1 : 0)));
    }
    QString row_text(int row) const {
        QString text;
        for (int col = 0; col < state.cols; ++col)
            text += QChar(cell(row, col));
        return text;
    }

    bool open = false;
    v3_console_state state{};
    QByteArray cells;
    int updates = 0;
    QByteArray keys;
};

// A VM built from a full <vm> document or from a <devices> fragment wrapped
// in a minimal 1-core, 4 MB VM. `error` holds the diagnostic on failure.
struct TestVm {
    v3::OwnPtr<v3::Vm> vm;
    std::unique_ptr<v3::config::VmConfig> config;
    RecordingIrqController irqs;
    MemoryStreams streams;
    MemoryConsoles consoles;
    QString error;
    QByteArray text; // the configuration the VM's StringViews may point into

    bool ok() const { return vm.get() != nullptr; }
    v3::Vm& operator*() { return *vm; }
    v3::Vm* operator->() { return vm.get(); }

    // Port I/O as the guest does it.
    v3::u32 in(v3::u16 port, v3::u8 size = 1) {
        auto r = vm->io_ports().read(port, size);
        return r.is_error() ? 0xdeadbeef : r.value();
    }
    bool out(v3::u16 port, v3::u32 value, v3::u8 size = 1) {
        return !vm->io_ports().write(port, size, value).is_error();
    }
};

inline QByteArray wrap_devices(const QByteArray& devices, int memory_mb = 4) {
    return "<vm class=\"PC\"><memory>" + QByteArray::number(memory_mb) +
           "</memory><cores count=\"1\"/><devices>" + devices + "</devices></vm>";
}

// Builds a VM from `xml`, a complete <vm> document or (when it does not start
// with "<vm") a <devices> fragment.
inline std::unique_ptr<TestVm> make_vm(const QByteArray& xml) {
    install_host();
    auto t = std::make_unique<TestVm>();
    t->text = xml.trimmed().startsWith("<vm") ? xml : wrap_devices(xml);
    v3::config::Diagnostic diag;
    auto parsed = v3::config::parse_vm_config(
        v3::StringView(t->text.constData(), v3::usize(t->text.size())),
        v3::devices::known_class_names(), v3::devices::validate_device_config, diag,
        v3::devices::test_class_names());
    if (parsed.is_error()) {
        t->error = QString::fromUtf8(diag.message);
        return t;
    }
    t->config = std::make_unique<v3::config::VmConfig>(parsed.release_value());
    v3::VmEnvironment env;
    env.streams = &t->streams;
    env.consoles = &t->consoles;
    auto vm = v3::Vm::try_create("test", *t->config, env, diag);
    if (vm.is_error()) {
        t->error = QString::fromUtf8(diag.message[0] ? diag.message : vm.error().message);
        return t;
    }
    t->vm = vm.release_value();
    (void)t->vm->irqs().add_controller(t->irqs);
    return t;
}

} // namespace testvm
