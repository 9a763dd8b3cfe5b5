#include "vm_config_summary.h"

#include <QCoreApplication>
#include <QDir>
#include <QDomDocument>
#include <QFile>
#include <QFileInfo>

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("VmConfigSummary", text);
}

// The text of an attribute, or of a child element of that name (Palacios
// accepts both spellings for most options).
QString option(const QDomElement& element, const QString& name) {
    if (element.hasAttribute(name))
        return element.attribute(name).trimmed();
    QDomElement child = element.firstChildElement(name);
    return child.isNull() ? QString() : child.text().trimmed();
}

QString describeBackend(const QDomElement& device) {
    QStringList parts;
    const QString cls = device.attribute("class");
    if (device.hasAttribute("name"))
        parts << (cls == "CHAR_STREAM" ? tr("host stream '%1'") : tr("name '%1'"))
                     .arg(device.attribute("name"));
    for (QDomElement frontend = device.firstChildElement("frontend"); !frontend.isNull();
         frontend = frontend.nextSiblingElement("frontend")) {
        QString text = tr("frontend %1").arg(frontend.attribute("tag"));
        QDomNamedNodeMap attrs = frontend.attributes();
        for (int i = 0; i < attrs.count(); ++i) {
            QDomAttr a = attrs.item(i).toAttr();
            if (a.name() != "tag")
                text += QString(" %1=%2").arg(a.name(), a.value());
        }
        parts << text;
    }
    QDomNamedNodeMap attrs = device.attributes();
    for (int i = 0; i < attrs.count(); ++i) {
        QDomAttr a = attrs.item(i).toAttr();
        if (a.name() != "class" && a.name() != "id" && a.name() != "name")
            parts << QString("%1=%2").arg(a.name(), a.value());
    }
    for (QDomElement child = device.firstChildElement(); !child.isNull();
         child = child.nextSiblingElement()) {
        if (child.tagName() != "frontend" && child.firstChildElement().isNull() &&
            !child.text().trimmed().isEmpty())
            parts << QString("%1=%2").arg(child.tagName(), child.text().trimmed());
    }
    return parts.join(", ");
}

int toInt(const QString& text) {
    bool ok = false;
    int value = text.toInt(&ok);
    return ok ? value : -1;
}

} // namespace

VmConfigSummary VmConfigSummary::parse(const QByteArray& xml, const QString& configPath,
                                       QString* error) {
    VmConfigSummary s;
    QDomDocument doc;
    QString message;
    int line = 0, column = 0;
    if (!doc.setContent(xml, &message, &line, &column)) {
        if (error)
            *error =
                tr("%1: line %2, column %3: %4").arg(configPath).arg(line).arg(column).arg(message);
        return s;
    }
    QDomElement vm = doc.documentElement();
    if (vm.tagName() != "vm") {
        if (error)
            *error = tr("%1: the root element is <%2>, not <vm>").arg(configPath, vm.tagName());
        return s;
    }
    s.vmClass = vm.attribute("class");
    s.memoryMb = toInt(vm.firstChildElement("memory").text().trimmed());
    QDomElement cores = vm.firstChildElement("cores");
    if (!cores.isNull()) {
        s.cores = toInt(cores.attribute("count"));
        if (s.cores < 0) {
            int n = 0;
            for (QDomElement c = cores.firstChildElement("core"); !c.isNull();
                 c = c.nextSiblingElement("core"))
                ++n;
            s.cores = n > 0 ? n : -1;
        }
    }
    QDomElement paging = vm.firstChildElement("paging");
    if (!paging.isNull())
        s.paging = paging.attribute("mode");
    const QDir base = QFileInfo(configPath).absoluteDir();
    for (QDomElement f = vm.firstChildElement("files").firstChildElement("file"); !f.isNull();
         f = f.nextSiblingElement("file")) {
        const QString name = f.attribute("filename");
        s.files.append({f.attribute("id"),
                        name.isEmpty() ? QString() : QDir::cleanPath(base.absoluteFilePath(name))});
    }
    for (QDomElement d = vm.firstChildElement("devices").firstChildElement("device"); !d.isNull();
         d = d.nextSiblingElement("device")) {
        const QString cls = d.attribute("class");
        s.devices.append({cls, d.attribute("id"), describeBackend(d)});
        if (cls == "CHAR_STREAM") {
            const QString name = option(d, "name");
            s.streams << (name.isEmpty() ? d.attribute("id") : name);
        }
        if (cls == "CGA_VIDEO" || cls == "CURSES_CONSOLE")
            s.hasTextConsole = true;
        if (cls == "VGA")
            s.hasVga = true;
    }
    return s;
}

VmConfigSummary VmConfigSummary::read(const QString& configPath, QString* error) {
    QFile file(configPath);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = tr("cannot read the config %1: %2").arg(configPath, file.errorString());
        return {};
    }
    return parse(file.readAll(), configPath, error);
}
