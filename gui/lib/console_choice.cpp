#include "console_choice.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QSettings>

namespace {

// One settings group per VM identity: names may hold '/' or spaces, which
// QSettings keys do not take, so the group is a hash of what identifies it.
QString groupFor(const QString& host, const VmEntry& vm) {
    const QByteArray identity = (host + '\n' + vm.name + '\n' + vm.configPath).toUtf8();
    return "consoleChoice/" +
           QString::fromLatin1(
               QCryptographicHash::hash(identity, QCryptographicHash::Sha1).toHex());
}

} // namespace

QString ConsoleOption::key() const {
    return kind == Kind::Text ? QString("text") : "stream:" + stream;
}

QString ConsoleOption::label() const {
    if (kind == Kind::Text)
        return QCoreApplication::translate("ConsoleOption",
                                           "Text console (CGA screen and keyboard)");
    return QCoreApplication::translate("ConsoleOption", "Stream \"%1\" (terminal)").arg(stream);
}

std::optional<ConsoleOption> ConsoleOption::fromKey(const QString& key) {
    if (key == "text")
        return ConsoleOption{Kind::Text, {}};
    if (key.startsWith("stream:") && key.size() > 7)
        return ConsoleOption{Kind::Stream, key.mid(7)};
    return std::nullopt;
}

namespace consolechoice {

QList<ConsoleOption> optionsFor(const VmConfigSummary& config) {
    QList<ConsoleOption> options;
    for (const QString& stream : config.streams)
        options.append({ConsoleOption::Kind::Stream, stream});
    bool hasCga = false;
    for (const VmConfigSummary::Device& device : config.devices)
        hasCga |= device.deviceClass == "CGA_VIDEO";
    if (hasCga)
        options.append({ConsoleOption::Kind::Text, {}});
    return options;
}

std::optional<ConsoleOption> remembered(const QString& host, const VmEntry& vm,
                                        const QList<ConsoleOption>& options) {
    QSettings settings;
    const auto option =
        ConsoleOption::fromKey(settings.value(groupFor(host, vm) + "/console").toString());
    if (option && options.contains(*option))
        return option;
    return std::nullopt;
}

void remember(const QString& host, const VmEntry& vm, const ConsoleOption& option) {
    QSettings settings;
    settings.setValue(groupFor(host, vm) + "/vm", vm.name); // readable in the file
    settings.setValue(groupFor(host, vm) + "/console", option.key());
}

void forget(const QString& host, const VmEntry& vm) {
    QSettings settings;
    settings.remove(groupFor(host, vm));
}

} // namespace consolechoice
