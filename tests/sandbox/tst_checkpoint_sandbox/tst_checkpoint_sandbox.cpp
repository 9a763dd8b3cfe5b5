// Checkpoints of a running guest under the real module in the sandbox, as a
// user takes them with the tools: the ticks guest (tests/guests/ticks.S,
// "tick N" on COM1 once a guest second) is paused mid-count, saved with
// v3_save, freed; a VM created from the same image refuses a checkpoint
// with a flipped bit and a truncated one (staying created), a VM of another
// image refuses it; then v3_load and v3_launch, and the count goes on from
// where it was saved to the guest's own end, without booting again.
#include "sandbox_runner.h"

#include <QtTest>

namespace {

QString guest(const QString& name) {
    return testpaths::buildRoot() + "/guests/" + name + ".img";
}

const QByteArray kScript = R"SH(
insmod /lib/modules/v3vee.ko || { echo "@insmod failed"; exit 1; }
v3_mem 128 >/dev/null || exit 1
clean_log() { if dmesg | grep -E 'WARNING|BUG|Oops|Call Trace|general protection'; then echo no; else echo yes; fi; }
state() { v3_info --kv $1 | sed -n 's/^state=//p'; }
ticks() { tr -d '\r' <$1 | grep '^tick [0-9]' | tr '\n' ' '; }
# Flips bit 4 of the byte at offset $2 of file $1.
flip() {
    b=$(dd if=$1 bs=1 skip=$2 count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
    printf "\\$(printf %o $(( b ^ 16 )))" | dd of=$1 bs=1 seek=$2 conv=notrunc 2>/dev/null
}

dev=$(v3_create /root/ticks.img ticks)
v3_launch $dev
timeout 120 v3_monitor $dev com1 >/tmp/out1 2>/dev/null &
mon=$!
until grep -q 'tick 3' /tmp/out1; do sleep 0.2; done
v3_pause $dev && echo "@paused yes"
echo "@save_running_refused $(v3_save /dev/v3-vm9 file /tmp/x.ckpt >/dev/null 2>&1; echo $?)"
sleep 0.5
v3_save $dev file /tmp/ticks.ckpt >/tmp/save_out 2>/tmp/save_err && echo "@saved yes"
echo "@save_said $(cat /tmp/save_out /tmp/save_err)"
echo "@size $(wc -c </tmp/ticks.ckpt)"
echo "@partial_left $(ls /tmp/ticks.ckpt.partial 2>/dev/null | wc -l)"
echo "@state_after_save $(state $dev)"
sleep 0.5
echo "@before $(ticks /tmp/out1)"
kill $mon 2>/dev/null; wait $mon 2>/dev/null
v3_free $dev

other=$(v3_create /root/hello.img hello)
v3_load $other file /tmp/ticks.ckpt >/dev/null 2>/tmp/e; echo "@other_rc $?"
echo "@other_err $(cat /tmp/e)"
echo "@other_state $(state $other)"
v3_free $other

dev=$(v3_create /root/ticks.img ticks2)
cp /tmp/ticks.ckpt /tmp/bad.ckpt
flip /tmp/bad.ckpt 3000000
v3_load $dev file /tmp/bad.ckpt >/dev/null 2>/tmp/e; echo "@bad_rc $?"
echo "@bad_err $(cat /tmp/e)"
echo "@bad_state $(state $dev)"
head -c 1500000 /tmp/ticks.ckpt >/tmp/short.ckpt
v3_load $dev file /tmp/short.ckpt >/dev/null 2>/tmp/e; echo "@short_rc $?"
echo "@short_err $(cat /tmp/e)"
echo "@short_state $(state $dev)"
v3_load $dev nfs /tmp/ticks.ckpt >/dev/null 2>/tmp/e; echo "@store_rc $?"

v3_load $dev file /tmp/ticks.ckpt >/tmp/load_out 2>&1 && echo "@loaded yes"
echo "@load_said $(cat /tmp/load_out)"
echo "@state_loaded $(state $dev)"
timeout 120 v3_monitor $dev com1 >/tmp/out2 2>/dev/null &
mon=$!
v3_launch $dev
wait $mon
echo "@after $(ticks /tmp/out2)"
echo "@booted_again $(grep -c 'PIT at 100 Hz' /tmp/out2)"
echo "@done $(grep -c 'ticks: done' /tmp/out2)"
echo "@state_end $(state $dev)"
echo "@reason $(v3_info --kv $dev | sed -n 's/^reason=//p')"
v3_free $dev
echo "@clean $(clean_log)"
)SH";

} // namespace

class TestCheckpointSandbox : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        for (const char* g : {"ticks", "hello"})
            QVERIFY2(QFile::exists(guest(g)), qPrintable("missing " + guest(g) + "; build first"));
    }

    void theCountContinuesAfterSaveFreeCreateLoad() {
        QStringList options;
        for (const char* g : {"ticks", "hello"})
            options << "--file" << guest(g) + ":/root/" + g + ".img";
        SandboxRun run = runInSandbox(kScript, options);
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors + run.output));
        auto m = markers(run.output);
        for (auto it = m.cbegin(); it != m.cend(); ++it) // what the run saw, for the log
            qInfo().noquote() << "@" + it.key() << it.value();
        QCOMPARE(m["paused"], QString("yes"));
        QCOMPARE(m["save_running_refused"], QString("1"));
        QVERIFY2(m["saved"] == "yes", qPrintable(m["save_said"]));
        QVERIFY2(m["save_said"].startsWith("/dev/v3-vm0 saved to /tmp/ticks.ckpt ("),
                 qPrintable(m["save_said"]));
        // 16 MB of RAM and a little state.
        QVERIFY(m["size"].toLongLong() > 16ll << 20);
        QVERIFY(m["size"].toLongLong() < (16ll << 20) + (1 << 20));
        QCOMPARE(m["partial_left"], QString("0"));
        QCOMPARE(m["state_after_save"], QString("paused"));

        QCOMPARE(m["other_rc"], QString("1"));
        QVERIFY2(m["other_err"].contains("built from another image"), qPrintable(m["other_err"]));
        QCOMPARE(m["other_state"], QString("created"));
        QCOMPARE(m["bad_rc"], QString("1"));
        QVERIFY2(m["bad_err"].contains("corrupt") && m["bad_err"].contains("as it was created"),
                 qPrintable(m["bad_err"]));
        QCOMPARE(m["bad_state"], QString("created"));
        QCOMPARE(m["short_rc"], QString("1"));
        QVERIFY2(m["short_err"].contains("truncated: it ends after 1500000 bytes"),
                 qPrintable(m["short_err"]));
        QCOMPARE(m["short_state"], QString("created"));
        QCOMPARE(m["store_rc"], QString("2"));

        QVERIFY2(m["loaded"] == "yes", qPrintable(m["load_said"]));
        QCOMPARE(m["state_loaded"], QString("created"));
        // Saved at some tick N >= 3; loaded, the guest goes on with N+1 and
        // never boots again.
        const QStringList before = m["before"].split(' ', Qt::SkipEmptyParts);
        const QStringList after = m["after"].split(' ', Qt::SkipEmptyParts);
        QVERIFY2(before.size() >= 6 && after.size() >= 2,
                 qPrintable(m["before"] + " | " + m["after"]));
        QVERIFY2(after.first() != "tick" || after.value(1) != "1", qPrintable(m["after"]));
        QCOMPARE((m["before"] + " " + m["after"]).simplified(),
                 QString("tick 1 tick 2 tick 3 tick 4 tick 5 tick 6 tick 7 tick 8 tick 9 tick 10"));
        QCOMPARE(m["booted_again"], QString("0"));
        QCOMPARE(m["done"], QString("1"));
        QCOMPARE(m["state_end"], QString("stopped"));
        QCOMPARE(m["clean"], QString("yes"));
    }

    // Loading into a paused VM takes it back: saved at tick N, run on to
    // N+3, paused, loaded, continued: the count repeats from N+1.
    void aPausedVmLoadedGoesBackToTheCheckpoint() {
        SandboxRun run = runInSandbox(R"SH(
insmod /lib/modules/v3vee.ko || { echo "@insmod failed"; exit 1; }
v3_mem 64 >/dev/null || exit 1
ticks() { tr -d '\r' <$1 | grep '^tick [0-9]' | tr '\n' ' '; }
dev=$(v3_create /root/ticks.img ticks)
timeout 120 v3_monitor $dev com1 >/tmp/out 2>/dev/null &
mon=$!
v3_launch $dev
until grep -q 'tick 2' /tmp/out; do sleep 0.2; done
v3_pause $dev
v3_save $dev file /tmp/at.ckpt >/dev/null && echo "@saved yes"
sleep 1 # what the guest wrote before the pause has reached the monitor
echo "@saved_at $(ticks /tmp/out)"
v3_continue $dev
until grep -q 'tick 5' /tmp/out; do sleep 0.2; done
v3_pause $dev
sleep 0.5
echo "@paused_at $(ticks /tmp/out)"
v3_load $dev file /tmp/at.ckpt >/dev/null 2>/tmp/e && echo "@loaded yes"
echo "@load_err $(cat /tmp/e)"
echo "@state $(v3_info --kv $dev | sed -n 's/^state=//p')"
v3_continue $dev
wait $mon
echo "@all $(ticks /tmp/out)"
echo "@done $(grep -c 'ticks: done' /tmp/out)"
v3_free $dev
if dmesg | grep -qE 'WARNING|BUG|Oops|Call Trace'; then echo "@clean no"; else echo "@clean yes"; fi
)SH",
                                      {"--file", guest("ticks") + ":/root/ticks.img"});
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors + run.output));
        auto m = markers(run.output);
        for (auto it = m.cbegin(); it != m.cend(); ++it)
            qInfo().noquote() << "@" + it.key() << it.value();
        QCOMPARE(m["saved"], QString("yes"));
        QVERIFY2(m["loaded"] == "yes", qPrintable(m["load_err"]));
        QCOMPARE(m["state"], QString("paused"));
        const int savedAt = m["saved_at"].split(' ', Qt::SkipEmptyParts).size() / 2;
        const int pausedAt = m["paused_at"].split(' ', Qt::SkipEmptyParts).size() / 2;
        QVERIFY2(savedAt >= 2 && pausedAt >= savedAt + 3,
                 qPrintable(m["saved_at"] + " | " + m["paused_at"]));
        // Everything the guest printed: up to the second pause, then from
        // the checkpoint on.
        QString expected = m["paused_at"];
        for (int i = savedAt + 1; i <= 10; ++i)
            expected += QString(" tick %1").arg(i);
        QCOMPARE(m["all"].simplified(), expected.simplified());
        QCOMPARE(m["done"], QString("1"));
        QCOMPARE(m["clean"], QString("yes"));
    }
};

QTEST_APPLESS_MAIN(TestCheckpointSandbox)
#include "tst_checkpoint_sandbox.moc"
