// The v3vee module of this machine: ioctls on /dev/v3vee and /dev/v3-vmN,
// each the one the operation's row names (operations.h).
#pragma once

#include "host_connection.h"

namespace v3ctl {

class LocalHost final : public HostConnection {
public:
    explicit LocalHost(std::string controlDevice = "/dev/v3vee");

    std::string uri() const override { return "local"; }
    std::string displayName() const override { return "local machine"; }
    void perform(ops::AnyCall call) override;

    static bool available(const std::string& controlDevice = "/dev/v3vee");

private:
    std::string controlDevice_;
};

} // namespace v3ctl
