// v3_save_vm and v3_load_vm: a whole VM to and from a checkpoint stream
// (chkpt/checkpoint_format.h). Loading checks everything it can before it
// changes anything: the header against this VM (image identity, cores,
// memory), then the vcore and device sections read whole with their CRCs
// and the vcores' state checked; RAM streams into guest memory chunk by
// chunk (each chunk's CRC checked as it arrives), and only once the end
// marker is read are guest time, the devices, the IRQ lines and the cores
// installed. RAM that turns out bad after some of it was written is rolled
// back by the relaunch reset (boot/guest_boot.h) for a created VM; a paused
// VM is failed instead.
#include <v3/vmm.h>

#include "boot/guest_boot.h"
#include "chkpt/checkpoint_format.h"
#include "chkpt/snapshot.h"
#include "config/crc32.h"
#include "lib/format.h"
#include "lib/log.h"
#include "vmm_handle.h"

namespace v3 {

namespace {

namespace cl = chkpt::layout;

constexpr u8 kDevicesVersion = 1;
constexpr u32 kLevelWords = kMaxIrqLines / 64;

// One sentence into the caller's buffer; returns -errno.
int refuse(char* error, unsigned long size, Errno code, const char* fmt, ...)
    __attribute__((format(printf, 4, 5)));
int refuse(char* error, unsigned long size, Errno code, const char* fmt, ...) {
    if (error && size) {
        __builtin_va_list args;
        __builtin_va_start(args, fmt);
        vformat(error, size, fmt, args);
        __builtin_va_end(args);
    }
    return -int(code);
}

class DeviceLock {
public:
    explicit DeviceLock(Vm& vm) : vm_(vm) { vm_.lock_devices(); }
    ~DeviceLock() { vm_.unlock_devices(); }

private:
    Vm& vm_;
};

bool checkpointable(VmState state) {
    return state == VmState::Created || state == VmState::Paused;
}

void put_u64(u8* at, u64 v) {
    for (int i = 0; i < 8; ++i)
        at[i] = u8(v >> (8 * i));
}
u64 get_u64(const u8* at) {
    u64 v = 0;
    for (int i = 0; i < 8; ++i)
        v |= u64(at[i]) << (8 * i);
    return v;
}

// The write side: counts bytes and keeps the first error.
struct Output {
    v3_chkpt_write_fn write;
    void* ctx;
    unsigned long long* done;
    u64 written = 0;
    long error = 0;

    bool put(const void* data, u64 size) {
        const u8* p = static_cast<const u8*>(data);
        while (size && !error) {
            // In pieces the host can take in one call (a kernel_write).
            unsigned long piece = size > cl::kRamChunk ? cl::kRamChunk : (unsigned long)size;
            long r = write(ctx, p, piece);
            if (r < 0) {
                error = r;
                break;
            }
            p += piece;
            size -= piece;
            written += piece;
            if (done)
                *done = written;
        }
        return !error;
    }
    bool section(u32 tag, const u8* payload, u64 length) {
        u8 header[cl::kSectionHeaderSize];
        chkpt::encode_section_header({tag, length, config::crc32(payload, length)}, header);
        return put(header, sizeof header) && put(payload, length);
    }
};

// The read side: exact reads, bytes counted, truncation told apart from a
// host error.
struct Input {
    v3_chkpt_read_fn read;
    void* ctx;
    unsigned long long* done;
    u64 consumed = 0;
    long error = 0;     // the host's negative errno
    bool ended = false; // the stream ended early

    bool get(void* data, u64 size) {
        u8* p = static_cast<u8*>(data);
        while (size) {
            unsigned long piece = size > cl::kRamChunk ? cl::kRamChunk : (unsigned long)size;
            long r = read(ctx, p, piece);
            if (r < 0) {
                error = r;
                return false;
            }
            if (r == 0 || (unsigned long)r > piece) {
                ended = r == 0;
                if (!ended)
                    error = -long(Errno::Io);
                return false;
            }
            p += r;
            size -= u64(r);
            consumed += u64(r);
            if (done)
                *done = consumed;
        }
        return true;
    }
};

Result<void> save_vcores(VmRuntime& runtime, Vector<u8>& out) {
    chkpt::Writer w(out);
    for (u32 i = 0; i < runtime.core_count(); ++i) {
        char name[16];
        format(name, sizeof name, "core%u", i);
        TRY(w.begin_section(StringView(name)));
        TRY(runtime.core(i).save_state(w));
        TRY(w.end_section());
    }
    return {};
}

Result<void> load_vcores(VmRuntime& runtime, const Vector<u8>& in, bool apply) {
    chkpt::Reader r(in.begin(), in.size());
    for (u32 i = 0; i < runtime.core_count(); ++i) {
        char name[16];
        format(name, sizeof name, "core%u", i);
        chkpt::Reader core = TRY(r.section(StringView(name)));
        TRY(runtime.core(i).load_state(core, apply));
    }
    if (!r.at_end())
        return make_error(Errno::Inval, "the checkpoint holds more cores' state than the VM has");
    return {};
}

// Guest time, the IRQ line levels, then every device's section.
Result<void> save_devices(Vm& vm, Vector<u8>& out) {
    chkpt::Writer w(out);
    TRY(w.u8_(kDevicesVersion));
    TRY(w.u64_(vm.clock().now_ns()));
    IrqRouter::Levels levels = vm.irqs().levels();
    TRY(w.u32_(kLevelWords));
    for (u64 word : levels.bits)
        TRY(w.u64_(word));
    return vm.devices().save(w);
}

struct DeviceStatePrefix {
    u64 clock_ns = 0;
    IrqRouter::Levels levels;
    usize devices_at = 0; // where the device sections start
};

Result<DeviceStatePrefix> parse_device_prefix(const Vector<u8>& in) {
    chkpt::Reader r(in.begin(), in.size());
    if (TRY(r.u8_()) != kDevicesVersion)
        return make_error(Errno::Inval, "the checkpoint's device state has an unknown version");
    DeviceStatePrefix p;
    p.clock_ns = TRY(r.u64_());
    if (TRY(r.u32_()) != kLevelWords)
        return make_error(Errno::Inval, "the checkpoint's IRQ line count is not this module's");
    for (u64& word : p.levels.bits)
        word = TRY(r.u64_());
    p.devices_at = in.size() - r.remaining();
    return p;
}

// Guest time first (devices restore their times relative to it), then the
// devices, then the line levels they drive.
Result<void> install_devices(Vm& vm, const DeviceStatePrefix& prefix, const u8* devices,
                             usize size) {
    vm.clock().restore(prefix.clock_ns);
    chkpt::Reader r(devices, size);
    TRY(vm.devices().load(r));
    if (!r.at_end())
        return make_error(Errno::Inval,
                          "the checkpoint holds state for more devices than the VM has");
    vm.irqs().restore_levels(prefix.levels);
    return {};
}

u64 ram_chunk_length(u64 ram_bytes, u64 address) {
    u64 left = ram_bytes - address;
    return left < cl::kRamChunk ? left : cl::kRamChunk;
}

u32 ram_crc(const u8 address_bytes[8], const u8* data, u64 length) {
    return config::crc32_update(config::crc32(address_bytes, 8), data, length);
}

} // namespace

} // namespace v3

using namespace v3;

extern "C" int v3_save_vm(v3_vm* handle, v3_chkpt_write_fn write, void* ctx,
                          unsigned long long* bytes_done, char* error, unsigned long error_size) {
    if (error && error_size)
        error[0] = 0;
    if (bytes_done)
        *bytes_done = 0;
    if (!handle || !write)
        return -int(Errno::Inval);
    Vm& vm = *handle->vm;
    if (!checkpointable(vm.state()))
        return refuse(error, error_size, Errno::Inval,
                      "only a created or paused VM can be saved; VM %s is %s (pause it first)",
                      vm.name_cstr(), describe(vm.state()));

    Vector<u8> vcores, devices;
    {
        DeviceLock lock(vm);
        auto saved = save_vcores(*handle->runtime, vcores);
        if (saved.is_error())
            return refuse(error, error_size, saved.error().code, "cannot save the cores: %s",
                          saved.error().message);
        saved = save_devices(vm, devices);
        if (saved.is_error())
            return refuse(error, error_size, saved.error().code, "cannot save the devices: %s",
                          saved.error().message);
    }

    const u64 ram = vm.memory().ram_bytes();
    const u64 chunks = (ram + cl::kRamChunk - 1) / cl::kRamChunk;
    chkpt::CheckpointHeader header;
    header.num_cores = vm.num_cores();
    header.memory_bytes = ram;
    header.image = chkpt::identity_of_image(handle->image_bytes, handle->image_size);
    header.total_length = cl::kHeaderSize + 2 * cl::kSectionHeaderSize + vcores.size() +
                          devices.size() + chunks * (cl::kSectionHeaderSize + 8) + ram +
                          cl::kSectionHeaderSize + cl::kEndPayload;
    u8 header_bytes[cl::kHeaderSize];
    chkpt::encode_header(header, header_bytes);

    Output out{write, ctx, bytes_done};
    if (out.put(header_bytes, sizeof header_bytes) &&
        out.section(cl::kTagVcores, vcores.begin(), vcores.size()) &&
        out.section(cl::kTagDevices, devices.begin(), devices.size())) {
        // RAM straight from the guest's pages: the CRC first, then the bytes.
        for (u64 address = 0; address < ram && !out.error; address += cl::kRamChunk) {
            u64 length = ram_chunk_length(ram, address);
            const u8* data = vm.memory().host_pointer(address, length);
            if (!data)
                return refuse(error, error_size, Errno::Fault, "guest RAM at 0x%llx is not mapped",
                              (unsigned long long)address);
            u8 section[cl::kSectionHeaderSize + 8];
            put_u64(section + cl::kSectionHeaderSize, address);
            chkpt::encode_section_header(
                {cl::kTagRam, 8 + length, ram_crc(section + cl::kSectionHeaderSize, data, length)},
                section);
            if (out.put(section, sizeof section))
                (void)out.put(data, length);
        }
        u8 end[cl::kEndPayload];
        put_u64(end, header.total_length);
        if (!out.error)
            (void)out.section(cl::kTagEnd, end, sizeof end);
    }
    if (out.error)
        return refuse(error, error_size, Errno(-out.error),
                      "writing the checkpoint failed after %llu bytes (error %ld)",
                      (unsigned long long)out.written, -out.error);
    V3_INFO("v3vee: VM %s saved: %llu bytes\n", vm.name_cstr(), (unsigned long long)out.written);
    return 0;
}

namespace {

// A section whose whole payload is read into memory (vcores, devices).
int read_state_section(Input& in, u32 tag, Vector<u8>& payload, char* error,
                       unsigned long error_size) {
    char want[5];
    chkpt::tag_name(tag, want);
    u8 header[cl::kSectionHeaderSize];
    if (!in.get(header, sizeof header))
        return -1;
    chkpt::SectionHeader s = chkpt::decode_section_header(header);
    if (s.tag != tag) {
        char found[5];
        chkpt::tag_name(s.tag, found);
        return refuse(error, error_size, Errno::Inval,
                      "the checkpoint is corrupt: a %s section was expected at byte %llu, not %s",
                      want, (unsigned long long)(in.consumed - sizeof header), found);
    }
    if (s.length > cl::kMaxStateSection)
        return refuse(error, error_size, Errno::Inval,
                      "the checkpoint is corrupt: its %s section claims %llu bytes", want,
                      (unsigned long long)s.length);
    if (!payload.try_reserve(usize(s.length)))
        return refuse(error, error_size, Errno::NoMem,
                      "out of memory for the checkpoint's %s section", want);
    payload.clear();
    for (u64 i = 0; i < s.length; ++i)
        (void)payload.try_append(u8(0)); // reserved above: cannot fail
    if (!in.get(payload.begin(), s.length))
        return -1;
    if (config::crc32(payload.begin(), s.length) != s.crc)
        return refuse(error, error_size, Errno::Inval,
                      "the checkpoint is corrupt: its %s section's checksum does not match", want);
    return 0;
}

int stream_failure(const Input& in, char* error, unsigned long error_size) {
    if (in.ended)
        return refuse(error, error_size, Errno::Inval,
                      "the checkpoint is truncated: it ends after %llu bytes",
                      (unsigned long long)in.consumed);
    return refuse(error, error_size, Errno(-in.error),
                  "reading the checkpoint failed after %llu bytes (error %ld)",
                  (unsigned long long)in.consumed, -in.error);
}

} // namespace

extern "C" int v3_load_vm(v3_vm* handle, v3_chkpt_read_fn read, void* ctx,
                          unsigned long long* bytes_done, char* error, unsigned long error_size) {
    if (error && error_size)
        error[0] = 0;
    if (bytes_done)
        *bytes_done = 0;
    if (!handle || !read)
        return -int(Errno::Inval);
    Vm& vm = *handle->vm;
    if (!checkpointable(vm.state()))
        return refuse(error, error_size, Errno::Inval,
                      "a checkpoint loads only into a created or paused VM; VM %s is %s",
                      vm.name_cstr(), describe(vm.state()));
    Input in{read, ctx, bytes_done};

    // 1. The header, against this VM.
    u8 header_bytes[cl::kHeaderSize];
    if (!in.get(header_bytes, sizeof header_bytes))
        return stream_failure(in, error, error_size);
    auto decoded = chkpt::decode_header(header_bytes);
    if (decoded.is_error())
        return refuse(error, error_size, Errno::Inval, "%s", decoded.error().message);
    const chkpt::CheckpointHeader header = decoded.value();
    const chkpt::ImageIdentity ours =
        chkpt::identity_of_image(handle->image_bytes, handle->image_size);
    if (!(header.image == ours))
        return refuse(error, error_size, Errno::Inval,
                      "the checkpoint is of a VM built from another image (image header CRC "
                      "0x%08x, %llu bytes; VM %s's image: 0x%08x, %llu bytes)",
                      header.image.header_crc, (unsigned long long)header.image.size,
                      vm.name_cstr(), ours.header_crc, (unsigned long long)ours.size);
    const u64 ram = vm.memory().ram_bytes();
    if (header.num_cores != vm.num_cores() || header.memory_bytes != ram)
        return refuse(error, error_size, Errno::Inval,
                      "the checkpoint has %u core(s) and %llu MB; VM %s has %u and %llu MB",
                      header.num_cores, (unsigned long long)(header.memory_bytes >> 20),
                      vm.name_cstr(), vm.num_cores(), (unsigned long long)(ram >> 20));

    // 2. The cores' and devices' state, whole, checksummed; the cores' state
    // checked in full.
    Vector<u8> vcores, devices;
    int r = read_state_section(in, cl::kTagVcores, vcores, error, error_size);
    if (r == 0)
        r = read_state_section(in, cl::kTagDevices, devices, error, error_size);
    if (r == -1)
        return stream_failure(in, error, error_size);
    if (r)
        return r;
    auto checked = load_vcores(*handle->runtime, vcores, false);
    if (checked.is_error())
        return refuse(error, error_size, Errno::Inval, "the checkpoint's core state is refused: %s",
                      checked.error().message);
    auto prefix = parse_device_prefix(devices);
    if (prefix.is_error())
        return refuse(error, error_size, Errno::Inval, "%s", prefix.error().message);

    // 3. RAM, chunk after chunk in address order, straight into guest
    // memory. From here a failure has changed the VM and rolls it back.
    char reason[200] = {};
    bool ram_ok = true;
    for (u64 address = 0; address < ram && ram_ok; address += cl::kRamChunk) {
        const u64 length = ram_chunk_length(ram, address);
        u8 section[cl::kSectionHeaderSize + 8];
        if (!in.get(section, sizeof section)) {
            ram_ok = false;
            break;
        }
        chkpt::SectionHeader s = chkpt::decode_section_header(section);
        if (s.tag != cl::kTagRam || s.length != 8 + length ||
            get_u64(section + cl::kSectionHeaderSize) != address) {
            format(
                reason, sizeof reason,
                "the checkpoint is corrupt: the RAM section for 0x%llx is not where it should be",
                (unsigned long long)address);
            ram_ok = false;
            break;
        }
        u8* data = vm.memory().host_pointer(address, length);
        if (!data) {
            format(reason, sizeof reason, "guest RAM at 0x%llx is not mapped",
                   (unsigned long long)address);
            ram_ok = false;
            break;
        }
        if (!in.get(data, length)) {
            ram_ok = false;
            break;
        }
        if (ram_crc(section + cl::kSectionHeaderSize, data, length) != s.crc) {
            format(reason, sizeof reason,
                   "the checkpoint is corrupt: the checksum of its RAM at 0x%llx does not match",
                   (unsigned long long)address);
            ram_ok = false;
        }
    }

    // 4. The end marker, and nothing after it.
    if (ram_ok) {
        u8 end[cl::kSectionHeaderSize + cl::kEndPayload];
        if (!in.get(end, sizeof end)) {
            ram_ok = false;
        } else {
            chkpt::SectionHeader s = chkpt::decode_section_header(end);
            u64 total = get_u64(end + cl::kSectionHeaderSize);
            if (s.tag != cl::kTagEnd || s.length != cl::kEndPayload ||
                s.crc != config::crc32(end + cl::kSectionHeaderSize, cl::kEndPayload) ||
                total != header.total_length || in.consumed != total) {
                format(reason, sizeof reason, "the checkpoint is corrupt: its end marker is wrong");
                ram_ok = false;
            } else {
                u8 extra;
                long more = read(ctx, &extra, 1);
                if (more != 0) {
                    format(reason, sizeof reason,
                           more > 0 ? "the checkpoint has bytes after its end marker"
                                    : "reading the checkpoint's end failed");
                    ram_ok = false;
                }
            }
        }
    }
    if (ram_ok && !reason[0]) {
        // 5. Install: guest time, devices, lines, cores.
        DeviceLock lock(vm);
        Vector<u8> backup;
        auto saved = save_devices(vm, backup);
        auto installed =
            saved.is_error()
                ? Result<void>(saved.error())
                : install_devices(vm, prefix.value(), devices.begin() + prefix.value().devices_at,
                                  devices.size() - prefix.value().devices_at);
        if (installed.is_error()) {
            if (!saved.is_error()) {
                auto before = parse_device_prefix(backup);
                if (!before.is_error())
                    (void)install_devices(vm, before.value(),
                                          backup.begin() + before.value().devices_at,
                                          backup.size() - before.value().devices_at);
            }
            format(reason, sizeof reason, "the checkpoint's device state is refused: %s",
                   installed.error().message);
        } else {
            // Checked in step 2: installing cannot fail.
            (void)load_vcores(*handle->runtime, vcores, true);
            V3_INFO("v3vee: VM %s loaded from a checkpoint: %llu bytes\n", vm.name_cstr(),
                    (unsigned long long)in.consumed);
            return 0;
        }
    }

    // The VM's RAM (and nothing else) has been partly overwritten.
    if (!reason[0]) {
        if (in.ended)
            format(reason, sizeof reason, "the checkpoint is truncated: it ends after %llu bytes",
                   (unsigned long long)in.consumed);
        else
            format(reason, sizeof reason,
                   "reading the checkpoint failed after %llu bytes (error %ld)",
                   (unsigned long long)in.consumed, -in.error);
    }
    const Errno code = in.error && !in.ended ? Errno(-in.error) : Errno::Inval;
    if (vm.state() == VmState::Created) {
        config::Diagnostic diag;
        auto reset = boot::reset_and_reload(vm, handle->image, diag);
        if (reset.is_error()) {
            vm.fail("a checkpoint failed to load and the VM could not be reset: %s",
                    diag.message[0] ? diag.message : reset.error().message);
            return refuse(error, error_size, code, "%s; the VM could not be reset and has failed",
                          reason);
        }
        return refuse(error, error_size, code, "%s; the VM is as it was created", reason);
    }
    vm.fail("a checkpoint failed to load after overwriting guest memory: %s", reason);
    return refuse(error, error_size, code,
                  "%s; the VM's memory was partly overwritten and it has failed", reason);
}
