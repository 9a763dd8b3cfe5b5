#include "devices/char_stream.h"

#include "config/text_arg.h"
#include "uapi/v3vee_names.h"
#include "vm/vm.h"

namespace v3::devices {

extern const DeviceClass kCharStreamClass;
const DeviceClass kCharStreamClass = {"CHAR_STREAM", CharStream::validate, CharStream::create};

namespace {

// The host opens the stream by this name (v3_stream, /dev/v3-vmN), so it
// follows the module's rule for names (uapi/v3vee_names.h): characters that
// are safe in a path and on a command line.
Result<StringView> read_stream_name(const xml::Element& device, config::Diagnostic& diag) {
    StringView name = TRY(config::read_string(device, "name", true, diag));
    if (name.length() > kStreamNameMaxLength)
        return diag.fail(device, "stream name '%s' is %zu characters long; at most %zu are allowed",
                         TextArg(name).c_str(), name.length(), kStreamNameMaxLength);
    for (char c : name)
        if (!v3_name_char_allowed(c))
            return diag.fail(device,
                             "stream name '%s' is invalid: use only letters, digits, '_', '.' "
                             "and '-'",
                             TextArg(name).c_str());
    return name;
}

struct FrontendRef {
    const xml::Element* element;
    StringView tag;
};

Result<FrontendRef> read_frontend(const xml::Element& device, config::Diagnostic& diag) {
    const xml::Element* frontend = device.child("frontend");
    if (!frontend)
        return diag.fail(device, "missing <frontend tag=\"DEVICE-ID\"/>: a CHAR_STREAM must name "
                                 "the device it connects to");
    if (device.child_count("frontend") > 1)
        return diag.fail(device, "a CHAR_STREAM connects to one frontend; %zu are given",
                         device.child_count("frontend"));
    StringView tag = TRY(config::read_string(*frontend, "tag", true, diag));
    return FrontendRef{frontend, tag};
}

} // namespace

Result<void> CharStream::validate(const config::DeviceEntry& entry, const config::VmConfig& config,
                                  config::Diagnostic& diag) {
    StringView name = TRY(read_stream_name(*entry.element, diag));
    FrontendRef frontend = TRY(read_frontend(*entry.element, diag));

    // The config reader has checked that the frontend names an earlier device.
    (void)frontend;
    for (const config::DeviceEntry& other : config.devices) {
        if (other.element == entry.element)
            break;
        if (other.class_name == "CHAR_STREAM") {
            StringView other_name = TRY(config::read_string(*other.element, "name", false, diag));
            if (other_name == name)
                return diag.fail(*entry.element, "stream name '%s' is already used by device '%s'",
                                 TextArg(name).c_str(), TextArg(other.id).c_str());
        }
    }
    return {};
}

Result<OwnPtr<Device>> CharStream::create(Vm& vm, const config::DeviceEntry& entry,
                                          config::Diagnostic& diag) {
    StringView name = TRY(read_stream_name(*entry.element, diag));
    FrontendRef frontend = TRY(read_frontend(*entry.element, diag));

    for (usize i = 0; i < vm.devices().count(); ++i) {
        Device& other = vm.devices().at(i);
        if (other.class_name() == "CHAR_STREAM" && static_cast<CharStream&>(other).name() == name)
            return diag.fail(*entry.element, "stream name '%s' is already used by device '%s'",
                             TextArg(name).c_str(), TextArg(other.id()).c_str());
    }
    StreamProvider* streams = vm.environment().streams;
    if (!streams)
        return diag.fail(*entry.element, "cannot open stream '%s': this host offers no streams",
                         TextArg(name).c_str());
    Device* target = vm.devices().find(frontend.tag);
    if (!target)
        return diag.fail(*frontend.element,
                         "frontend tag '%s' names no device created before this one",
                         TextArg(frontend.tag).c_str());

    OwnPtr<CharStream> device(new (alloc) CharStream(vm));
    if (!device)
        return make_error(Errno::NoMem, "out of memory for a CHAR_STREAM device");
    device->name_ = TRY(String::try_create(name));
    TRY(vm.clock().subscribe(*device));
    auto opened = streams->open_stream(name, *device);
    if (opened.is_error())
        return diag.fail(*entry.element, "cannot open host stream '%s': %s", TextArg(name).c_str(),
                         opened.error().message);
    device->stream_ = opened.release_value();
    // Last, so nothing can fail after the frontend points at this device.
    device->frontend_ = TRY(target->attach_char_backend(*frontend.element, *device, diag));
    return OwnPtr<Device>(device.leak());
}

CharStream::~CharStream() {
    // Closing the stream first: no host input can arrive after this.
    stream_.reset();
    vm_.clock().unsubscribe(*this);
}

usize CharStream::write_to_host(const u8* data, usize size) {
    usize taken = stream_ ? stream_->write(data, size) : 0;
    if (taken > size)
        taken = size;
    bytes_to_host_ += taken;
    bytes_dropped_ += size - taken;
    return taken;
}

void CharStream::offer_buffered_input() {
    while (input_count_ && frontend_) {
        usize run = kStreamInputBufferSize - input_head_;
        if (run > input_count_)
            run = input_count_;
        usize taken = frontend_->receive_from_host(&input_[input_head_], run);
        input_head_ = (input_head_ + taken) % kStreamInputBufferSize;
        input_count_ -= taken;
        if (taken < run)
            return;
    }
}

usize CharStream::deliver(const u8* data, usize size) {
    offer_buffered_input();
    usize accepted = 0;
    // Straight to the frontend unless older input is still waiting (order).
    if (input_count_ == 0 && frontend_)
        accepted = frontend_->receive_from_host(data, size);
    while (accepted < size && input_count_ < kStreamInputBufferSize) {
        input_[(input_head_ + input_count_) % kStreamInputBufferSize] = data[accepted++];
        ++input_count_;
    }
    return accepted;
}

Result<void> CharStream::advance_time(u64, u64) {
    offer_buffered_input();
    return {};
}

namespace {
constexpr u8 kSnapshotVersion = 1;
}

// The buffered host input travels with the checkpoint: the host already
// considers it delivered.
Result<void> CharStream::save(chkpt::Writer& writer) const {
    TRY(writer.u8_(kSnapshotVersion));
    TRY(writer.u16_(u16(input_count_)));
    for (usize i = 0; i < input_count_; ++i)
        TRY(writer.u8_(input_[(input_head_ + i) % kStreamInputBufferSize]));
    return {};
}

Result<void> CharStream::load(chkpt::Reader& reader) {
    u8 version = TRY(reader.u8_());
    if (version != kSnapshotVersion)
        return make_error(Errno::Inval, "CHAR_STREAM snapshot has an unknown version");
    u16 count = TRY(reader.u16_());
    if (count > kStreamInputBufferSize)
        return make_error(Errno::Inval, "CHAR_STREAM snapshot holds more input than fits");
    if (reader.remaining() < count)
        return make_error(Errno::Inval, "CHAR_STREAM snapshot is truncated");
    TRY(reader.bytes(input_, count));
    input_head_ = 0;
    input_count_ = count;
    return {};
}

} // namespace v3::devices
