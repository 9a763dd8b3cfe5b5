// Model-specific registers and CPUID bits the SVM backend uses (AMD APM vol. 2,
// chapter 15 "Secure Virtual Machine", and vol. 3 appendix E for CPUID).
#pragma once

#include "lib/types.h"

namespace v3::x86 {

inline constexpr u32 kMsrEfer = 0xC0000080;
inline constexpr u64 kEferSvme = bit(12);

inline constexpr u32 kMsrVmCr = 0xC0010114;
inline constexpr u64 kVmCrSvmDisable = bit(4); // SVMDIS: set by firmware to forbid SVM
inline constexpr u64 kVmCrLock = bit(3);

inline constexpr u32 kMsrVmHsavePa = 0xC0010117; // physical address of the host save area

inline constexpr u32 kCpuidExtendedMax = 0x80000000;
inline constexpr u32 kCpuidExtendedFeatures = 0x80000001;
inline constexpr u32 kCpuidExtendedFeaturesEcxSvm = 1u << 2;
inline constexpr u32 kCpuidSvmFeatures = 0x8000000A;
inline constexpr u32 kSvmFeatureNestedPaging = 1u << 0;
inline constexpr u32 kSvmFeatureNripSave = 1u << 3;
inline constexpr u32 kSvmFeatureVmcbClean = 1u << 5;
inline constexpr u32 kSvmFeatureDecodeAssists = 1u << 7;

struct CpuidResult {
    u32 eax, ebx, ecx, edx;
};

} // namespace v3::x86
