// The v3vee module of this machine: ioctls on /dev/v3vee.
#pragma once

#include "host_connection.h"

namespace v3ctl {

class LocalHost final : public HostConnection {
public:
    explicit LocalHost(std::string controlDevice = "/dev/v3vee");

    std::string uri() const override { return "local"; }
    std::string displayName() const override { return "local machine"; }
    Result<HostInfo> hostInfo() override;
    Result<uint64_t> addMemory(uint64_t bytes) override;
    Result<uint64_t> releaseMemory(uint64_t bytes) override;
    Result<int> createGuest(const std::vector<uint8_t>& image, const std::string& name) override;
    Result<Ok> freeGuest(int index) override;
    Result<Ok> launch(int index) override;
    Result<Ok> pause(int index) override;
    Result<Ok> resume(int index) override;
    Result<Ok> stop(int index) override;
    Result<VmInfo> vmInfo(int index) override;
    Result<std::vector<GuestEntry>> listGuests() override;
    Result<int> openStream(int index, const std::string& stream) override;
    Result<KernelLog> kernelLog(uint64_t after) override;

    static bool available(const std::string& controlDevice = "/dev/v3vee");

private:
    Result<Ok> vmCommand(int index, unsigned long request, const char* what);
    std::string controlDevice_;
};

} // namespace v3ctl
