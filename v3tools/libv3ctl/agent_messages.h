// What REQUEST, RESPONSE and ERROR frames carry for each HostConnection
// operation, in agent_fields encoding. Shared by the agent (agent_server) and
// its client (agent_host) so both sides agree by construction.
//
//   op           request fields       response fields
//   HostInfo     -                    HostInfoText
//   AddMemory    Bytes                Bytes (reserved)
//   CreateGuest  Name, Image          Index
//   FreeGuest    Index                -
//   Launch, Pause, Resume, Stop       Index -> -
//   VmInfo       Index                Name Index State ExitCode Cores MemoryBytes
//                                     UptimeNs ExitsTotal Exits Reason
//   ListGuests   -                    (Name Device)*
//   OpenStream   Index, Stream         Channel (DATA/ACK/CLOSE frames follow on it)
//   KernelLog    Sequence (after)     (Sequence TimestampUs Text)* Next
//   ReleaseMemory Bytes (0: all)      Bytes (given back)
//
// A failed operation answers with an ERROR frame: Errno, Message.
#pragma once

#include "agent_fields.h"
#include "guest_ops.h"

namespace v3ctl::agent {

enum class Op : uint32_t {
    HostInfo = 1,
    AddMemory = 2,
    CreateGuest = 3,
    FreeGuest = 4,
    Launch = 5,
    Pause = 6,
    Resume = 7,
    Stop = 8,
    VmInfo = 9,
    ListGuests = 10,
    OpenStream = 11,
    KernelLog = 12,
    ReleaseMemory = 13,
};
inline constexpr uint32_t kLastOp = 13;
const char* opName(Op op);

void writeVmInfo(FieldWriter& out, const VmInfo& info);
Result<VmInfo> readVmInfo(const Fields& in);

void writeGuestList(FieldWriter& out, const std::vector<GuestEntry>& guests);
Result<std::vector<GuestEntry>> readGuestList(const Fields& in);

void writeKernelLog(FieldWriter& out, const KernelLog& log);
Result<KernelLog> readKernelLog(const Fields& in);

std::string encodeError(const Error& error);
// An ERROR payload back into an Error; a malformed one still yields an Error
// saying so.
Error decodeError(std::string_view payload);

} // namespace v3ctl::agent
