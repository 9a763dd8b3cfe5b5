// Writes the Palacios XML for a VM composed in the New VM wizard: memory,
// cores, nested paging, the boot payload as the "bios" file, the legacy PC
// devices and the consoles asked for.
#pragma once

#include <QString>

struct VmComposition {
    QString name;
    int memoryMb = 64;
    int cores = 1;
    QString bootPayload;      // absolute path of a flat binary / BIOS blob
    bool serialStream = true; // COM1 as host stream "com1"
    bool textConsole = false; // CGA text screen + keyboard (CGA_VIDEO, CURSES_CONSOLE)
    bool vga = false;         // VGA framebuffer for the VNC view

    // What is wrong with the composition (empty if nothing).
    QString problem() const;
    QString toXml() const;
};
