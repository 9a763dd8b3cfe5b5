// The tools that are one row of the operation table with a VM argument
// (v3_launch, v3_pause, v3_continue, v3_stop, v3_free): the row names the
// tool and describes it; running it is the same for every row.
#include "tool.h"

#include <type_traits>
#include <vector>

namespace v3tools {

namespace {

template <typename Op> int runVmCommand(const Invocation& call, v3ctl::HostConnection& host) {
    auto index = v3ctl::vmIndexFromArgument(call.args[0]);
    if (!index) {
        fail_line(call, index.error().message);
        return kExitUsage;
    }
    auto done = host.call<Op>({index.value()});
    return done ? kExitOk : report(call, done.error());
}

template <typename... Ops> std::vector<Command> vmCommands(v3ctl::ops::OperationList<Ops...>) {
    std::vector<Command> commands;
    auto add = [&]<typename Op>() {
        if constexpr (std::is_same_v<typename Op::Args, v3ctl::ops::VmArgs> &&
                      std::is_same_v<typename Op::Value, v3ctl::Ok>) {
            if (Op::tool.name)
                commands.push_back(
                    {Op::tool.name, "VM", Op::tool.description, 1, 1, runVmCommand<Op>});
        }
    };
    (add.template operator()<Ops>(), ...);
    return commands;
}

} // namespace

std::vector<Command> tableCommands() {
    return vmCommands(v3ctl::ops::AllOperations{});
}

} // namespace v3tools
