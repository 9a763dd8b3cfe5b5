// Who may talk to `v3agent --listen` (docs/SECURITY.md): the socket file is
// owner-only whatever the umask, and every connection's credentials are
// checked, so another uid is refused even when the socket's mode is wide
// open; root, the owner and members of the group v3vee are served. Other
// users are real processes: v3_info run with setuid() in the child (this
// test runs as root, like the rest of the suite).
#include "agent_access.h"
#include "agent_listener.h"
#include "fake_host.h"
#include "test_paths.h"

#include <QtTest>

#include <QProcess>
#include <QTemporaryDir>

#include <atomic>
#include <grp.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace v3ctl::agent;

namespace {

struct Run {
    int exitCode = -1;
    QString out, err;
};

// v3_info --kv --host unix:SOCKET as uid/gid with exactly `groups`.
Run infoAs(const QString& socket, uid_t uid, gid_t gid, std::vector<gid_t> groups) {
    QProcess p;
    p.setChildProcessModifier([uid, gid, groups] {
        if (::setgroups(groups.size(), groups.data()) != 0 || ::setgid(gid) != 0 ||
            ::setuid(uid) != 0)
            ::_exit(99);
    });
    p.start(testpaths::buildRoot() + "/bin/v3_info", {"--kv", "--host", "unix:" + socket});
    Run run;
    if (!p.waitForFinished(30000)) {
        p.kill();
        p.waitForFinished();
        run.err = "v3_info did not finish";
        return run;
    }
    run.exitCode = p.exitCode();
    run.out = QString::fromUtf8(p.readAllStandardOutput());
    run.err = QString::fromUtf8(p.readAllStandardError());
    return run;
}

QString describe(const Run& r) {
    return QString("exit %1\nstdout: %2\nstderr: %3").arg(r.exitCode).arg(r.out, r.err);
}

unsigned modeOf(const QString& path) {
    struct stat st {};
    return ::stat(path.toLocal8Bit().constData(), &st) == 0 ? st.st_mode & 07777 : 0xffff;
}

gid_t groupOf(const QString& path) {
    struct stat st {};
    return ::stat(path.toLocal8Bit().constData(), &st) == 0 ? st.st_gid : gid_t(-1);
}

// A folder other uids can traverse (QTemporaryDir makes 0700 ones).
bool openFolder(const QTemporaryDir& dir) {
    return dir.isValid() && ::chmod(dir.path().toLocal8Bit().constData(), 0755) == 0;
}

// The agent in this process over FakeHost, with a chosen policy.
struct Listener {
    FakeHost host;
    std::atomic<bool> stop{false};
    std::thread thread;
    std::vector<std::string> log;
    std::mutex logMutex;

    Listener(const std::string& path, AccessPolicy policy) {
        SessionOptions options;
        options.log = [this](const std::string& line) {
            std::lock_guard lock(logMutex);
            log.push_back(line);
        };
        thread = std::thread([this, path, policy, options] {
            (void)serveUnixSocket(host, path, options, stop, policy);
        });
    }
    ~Listener() {
        stop = true;
        thread.join();
    }
    bool logged(const std::string& part) {
        std::lock_guard lock(logMutex);
        for (const std::string& line : log)
            if (line.find(part) != std::string::npos)
                return true;
        return false;
    }
};

} // namespace

class TestAgentAccess : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        if (::geteuid() != 0)
            QSKIP("this test runs clients as other uids (setuid), which needs root");
        QVERIFY2(QFileInfo(testpaths::buildRoot() + "/bin/v3agent").isExecutable(),
                 "build v3tools first");
    }

    // The real program, started under umask 000 (the campaign's case): the
    // socket is still 0600 (0660 with the v3vee group), and after a chmod
    // 0777 uid 1000 is refused with a reason while root is served.
    void anotherUidIsRefusedEvenWhenTheSocketIsWideOpen() {
        QTemporaryDir dir;
        QVERIFY(openFolder(dir));
        const QString socket = dir.filePath("agent.sock");
        QProcess agent;
        agent.setChildProcessModifier([] { ::umask(0); });
        agent.start(testpaths::buildRoot() + "/bin/v3agent",
                    {"--host", "local", "--listen", socket});
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(socket), 10000);

        const bool hostHasGroup = findGroup(kAgentGroup, kSystemGroupFile).has_value();
        QCOMPARE(modeOf(socket), hostHasGroup ? 0660u : 0600u);

        QCOMPARE(::chmod(socket.toLocal8Bit().constData(), 0777), 0);
        Run stranger = infoAs(socket, 1000, 1000, {});
        QVERIFY2(stranger.exitCode == 1, qPrintable(describe(stranger)));
        QVERIFY2(stranger.out.isEmpty(), qPrintable(describe(stranger)));
        QVERIFY2(stranger.err.contains("refused: v3agent refused the connection: uid 1000 (pid "),
                 qPrintable(describe(stranger)));
        QVERIFY2(stranger.err.contains("may not use this agent: only root, the agent's owner "
                                       "(uid 0)"),
                 qPrintable(describe(stranger)));

        // Root is served: whatever the local host answers, it is not a refusal.
        Run root = infoAs(socket, 0, 0, {0});
        QVERIFY2(!root.err.contains("refused"), qPrintable(describe(root)));

        agent.terminate();
        QVERIFY(agent.waitForFinished(10000));
        const QString log = QString::fromUtf8(agent.readAllStandardError());
        QVERIFY2(log.contains("v3agent: client 1 refused: uid 1000"), qPrintable(log));
        QVERIFY2(log.contains("v3agent: client 2 connected (uid 0)"), qPrintable(log));
        QVERIFY(!QFile::exists(socket));
    }

    // With the group: the socket is 0660 and group-owned, members are served
    // (their requests reach the host), everyone else is refused before any
    // request is performed.
    void groupMembersAreServedOthersAreNot() {
        QTemporaryDir dir;
        QVERIFY(openFolder(dir));
        const std::string path = dir.filePath("agent.sock").toStdString();
        const QString socket = QString::fromStdString(path);
        ::umask(0);
        {
            Listener listener(path, AccessPolicy{0, gid_t(4242)});
            QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(socket), 10000);
            QCOMPARE(modeOf(socket), 0660u);
            QCOMPARE(groupOf(socket), gid_t(4242));
            QCOMPARE(::chmod(path.c_str(), 0777), 0);

            Run member = infoAs(socket, 1001, 1001, {1001, 4242});
            QVERIFY2(member.exitCode == 0, qPrintable(describe(member)));
            QVERIFY2(member.out.contains("module_version=0.1.0-fake"),
                     qPrintable(describe(member)));
            Run primary = infoAs(socket, 1003, 4242, {4242}); // the group as primary gid
            QVERIFY2(primary.exitCode == 0, qPrintable(describe(primary)));

            Run outsider = infoAs(socket, 1002, 1002, {1002});
            QVERIFY2(outsider.exitCode == 1, qPrintable(describe(outsider)));
            QVERIFY2(outsider.err.contains("uid 1002 (pid ") &&
                         outsider.err.contains("and members of group v3vee (gid 4242) may"),
                     qPrintable(describe(outsider)));
            QVERIFY(listener.logged("refused: uid 1002"));
            std::lock_guard lock(listener.host.mutex);
            QCOMPARE(std::count(listener.host.calls.begin(), listener.host.calls.end(),
                                std::string("hostInfo")),
                     2L); // the member's and the primary-gid user's only
        }
        ::umask(022);
        QVERIFY(!QFile::exists(socket));
    }

    // The agent is static, so it reads group(5) itself.
    void groupFileIsParsed() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString file = dir.filePath("group");
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("root:x:0:\nv3veex:x:1:\nbroken line\nv3vee:x:notanumber:\n"
                "v3vee:x:4242:alice,bob\nother:x:5:\n");
        f.close();
        QCOMPARE(findGroup("v3vee", file.toStdString()), std::optional<gid_t>(4242));
        QCOMPARE(findGroup("other", file.toStdString()), std::optional<gid_t>(5));
        QVERIFY(!findGroup("v3ve", file.toStdString()));
        QVERIFY(!findGroup("v3vee", dir.filePath("missing").toStdString()));

        PeerCredentials peer;
        peer.uid = 1000;
        peer.gid = 1000;
        QVERIFY(!refusalReason(AccessPolicy{0, std::nullopt}, peer).empty());
        QVERIFY(refusalReason(AccessPolicy{1000, std::nullopt}, peer).empty()); // the owner
        peer.groups = {7, 4242};
        QVERIFY(refusalReason(AccessPolicy{0, gid_t(4242)}, peer).empty());
        peer.uid = 0;
        QVERIFY(refusalReason(AccessPolicy{5, std::nullopt}, peer).empty()); // root
    }
};

QTEST_GUILESS_MAIN(TestAgentAccess)
#include "tst_agent_access.moc"
