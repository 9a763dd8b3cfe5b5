// What REQUEST, RESPONSE and ERROR frames carry for each operation of the
// table (operations.h), in agent_fields encoding. The encoding follows the
// row's argument and result types, so an operation whose types are already
// here needs nothing new. Shared by the agent (agent_server) and its client
// (agent_host) so both sides agree by construction.
//
//   type           fields
//   NoArgs         -
//   VmArgs         Index (at most kHighestVmIndex)
//   MemoryArgs     Bytes
//   CreateArgs     Name, Image (the image's bytes follow the fields, over
//                  as many REQUEST frames as they need)
//   StreamArgs     Index, Stream
//   LogArgs        Sequence (after)
//   Ok             -
//   uint64_t       Bytes
//   int            Index
//   StreamFd       Channel (DATA/ACK/CLOSE frames follow on it)
//   HostInfo       AbiVersion Features SvmRevision NumAsids CpusPossible
//                  CpusEnabled NumGuests MaxGuests GuestMemoryTotal
//                  GuestMemoryFree CoreAllocations CorePages ModuleVersion
//                  KernelRelease
//   VmInfo         Name Index State ExitCode Cores MemoryBytes UptimeNs
//                  ExitsTotal Exits Reason
//   GuestEntry*    (Name Device)*
//   KernelLog      (Sequence TimestampUs Text)* Next
//
// A request starts with Op (the row's code). A failed operation answers
// with an ERROR frame: Errno, Message.
#pragma once

#include "agent_fields.h"
#include "guest_ops.h"
#include "host_info.h"
#include "operations.h"

#include <type_traits>

namespace v3ctl::agent {

inline constexpr int kHighestVmIndex = 1023;

// Request fields. Each returns the bulk to send after the fields (an
// image), or an empty view.
std::string_view writeArgs(FieldWriter& out, const ops::NoArgs&);
std::string_view writeArgs(FieldWriter& out, const ops::VmArgs& args);
std::string_view writeArgs(FieldWriter& out, const ops::MemoryArgs& args);
std::string_view writeArgs(FieldWriter& out, const ops::CreateArgs& args);
std::string_view writeArgs(FieldWriter& out, const ops::StreamArgs& args);
std::string_view writeArgs(FieldWriter& out, const ops::LogArgs& args);
// The arguments of a request; views point into the request's payload.
Result<ops::NoArgs> readArgs(const Fields& in, std::type_identity<ops::NoArgs>);
Result<ops::VmArgs> readArgs(const Fields& in, std::type_identity<ops::VmArgs>);
Result<ops::MemoryArgs> readArgs(const Fields& in, std::type_identity<ops::MemoryArgs>);
Result<ops::CreateArgs> readArgs(const Fields& in, std::type_identity<ops::CreateArgs>);
Result<ops::StreamArgs> readArgs(const Fields& in, std::type_identity<ops::StreamArgs>);
Result<ops::LogArgs> readArgs(const Fields& in, std::type_identity<ops::LogArgs>);

// Response fields (a StreamFd's channel is the agent's to assign).
void writeValue(FieldWriter& out, const Ok&);
void writeValue(FieldWriter& out, uint64_t bytes);
void writeValue(FieldWriter& out, int index);
void writeValue(FieldWriter& out, const HostInfo& info);
void writeValue(FieldWriter& out, const VmInfo& info);
void writeValue(FieldWriter& out, const std::vector<GuestEntry>& guests);
void writeValue(FieldWriter& out, const KernelLog& log);
Result<Ok> readValue(const Fields& in, std::type_identity<Ok>);
Result<uint64_t> readValue(const Fields& in, std::type_identity<uint64_t>);
Result<int> readValue(const Fields& in, std::type_identity<int>);
Result<HostInfo> readValue(const Fields& in, std::type_identity<HostInfo>);
Result<VmInfo> readValue(const Fields& in, std::type_identity<VmInfo>);
Result<std::vector<GuestEntry>> readValue(const Fields& in,
                                          std::type_identity<std::vector<GuestEntry>>);
Result<KernelLog> readValue(const Fields& in, std::type_identity<KernelLog>);

void writeHostInfo(FieldWriter& out, const HostInfo& info);
Result<HostInfo> readHostInfo(const Fields& in);

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
