#include "devices/nvram_mc146818.h"
#include "config/text_arg.h"
#include "devices/registry.h"
#include "vm/vm.h"

namespace v3::devices {

namespace {

// Register numbers.
constexpr u8 kSeconds = 0x00;
constexpr u8 kSecondsAlarm = 0x01;
constexpr u8 kMinutes = 0x02;
constexpr u8 kMinutesAlarm = 0x03;
constexpr u8 kHours = 0x04;
constexpr u8 kHoursAlarm = 0x05;
constexpr u8 kDayOfWeek = 0x06;
constexpr u8 kDayOfMonth = 0x07;
constexpr u8 kMonth = 0x08;
constexpr u8 kYear = 0x09;
constexpr u8 kRegisterA = 0x0A;
constexpr u8 kRegisterB = 0x0B;
constexpr u8 kRegisterC = 0x0C;
constexpr u8 kRegisterD = 0x0D;

// Register A.
constexpr u8 kUpdateInProgress = 0x80;
constexpr u8 kDividerMask = 0x70;
constexpr u8 kDividerNormal = 0x20; // 010: 32.768 kHz time base running
constexpr u8 kDividerReset = 0x60;  // 11x: divider chain held in reset
constexpr u8 kRateMask = 0x0F;
// Register B.
constexpr u8 kSet = 0x80;
constexpr u8 kPeriodicEnable = 0x40;
constexpr u8 kAlarmEnable = 0x20;
constexpr u8 kUpdateEnable = 0x10;
constexpr u8 kBinary = 0x04;
constexpr u8 k24Hour = 0x02;
// Register C.
constexpr u8 kIrqFlag = 0x80;
constexpr u8 kPeriodicFlag = 0x40;
constexpr u8 kAlarmFlag = 0x20;
constexpr u8 kUpdateFlag = 0x10;
constexpr u8 kFlagMask = 0x70;
// Register D.
constexpr u8 kValidRamAndTime = 0x80;

// Power-on values as the PC BIOS leaves them: 32.768 kHz divider running
// with rate 6 selected (1024 Hz), BCD, 24-hour, no interrupts.
constexpr u8 kInitialA = kDividerNormal | 0x06;
constexpr u8 kInitialB = k24Hour;

constexpr u64 kNsPerSecond = 1000000000;
constexpr u32 kTicksPerSecond = 32768;
// UIP rises 244 us (8 ticks of 32.768 kHz) before each update cycle.
constexpr u32 kUpdateWarningTicks = 8;
constexpr u64 kSecondsPerDay = 86400;
// An alarm can only match once per time of day, so after a long gap in
// guest time only the last day needs to be stepped through second by second.
constexpr u64 kStepLimit = 2 * kSecondsPerDay;

constexpr u8 kSaveVersion = 1;

bool is_time_register(u8 index) {
    return index == kSeconds || index == kMinutes || index == kHours || index == kDayOfWeek ||
           index == kDayOfMonth || index == kMonth || index == kYear || index == cmos::kCentury;
}

bool is_dont_care(u8 alarm) {
    return (alarm & 0xC0) == 0xC0;
}

// Ticks of the 32.768 kHz time base between periodic interrupts; 0 = off.
// Rates 1 and 2 repeat rates 8 and 9 on the 32.768 kHz time base.
u32 periodic_ticks(u8 rate) {
    if (rate == 0)
        return 0;
    if (rate <= 2)
        rate = u8(rate + 7);
    return u32(1) << (rate - 1);
}

Result<void> validate_nvram(const config::DeviceEntry& entry, const config::VmConfig&,
                            config::Diagnostic& diag) {
    TRY(read_nvram_settings(*entry.element, diag));
    return {};
}

} // namespace

extern const DeviceClass kNvramClass;
const DeviceClass kNvramClass = {"NVRAM", validate_nvram, Mc146818Nvram::create};

Result<NvramSettings> read_nvram_settings(const xml::Element& device, config::Diagnostic& diag) {
    NvramSettings settings;
    StringView start = TRY(config::read_string(device, "start", false, diag));
    if (!start.is_empty()) {
        if (const char* problem = rtc::parse_iso_datetime(start, settings.start))
            return diag.fail(device, "start '%s' %s (e.g. 2000-01-01T00:00:00)",
                             TextArg(start).c_str(), problem);
    }
    StringView bootseq = TRY(config::read_string(device, "bootseq", false, diag));
    if (!bootseq.is_empty()) {
        if (const char* problem = cmos::parse_boot_order(bootseq, settings.boot_order))
            return diag.fail(device, "bootseq '%s' %s", TextArg(bootseq).c_str(), problem);
    }
    StringView display = TRY(config::read_string(device, "display", false, diag));
    if (!display.is_empty() && !cmos::parse_display(display, settings.display))
        return diag.fail(device, "display '%s' is not one of vga, cga40, cga80, mono",
                         TextArg(display).c_str());
    return settings;
}

Mc146818Nvram::Mc146818Nvram(Vm& vm, const NvramSettings& settings)
    : vm_(vm), time_(settings.start) {
    cmos_[kRegisterA] = kInitialA;
    cmos_[kRegisterB] = kInitialB;
    cmos_[kRegisterD] = kValidRamAndTime;
    cmos_[cmos::kFloppyTypes] = 0;
    cmos_[cmos::kHardDiskTypes] = 0;
    cmos_[cmos::kEquipment] = cmos::equipment_byte(settings.display);
    cmos::write_memory_size(cmos_, vm.memory().ram_bytes());
    cmos_[cmos::kCpuCount] = u8(vm.num_cores() > 0 ? vm.num_cores() - 1 : 0);
    cmos::write_boot_order(cmos_, settings.boot_order);
    cmos::write_checksum(cmos_);
}

Result<OwnPtr<Device>> Mc146818Nvram::create(Vm& vm, const config::DeviceEntry& entry,
                                             config::Diagnostic& diag) {
    NvramSettings settings = TRY(read_nvram_settings(*entry.element, diag));
    OwnPtr<Mc146818Nvram> device(new (alloc) Mc146818Nvram(vm, settings));
    if (!device)
        return make_error(Errno::NoMem, "out of memory for the NVRAM device");
    auto claimed = vm.io_ports().claim(kCmosIndexPort, 2, *device, "NVRAM");
    if (claimed.is_error())
        return diag.fail(*entry.element, "cannot claim I/O ports 0x70-0x71: %s (owner: %s)",
                         claimed.error().message,
                         TextArg(vm.io_ports().owner_of(kCmosIndexPort)).c_str());
    TRY(vm.clock().subscribe(*device));
    return OwnPtr<Device>(move(device));
}

Mc146818Nvram::~Mc146818Nvram() {
    vm_.io_ports().release(*this);
    vm_.clock().unsubscribe(*this);
}

// --- ports ------------------------------------------------------------------

Result<u32> Mc146818Nvram::io_read(const IoAccess& access) {
    u32 value = 0;
    for (unsigned i = 0; i < access.size; ++i) {
        unsigned port_offset = access.offset + i;
        // 0x70 is write-only on the AT: it reads as the open bus.
        u8 byte = port_offset == 1 ? read_register(index_) : 0xFF;
        value |= u32(byte) << (8 * i);
    }
    return value;
}

Result<void> Mc146818Nvram::io_write(const IoAccess& access, u32 value) {
    for (unsigned i = 0; i < access.size; ++i) {
        unsigned port_offset = access.offset + i;
        u8 byte = u8(value >> (8 * i));
        if (port_offset == 0) {
            index_ = byte & 0x7F;
            nmi_disabled_ = (byte & 0x80) != 0;
        } else if (port_offset == 1) {
            write_register(index_, byte);
        }
    }
    return {};
}

// --- registers --------------------------------------------------------------

u8 Mc146818Nvram::show(u8 value) const {
    if (cmos_[kRegisterB] & kBinary)
        return value;
    return u8((value / 10 % 10) << 4 | value % 10);
}

u8 Mc146818Nvram::show_hours(u8 hour) const {
    if (cmos_[kRegisterB] & k24Hour)
        return show(hour);
    u8 twelve_hour = u8(hour % 12 == 0 ? 12 : hour % 12);
    return u8(show(twelve_hour) | (hour >= 12 ? 0x80 : 0));
}

u8 Mc146818Nvram::parse(u8 value) const {
    if (cmos_[kRegisterB] & kBinary)
        return value;
    return u8((value >> 4) * 10 + (value & 0x0F));
}

u8 Mc146818Nvram::parse_hours(u8 value) const {
    if (cmos_[kRegisterB] & k24Hour)
        return parse(value);
    u8 twelve_hour = parse(value & 0x7F);
    u8 hour = twelve_hour == 12 ? 0 : twelve_hour;
    return u8(hour + ((value & 0x80) ? 12 : 0));
}

u8 Mc146818Nvram::time_register(u8 index) const {
    switch (index) {
    case kSeconds:
        return show(time_.second);
    case kMinutes:
        return show(time_.minute);
    case kHours:
        return show_hours(time_.hour);
    case kDayOfWeek:
        return show(time_.day_of_week);
    case kDayOfMonth:
        return show(time_.day);
    case kMonth:
        return show(time_.month);
    case kYear:
        return show(u8(time_.year % 100));
    default: // the century byte
        return show(u8(time_.year / 100));
    }
}

void Mc146818Nvram::set_time_register(u8 index, u8 value) {
    switch (index) {
    case kSeconds:
        time_.second = parse(value);
        break;
    case kMinutes:
        time_.minute = parse(value);
        break;
    case kHours:
        time_.hour = parse_hours(value);
        break;
    case kDayOfWeek:
        time_.day_of_week = parse(value);
        break;
    case kDayOfMonth:
        time_.day = parse(value);
        break;
    case kMonth:
        time_.month = parse(value);
        break;
    case kYear:
        time_.year = u16(time_.year / 100 * 100 + parse(value) % 100);
        break;
    default: // the century byte
        time_.year = u16(parse(value) % 100 * 100 + time_.year % 100);
        break;
    }
}

u8 Mc146818Nvram::read_register(u8 index) {
    if (is_time_register(index))
        return time_register(index);
    switch (index) {
    case kRegisterA:
        return u8(cmos_[kRegisterA] | (update_in_progress() ? kUpdateInProgress : 0));
    case kRegisterC: {
        // Reading C acknowledges every pending interrupt.
        u8 flags = cmos_[kRegisterC];
        cmos_[kRegisterC] = 0;
        update_irq();
        return flags;
    }
    case kRegisterD:
        return kValidRamAndTime;
    default:
        return cmos_[index];
    }
}

void Mc146818Nvram::write_register(u8 index, u8 value) {
    if (is_time_register(index)) {
        set_time_register(index, value);
        return;
    }
    switch (index) {
    case kRegisterA:
        write_register_a(value);
        break;
    case kRegisterB:
        write_register_b(value);
        break;
    case kRegisterC:
    case kRegisterD:
        break; // read-only
    default:
        cmos_[index] = value;
        break;
    }
}

void Mc146818Nvram::write_register_a(u8 value) {
    bool was_reset = (cmos_[kRegisterA] & kDividerReset) == kDividerReset;
    cmos_[kRegisterA] = value & u8(~kUpdateInProgress);
    if ((value & kDividerReset) == kDividerReset) {
        divider_ticks_ = 0;
        tick_fraction_ = 0;
    } else if (was_reset && divider_running()) {
        // Out of reset, the first update comes half a second later.
        divider_ticks_ = kTicksPerSecond / 2;
        tick_fraction_ = 0;
    }
}

void Mc146818Nvram::write_register_b(u8 value) {
    if (value & kSet)
        value &= u8(~kUpdateEnable); // SET going high clears UIE
    cmos_[kRegisterB] = value;
    update_irq();
}

// --- time -------------------------------------------------------------------

bool Mc146818Nvram::divider_running() const {
    return (cmos_[kRegisterA] & kDividerMask) == kDividerNormal;
}

bool Mc146818Nvram::update_in_progress() const {
    return divider_running() && !(cmos_[kRegisterB] & kSet) &&
           divider_ticks_ >= kTicksPerSecond - kUpdateWarningTicks;
}

bool Mc146818Nvram::alarm_matches() const {
    u8 alarm_seconds = cmos_[kSecondsAlarm];
    u8 alarm_minutes = cmos_[kMinutesAlarm];
    u8 alarm_hours = cmos_[kHoursAlarm];
    return (is_dont_care(alarm_seconds) || alarm_seconds == show(time_.second)) &&
           (is_dont_care(alarm_minutes) || alarm_minutes == show(time_.minute)) &&
           (is_dont_care(alarm_hours) || alarm_hours == show_hours(time_.hour));
}

void Mc146818Nvram::run_updates(u64 updates) {
    if (updates > kStepLimit) {
        rtc::advance_seconds(time_, updates - kSecondsPerDay);
        updates = kSecondsPerDay;
    }
    while (updates > 0 && !(cmos_[kRegisterC] & kAlarmFlag)) {
        rtc::advance_one_second(time_);
        --updates;
        if (alarm_matches())
            cmos_[kRegisterC] |= kAlarmFlag;
    }
    rtc::advance_seconds(time_, updates); // AF is already set: no need to look
    cmos_[kRegisterC] |= kUpdateFlag;
}

Result<void> Mc146818Nvram::advance_time(u64 previous_ns, u64 now_ns) {
    if (!divider_running() || now_ns <= previous_ns)
        return {};
    // Elapsed time in 32.768 kHz ticks, exactly: whole seconds and the
    // remainder separately so nothing overflows 64 bits.
    u64 elapsed = now_ns - previous_ns;
    u64 scaled = (elapsed % kNsPerSecond) * kTicksPerSecond + tick_fraction_;
    u64 ticks = elapsed / kNsPerSecond * kTicksPerSecond + scaled / kNsPerSecond;
    tick_fraction_ = u32(scaled % kNsPerSecond);
    if (ticks == 0)
        return {};

    u64 start = divider_ticks_;
    u64 end = start + ticks;
    divider_ticks_ = u32(end % kTicksPerSecond);

    u32 period = periodic_ticks(cmos_[kRegisterA] & kRateMask);
    if (period && end / period != start / period)
        cmos_[kRegisterC] |= kPeriodicFlag;
    u64 updates = end / kTicksPerSecond; // start < one second
    if (updates > 0 && !(cmos_[kRegisterB] & kSet))
        run_updates(updates);
    update_irq();
    return {};
}

u64 Mc146818Nvram::next_event_ns(u64 now_ns) const {
    if (!divider_running())
        return kNoTimeEvent;
    const u8 enables = cmos_[kRegisterB];
    const u8 flags = cmos_[kRegisterC];
    u64 ticks = kNoTimeEvent; // divider ticks from now to the event
    u32 period = periodic_ticks(cmos_[kRegisterA] & kRateMask);
    if (period && (enables & kPeriodicEnable) && !(flags & kPeriodicFlag))
        ticks = (divider_ticks_ / period + 1) * period - divider_ticks_;
    // A set flag keeps the line up: another boundary changes nothing seen.
    bool second_matters =
        !(enables & kSet) && (((enables & kUpdateEnable) && !(flags & kUpdateFlag)) ||
                              ((enables & kAlarmEnable) && !(flags & kAlarmFlag)));
    if (second_matters && kTicksPerSecond - divider_ticks_ < ticks)
        ticks = kTicksPerSecond - divider_ticks_;
    if (ticks == kNoTimeEvent)
        return kNoTimeEvent;
    // advance_time counts a tick once elapsed * 32768 + tick_fraction_
    // reaches a multiple of 1e9.
    u64 needed = ticks * kNsPerSecond - tick_fraction_;
    return now_ns + (needed + kTicksPerSecond - 1) / kTicksPerSecond;
}

void Mc146818Nvram::update_irq() {
    u8 flags = cmos_[kRegisterC] & kFlagMask;
    u8 enables = cmos_[kRegisterB];
    bool request = ((flags & kPeriodicFlag) && (enables & kPeriodicEnable)) ||
                   ((flags & kAlarmFlag) && (enables & kAlarmEnable)) ||
                   ((flags & kUpdateFlag) && (enables & kUpdateEnable));
    cmos_[kRegisterC] = u8(flags | (request ? kIrqFlag : 0));
    if (request && !irq_raised_)
        vm_.irqs().raise(kRtcIrq);
    else if (!request && irq_raised_)
        vm_.irqs().lower(kRtcIrq);
    irq_raised_ = request;
}

// --- checkpoints ------------------------------------------------------------

Result<void> Mc146818Nvram::save(chkpt::Writer& w) const {
    TRY(w.u8_(kSaveVersion));
    TRY(w.u8_(index_));
    TRY(w.bool_(nmi_disabled_));
    TRY(w.bytes(cmos_, sizeof cmos_));
    TRY(w.u16_(time_.year));
    TRY(w.u8_(time_.month));
    TRY(w.u8_(time_.day));
    TRY(w.u8_(time_.hour));
    TRY(w.u8_(time_.minute));
    TRY(w.u8_(time_.second));
    TRY(w.u8_(time_.day_of_week));
    TRY(w.u32_(divider_ticks_));
    TRY(w.u32_(tick_fraction_));
    return {};
}

Result<void> Mc146818Nvram::load(chkpt::Reader& r) {
    u8 version = TRY(r.u8_());
    if (version != kSaveVersion)
        return make_error(Errno::Inval, "NVRAM snapshot has an unknown version");
    u8 index = TRY(r.u8_());
    bool nmi_disabled = TRY(r.bool_());
    u8 cmos[cmos::kSize];
    TRY(r.bytes(cmos, sizeof cmos));
    rtc::CalendarTime time;
    time.year = TRY(r.u16_());
    time.month = TRY(r.u8_());
    time.day = TRY(r.u8_());
    time.hour = TRY(r.u8_());
    time.minute = TRY(r.u8_());
    time.second = TRY(r.u8_());
    time.day_of_week = TRY(r.u8_());
    u32 divider_ticks = TRY(r.u32_());
    u32 tick_fraction = TRY(r.u32_());
    if (index >= cmos::kSize)
        return make_error(Errno::Inval, "NVRAM snapshot selects a register above 0x7f");
    if (time.year > rtc::kMaxYear)
        return make_error(Errno::Inval, "NVRAM snapshot has a year above 9999");
    if (divider_ticks >= kTicksPerSecond || tick_fraction >= kNsPerSecond)
        return make_error(Errno::Inval, "NVRAM snapshot has a divider position out of range");
    if ((cmos[kRegisterA] & kUpdateInProgress) || (cmos[kRegisterC] & 0x0F) ||
        cmos[kRegisterD] != kValidRamAndTime)
        return make_error(Errno::Inval, "NVRAM snapshot has impossible status register values");
    for (usize i = 0; i < cmos::kSize; ++i)
        cmos_[i] = cmos[i];
    time_ = time;
    index_ = index;
    nmi_disabled_ = nmi_disabled;
    divider_ticks_ = divider_ticks;
    tick_fraction_ = tick_fraction;
    update_irq();
    return {};
}

} // namespace v3::devices
