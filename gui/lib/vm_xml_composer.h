// Writes the Palacios XML for a VM composed in the New VM wizard: memory,
// cores, nested paging, what it boots (a payload as the "bios" file, or a
// Linux kernel, optional initrd and command line booted directly), the
// legacy PC devices and the consoles asked for.
#pragma once

#include <QString>

struct VmComposition {
    QString name;
    int memoryMb = 64;
    int cores = 1;
    enum class Boot { Payload, LinuxKernel };
    Boot boot = Boot::Payload;
    QString bootPayload; // absolute path of a flat binary / BIOS blob
    QString linuxKernel; // absolute path of a bzImage (Boot::LinuxKernel)
    QString linuxInitrd; // absolute path of an initramfs, or empty
    QString linuxCmdline = QStringLiteral("console=ttyS0");
    bool serialStream = true; // COM1 as host stream "com1"
    bool textConsole = false; // CGA text screen + keyboard (CGA_VIDEO, CURSES_CONSOLE)
    bool vga = false;         // VGA framebuffer for the VNC view

    // What is wrong with the composition (empty if nothing).
    QString problem() const;
    QString toXml() const;
};
