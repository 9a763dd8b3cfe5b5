#include "guest_image_probe.h"
#include "vm_config_summary.h"

#include <QFile>
#include <QFileInfo>
#include <QPointer>
#include <QtConcurrent/QtConcurrentRun>

namespace {

// The header fields read here (core/src/config/IMAGE-FORMAT.md; image.h's
// image_layout holds the same table for the core).
constexpr int kHeaderSize = 64;
constexpr int kXmlOffsetAt = 24; // u64, little-endian
constexpr int kXmlSizeAt = 32;   // u64
constexpr quint64 kMaxXmlSize = 1024 * 1024;
const QByteArray kMagic("v3vee\0\0\0", 8);

quint64 u64At(const QByteArray& bytes, int at) {
    quint64 v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | quint8(bytes[at + i]);
    return v;
}

} // namespace

bool GuestImageProbe::hasImageMagic(const QByteArray& head) {
    return head.startsWith(kMagic);
}

GuestImageProbe GuestImageProbe::read(const QString& path, const QString& what) {
    GuestImageProbe probe;
    probe.path = path;
    const QFileInfo info(path);
    if (!info.exists()) {
        probe.kind = Kind::Missing;
        probe.problem = QObject::tr("%1 %2 does not exist").arg(what, path);
        return probe;
    }
    QFile file(path);
    if (!info.isFile() || !file.open(QIODevice::ReadOnly)) {
        probe.kind = Kind::Unreadable;
        probe.problem =
            QObject::tr("%1 %2 cannot be read: %3")
                .arg(what, path,
                     info.isFile() ? file.errorString() : QObject::tr("it is not a file"));
        return probe;
    }
    const QByteArray header = file.read(kHeaderSize);
    if (!hasImageMagic(header)) {
        probe.kind = Kind::NotImage;
        return probe;
    }
    probe.kind = Kind::Image;
    if (header.size() < kHeaderSize)
        return probe;
    const quint64 xmlOffset = u64At(header, kXmlOffsetAt);
    const quint64 xmlSize = u64At(header, kXmlSizeAt);
    if (xmlSize == 0 || xmlSize > kMaxXmlSize || !file.seek(qint64(xmlOffset)))
        return probe;
    const QByteArray xml = file.read(qint64(xmlSize));
    if (quint64(xml.size()) == xmlSize)
        probe.memoryMb = VmConfigSummary::parse(xml, path).memoryMb;
    return probe;
}

ImageProbe::ImageProbe(QString what, QObject* parent) : QObject(parent), what_(std::move(what)) {}

void ImageProbe::probe(const QString& path) {
    wanted_ = path;
    if (path.isEmpty()) {
        result_ = GuestImageProbe{};
        emit probed(result_);
        return;
    }
    auto* watcher = new QFutureWatcher<GuestImageProbe>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher]() {
        watcher->deleteLater();
        const GuestImageProbe answer = watcher->result();
        if (answer.path != wanted_)
            return; // another path was asked for meanwhile
        result_ = answer;
        emit probed(result_);
    });
    const QString what = what_;
    watcher->setFuture(
        QtConcurrent::run([path, what]() { return GuestImageProbe::read(path, what); }));
}
