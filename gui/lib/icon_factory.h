// The window's icons, drawn with QPainter from simple shapes: crisp at every
// size, no image plugins and no borrowed artwork.
#pragma once

#include "vm_action_policy.h"
#include "vm_entry.h"

#include <QIcon>

class IconFactory {
public:
    static QIcon forAction(VmAction action);
    static QIcon forStatus(VmStatus status);
    static QIcon newVm();
    static QIcon reload();
    static QIcon application();
};
