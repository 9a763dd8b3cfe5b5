#include "vm_entry.h"

#include <QCoreApplication>

QString vmStatusName(VmStatus status) {
    return QCoreApplication::translate("VmStatus", v3ctl::stateName(status));
}

bool VmEntry::sameAs(const VmEntry& o) const {
    return name == o.name && group == o.group && status == o.status &&
           statusReason == o.statusReason && configPath == o.configPath &&
           imagePath == o.imagePath && deviceFile == o.deviceFile && index == o.index &&
           memoryMb == o.memoryMb && cores == o.cores;
}
