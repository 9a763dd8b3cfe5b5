// PC keyboard scan code sets. Hosts deliver set-1 codes (what a PC's 8042
// hands the guest with translation on); a keyboard in set 2 sends the same
// keys in set-2 codes, and the 8042's translation turns set 2 back into
// set 1. Both tables cover the 7-bit key codes; prefixes (E0, E1) and the
// break marker are the caller's business.
#pragma once

#include "lib/types.h"

namespace v3::devices::scan_codes {

// E0: the second key of a pair (right Ctrl, arrows, ...).
inline constexpr u8 kExtendedPrefix = 0xe0;
// E1: starts the Pause key's sequence.
inline constexpr u8 kPausePrefix = 0xe1;
// Set 1: break = make | 0x80.
inline constexpr u8 kSet1BreakBit = 0x80;
// Set 2: break = F0, make.
inline constexpr u8 kSet2BreakPrefix = 0xf0;

// The set-2 make code of the key whose set-1 make code is `set1_make`
// (0x00-0x7f).
u8 set1_to_set2(u8 set1_make);

// The 8042's translation of one byte from the keyboard (set 2 to set 1),
// without the F0 break handling, which the controller does: key codes
// 0x00-0x7f map through the table; 0x83 (F7) and 0x84 (Alt+SysRq), the two
// set-2 key codes above 0x7f, map to 0x41 and 0x54; every other byte
// (prefixes, ACK, BAT result, ...) passes unchanged.
u8 translate_set2_to_set1(u8 byte);

} // namespace v3::devices::scan_codes
