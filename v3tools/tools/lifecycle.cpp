// v3_launch, v3_pause, v3_continue, v3_stop: one VM argument, one ioctl.
#include "tool.h"

namespace v3tools {

namespace {

int lifecycle(const Invocation& call, v3ctl::HostConnection& host,
              v3ctl::Result<v3ctl::Ok> (v3ctl::HostConnection::*operation)(int)) {
    auto index = v3ctl::vmIndexFromArgument(call.args[0]);
    if (!index) {
        fail_line(call, index.error().message);
        return kExitUsage;
    }
    auto done = (host.*operation)(index.value());
    return done ? kExitOk : report(call, done.error());
}

} // namespace

int run_launch(const Invocation& c, v3ctl::HostConnection& h) {
    return lifecycle(c, h, &v3ctl::HostConnection::launch);
}
int run_pause(const Invocation& c, v3ctl::HostConnection& h) {
    return lifecycle(c, h, &v3ctl::HostConnection::pause);
}
int run_continue(const Invocation& c, v3ctl::HostConnection& h) {
    return lifecycle(c, h, &v3ctl::HostConnection::resume);
}
int run_stop(const Invocation& c, v3ctl::HostConnection& h) {
    return lifecycle(c, h, &v3ctl::HostConnection::stop);
}

} // namespace v3tools
