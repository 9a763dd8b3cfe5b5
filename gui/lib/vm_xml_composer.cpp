#include "vm_xml_composer.h"

#include <QCoreApplication>
#include <QDir>
#include <QXmlStreamWriter>

QString VmComposition::problem() const {
    auto tr = [](const char* s) { return QCoreApplication::translate("VmComposition", s); };
    if (memoryMb < 1 || memoryMb > 65536)
        return tr("memory must be 1 to 65536 MB");
    if (cores < 1 || cores > 64)
        return tr("cores must be 1 to 64");
    if (boot == Boot::LinuxKernel) {
        if (linuxKernel.isEmpty())
            return tr("choose a Linux kernel (a bzImage such as /boot/vmlinuz-*)");
        if (!QDir::isAbsolutePath(linuxKernel))
            return tr("the kernel path must be absolute");
        if (!linuxInitrd.isEmpty() && !QDir::isAbsolutePath(linuxInitrd))
            return tr("the initrd path must be absolute");
        for (QChar c : linuxCmdline)
            if (c.unicode() < 0x20 || c.unicode() > 0x7e)
                return tr("the kernel command line must be one line of plain ASCII");
        return {};
    }
    if (bootPayload.isEmpty())
        return tr("choose a boot payload (a flat binary or BIOS image)");
    if (!QDir::isAbsolutePath(bootPayload))
        return tr("the boot payload path must be absolute");
    return {};
}

QString VmComposition::toXml() const {
    QString xml;
    QXmlStreamWriter w(&xml);
    w.setAutoFormatting(true);
    w.setAutoFormattingIndent(2);
    w.writeStartDocument();
    w.writeComment(QString(" %1: composed by the Palacios New VM wizard ").arg(name));
    w.writeStartElement("vm");
    w.writeAttribute("class", "PC");
    w.writeTextElement("memory", QString::number(memoryMb));
    w.writeStartElement("paging");
    w.writeAttribute("mode", "nested");
    w.writeEndElement();
    w.writeTextElement("schedule_hz", "100");
    w.writeStartElement("cores");
    w.writeAttribute("count", QString::number(cores));
    for (int i = 0; i < cores; ++i)
        w.writeEmptyElement("core");
    w.writeEndElement();
    w.writeStartElement("files");
    auto file = [&](const char* id, const QString& path) {
        w.writeEmptyElement("file");
        w.writeAttribute("id", id);
        w.writeAttribute("filename", path);
    };
    if (boot == Boot::LinuxKernel) {
        file("kernel", linuxKernel);
        if (!linuxInitrd.isEmpty())
            file("initrd", linuxInitrd);
    } else {
        file("bios", bootPayload);
    }
    w.writeEndElement();
    if (boot == Boot::LinuxKernel && !linuxCmdline.trimmed().isEmpty())
        w.writeTextElement("cmdline", linuxCmdline.trimmed());
    w.writeStartElement("devices");
    auto device = [&](const char* cls, const char* id) {
        w.writeEmptyElement("device");
        w.writeAttribute("class", cls);
        w.writeAttribute("id", id);
    };
    device("8259A", "PIC");
    device("8254_PIT", "PIT");
    device("KEYBOARD", "keyboard");
    device("NVRAM", "nvram");
    if (serialStream) {
        device("SERIAL", "serial");
        w.writeStartElement("device");
        w.writeAttribute("class", "CHAR_STREAM");
        w.writeAttribute("id", "com1_stream");
        w.writeAttribute("name", "com1");
        w.writeEmptyElement("frontend");
        w.writeAttribute("tag", "serial");
        w.writeAttribute("com_port", "1");
        w.writeEndElement();
    }
    if (textConsole) {
        // As the Palacios manual writes them; the screen's keys reach the
        // guest through the KEYBOARD device above.
        device("CGA_VIDEO", "cga");
        w.writeAttribute("passthrough", "disable");
        w.writeStartElement("device");
        w.writeAttribute("class", "CURSES_CONSOLE");
        w.writeAttribute("id", "curses");
        w.writeEmptyElement("frontend");
        w.writeAttribute("tag", "cga");
        w.writeEndElement();
    }
    if (vga)
        device("VGA", "vga");
    w.writeEndElement(); // devices
    w.writeEndElement(); // vm
    w.writeEndDocument();
    return xml;
}
