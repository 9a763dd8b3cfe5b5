// Which console to open for a VM, as the original Palacios GUI asked on
// launch: one of its character streams (by name), its text console (when
// the config has CGA_VIDEO), or VNC (not offered: no VNC view exists yet).
// The answer can be remembered per VM, in QSettings keyed by the host, the
// VM's name and its config (a new VM reusing a name is asked again).
#pragma once

#include "vm_config_summary.h"
#include "vm_entry.h"

#include <QList>
#include <QString>

#include <optional>

struct ConsoleOption {
    enum class Kind { Stream, Text };
    Kind kind = Kind::Stream;
    QString stream; // Stream: its name

    // "stream:com1", "text": what is remembered.
    QString key() const;
    QString label() const;
    static std::optional<ConsoleOption> fromKey(const QString& key);
    bool operator==(const ConsoleOption&) const = default;
};

struct ConsoleChoice {
    ConsoleOption option;
    bool remember = false;
};

namespace consolechoice {

// The consoles a VM with this config offers, streams first, in config order.
QList<ConsoleOption> optionsFor(const VmConfigSummary& config);
// The remembered choice for vm on host, when it is still one of options.
std::optional<ConsoleOption> remembered(const QString& host, const VmEntry& vm,
                                        const QList<ConsoleOption>& options);
void remember(const QString& host, const VmEntry& vm, const ConsoleOption& option);
void forget(const QString& host, const VmEntry& vm);

} // namespace consolechoice
