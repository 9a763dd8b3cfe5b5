#include "process.h"

#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace v3ctl {

Result<SpawnedProcess> spawnProcess(const std::vector<std::string>& argv, ChildStdio in,
                                    ChildStdio out, ChildStdio err) {
    if (argv.empty())
        return Error{EINVAL, "no command to run"};
    // pipes[i][0] reads, [1] writes; the child takes one end of each.
    ChildStdio modes[3] = {in, out, err};
    UniqueFd parentEnds[3], childEnds[3];
    for (int i = 0; i < 3; ++i) {
        if (modes[i] != ChildStdio::Pipe)
            continue;
        int pipe[2];
        if (::pipe2(pipe, O_CLOEXEC) != 0)
            return errnoError(errno, "cannot create a pipe");
        parentEnds[i] = UniqueFd(i == 0 ? pipe[1] : pipe[0]);
        childEnds[i] = UniqueFd(i == 0 ? pipe[0] : pipe[1]);
    }

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    for (int i = 0; i < 3; ++i) {
        if (modes[i] == ChildStdio::Pipe)
            posix_spawn_file_actions_adddup2(&actions, childEnds[i].get(), i);
        else if (modes[i] == ChildStdio::Null)
            posix_spawn_file_actions_addopen(&actions, i, "/dev/null", i == 0 ? O_RDONLY : O_WRONLY,
                                             0);
    }
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);

    SpawnedProcess child;
    int rc = posix_spawnp(&child.pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0)
        return errnoError(rc, "cannot run " + argv[0]);
    child.stdinWrite = std::move(parentEnds[0]);
    child.stdoutRead = std::move(parentEnds[1]);
    child.stderrRead = std::move(parentEnds[2]);
    return child;
}

Result<ProcessOutput> runProcess(const std::vector<std::string>& argv) {
    SpawnedProcess child =
        TRY(spawnProcess(argv, ChildStdio::Null, ChildStdio::Pipe, ChildStdio::Pipe));
    pid_t pid = child.pid;

    ProcessOutput result;
    pollfd fds[2] = {{child.stdoutRead.release(), POLLIN, 0},
                     {child.stderrRead.release(), POLLIN, 0}};
    std::string* sinks[2] = {&result.out, &result.err};
    int open = 2;
    while (open > 0) {
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char buf[4096];
            ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
            if (n > 0) {
                sinks[i]->append(buf, size_t(n));
            } else if (n == 0 || errno != EINTR) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open;
            }
        }
    }
    for (auto& f : fds)
        if (f.fd >= 0)
            ::close(f.fd);

    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

} // namespace v3ctl
