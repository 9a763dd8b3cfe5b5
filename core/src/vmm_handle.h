// The opaque handle the host holds for a VM (struct v3_vm in <v3/vmm.h>):
// the checked image (its views point into the host's buffer), the stream
// and console providers, the VM and its runtime. Shared by the host-facing
// API files (vmm_vm.cpp, vmm_chkpt.cpp). Declared in the global namespace
// to match the C declaration.
#pragma once

#include "config/guest_image.h"
#include "vm/host_console_provider.h"
#include "vm/host_stream_provider.h"
#include "vm/vm.h"
#include "vm/vm_runtime.h"

struct v3_vm {
    v3::config::GuestImage image;
    // The host's image buffer (valid until v3_free_vm): a checkpoint names
    // the image by its header checksums and size.
    const v3::u8* image_bytes = nullptr;
    v3::u64 image_size = 0;
    v3::OwnPtr<v3::HostServiceStreams> streams;
    v3::OwnPtr<v3::HostServiceConsoles> consoles;
    v3::OwnPtr<v3::Vm> vm;
    v3::OwnPtr<v3::VmRuntime> runtime;

    explicit v3_vm(v3::config::GuestImage&& checked) : image(v3::move(checked)) {}
    ~v3_vm() {
        runtime.reset(); // stops the cores before the devices go
        vm.reset();
    }
};
