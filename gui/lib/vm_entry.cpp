#include "vm_entry.h"

#include <QCoreApplication>

QString vmStatusName(VmStatus status) {
    switch (status) {
    case VmStatus::Inactive:
        return QCoreApplication::translate("VmStatus", "inactive");
    case VmStatus::Created:
        return QCoreApplication::translate("VmStatus", "created");
    case VmStatus::Running:
        return QCoreApplication::translate("VmStatus", "running");
    case VmStatus::Paused:
        return QCoreApplication::translate("VmStatus", "paused");
    case VmStatus::Stopped:
        return QCoreApplication::translate("VmStatus", "stopped");
    case VmStatus::Error:
        return QCoreApplication::translate("VmStatus", "error");
    case VmStatus::Unknown:
        break;
    }
    return QCoreApplication::translate("VmStatus", "unknown");
}

bool VmEntry::sameAs(const VmEntry& o) const {
    return name == o.name && group == o.group && status == o.status &&
           statusReason == o.statusReason && configPath == o.configPath &&
           imagePath == o.imagePath && deviceFile == o.deviceFile && index == o.index &&
           memoryMb == o.memoryMb && cores == o.cores;
}
