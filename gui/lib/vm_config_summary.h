// What the details page shows about a VM's config, read with QtXml from the
// Palacios XML (<vm class="PC">: <memory>, <cores count>, <paging mode>,
// <files>, <devices>). Pure: give it the file's bytes (read on a worker).
#pragma once

#include <QList>
#include <QString>

struct VmConfigSummary {
    struct Device {
        QString deviceClass;
        QString id;
        QString backend; // what the device is wired to: host stream, frontend, options
    };
    struct File {
        QString id;
        QString path; // absolute (relative names resolved against the config's folder)
    };

    QString vmClass;
    int memoryMb = -1;
    int cores = -1;
    QString paging; // "nested", "shadow", or empty when not given
    QList<Device> devices;
    QList<File> files;
    QStringList streams;         // CHAR_STREAM names the host can open
    bool hasTextConsole = false; // CGA_VIDEO / CURSES_CONSOLE
    bool hasVga = false;

    // error (when given) says what is wrong and where; the summary is then
    // empty. configPath resolves relative file names.
    static VmConfigSummary parse(const QByteArray& xml, const QString& configPath,
                                 QString* error = nullptr);
    // Reads and parses the file (blocks: call on a worker).
    static VmConfigSummary read(const QString& configPath, QString* error = nullptr);
};
