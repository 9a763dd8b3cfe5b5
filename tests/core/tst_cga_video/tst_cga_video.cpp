// CGA_VIDEO and CURSES_CONSOLE driven as a guest and a host drive them: the
// CRTC at 0x3D4/0x3D5 (cursor, start address, read-back, 16-bit writes as
// vgacon does them), the status register's toggling, the VGA attribute
// controller's flip-flop, text written straight into guest RAM at 0xB8000,
// and the console frontend's screen updates and paced key delivery into
// the 8042.
#include "vm_harness.h"

#include <chkpt/snapshot.h>
#include <devices/cga_video.h>
#include <devices/curses_console.h>
#include <devices/keyboard_8042.h>

#include <QtTest>

using namespace v3;
using devices::CgaVideo;

namespace {

constexpr u16 kCrtcIndex = 0x3d4, kCrtcData = 0x3d5, kStatus = 0x3da;
constexpr u16 kAttribute = 0x3c0, kAttributeRead = 0x3c1;

const char* kConsoleDevices = R"(
    <device class="KEYBOARD" id="kbd"/>
    <device class="CGA_VIDEO" id="cga"/>
    <device class="CURSES_CONSOLE" id="curses"><frontend tag="cga"/></device>)";

std::unique_ptr<testvm::TestVm> make(const char* devices) {
    auto t = testvm::make_vm(devices);
    if (!t->ok())
        qFatal("cannot build the test VM: %s", qPrintable(t->error));
    return t;
}

CgaVideo& cga_of(testvm::TestVm& t) {
    return *static_cast<CgaVideo*>(t.vm->devices().find("cga"));
}

void crtc_write(testvm::TestVm& t, u8 index, u8 value) {
    QVERIFY(t.out(kCrtcIndex, index));
    QVERIFY(t.out(kCrtcData, value));
}

u8 crtc_read(testvm::TestVm& t, u8 index) {
    t.out(kCrtcIndex, index);
    return u8(t.in(kCrtcData));
}

void put_text(testvm::TestVm& t, u64 offset, const char* text, u8 attr) {
    for (usize i = 0; text[i]; ++i) {
        u8 cell[2] = {u8(text[i]), attr};
        QVERIFY(!t.vm->memory()
                     .write(devices::cga::kTextBufferAddress + offset + i * 2, cell, 2)
                     .is_error());
    }
}

v3_console_state snapshot(testvm::TestVm& t, QByteArray& cells) {
    cells.resize(devices::cga::kScreenBytes);
    v3_console_state state{};
    cga_of(t).snapshot(state, reinterpret_cast<u8*>(cells.data()));
    return state;
}

} // namespace

class TestCgaVideo : public QObject {
    Q_OBJECT

private slots:
    void crtcRegistersReadBack() {
        auto t = make(R"(<device class="CGA_VIDEO" id="cga"/>)");
        QCOMPARE(crtc_read(*t, 0x0a), u8(0x0d)); // mode 3's cursor shape
        QCOMPARE(crtc_read(*t, 0x0b), u8(0x0e));
        crtc_write(*t, 0x0e, 0x01);
        crtc_write(*t, 0x0f, 0x23);
        QCOMPARE(crtc_read(*t, 0x0e), u8(0x01));
        QCOMPARE(crtc_read(*t, 0x0f), u8(0x23));
        QCOMPARE(u8(t->in(kCrtcIndex)), u8(0x0f));
        QCOMPARE(cga_of(*t).crtc().cursor_address(), u16(0x123));
        // An index past the register file reads open bus and drops writes.
        crtc_write(*t, 0x40, 0x55);
        QCOMPARE(crtc_read(*t, 0x40), u8(0xff));
    }

    void wordWriteSetsIndexAndData() {
        // vgacon's write_vga: outw(value << 8 | index, 0x3D4).
        auto t = make(R"(<device class="CGA_VIDEO" id="cga"/>)");
        QVERIFY(t->out(kCrtcIndex, 0x500c, 2));
        QVERIFY(t->out(kCrtcIndex, 0x000d, 2));
        QCOMPARE(cga_of(*t).crtc().start_address(), u16(0x5000));
        QCOMPARE(t->in(kCrtcIndex, 2), u32(0x000d));
    }

    void startAddressScrollsTheSnapshot() {
        auto t = make(R"(<device class="CGA_VIDEO" id="cga"/>)");
        put_text(*t, 0, "first", 0x07);
        put_text(*t, 160, "second", 0x1f);
        QByteArray cells;
        snapshot(*t, cells);
        QCOMPARE(cells.mid(0, 2), QByteArray("f\x07"));
        crtc_write(*t, 0x0c, 0);
        crtc_write(*t, 0x0d, 80); // one row down
        snapshot(*t, cells);
        QCOMPARE(cells.mid(0, 4), QByteArray("s\x1f"
                                             "e\x1f"));
        // The display wraps within the 32 KiB window.
        put_text(*t, 0, "W", 0x4e);
        crtc_write(*t, 0x0c, 0x3f);
        crtc_write(*t, 0x0d, 0xff); // the last character of the window
        snapshot(*t, cells);
        QCOMPARE(cells.mid(2, 2), QByteArray("W\x4e"));
    }

    void cursorPositionAndShape() {
        auto t = make(R"(<device class="CGA_VIDEO" id="cga"/>)");
        QByteArray cells;
        crtc_write(*t, 0x0d, 80); // start at row 1 of the buffer
        constexpr int kCursor = 80 + 3 * 80 + 7; // screen row 3, column 7
        crtc_write(*t, 0x0e, kCursor >> 8);
        crtc_write(*t, 0x0f, kCursor & 0xff);
        auto state = snapshot(*t, cells);
        QCOMPARE(state.cursor_row, u16(3));
        QCOMPARE(state.cursor_col, u16(7));
        QVERIFY(state.cursor_visible);
        QCOMPARE(state.cursor_start, u8(0x0d));
        QCOMPARE(state.cursor_end, u8(0x0e));
        QCOMPARE(state.cell_height, u8(16));
        QCOMPARE(state.cols, u16(80));
        QCOMPARE(state.rows, u16(25));
        crtc_write(*t, 0x0a, 0x20); // bit 5: cursor off, as vgacon hides it
        QVERIFY(!snapshot(*t, cells).cursor_visible);
        crtc_write(*t, 0x0a, 0x00);
        QVERIFY(snapshot(*t, cells).cursor_visible);
        crtc_write(*t, 0x0e, 0);
        crtc_write(*t, 0x0f, 10); // above the displayed start: off screen
        QVERIFY(!snapshot(*t, cells).cursor_visible);
    }

    void statusTogglesRetraceAsSoftwarePolls() {
        auto t = make(R"(<device class="CGA_VIDEO" id="cga"/>)");
        // Wait for retrace to begin, then for it to end, as BIOS code does;
        // both loops must finish within a few reads.
        int reads = 0;
        while (!(t->in(kStatus)&0x08) && reads < 64)
            ++reads;
        QVERIFY(reads < 64);
        reads = 0;
        while ((t->in(kStatus)&0x08) && reads < 64)
            ++reads;
        QVERIFY(reads < 64);
        bool seen_enable = false, seen_disable = false;
        for (int i = 0; i < 8; ++i)
            (t->in(kStatus)&0x01 ? seen_disable : seen_enable) = true;
        QVERIFY(seen_enable && seen_disable);
    }

    void attributeFlipFlopResetByStatusRead() {
        auto t = make(R"(<device class="CGA_VIDEO" id="cga"/>)");
        (void)t->in(kStatus); // flip-flop to "index"
        QVERIFY(t->out(kAttribute, 0x10));
        QVERIFY(t->out(kAttribute, 0x04)); // mode control: blink off
        QCOMPARE(u8(t->in(kAttributeRead)), u8(0x04));
        QVERIFY(!cga_of(*t).vga().blink_enabled());
        QVERIFY(t->out(kAttribute, 0x30)); // index 0x10 again, palette on
        QVERIFY(cga_of(*t).vga().attribute_expects_data());
        (void)t->in(kStatus); // a status read in between: back to index
        QVERIFY(!cga_of(*t).vga().attribute_expects_data());
        QVERIFY(t->out(kAttribute, 0x10));
        QVERIFY(t->out(kAttribute, 0x0c));
        QVERIFY(cga_of(*t).vga().blink_enabled());
        QCOMPARE(u8(t->in(kAttribute)), u8(0x10));
    }

    void vgaRegistersReadBack() {
        auto t = make(R"(<device class="CGA_VIDEO" id="cga"/>)");
        QCOMPARE(u8(t->in(0x3cc)), u8(0x67)); // misc output: colour, mode 3
        QVERIFY(t->out(0x3c2, 0x63));
        QCOMPARE(u8(t->in(0x3cc)), u8(0x63));
        QVERIFY(t->out(0x3c4, 0x02));
        QVERIFY(t->out(0x3c5, 0x04));
        QCOMPARE(u8(t->in(0x3c5)), u8(0x04));
        QVERIFY(t->out(0x3ce, 0x06));
        QCOMPARE(u8(t->in(0x3cf)), u8(0x0e));
        // DAC: three components per entry, auto-incrementing.
        QVERIFY(t->out(0x3c8, 5));
        for (u8 v : {0x11, 0x22, 0x33})
            QVERIFY(t->out(0x3c9, v));
        QVERIFY(t->out(0x3c7, 5));
        QCOMPARE(u8(t->in(0x3c9)), u8(0x11));
        QCOMPARE(u8(t->in(0x3c9)), u8(0x22));
        QCOMPARE(u8(t->in(0x3c9)), u8(0x33));
    }

    void passthroughIsRefused() {
        auto t = testvm::make_vm(R"(<device class="CGA_VIDEO" id="cga" passthrough="enable"/>)");
        QVERIFY(!t->ok());
        QVERIFY2(t->error.contains("passthrough"), qPrintable(t->error));
        QVERIFY(make(R"(<device class="CGA_VIDEO" id="cga" passthrough="disable"/>)")->ok());
    }

    void consoleFrontendMustNameACga() {
        auto t = testvm::make_vm(R"(<device class="KEYBOARD" id="kbd"/>
            <device class="CURSES_CONSOLE" id="curses"><frontend tag="kbd"/></device>)");
        QVERIFY(!t->ok());
        QVERIFY2(t->error.contains("CGA_VIDEO"), qPrintable(t->error));
    }

    void consoleSendsChangedScreens() {
        auto t = make(kConsoleDevices);
        QVERIFY(t->consoles.open);
        QVERIFY(!t->vm->clock().advance(1000).is_error());
        QCOMPARE(t->consoles.updates, 1); // the first screen always goes
        put_text(*t, 0, "hello", 0x1e);
        QVERIFY(!t->vm->clock().advance(1000).is_error());
        QCOMPARE(t->consoles.updates, 1); // not before the poll period
        QVERIFY(!t->vm->clock().advance(devices::CursesConsole::kScreenPollNs).is_error());
        QCOMPARE(t->consoles.updates, 2);
        QCOMPARE(t->consoles.row_text(0).left(5), QString("hello"));
        QCOMPARE(t->consoles.cell(0, 0, true), u8(0x1e));
        // Nothing changed: no update.
        QVERIFY(!t->vm->clock().advance(devices::CursesConsole::kScreenPollNs).is_error());
        QCOMPARE(t->consoles.updates, 2);
        // A cursor move alone is a change.
        crtc_write(*t, 0x0f, 5);
        QVERIFY(!t->vm->clock().advance(devices::CursesConsole::kScreenPollNs).is_error());
        QCOMPARE(t->consoles.updates, 3);
        QCOMPARE(t->consoles.state.cursor_col, u16(5));
    }

    void consoleKeysReachTheKeyboardPaced() {
        auto t = make(kConsoleDevices);
        // 40 make/break pairs: more than the keyboard's 16-byte buffer.
        for (int i = 0; i < 40; ++i)
            t->consoles.keys += QByteArray("\x1e\x9e", 2);
        QByteArray received;
        for (int round = 0; round < 200 && received.size() < 80; ++round) {
            QVERIFY(!t->vm->clock().advance(1000).is_error());
            while (t->in(0x64) & 0x01)
                received += char(t->in(0x60));
        }
        QCOMPARE(received.size(), 80);
        for (int i = 0; i < 80; i += 2)
            QCOMPARE(received.mid(i, 2), QByteArray("\x1e\x9e", 2));
        auto* kbd = static_cast<devices::Keyboard8042*>(t->vm->devices().find("kbd"));
        QCOMPARE(kbd->keyboard().dropped_events(), u64(0));
        QVERIFY(t->irqs.raises(1) > 0); // IRQ 1 with the bytes
    }

    void consoleIsClosedWithTheVm() {
        auto t = make(kConsoleDevices);
        QVERIFY(t->consoles.open);
        t->vm.reset();
        QVERIFY(!t->consoles.open);
    }

    void saveAndLoadKeepRegisters() {
        auto t = make(R"(<device class="CGA_VIDEO" id="cga"/>)");
        crtc_write(*t, 0x0e, 0x02);
        crtc_write(*t, 0x0f, 0x34);
        (void)t->in(kStatus);
        QVERIFY(t->out(kAttribute, 0x10));
        QVERIFY(t->out(kAttribute, 0x04));
        Vector<u8> bytes;
        chkpt::Writer writer(bytes);
        QVERIFY(!cga_of(*t).save(writer).is_error());
        auto u = make(R"(<device class="CGA_VIDEO" id="cga"/>)");
        chkpt::Reader reader(bytes.begin(), bytes.size());
        QVERIFY(!cga_of(*u).load(reader).is_error());
        QCOMPARE(cga_of(*u).crtc().cursor_address(), u16(0x234));
        QVERIFY(!cga_of(*u).vga().blink_enabled());
        QVERIFY(reader.at_end());
    }
};

QTEST_APPLESS_MAIN(TestCgaVideo)
#include "tst_cga_video.moc"
